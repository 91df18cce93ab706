"""Scalar SymPy functions used by machine-learning models, with the derivative conventions of JAX.

``sigmoid``, ``relu`` and ``softplus`` are ordinary SymPy functions, so they print by name and
differentiate with SymPy's calculus: ``relu'`` is ``Heaviside(t, 0)`` (0 at the kink, as in JAX and
PyTorch), and a ``DiracDelta`` that appears in a higher derivative evaluates to 0.

>>> import sympy as sp
>>> t = sp.Symbol("t", real=True)
>>> sigmoid(t).diff(t)
(1 - sigmoid(t))*sigmoid(t)
>>> relu(t).diff(t), softplus(t).diff(t)
(Heaviside(t, 0), sigmoid(t))
"""
import sympy as sp


class sigmoid(sp.Function):  # noqa: N801 -- SymPy names functions in lower case
    """The logistic function ``1 / (1 + exp(-t))``.

    >>> sigmoid(0)
    1/2
    """

    @classmethod
    def eval(cls, t):
        if t.is_Number:
            return 1 / (1 + sp.exp(-t))

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, t, **kwargs):
        return 1 / (1 + sp.exp(-t))

    def _eval_is_real(self):
        return self.args[0].is_real


class relu(sp.Function):  # noqa: N801
    """The rectifier ``max(t, 0)``; its derivative is ``Heaviside(t, 0)``.

    >>> relu(-2), relu(3)
    (0, 3)
    """

    @classmethod
    def eval(cls, t):
        if t.is_Number:
            return sp.Max(t, 0)

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, t, **kwargs):  # noqa: N802 -- SymPy's rewrite hook name
        return sp.Max(t, 0)

    def _eval_is_real(self):
        return self.args[0].is_real


class softplus(sp.Function):  # noqa: N801
    """``log(1 + exp(t))``, whose derivative is ``sigmoid(t)``.

    >>> softplus(0)
    log(2)
    """

    @classmethod
    def eval(cls, t):
        if t.is_Number:
            return sp.log(1 + sp.exp(t))

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, t, **kwargs):
        return sp.log(1 + sp.exp(t))

    def _eval_is_real(self):
        return self.args[0].is_real
