"""skvision.plotting loads matplotlib only when a figure is drawn."""

import subprocess
import sys
from pathlib import Path

import skvision.plotting

# ``import skvision`` loads Keras, and Keras imports matplotlib.pyplot itself
# (keras.src.visualization), so the check loads the plotting subpackage under
# a bare ``skvision`` package that skips skvision/__init__.py.
CODE = """
import sys, types
package = types.ModuleType("skvision")
package.__path__ = [{path!r}]
sys.modules["skvision"] = package
import skvision.plotting
loaded = sorted(name for name in sys.modules if name.startswith("matplotlib"))
assert not loaded, loaded
"""


def test_import_does_not_load_matplotlib():
    path = str(Path(skvision.plotting.__file__).parents[1])
    result = subprocess.run(
        [sys.executable, "-c", CODE.format(path=path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_all_is_public_api():
    for name in skvision.plotting.__all__:
        display = getattr(skvision.plotting, name)
        assert name.endswith("Display")
        assert callable(display.plot)
