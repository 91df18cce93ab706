"""Test-suite settings: Hypothesis without deadlines (the machine is shared; timing is no test here)."""
from hypothesis import HealthCheck, settings

settings.register_profile("sympy_einstein", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          print_blob=True)
settings.load_profile("sympy_einstein")
