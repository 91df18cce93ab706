"""``benchmarks/run.py`` keeps working: its quick mode on one tiny problem with the numpy backend, both sides
(the 'before' side given as this checkout's path), in a few seconds; the check before timing catches a wrong
result; calls alternate. No time is asserted."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("benchmarks_run", ROOT / "benchmarks" / "run.py")
bench_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_run)


def test_quick_mode_measures_both_sides_and_writes_the_table(tmp_path, capsys):
    out = tmp_path / "table.json"
    result = bench_run.main(["--quick", "--only", "xax", "--sizes", "tiny", "--backend", "numpy",
                             "--before", str(ROOT), "--out", str(out)])
    assert json.loads(out.read_text()) == result
    assert list(result["sides"]) == ["before", "after"]
    for side in result["sides"].values():
        assert side["package_file"] == str(ROOT / "sympy_einstein" / "__init__.py")
        assert "load average" in side["uptime_before"] and "load average" in side["uptime_after"]
        assert "commit" in side and side["versions"]["numpy"] == np.__version__  # commit None outside git
        assert [(r["key"], r["kind"], r["size"]) for r in side["rows"]] == [("xax", "gradient", "tiny"),
                                                                             ("xax", "hessian", "tiny")]
        for row in side["rows"]:
            assert "error" not in row and row["rounds"] >= 3
            assert row["ratio"] == pytest.approx(row["generated_ms"] / row["hand_ms"])
    printed = capsys.readouterr().out
    assert "| x'Ax n=3 | hessian | tiny |" in printed and "before numpy / hand" in printed


def test_a_wrong_result_is_caught_before_timing():
    problem = bench_run.problem_sets()["codegen_problems"].build("xax", 4)
    options = bench_run.parse(["--quick"])

    def wrong(*args):
        return problem.gradient(*args) + 1e-3

    with pytest.raises(AssertionError):
        bench_run.measure_row(wrong, problem, "gradient", options)
    assert bench_run.measure_row(problem.gradient, problem, "gradient", options)["rounds"] == 3


def test_calls_alternate_and_swap_order():
    calls = []
    bench_run.interleaved_ms([lambda: calls.append("a"), lambda: calls.append("b")], (), 3, 10.0, least=3)
    assert "".join(calls) == "ab" + "ab" + "ba" + "ab"  # the warm-up round, then a, b / b, a / a, b


def test_an_unknown_before_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="neither a directory"):
        bench_run.package_of("no-such-ref-xyz", tmp_path)


def test_an_unknown_problem_key_is_refused():
    with pytest.raises(SystemExit, match="unknown problem keys"):
        bench_run.selected(bench_run.parse(["--only", "xax,no_such_problem"]))


def test_the_readme_section_is_replaced_between_its_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# B\n\nbefore\n<!-- one-table:start -->\nold table\n<!-- one-table:end -->\nafter\n")
    bench_run.write_readme("| new | table |", readme)
    assert readme.read_text() == ("# B\n\nbefore\n<!-- one-table:start -->\n| new | table |\n"
                                  "<!-- one-table:end -->\nafter\n")
    readme.write_text("no markers")
    with pytest.raises(SystemExit, match="no <!-- one-table:start -->"):
        bench_run.write_readme("x", readme)


def test_a_package_that_cannot_compile_gives_rows_with_the_error(monkeypatch):
    def failing(*args):
        raise NotImplementedError("no lambdify in this version")

    monkeypatch.setattr(bench_run, "compiled", failing)
    options = bench_run.parse(["--quick", "--only", "xax", "--sizes", "tiny", "--backend", "numpy"])
    rows = bench_run.side_rows(options)
    assert [row["error"] for row in rows] == ["NotImplementedError: no lambdify in this version"] * 2
    side = {"backend": "numpy", "rows": rows}
    assert "| x'Ax n=3 | gradient | tiny | failed |  | NotImplementedError |" in bench_run.table({"sides": {"x": side}})
