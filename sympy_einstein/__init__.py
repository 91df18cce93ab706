"""sympy_einstein: tensor calculus in Einstein notation for SymPy.

Build tensor expressions with NumPy's conventions, differentiate them with ``sympy.diff`` (forward
and reverse mode, Hessians and higher derivatives in compact form), print them and evaluate them.

>>> import sympy as sp, sympy_einstein as se
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> A, x = se.matrix("A", n, n), se.vector("x", n)
>>> (x @ A @ x).shape
()
"""
from .build import (abs, add, as_operand, broadcast_to, cos, diag, divide, einsum, elementwise, exp, expand_dims,
                    log, log1p, matmul, matrix, multiply, outer, power, relu, scalar, sigmoid, sign, sin, softplus,
                    sqrt, subtract, sum, tan, tanh, tensor, trace, transpose, vector, zeros)
from .codegen import export, lambdify
from .convert import MatrixFormError, from_sympy, to_matrix
from .derivatives import derivative, diff, gradient, hessian, hvp, jacobian, jvp, vjp
from .errors import BindingError, DifferentiationError, EinsteinError, ShapeError, SpecError
from .evaluation import evaluate
from .ir import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from .ir.linalg import (Adjugate, Determinant, Inverse, LogDeterminant, LogSumExp, Softmax, Solve,
                        SymmetricMatrix)
from .linalg import adj, det, eye, inv, logdet, logsumexp, softmax, solve
from .parsing import ParseError, parse
from .optimize import minimize
from .printing import latex
from .simplification import simplify

__all__ = [
    "abs", "add", "as_operand", "broadcast_to", "cos", "diag", "divide", "einsum", "elementwise", "exp",
    "expand_dims", "log", "log1p", "matmul", "matrix", "multiply", "outer", "power", "relu", "scalar", "sigmoid",
    "sign", "sin", "softplus", "sqrt", "subtract", "sum", "tan", "tanh", "tensor", "trace", "transpose", "vector",
    "zeros",
    "adj", "det", "eye", "inv", "logdet", "logsumexp", "softmax", "solve",
    "Adjugate", "Determinant", "Inverse", "LogDeterminant", "LogSumExp", "Softmax", "Solve", "SymmetricMatrix",
    "evaluate",
    "export", "lambdify",
    "BindingError", "DifferentiationError", "EinsteinError", "ShapeError", "SpecError",
    "EinsteinProduct", "Elementwise", "TensorAdd", "TensorExpr", "TensorSymbol", "ZeroTensor",
    "simplify",
    "ParseError", "parse",
    "MatrixFormError", "from_sympy", "to_matrix",
    "latex",
    "minimize",
    "derivative", "diff", "gradient", "hessian", "hvp", "jacobian", "jvp", "vjp",
]
