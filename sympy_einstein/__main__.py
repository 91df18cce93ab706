"""``python -m sympy_einstein``: the command line (see :mod:`sympy_einstein.cli`)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
