"""TensorFlow's native start-up logs, filtered as ``TF_CPP_MIN_LOG_LEVEL`` says.

TensorFlow >= 2.21 logs its start-up notices ("oneDNN custom operations are
on", CPU feature hints) through absl before absl's logging is initialized,
which writes them to file descriptor 2 whatever ``TF_CPP_MIN_LOG_LEVEL`` says.
:func:`filtered_native_stderr` captures descriptor 2 around a block (the
Keras import, :mod:`skvision._keras`) and writes back what the C++ side wrote
without the entries below that level, which is what the variable has always
meant (1 hides INFO, 2 WARNING, 3 ERROR). Python's warnings pass unchanged,
TensorFlow is not changed, and its numerics (oneDNN on or off) stay as
TensorFlow chose. Nothing here imports TensorFlow.
"""

import os
import re
import sys
import tempfile
from contextlib import contextmanager

# "I0000 00:00:1796349614.319257    3199 port.cc:153] message"
_ENTRY = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:[\d.]+ +\d+ [^\]]+\] ")
_SEVERITY = {"I": 0, "W": 1, "E": 2, "F": 3}
_ABSL_PREAMBLE = "WARNING: All log messages before absl::InitializeLog() is called"
# Python's warnings and tracebacks, which are never part of an absl entry.
_PYTHON_REPORT = re.compile(r"^(Traceback \(|\S.*:\d+: \w*(Warning|Error)\b)")


def min_log_level():
    """TensorFlow's ``TF_CPP_MIN_LOG_LEVEL`` as an int (0 when unset or bad)."""
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        return 0


def filter_log(text, level):
    """``text`` without the absl log entries of severity below ``level``.

    An entry's continuation lines (messages with newlines) go with it, up to
    the next entry or Python warning or traceback; fatal entries and lines
    before the first entry are always kept.
    """
    kept, keep = [], True
    for line in text.splitlines(keepends=True):
        entry = _ENTRY.match(line)
        if entry:
            keep = _SEVERITY[entry.group(1)] >= min(level, 3)
        elif line.startswith(_ABSL_PREAMBLE):  # an INFO notice of absl's own
            keep = level < 1
        elif _PYTHON_REPORT.match(line):
            keep = True
        if keep:
            kept.append(line)
    return "".join(kept)


@contextmanager
def filtered_native_stderr(level):
    """Filter what native code writes to descriptor 2 inside the block."""
    if level < 1:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (AttributeError, OSError, ValueError):  # no descriptor 2 to capture
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = filter_log(capture.read().decode(errors="replace"), level)
            if kept:
                os.write(2, kept.encode())
