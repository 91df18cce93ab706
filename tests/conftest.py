"""Test-suite settings: Hypothesis without deadlines, and one compile cache per run.

Hypothesis: no deadlines (the machine is shared; timing is no test here). Under CI (the environment
variable CI is set, as `.ci/run` is run) Hypothesis is derandomized and keeps no example database, so a
CI run is reproducible; local runs explore new random examples.

Compile cache: unless the environment already names them (as `.ci/run` does), `SYMPY_EINSTEIN_CACHE`
(generated modules) and `NUMBA_CACHE_DIR` (Numba's compiled kernels) point at one new temporary
directory per run, made by the controlling process before pytest-xdist starts its workers, so every
worker and every subprocess a test starts (the command line, notebooks) inherit it: a kernel compiled
once in a run is loaded from disk by the next test that generates the same source, in any worker, and
no run writes to the user's `~/.cache` or reads a stale cache from an earlier run. The directory is
removed when the run ends.

Tiered start: ``SYMPY_EINSTEIN_TIERED=0``, so a numba-backend ``lambdify`` compiles on the first call
and every test of the numba backend tests Numba's kernel, not the NumPy tier answering meanwhile.
"""
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile("sympy_einstein", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          print_blob=True)
settings.register_profile("ci", parent=settings.get_profile("sympy_einstein"), derandomize=True, database=None)
settings.load_profile("ci" if os.environ.get("CI") else "sympy_einstein")

_CACHE_VARIABLES = ("SYMPY_EINSTEIN_CACHE", "NUMBA_CACHE_DIR")
# numba-backend functions compile on their first call (the tiered start is tested with tiered=True)
os.environ.setdefault("SYMPY_EINSTEIN_TIERED", "0")


def pytest_configure(config):
    """In the controlling process only: one cache directory for the whole run (workers inherit it)."""
    if hasattr(config, "workerinput") or all(os.environ.get(v) for v in _CACHE_VARIABLES):
        return
    directory = tempfile.mkdtemp(prefix="sympy_einstein_tests_")
    config._sympy_einstein_cache = directory
    for variable, sub in zip(_CACHE_VARIABLES, ("modules", "numba")):
        os.environ.setdefault(variable, os.path.join(directory, sub))


def pytest_unconfigure(config):
    directory = getattr(config, "_sympy_einstein_cache", None)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
