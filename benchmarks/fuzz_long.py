"""The long fuzz run before a release (docs/fuzzing.md): the Hypothesis tests of tests/test_fuzz.py
with many more examples, random (not derandomized), until at least ``--parser`` parser inputs and
``--compiled`` random expressions went through ``lambdify(..., backend="numpy")``.

    python benchmarks/fuzz_long.py --parser 100000 --compiled 2000

Prints the counts and the time; a failure raises with Hypothesis' minimal example.
"""
import argparse
import os
import sys
import time

from hypothesis import HealthCheck, settings

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parser", type=int, default=100_000, help="parser inputs, at least")
    parser.add_argument("--compiled", type=int, default=2_000, help="expressions through lambdify, at least")
    args = parser.parse_args()
    settings.register_profile("fuzz", deadline=None, database=None, suppress_health_check=list(HealthCheck))
    settings.load_profile("fuzz")
    os.environ["FUZZ_PARSER_EXAMPLES"] = str(max(1, args.parser // 2))
    os.environ["FUZZ_PIPELINE_EXAMPLES"] = "1000"
    sys.path.insert(0, os.path.join(HERE, "..", "tests"))
    import test_fuzz
    start = time.perf_counter()
    test_fuzz.test_mutated_formulas_parse_or_raise_a_positioned_parse_error()
    test_fuzz.test_random_text_parses_or_raises_a_positioned_parse_error()
    print(f"parser: {test_fuzz.STATS} after {time.perf_counter() - start:.0f} s", flush=True)
    rounds = 0
    while test_fuzz.STATS["compiled"] < args.compiled:
        test_fuzz.test_mutated_formulas_differentiate_print_and_compile()
        rounds += 1
        print(f"pipeline round {rounds}: {test_fuzz.STATS} after {time.perf_counter() - start:.0f} s", flush=True)
    print(f"done: {test_fuzz.STATS} in {time.perf_counter() - start:.0f} s, no failure")


if __name__ == "__main__":
    main()
