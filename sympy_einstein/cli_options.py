"""Option types of the command line: bounded integers and tolerances, and one-line argparse errors.

Every bad option value is a one-line error and exit status 2, argparse's own errors included.
"""
from __future__ import annotations

import argparse
import math

MAX_ORDER = 6
"""The highest ``--order``: each order multiplies the size of the result (and of its derivation)."""


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse with its errors as one line (``sympy-einstein: error: ...``) and exit status 2.

    >>> import contextlib, io
    >>> parser = OneLineArgumentParser(prog="tool")
    >>> _ = parser.add_argument("--n", type=integer_option(1, 6))
    >>> stderr = io.StringIO()
    >>> with contextlib.redirect_stderr(stderr):
    ...     try:
    ...         parser.parse_args(["--n", "7"])
    ...     except SystemExit as stop:
    ...         print(stop.code, stderr.getvalue().strip())
    2 tool: error: argument --n: must be from 1 to 6, not 7 (see --help)
    """

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def integer_option(low: int, high: float = math.inf):
    """An argparse ``type``: an integer from ``low`` to ``high``.

    >>> integer_option(0)("12")
    12
    """

    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, not {text!r}") from None
        if not low <= value <= high:
            bounds = f"from {low} to {high}" if high < math.inf else f"{low} or more"
            raise argparse.ArgumentTypeError(f"must be {bounds}, not {text}")
        return value
    return read


def tolerance_option(text: str) -> float:
    """An argparse ``type``: a finite number above 0.

    >>> tolerance_option("1e-6")
    1e-06
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, not {text}")
    return value
