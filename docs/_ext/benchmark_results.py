"""The ``benchmark-results`` directive: the tables of ``benchmarks/results/*.json``.

``docs/benchmarks.rst`` holds ``.. benchmark-results:: dense conv ...``: one
section per results file, in that order (files not named follow,
alphabetically), each run with its command, the machine it was measured on,
its tables, figure and notes. The numbers are read when the docs are built,
so they change only when a benchmark is rerun (see ``benchmarks/_results.py``
for the files' format). ``python docs/_ext/benchmark_results.py`` prints the
reStructuredText the directive parses.
"""

import json
import os
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"
NOT_RECORDED = "not recorded"
# The versions a machine line names first, in this order.
MAIN_PACKAGES = ("numpy", "tensorflow", "keras", "scikit-learn", "skvision")


def result_files(results=RESULTS, order=()):
    """The results files: those named in ``order`` first, then the others."""
    paths = {path.stem: path for path in sorted(Path(results).glob("*.json"))}
    missing = [name for name in order if name not in paths]
    if missing:
        raise FileNotFoundError(
            f"no results file for {', '.join(missing)} in {results}"
        )
    rest = [name for name in paths if name not in order]
    return [paths[name] for name in [*order, *rest]]


def render(results=RESULTS, order=(), docs_dir=None):
    """reStructuredText of every results file; figures' paths are made
    relative to ``docs_dir`` (the folder of the page that shows them)."""
    docs_dir = Path(docs_dir or Path(__file__).resolve().parents[1])
    return "\n".join(
        render_benchmark(json.loads(path.read_text(encoding="utf-8")), path, docs_dir)
        for path in result_files(results, order)
    )


def render_benchmark(data, path, docs_dir):
    lines = [*heading(data["title"], "-"), "", data["description"], ""]
    lines += [f"Script: ``{data['script']}``; results: ``{_repo_path(path)}``.", ""]
    for run in data["runs"]:
        lines += [*heading(run["title"], "~"), ""]
        lines += [f"Command: ``{run['command']}``", ""]
        lines += [f"Measured on: {machine_line(run['machine'])}", ""]
        for table in run["tables"]:
            lines += render_table(table)
        if run.get("figure"):
            figure = Path(path).parent / run["figure"]
            lines += [
                f".. image:: {Path(os.path.relpath(figure, docs_dir)).as_posix()}",
                f"   :alt: {run['title']}",
                "",
            ]
        if run.get("notes"):
            lines += [run["notes"], ""]
    if data.get("notes"):
        lines += [data["notes"], ""]
    return "\n".join(lines)


def heading(title, character):
    return [title, character * len(title)]


def render_table(table):
    columns = table["columns"]
    formats = table.get("formats") or [None] * len(columns)
    lines = [f".. list-table:: {table['title']}", "   :header-rows: 1", ""]
    for row in [columns, *table["rows"]]:
        cells = [cell(value, spec) for value, spec in zip(row, formats, strict=True)]
        lines.append(f"   * - {cells[0]}".rstrip())
        lines += [f"     - {text}".rstrip() for text in cells[1:]]
    lines.append("")
    if table.get("notes"):
        lines += [table["notes"], ""]
    return lines


def cell(value, spec=None):
    """A cell's text: numbers in the column's format, strings as they are
    (reStructuredText), None empty."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and spec:
        return format(value, spec)
    return str(value)


def machine_line(machine):
    """One sentence: CPU, cores, memory, system, versions, date, commit."""
    parts, missing = [], []

    def known(key):
        value = machine.get(key, NOT_RECORDED)
        if value == NOT_RECORDED:
            missing.append(key.replace("_gb", ""))
            return None
        return value

    cpu, cores = known("cpu"), known("cores")
    if cpu or cores:
        parts.append(", ".join(str(x) for x in (cpu, cores and f"{cores} cores") if x))
    if known("memory_gb"):
        parts.append(f"{machine['memory_gb']} GB of memory")
    if machine.get("gpus"):
        parts.append("GPU: " + ", ".join(machine["gpus"]))
    if known("platform"):
        parts.append(machine["platform"])
    if known("python"):
        parts.append(f"Python {machine['python']}")
    if machine.get("keras_backend"):
        parts.append(f"Keras backend {machine['keras_backend']}")
    versions = known("versions")
    if versions:
        names = [*MAIN_PACKAGES, *sorted(set(versions) - set(MAIN_PACKAGES))]
        parts.append(
            ", ".join(f"{name} {versions[name]}" for name in names if name in versions)
        )
    if known("commit"):
        parts.append(f"commit {machine['commit']}")
    if known("date"):
        parts.append(machine["date"])
    text = "; ".join(parts) + "."
    if missing:
        text += f" Not recorded: {', '.join(missing)}."
    if machine.get("notes"):
        text += f" {machine['notes']}"
    return text


def _repo_path(path):
    try:
        return Path(path).resolve().relative_to(RESULTS.parents[1]).as_posix()
    except ValueError:
        return str(path)


def setup(app):
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective
    from sphinx.util.nodes import nested_parse_with_titles

    class BenchmarkResults(SphinxDirective):
        """``.. benchmark-results:: [name ...]``: the results, in that order."""

        optional_arguments = 100
        has_content = False

        def run(self):
            order = self.arguments
            docs_dir = Path(self.env.doc2path(self.env.docname)).parent
            for path in result_files(RESULTS, order):
                self.env.note_dependency(str(path))  # rebuilt when it changes
            text = render(RESULTS, order, docs_dir)
            node = nodes.section()
            node.document = self.state.document
            source = self.get_source_info()[0]
            content = StringList(text.splitlines(), source=source)
            nested_parse_with_titles(self.state, content, node)
            return node.children

    app.add_directive("benchmark-results", BenchmarkResults)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    print(render())
