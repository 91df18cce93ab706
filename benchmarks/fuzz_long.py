"""The long fuzz run before a release (docs/fuzzing.md): the Hypothesis tests of tests/test_fuzz.py
with many more examples, random (not derandomized), until at least ``--parser`` parser inputs and
``--compiled`` random expressions went through ``lambdify(..., backend="numpy")``.

    python benchmarks/fuzz_long.py --parser 100000 --compiled 2000

Runs in rounds (``--round`` examples per test and round) and prints the counts, the time and the
peak memory after each; a failure raises with Hypothesis' minimal example. ``--only parser`` or
``--only pipeline`` runs one half (the halves can run in two processes); ``--without-token 1e308``
leaves a mutation token out, to get past a known failure already recorded as an xfail test.
"""
import argparse
import os
import resource
import sys
import time

from hypothesis import HealthCheck, settings

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parser", type=int, default=100_000, help="parser inputs, at least")
    parser.add_argument("--compiled", type=int, default=2_000, help="expressions through lambdify, at least")
    parser.add_argument("--round", type=int, default=5_000, help="examples per test and round")
    parser.add_argument("--only", choices=("parser", "pipeline"), default=None)
    parser.add_argument("--without-token", action="append", default=[], metavar="TOKEN",
                        help="leave a mutation token out (past a known failure recorded as an xfail test)")
    args = parser.parse_args()
    settings.register_profile("fuzz", deadline=None, database=None, suppress_health_check=list(HealthCheck))
    settings.load_profile("fuzz")
    os.environ["FUZZ_PARSER_EXAMPLES"] = str(args.round)
    os.environ["FUZZ_PIPELINE_EXAMPLES"] = str(min(args.round, 1000))
    sys.path.insert(0, os.path.join(HERE, "..", "tests"))
    import test_fuzz
    test_fuzz.TOKENS[:] = [t for t in test_fuzz.TOKENS if t not in args.without_token]
    stats, start = test_fuzz.STATS, time.perf_counter()

    def report(what: str) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{what}: {stats} after {time.perf_counter() - start:.0f} s, peak {peak:.0f} MB", flush=True)

    rounds = 0
    while args.only != "pipeline" and stats["parser inputs"] < args.parser:
        test_fuzz.test_mutated_formulas_parse_or_raise_a_positioned_parse_error()
        test_fuzz.test_random_text_parses_or_raises_a_positioned_parse_error()
        rounds += 1
        report(f"parser round {rounds}")
    rounds = 0
    while args.only != "parser" and stats["compiled"] < args.compiled:
        test_fuzz.test_mutated_formulas_differentiate_print_and_compile()
        rounds += 1
        report(f"pipeline round {rounds}")
    report("done, no failure")


if __name__ == "__main__":
    main()
