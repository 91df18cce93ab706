"""The tiered start of numba-backend functions: NumPy answers, then the compiled kernel; slow compiles logged.

Every test here builds the same small function (value, gradient and Hessian of a logistic loss), so
Numba compiles it once per run and later tests load it from the run's cache directory. Results are
compared with the NumPy backend and the closed forms.
"""
import inspect
import logging
import threading

import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.cli import main
from sympy_einstein.codegen import tiered

n, m = sp.symbols("n m", integer=True, positive=True)
X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
LOSS = se.sum(se.softplus(-y * (X @ w)))
EXPRS = [LOSS, sp.diff(LOSS, w), se.hessian(LOSS, w)]


def data(rows=30, cols=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, cols)), rng.normal(size=cols), np.sign(rng.normal(size=rows))


def closed_form(Xa, wa, ya):  # noqa: N803
    z = -ya * (Xa @ wa)
    s = 1.0 / (1.0 + np.exp(-z))
    return np.logaddexp(0.0, z).sum(), Xa.T @ (-ya * s), Xa.T @ ((s * (1 - s))[:, None] * Xa)


def check(results, arrays):
    for got, expected in zip(results, closed_form(*arrays), strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_numpy_answers_first_then_the_compiled_kernel():
    fn = se.lambdify([X, w, y], EXPRS, tiered=True)
    arrays = data()
    assert not fn.compiled and "numpy until compiled" in repr(fn)
    check(fn(*arrays), arrays)  # before the compile is done: the NumPy kernel
    assert fn.wait() is fn and fn.compiled
    assert fn._run is fn.kernel
    check(fn(*arrays), arrays)
    other = data(7, 3, seed=1)
    check(fn(*other), other)


def test_concurrent_callers_get_whole_results_during_the_switch():
    fn = se.lambdify([X, w, y], EXPRS, tiered=True)
    inputs = [data(20 + k, 4, seed=k) for k in range(4)]
    failures = []

    def caller(arrays):
        try:
            for _ in range(30):
                check(fn(*arrays), arrays)
        except AssertionError as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=caller, args=(a,)) for a in inputs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert fn.wait().compiled


def test_wait_before_the_first_call_compiles_synchronously():
    fn = se.lambdify([X, w, y], EXPRS, tiered=True).wait()
    assert not fn.compiled and not fn.tiered
    arrays = data()
    check(fn(*arrays), arrays)
    assert fn.compiled


def test_source_kernel_and_checks_are_the_numba_functions():
    fn = se.lambdify([X, w, y], EXPRS, tiered=True)
    assert "@numba.njit" in fn.source
    assert inspect.getsource(fn).startswith("def generated(*args)")
    assert fn.module._SIGNATURE_generated == fn._signature[0]  # both tiers take the same kernel arguments
    with pytest.raises(se.ShapeError, match="generated"):
        fn(np.ones((3, 2)), np.ones(3), np.ones(3))
    assert fn._thread is None  # bad arguments start no compile


def test_a_failed_compile_leaves_numpy_answering_and_wait_raises(caplog):
    fn = se.lambdify([X, w, y], EXPRS, tiered=True, name="broken")

    def load_fails():
        raise RuntimeError("no compiler today")

    fn._load_numba = load_fails
    arrays = data()
    with caplog.at_level(logging.WARNING, logger="sympy_einstein"):
        check(fn(*arrays), arrays)
        with pytest.raises(RuntimeError, match="no compiler today"):
            fn.wait()
    assert "broken" in caplog.text and "NumPy kernel answers" in caplog.text
    check(fn(*arrays), arrays)
    assert not fn.compiled


@pytest.mark.parametrize("mode", [True, False])
def test_slow_compiles_are_logged_fast_ones_are_not(caplog, monkeypatch, mode):
    arrays = data()
    monkeypatch.setattr(tiered, "SLOW_COMPILE", 0.0)  # every compile counts as slow
    with caplog.at_level(logging.INFO, logger="sympy_einstein"):
        fn = se.lambdify([X, w, y], EXPRS, tiered=mode, name="loss")
        fn(*arrays)
        fn.wait()
    messages = [r.getMessage() for r in caplog.records if r.name == "sympy_einstein"]
    assert messages and all(msg.startswith("compiled loss(X, w, y) with Numba in ") for msg in messages)
    caplog.clear()
    monkeypatch.setattr(tiered, "SLOW_COMPILE", 1e9)
    with caplog.at_level(logging.INFO, logger="sympy_einstein"):
        fn = se.lambdify([X, w, y], EXPRS, tiered=mode, name="quiet")
        fn(*arrays)
        fn.wait()
    assert not [r for r in caplog.records if r.name == "sympy_einstein"]


def test_command_line_prints_slow_compiles_to_stderr(capsys, monkeypatch):
    monkeypatch.setattr(tiered, "SLOW_COMPILE", 0.0)
    assert main(["sum(softplus(x))", "--wrt", "x", "--bench", "3"]) == 0
    captured = capsys.readouterr()
    assert "sympy-einstein: compiled " in captured.err and "with Numba in " in captured.err
    assert "compiled" not in captured.out
    monkeypatch.setattr(tiered, "SLOW_COMPILE", 1e9)
    assert main(["sum(softplus(x))", "--wrt", "x", "--bench", "3"]) == 0
    assert "compiled" not in capsys.readouterr().err


class Recorder:
    """A display handle that keeps what a Jupyter output would show."""

    def __init__(self):
        self.shown = []

    def update(self, status):
        self.shown.append((status.busy, repr(status)))


@pytest.mark.parametrize("mode", [True, False])
def test_slow_compiles_show_a_progress_line_in_jupyter(monkeypatch, mode):
    arrays, recorder = data(), Recorder()
    monkeypatch.setattr(tiered, "jupyter_handle", lambda: recorder)
    monkeypatch.setattr(tiered, "SLOW_COMPILE", 0.0)
    fn = se.lambdify([X, w, y], EXPRS, tiered=mode, name="loss")
    check(fn(*arrays), arrays)
    fn.wait()
    waiting = "NumPy answers meanwhile" if mode else "the first call waits"
    assert recorder.shown[0] == (True, f"compiling loss(X, w, y) with Numba ({waiting}) ...")
    assert not recorder.shown[-1][0] and recorder.shown[-1][1].startswith("compiled loss(X, w, y) with Numba in ")
    assert len(recorder.shown) == 2


def test_fast_compiles_and_progress_false_show_nothing(monkeypatch):
    arrays, recorder, asked = data(), Recorder(), []
    monkeypatch.setattr(tiered, "jupyter_handle", lambda: asked.append(1) or recorder)
    monkeypatch.setattr(tiered, "SLOW_COMPILE", 1e9)
    se.lambdify([X, w, y], EXPRS, tiered=False, name="fast")(*arrays)
    assert asked and not recorder.shown  # an empty output was reserved and stays empty
    asked.clear()
    monkeypatch.setattr(tiered, "SLOW_COMPILE", 0.0)
    se.lambdify([X, w, y], EXPRS, tiered=False, name="off", progress=False)(*arrays)
    assert not asked and not recorder.shown


def test_progress_line_lands_in_the_calling_cell_of_a_real_kernel(monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("PYTHONPATH", str(inspect.getfile(se).rsplit("/sympy_einstein/", 1)[0]))
    code = ("import numpy as np, sympy as sp, sympy_einstein as se\n"
            "from sympy_einstein.codegen import tiered\n"
            "tiered.SLOW_COMPILE = 0.0\n"
            "n = sp.Symbol('n', integer=True, positive=True)\n"
            "x = se.vector('x', n)\n"
            "f = se.lambdify([x], se.sum(se.softplus(x)), name='progress_demo')\n"
            "f(np.ones(3)); f.wait(); print('done')")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    texts = [output.get("data", {}).get("text/plain", "") for output in notebook.cells[0].outputs]
    html = [output.get("data", {}).get("text/html", "") for output in notebook.cells[0].outputs]
    assert any(text.startswith("compiled progress_demo(x) with Numba in ") for text in texts), notebook.cells[0].outputs
    assert not any("<progress" in item for item in html)  # the bar was replaced by the final line
