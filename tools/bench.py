"""Benchmark the course: run each notebook in a fresh kernel and measure it.

For every chapter and solutions notebook (or the ones named), one at a time:
wall time, the slowest cells, the peak resident memory of the kernel process,
and the headline results the notebook checks with ``utils.results.check_result``
(read from their machine-readable outputs, never from printed text). Writes a
JSON file and a Markdown table, and compares with an earlier JSON to flag
regressions in time, memory and results.

    python -m tools bench                                  # the whole course
    python -m tools bench 03_fashion_mnist_classification  # one chapter (+ solutions)
    python -m tools bench --compare benchmarks/cpu.json --output /tmp/new.json
    python -m tools bench --backends tensorflow jax torch  # side by side, one run

With ``--backends`` every notebook runs once per Keras backend, one after the other
(same machine, same moment), and the report goes to ``benchmarks/backends.json`` and
``benchmarks/backends.md``. The notebooks are executed from copies: the committed ones
are not changed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from tools.course import COURSE, ROOT
from utils.backends import BACKENDS, DISPLAY_NAMES
from utils.results import RESULT_MIME_TYPE

DEFAULT_OUTPUT = ROOT / "benchmarks" / "cpu.json"
# The colours of an IPython traceback, kept out of the report's error line.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
BACKENDS_OUTPUT = ROOT / "benchmarks" / "backends.json"
SLOWEST_CELLS = 3
# A run counts as a regression beyond these ratios to the previous run (timings on a
# shared machine vary by 10-20 %, so smaller changes are noise).
TIME_RATIO_LIMIT = 1.25
MEMORY_RATIO_LIMIT = 1.20
RESULT_TOLERANCE = 0.01


@dataclass
class NotebookRun:
    notebook: str
    wall_s: float = 0.0
    peak_rss_mib: float = 0.0
    cells: int = 0
    slowest_cells: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(result["passed"] for result in self.results)


class PeakMemory:
    """Peak resident memory of a process, sampled in a background thread.

    On Linux the kernel's own high-water mark (VmHWM) is read as well, which
    catches peaks shorter than the sampling interval.
    """

    def __init__(self, interval_s: float = 0.1) -> None:
        self.interval_s = interval_s
        self.pid: int | None = None
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self, pid: int) -> None:
        self.pid = pid
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        import psutil

        process = psutil.Process(self.pid)
        while not self._stop.is_set():
            try:
                self.peak_bytes = max(self.peak_bytes, process.memory_info().rss)
                self.peak_bytes = max(self.peak_bytes, _high_water_mark(self.pid))
            except (psutil.Error, OSError):
                return
            self._stop.wait(self.interval_s)


def _high_water_mark(pid: int) -> int:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return 0
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def run_notebook(path: Path, *, timeout_s: int = 1800, progress: bool = True) -> NotebookRun:
    """Execute one notebook in a fresh kernel, in its own folder, and measure it."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    notebook = nbformat.read(path, as_version=4)
    code_cells = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    run = NotebookRun(name, cells=len(code_cells))
    memory = PeakMemory()
    cell_times: dict[int, float] = {}
    started = time.perf_counter()
    cell_started = started

    def on_cell_start(cell: Any, cell_index: int) -> None:
        nonlocal cell_started
        if memory.pid is None:
            memory.start(client.km.provisioner.process.pid)
        if cell.cell_type != "code":
            return
        cell_started = time.perf_counter()
        if progress and sys.stdout.isatty():
            position = code_cells.index(cell_index) + 1
            elapsed = cell_started - started
            print(f"\r  {name}: cell {position}/{len(code_cells)}, {elapsed:4.0f} s ", end="")
            sys.stdout.flush()

    def on_cell_executed(cell: Any, cell_index: int, execute_reply: Any) -> None:
        cell_times[cell_index] = time.perf_counter() - cell_started

    client = NotebookClient(
        notebook,
        timeout=timeout_s,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
    )
    try:
        client.execute()
    except CellExecutionError as error:
        run.error = ANSI_ESCAPE.sub("", str(error)).strip().splitlines()[-1][:300]
    finally:
        memory.stop()
    run.wall_s = round(time.perf_counter() - started, 1)
    run.peak_rss_mib = round(memory.peak_bytes / 2**20, 1)
    slowest = sorted(cell_times.items(), key=lambda item: item[1], reverse=True)[:SLOWEST_CELLS]
    run.slowest_cells = [
        {
            "cell": code_cells.index(index) + 1,
            "seconds": round(seconds, 1),
            "first_line": notebook.cells[index].source.splitlines()[0][:60],
        }
        for index, seconds in slowest
    ]
    run.results = [
        output["data"][RESULT_MIME_TYPE]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if RESULT_MIME_TYPE in output.get("data", {})
    ]
    if progress:
        print(f"\r  {name}: ", end="")
        verdict = "ok" if run.passed else f"FAILED ({run.error or 'a result missed its floor'})"
        print(f"{run.wall_s:.0f} s, peak {run.peak_rss_mib:.0f} MiB, {verdict}")
    return run


def run_on_backend(path: Path, backend: str, **options: Any) -> NotebookRun:
    """``run_notebook`` with the kernel started under ``KERAS_BACKEND=backend``."""
    before = os.environ.get("KERAS_BACKEND")
    os.environ["KERAS_BACKEND"] = backend
    try:
        return run_notebook(path, **options)
    finally:
        if before is None:
            os.environ.pop("KERAS_BACKEND", None)
        else:
            os.environ["KERAS_BACKEND"] = before


def backend_versions() -> dict[str, str]:
    """The version of each backend's package (and Keras, Python) installed here."""
    import importlib.metadata

    versions = {"python": platform.python_version()}
    for name in ("keras", *BACKENDS):  # each backend's package has the backend's name
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def backends_table(report: dict[str, Any]) -> str:
    """The side-by-side report as Markdown: one row per notebook, one column per backend."""
    machine, versions = report["machine"], report["versions"]
    names = list(report["backends"])
    label = {"keras": "Keras", **DISPLAY_NAMES}
    listed = [name for name in ("keras", *names) if name in versions]
    shown = ", ".join(f"{label.get(name, name)} {versions[name]}" for name in listed)
    lines = [
        f"Measured on {report['date']}, every notebook on each backend one after the other: "
        f"{machine['cpu']} ({machine['cores']} cores), GPU: {machine['gpu'] or 'none'}; "
        f"Python {versions['python']}, {shown}.",
        "",
        "| notebook | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    runs = {name: {run["notebook"]: run for run in report["backends"][name]} for name in names}
    for notebook in runs[names[0]]:
        cells = []
        for name in names:
            run = runs[name].get(notebook)
            if run is None:
                cells.append("—")
                continue
            verdict = "" if run["passed"] else f" **failed**: {run['error'] or 'a result floor'}"
            cells.append(f"{run['wall_s']:.0f} s{verdict}")
        lines.append(f"| {notebook} | " + " | ".join(cells) + " |")
    totals = [sum(run["wall_s"] for run in report["backends"][name]) / 60 for name in names]
    lines.append("| **total** | " + " | ".join(f"**{t:.1f} min**" for t in totals) + " |")
    return "\n".join(lines) + "\n"


def machine_description() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = {}
    for package in ("tensorflow", "keras", "sklearn"):
        try:
            versions[package] = __import__(package).__version__
        except ImportError:
            continue
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "gpu": _gpu_name(),
        "python": platform.python_version(),
        **versions,
    }


def _gpu_name() -> str | None:
    try:
        import subprocess

        names = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return names.stdout.strip().splitlines()[0] if names.returncode == 0 and names.stdout else None


def compare(current: list[NotebookRun], previous: dict[str, Any]) -> list[str]:
    """Regressions of the current runs against a previous JSON report."""
    earlier = {run["notebook"]: run for run in previous.get("notebooks", [])}
    regressions = []
    for run in current:
        before = earlier.get(run.notebook)
        if before is None:
            continue
        if before["wall_s"] > 0 and run.wall_s / before["wall_s"] > TIME_RATIO_LIMIT:
            ratio = run.wall_s / before["wall_s"]
            regressions.append(
                f"{run.notebook}: {ratio:.2f}x slower ({before['wall_s']} s -> {run.wall_s} s)"
            )
        if (
            before["peak_rss_mib"] > 0
            and run.peak_rss_mib / before["peak_rss_mib"] > MEMORY_RATIO_LIMIT
        ):
            regressions.append(
                f"{run.notebook}: peak memory {before['peak_rss_mib']} -> {run.peak_rss_mib} MiB"
            )
        previous_results = {result["name"]: result for result in before.get("results", [])}
        for result in run.results:
            old = previous_results.get(result["name"])
            if old is None:
                continue
            higher_is_better = result["at_least"] is not None
            change = result["value"] - old["value"]
            if (higher_is_better and change < -RESULT_TOLERANCE) or (
                not higher_is_better and change > RESULT_TOLERANCE
            ):
                regressions.append(
                    f"{run.notebook}: {result['name']} {old['value']:.4g} -> {result['value']:.4g}"
                )
        if not run.passed and before.get("passed", True):
            regressions.append(f"{run.notebook}: now fails ({run.error or 'a result floor'})")
    return regressions


def markdown_table(report: dict[str, Any]) -> str:
    """The report as a Markdown table, one row per notebook."""
    machine = report["machine"]
    lines = [
        f"Measured on {report['date']}: {machine['cpu']} ({machine['cores']} cores), "
        f"GPU: {machine['gpu'] or 'none'}; Python {machine['python']}, "
        f"TensorFlow {machine.get('tensorflow', '?')}, Keras {machine.get('keras', '?')}.",
        "",
        "| notebook | time | peak memory | results (floor) | pass |",
        "|---|---:|---:|---|---|",
    ]
    for run in report["notebooks"]:
        results = "<br>".join(
            f"{r['name']}: {r['value']:.4g} "
            f"({'≥ ' + format(r['at_least'], 'g') if r['at_least'] is not None else ''}"
            f"{'≤ ' + format(r['at_most'], 'g') if r['at_most'] is not None else ''})"
            for r in run["results"]
        )
        verdict = "yes" if run["passed"] else f"**no**: {run['error'] or 'result below floor'}"
        run_date = run.get("date", report["date"])
        name = run["notebook"] if run_date == report["date"] else f"{run['notebook']} ({run_date})"
        lines.append(
            f"| {name} | {run['wall_s']:.0f} s | {run['peak_rss_mib']:.0f} MiB "
            f"| {results or '—'} | {verdict} |"
        )
    total = sum(run["wall_s"] for run in report["notebooks"])
    lines.append(f"| **total** | **{total / 60:.1f} min** | | | |")
    return "\n".join(lines) + "\n"


def _same_machine(first: dict[str, Any], second: dict[str, Any]) -> bool:
    keys = ("cpu", "cores", "gpu", "python", "tensorflow", "keras")
    return all(first.get(key) == second.get(key) for key in keys)


def merged_report(new: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    """``new`` with the rows of ``old`` that it did not re-measure, in course order.

    Benchmarking one chapter must not drop the other chapters' rows. Rows measured on
    another day keep their own ``date``; rows from another machine or library versions
    are dropped, with a message, since one table must describe one machine.
    """
    for run in new["notebooks"]:
        run.setdefault("date", new["date"])
    if not old or not old.get("notebooks"):
        return new
    if not _same_machine(new["machine"], old.get("machine", {})):
        print(
            "bench: the earlier report was measured on another machine or other library "
            "versions, so its rows are not merged into this one; run every chapter to "
            "complete the table."
        )
        return new
    measured = {run["notebook"] for run in new["notebooks"]}
    rows = {
        run["notebook"]: run | {"date": run.get("date", old.get("date"))}
        for run in old["notebooks"]
    }
    rows.update({run["notebook"]: run for run in new["notebooks"]})
    order = [str(path.relative_to(ROOT)) for path in notebooks_to_run([], with_solutions=True)]
    position = {name: index for index, name in enumerate(order)}
    notebooks = sorted(rows.values(), key=lambda run: position.get(run["notebook"], len(order)))
    kept = len(notebooks) - len(measured)
    if kept:
        print(f"bench: kept {kept} row(s) of the earlier report that this run did not measure.")
    return new | {"notebooks": notebooks}


def _read_report(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SystemExit(
            f"bench: {path} exists but cannot be read as a report ({error}); move it away "
            "or pass another --output."
        ) from None


def _write_atomically(path: Path, text: str) -> None:
    staging = path.with_name(path.name + ".partial")
    staging.write_text(text, encoding="utf-8")
    staging.replace(path)


def notebooks_to_run(names: list[str], *, with_solutions: bool) -> list[Path]:
    """Chapter (and solutions) notebooks in course order, or the paths given."""
    paths = []
    chapters = {chapter.stem: chapter for chapter in COURSE.chapters}
    for name in names or list(chapters):
        if name in chapters:
            paths.append(chapters[name].notebook)
            if with_solutions:
                paths.append(chapters[name].solutions)
        else:
            path = Path(name).resolve()
            if not path.is_file():
                raise SystemExit(f"bench: {name} is neither a chapter in course.toml nor a file")
            paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="chapter stems or notebook paths")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON report")
    parser.add_argument("--compare", type=Path, help="an earlier JSON report to compare with")
    parser.add_argument("--no-solutions", action="store_true", help="skip solutions notebooks")
    parser.add_argument(
        "--backends", nargs="+", choices=BACKENDS, help="compare Keras backends"
    )
    args = parser.parse_args(argv)
    if args.backends:
        return compare_backends(args)

    previous = json.loads(args.compare.read_text(encoding="utf-8")) if args.compare else None
    paths = notebooks_to_run(args.notebooks, with_solutions=not args.no_solutions)
    print(f"Benchmarking {len(paths)} notebook(s), each in a fresh kernel:")
    runs = []
    for path in paths:
        if not sys.stdout.isatty():
            print(f"  running {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ...")
        runs.append(run_notebook(path))

    report = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine_description(),
        "notebooks": [asdict(run) | {"passed": run.passed} for run in runs],
    }
    report = merged_report(report, _read_report(args.output))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(args.output, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    table = markdown_table(report)
    _write_atomically(args.output.with_suffix(".md"), table)
    print(f"\n{table}\nwrote {args.output} and {args.output.with_suffix('.md')}")

    failed = [run.notebook for run in runs if not run.passed]
    regressions = compare(runs, previous) if previous else []
    for regression in regressions:
        print(f"REGRESSION {regression}")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed or regressions else 0


def compare_backends(args: argparse.Namespace) -> int:
    """Every notebook on each backend in turn; one report with all of them."""
    output = args.output if args.output != DEFAULT_OUTPUT else BACKENDS_OUTPUT
    paths = notebooks_to_run(args.notebooks, with_solutions=not args.no_solutions)
    print(f"Benchmarking {len(paths)} notebook(s) on {', '.join(args.backends)}:")
    runs: dict[str, list[dict[str, Any]]] = {backend: [] for backend in args.backends}
    for path in paths:
        for backend in args.backends:
            print(f"  [{backend}] ", end="", flush=True)
            run = run_on_backend(path, backend)
            runs[backend].append(asdict(run) | {"passed": run.passed})
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine_description(),
        "versions": backend_versions(),
        "backends": runs,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(output, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    table = backends_table(report)
    _write_atomically(output.with_suffix(".md"), table)
    print(f"\n{table}\nwrote {output} and {output.with_suffix('.md')}")
    if COURSE.default_backend in runs and output == BACKENDS_OUTPUT:
        # The default backend's rows are also the course's benchmark (the README's table).
        single = {"date": report["date"], "machine": report["machine"],
                  "notebooks": runs[COURSE.default_backend]}  # fmt: skip
        single = merged_report(single, _read_report(DEFAULT_OUTPUT))
        _write_atomically(DEFAULT_OUTPUT, json.dumps(single, indent=2, ensure_ascii=False) + "\n")
        _write_atomically(DEFAULT_OUTPUT.with_suffix(".md"), markdown_table(single))
        print(f"wrote the {COURSE.default_backend} rows to {DEFAULT_OUTPUT} too")
    failed = [f"{b}: {r['notebook']}" for b, rs in runs.items() for r in rs if not r["passed"]]
    if failed:
        print(f"FAILED: {'; '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
