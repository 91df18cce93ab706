"""Test-suite settings: Hypothesis without deadlines (the machine is shared; timing is no test here).

Under CI (the environment variable CI is set, as `.ci/run` is run) Hypothesis is derandomized and keeps
no example database, so a CI run is reproducible; local runs explore new random examples.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("sympy_einstein", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          print_blob=True)
settings.register_profile("ci", parent=settings.get_profile("sympy_einstein"), derandomize=True, database=None)
settings.load_profile("ci" if os.environ.get("CI") else "sympy_einstein")
