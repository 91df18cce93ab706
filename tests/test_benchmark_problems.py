# ruff: noqa: N806
"""The hand-written closed forms of ``benchmarks/problems_more.py`` are right (they are the references the
benchmark checks generated code against): each gradient against central finite differences of the loss,
each Hessian against central finite differences of the gradient, and both against ``se.evaluate`` of
``se.gradient`` / ``se.hessian``, at tiny sizes. NumPy only: no compiled code.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

import sympy_einstein as se

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import problems_more  # noqa: E402

KEYS = sorted(problems_more.BUILDERS)


def _problem(key, seed=0):
    return problems_more.build(key, problems_more.TINY[key], seed)


def _with(problem, value):
    """The problem's data with the argument we differentiate by replaced by ``value``."""
    index = problem.args.index(problem.wrt)
    return problem.data[:index] + (value,) + problem.data[index + 1:]


def _central_differences(fn, point, step=1e-6):
    """d fn / d point by central differences; the point's axes come last."""
    columns = []
    for i in range(point.size):
        delta = np.zeros(point.size)
        delta[i] = step
        delta = delta.reshape(point.shape)
        columns.append((np.asarray(fn(point + delta)) - np.asarray(fn(point - delta))) / (2 * step))
    return np.moveaxis(np.array(columns), 0, -1).reshape(np.shape(fn(point)) + point.shape)


@pytest.mark.parametrize("key", KEYS)
def test_hand_gradient_matches_central_differences(key):
    problem = _problem(key)
    point = problem.data[problem.args.index(problem.wrt)]
    numeric = _central_differences(lambda v: problem.loss_array(np, *_with(problem, v)), point)
    np.testing.assert_allclose(problem.gradient(*problem.data), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("key", KEYS)
def test_hand_hessian_matches_central_differences_of_the_gradient(key):
    problem = _problem(key)
    point = problem.data[problem.args.index(problem.wrt)]
    numeric = _central_differences(lambda v: problem.gradient(*_with(problem, v)), point)
    np.testing.assert_allclose(problem.hessian(*problem.data), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("key", KEYS)
def test_hand_forms_match_the_evaluated_symbolic_derivatives(key):
    problem = _problem(key, seed=1)
    values = dict(zip(problem.args, problem.data))
    np.testing.assert_allclose(float(se.evaluate(problem.loss, values)), problem.loss_array(np, *problem.data),
                               rtol=1e-12)
    gradient = se.evaluate(se.gradient(problem.loss, problem.wrt), values)
    np.testing.assert_allclose(gradient, problem.gradient(*problem.data), rtol=1e-10, atol=1e-12)
    hessian = se.evaluate(se.hessian(problem.loss, problem.wrt), values)
    np.testing.assert_allclose(hessian, problem.hessian(*problem.data), rtol=1e-10, atol=1e-12)


def test_a_wrong_closed_form_is_caught():
    """The finite-difference check can fail: a Hessian missing its curvature term does not pass."""
    problem = _problem("net3_W1")
    point = problem.data[0]
    numeric = _central_differences(lambda v: problem.gradient(*_with(problem, v)), point)
    W1, W2, W3, X, Y = problem.data
    gauss_newton = problems_more.net3_hessian(W1, W2, W3, X, Y * 0 + (W3 @ np.tanh(W2 @ np.tanh(W1 @ X))), by=1)
    assert not np.allclose(gauss_newton, numeric, rtol=1e-6, atol=1e-6)
