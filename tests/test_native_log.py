"""The filter that keeps TensorFlow's start-up notices off stderr (no TensorFlow)."""

import os
import subprocess
import sys

from skvision._native_log import filter_log

LOG = (
    "a line of some other library\n"
    "WARNING: All log messages before absl::InitializeLog() is called are written"
    " to STDERR\n"
    "I0000 00:00:1796349614.319257    3199 port.cc:153] oneDNN custom operations"
    " are on.\n"
    "I0000 00:00:1796349614.358613    3199 cpu_feature_guard.cc:227] This binary is"
    " optimized.\n"
    "To enable the following instructions: AVX2 FMA, rebuild TensorFlow.\n"
    "W0000 00:00:1796349614.400000    3199 gpu.cc:12] no GPU found\n"
    "E0000 00:00:1796349614.500000    3199 disk.cc:7] cannot read /x\n"
)


def test_level_0_keeps_everything():
    assert filter_log(LOG, 0) == LOG


def test_level_1_hides_info_entries_and_their_continuation_lines():
    kept = filter_log(LOG, 1)
    assert "oneDNN" not in kept and "AVX2" not in kept and "InitializeLog" not in kept
    assert "no GPU found" in kept and "cannot read /x" in kept
    assert kept.startswith("a line of some other library\n")


def test_python_warnings_are_never_taken_for_a_continuation_line():
    warning = "/x/y.py:3: DeprecationWarning: old\n  import z\n"
    assert filter_log(LOG + warning, 1).endswith(warning)


def test_level_3_keeps_only_fatal_entries_and_foreign_lines():
    fatal = "F0000 00:00:1796349614.600000    3199 core.cc:1] abort\n"
    assert filter_log(LOG + fatal, 3) == "a line of some other library\n" + fatal


def test_python_writes_to_stderr_inside_the_filter_pass():
    code = (
        "import sys\n"
        "from skvision._native_log import filtered_native_stderr\n"
        "import os\n"
        "with filtered_native_stderr(1):\n"
        "    print('from python', file=sys.stderr)\n"
        "    os.write(2, b'I0000 00:00:1.0  1 x.cc:1] hidden\\n')\n"
        "    os.write(2, b'W0000 00:00:1.0  1 x.cc:2] shown\\n')\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "from python" in result.stderr and "shown" in result.stderr
    assert "hidden" not in result.stderr
