"""Benchmark results as JSON files, with the machine they were measured on.

Every ``bench_<name>.py`` saves what it measured with :func:`save_run` into
``benchmarks/results/<name>.json``; the documentation's benchmarks page is
built from those files (``docs/_ext/benchmark_results.py``). A file holds one
benchmark::

    {
      "benchmark": "dense",                  # the <name> of bench_<name>.py
      "title": "...",                        # the page's section title
      "script": "benchmarks/bench_dense.py",
      "description": "...",                  # reStructuredText: what is measured
      "runs": [                              # one per configuration
        {
          "id": "mnist",                     # a rerun of this id replaces it
          "title": "...",
          "command": "python benchmarks/bench_dense.py",
          "machine": {"cpu": ..., "cores": ..., "memory_gb": ..., "platform": ...,
                      "python": ..., "keras_backend": ..., "gpus": [...],
                      "versions": {"numpy": ..., ...}, "date": "YYYY-MM-DD",
                      "commit": ..., "notes": ...},
          "tables": [
            {"title": "...", "columns": ["model", "test accuracy", ...],
             "formats": [null, ".4f", ...],  # format() specs of numeric cells
             "rows": [["skvision", 0.9842, ...]],
             "notes": "..."}
          ],
          "figure": "images_rss.png",        # optional, next to the JSON file
          "notes": "..."
        }
      ],
      "notes": "..."                         # optional, written by hand
    }

Cells are numbers (shown with the column's format) or reStructuredText
strings. Any value that was not measured or written down is the string
``"not recorded"``. Saving a run keeps the file's other runs, each with its
own machine, so rerunning one configuration changes only its numbers.
``--quick`` smoke runs are saved under ``benchmarks/results/quick/`` (not
committed), never over measured results.
"""

import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
NOT_RECORDED = "not recorded"
# Distributions whose version every result records, and their other names.
PACKAGES = {
    "numpy": ("numpy",),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-macos"),
    "keras": ("keras",),
    "scikit-learn": ("scikit-learn",),
    "skvision": ("skvision",),
}


def add_arguments(parser):
    """The options every benchmark shares: ``--note`` and ``--output``."""
    parser.add_argument(
        "--note",
        default=None,
        help="what else ran on the machine, or anything else the results "
        "should say about it (saved with the machine)",
    )
    parser.add_argument(
        "--output",
        default=None,
        help="the results file (default benchmarks/results/<name>.json; "
        "benchmarks/results/quick/<name>.json with --quick)",
    )


def table(title, columns, rows, *, formats=None, notes=None):
    """One table of a run; ``formats`` are ``format()`` specs per column."""
    result = {"title": title, "columns": list(columns)}
    if formats is not None:
        if len(formats) != len(columns):
            raise ValueError("one format per column")
        result["formats"] = list(formats)
    result["rows"] = [[_plain(value) for value in row] for row in rows]
    if notes:
        result["notes"] = notes
    return result


def machine(packages=(), notes=None):
    """Where and with what the numbers were measured (call after importing
    Keras, so that its backend and the GPUs are recorded)."""
    versions = {name: _version(names) for name, names in PACKAGES.items()}
    versions.update({name: _version((name,)) for name in packages})
    info = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count() or NOT_RECORDED,
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    keras = sys.modules.get("keras")
    if keras is not None:
        info["keras_backend"] = keras.config.backend()
    gpus = _gpus()
    if gpus is not None:
        info["gpus"] = gpus
    info["versions"] = versions
    info["date"] = datetime.date.today().isoformat()
    info["commit"] = _commit()
    if notes:
        info["notes"] = notes
    return info


def load_text(start, end):
    """``os.getloadavg()`` at a run's start and end, as a sentence for notes."""

    def shown(values):
        return ", ".join(f"{v:.2f}" for v in values)

    return (
        f"Load average (1, 5, 15 min) at start {shown(start)}, at end "
        f"{shown(end)} ({os.cpu_count()} cores)."
    )


def command_line():
    """The command that is running, as a user would type it."""
    script = Path(sys.argv[0]).resolve()
    try:
        script = script.relative_to(RESULTS.parents[1])
    except ValueError:
        pass
    return shlex.join(["python", str(script), *sys.argv[1:]])


def save_run(
    name,
    run_id,
    *,
    title,
    description,
    run_title,
    tables,
    args,
    packages=(),
    figure=None,
    notes=None,
):
    """Save one run of benchmark ``name`` and return the file's path.

    ``args`` are the script's parsed arguments (``quick``, ``note``,
    ``output``). The run replaces the file's run of the same ``run_id`` and
    keeps the others; ``title`` and ``description`` (the benchmark's) are
    rewritten, hand-written top-level ``notes`` kept.
    """
    path = Path(args.output) if args.output else results_path(name, args.quick)
    run = {
        "id": run_id,
        "title": run_title,
        "command": command_line(),
        "machine": machine(packages, notes=args.note),
        "tables": tables,
    }
    if figure is not None:
        run["figure"] = os.path.relpath(Path(figure).resolve(), path.resolve().parent)
    if notes:
        run["notes"] = notes
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    runs = data.get("runs", [])
    ids = [old["id"] for old in runs]
    if run_id in ids:
        runs[ids.index(run_id)] = run
    else:
        runs.append(run)
    data = {
        "benchmark": name,
        "title": title,
        "script": f"benchmarks/bench_{name}.py",
        "description": description,
        "runs": runs,
        **({"notes": data["notes"]} if data.get("notes") else {}),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(data), encoding="utf-8")
    print(f"\nresults saved in {path}")
    return path


def results_path(name, quick=False):
    return RESULTS / "quick" / f"{name}.json" if quick else RESULTS / f"{name}.json"


def figure_path(name, quick=False):
    """Where a benchmark's figure goes: next to its results file."""
    return results_path(name, quick).with_suffix(".png")


def dumps(data, indent=0):
    """JSON with each list of plain values (a row, the columns) on one line,
    so that a rerun's diff shows one changed line per changed row."""
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(data, dict) and data:
        items = [
            f"{inner}{json.dumps(key)}: {dumps(value, indent + 2).lstrip()}"
            for key, value in data.items()
        ]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(data, list) and any(isinstance(x, dict | list) for x in data):
        items = [dumps(value, indent + 2) for value in data]
        return pad + "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return pad + json.dumps(data, ensure_ascii=False)


def _plain(value):
    """A NumPy scalar as the Python number it holds (JSON has no np.float32);
    floats to 6 significant digits, more than any measurement here holds."""
    if hasattr(value, "item"):
        value = value.item()
    return float(f"{value:.6g}") if isinstance(value, float) else value


def _version(names):
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return NOT_RECORDED


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin":
        try:
            return subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    return platform.processor() or NOT_RECORDED


def _memory_gb():
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return NOT_RECORDED
    return round(pages / 2**30, 1)


def _gpus():
    """GPU names TensorFlow sees, when TensorFlow is already imported."""
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return None
    try:
        devices = tf.config.list_physical_devices("GPU")
        return [
            tf.config.experimental.get_device_details(device).get(
                "device_name", device.name
            )
            for device in devices
        ]
    except Exception:  # an old TensorFlow, or no device details
        return None


def _commit():
    """The checkout's commit, marked when files tracked by git have changed."""
    root = RESULTS.parents[1]

    def git(*arguments):
        return subprocess.run(
            ["git", *arguments], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        commit = git("rev-parse", "--short=10", "HEAD")
        # Results files change with every run: they do not make the code dirty.
        changed = git(
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!benchmarks/results",
        )
    except (OSError, subprocess.CalledProcessError):
        return NOT_RECORDED
    return f"{commit} (with uncommitted changes)" if changed else commit
