"""The course benchmark, exercised on tiny notebooks so it cannot silently break."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tools import bench

PREAMBLE = (
    f"import sys\nsys.path.insert(0, {str(bench.ROOT)!r})\nfrom utils.results import check_result"
)


def _write_notebook(folder: Path, name: str, *cells: str) -> Path:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    path = folder / name
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> bench.NotebookRun:
    folder = tmp_path_factory.mktemp("bench")
    path = _write_notebook(
        folder,
        "tiny.ipynb",
        PREAMBLE,
        "ballast = b'x' * (300 * 2**20)  # 300 MiB the kernel really holds",
        "import time; time.sleep(1.0)",
        'check_result("tiny accuracy", 0.9, at_least=0.5)',
    )
    return bench.run_notebook(path, progress=False)


def test_run_measures_time_memory_cells_and_results(tiny_run: bench.NotebookRun) -> None:
    assert tiny_run.passed and tiny_run.error is None
    assert tiny_run.cells == 4
    assert tiny_run.wall_s >= 1.0
    assert tiny_run.peak_rss_mib >= 300
    assert tiny_run.slowest_cells[0]["first_line"].startswith("import time")
    assert tiny_run.slowest_cells[0]["seconds"] >= 1.0
    assert tiny_run.results == [
        {"name": "tiny accuracy", "value": 0.9, "at_least": 0.5, "at_most": None, "passed": True}
    ]


def test_a_failing_cell_is_reported_as_plain_text(tmp_path: Path) -> None:
    # IPython colours its tracebacks; the report's Markdown must not show the escapes.
    path = _write_notebook(tmp_path, "fails.ipynb", "raise ValueError('the cell broke')")
    run = bench.run_notebook(path, progress=False)
    assert not run.passed
    assert run.error == "ValueError: the cell broke"


def test_compare_flags_slower_heavier_and_worse_runs(tiny_run: bench.NotebookRun) -> None:
    same = {"notebooks": [json.loads(json.dumps(vars(tiny_run))) | {"passed": True}]}
    assert bench.compare([tiny_run], same) == []

    earlier = json.loads(json.dumps(same))
    before = earlier["notebooks"][0]
    before["wall_s"] = tiny_run.wall_s / 2
    before["peak_rss_mib"] = tiny_run.peak_rss_mib / 2
    before["results"][0]["value"] = 0.95
    regressions = bench.compare([tiny_run], earlier)
    assert any("slower" in line for line in regressions)
    assert any("peak memory" in line for line in regressions)
    assert any("tiny accuracy 0.95 -> 0.9" in line for line in regressions)


def test_main_writes_json_and_markdown_and_fails_on_a_missed_floor(tmp_path: Path) -> None:
    failing = _write_notebook(
        tmp_path, "short.ipynb", PREAMBLE, 'check_result("tiny RMSE", 0.9, at_most=0.5)'
    )
    output = tmp_path / "report.json"
    assert bench.main([str(failing), "--output", str(output)]) == 1
    report = json.loads(output.read_text())
    run = report["notebooks"][0]
    assert run["passed"] is False
    assert "ResultBelowFloor" in run["error"]
    assert report["machine"]["cores"] >= 1
    table = output.with_suffix(".md").read_text()
    assert "| notebook | time | peak memory | results (floor) | pass |" in table
    assert "tiny RMSE: 0.9 (≤ 0.5)" in table


def _row(notebook: str, wall_s: float) -> dict:
    return {
        "notebook": notebook,
        "wall_s": wall_s,
        "peak_rss_mib": 1.0,
        "cells": 1,
        "slowest_cells": [],
        "results": [],
        "error": None,
        "passed": True,
    }


def test_one_chapter_run_keeps_the_other_chapters_rows() -> None:
    machine = bench.machine_description()
    old = {
        "date": "2026-01-01",
        "machine": machine,
        "notebooks": [
            _row("notebooks/01_perceptron_and_xor.ipynb", 10.0),
            _row("notebooks/03_fashion_mnist_classification.ipynb", 100.0),
        ],
    }
    new = {
        "date": "2026-02-02",
        "machine": machine,
        "notebooks": [_row("notebooks/02_mlp_regression_california_housing.ipynb", 40.0)],
    }
    merged = bench.merged_report(new, old)
    names = [run["notebook"] for run in merged["notebooks"]]
    assert names == [
        "notebooks/01_perceptron_and_xor.ipynb",
        "notebooks/02_mlp_regression_california_housing.ipynb",
        "notebooks/03_fashion_mnist_classification.ipynb",
    ]
    assert merged["notebooks"][0]["date"] == "2026-01-01"
    assert merged["notebooks"][1]["date"] == "2026-02-02"
    table = bench.markdown_table(merged)
    assert "notebooks/01_perceptron_and_xor.ipynb (2026-01-01)" in table
    assert "| notebooks/02_mlp_regression_california_housing.ipynb | 40 s" in table


def test_a_rerun_replaces_its_own_row() -> None:
    machine = bench.machine_description()
    old = {"date": "d1", "machine": machine, "notebooks": [_row("notebooks/x.ipynb", 10.0)]}
    new = {"date": "d2", "machine": machine, "notebooks": [_row("notebooks/x.ipynb", 20.0)]}
    merged = bench.merged_report(new, old)
    assert [run["wall_s"] for run in merged["notebooks"]] == [20.0]


def test_rows_from_another_machine_are_not_mixed_in(capsys: pytest.CaptureFixture[str]) -> None:
    machine = bench.machine_description()
    old = {
        "date": "d1",
        "machine": machine | {"cores": 64},
        "notebooks": [_row("notebooks/a.ipynb", 10.0)],
    }
    new = {"date": "d2", "machine": machine, "notebooks": [_row("notebooks/b.ipynb", 20.0)]}
    merged = bench.merged_report(new, old)
    assert [run["notebook"] for run in merged["notebooks"]] == ["notebooks/b.ipynb"]
    assert "another machine" in capsys.readouterr().out


def test_main_merges_into_an_existing_report(tmp_path: Path) -> None:
    output = tmp_path / "report.json"
    first = _write_notebook(tmp_path, "first.ipynb", PREAMBLE, "x = 1")
    second = _write_notebook(tmp_path, "second.ipynb", PREAMBLE, "y = 2")
    assert bench.main([str(first), "--output", str(output)]) == 0
    assert bench.main([str(second), "--output", str(output)]) == 0
    report = json.loads(output.read_text())
    assert len(report["notebooks"]) == 2
    assert not list(tmp_path.glob("*.partial"))


def test_each_backend_runs_in_a_kernel_started_under_its_keras_backend(tmp_path: Path) -> None:
    """The kernel inherits KERAS_BACKEND; the notebook sees it, and the parent's is restored."""
    path = _write_notebook(
        tmp_path,
        "which.ipynb",
        PREAMBLE,
        "import os\ncheck_result('jax chosen', os.environ['KERAS_BACKEND'] == 'jax', at_least=1)",
    )
    before = dict(bench.os.environ)
    run = bench.run_on_backend(path, "jax", progress=False)
    assert run.passed, run.error
    assert dict(bench.os.environ) == before


def test_the_backends_table_has_a_column_per_backend_and_totals() -> None:
    def row(notebook: str, seconds: float, passed: bool = True) -> dict:
        return {"notebook": notebook, "wall_s": seconds, "passed": passed, "error": None}

    report = {
        "date": "2026-12-02",
        "machine": {"cpu": "Test CPU", "cores": 2, "gpu": None},
        "versions": {"python": "3.11.7", "keras": "3.15.1", "jax": "0.10.2", "torch": "2.13.0"},
        "backends": {
            "tensorflow": [row("a.ipynb", 60), row("b.ipynb", 30)],
            "jax": [row("a.ipynb", 30), row("b.ipynb", 30)],
            "torch": [row("a.ipynb", 120, passed=False), row("b.ipynb", 60)],
        },
    }
    table = bench.backends_table(report)
    assert "| notebook | tensorflow | jax | torch |" in table
    assert "| a.ipynb | 60 s | 30 s | 120 s **failed**: a result floor |" in table
    assert "| **total** | **1.5 min** | **1.0 min** | **3.0 min** |" in table
    assert "Keras 3.15.1, JAX 0.10.2, PyTorch 2.13.0" in table
