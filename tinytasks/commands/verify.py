"""`tinytasks verify`: check a results file of the tiny tasks."""

from __future__ import annotations

import argparse

HELP = ("check a results file of the tiny tasks: parameter file, prompt config, few-shot setting, and the "
        "estimate recomputed from the logged samples (exit 0 verified, 1 a check failed, 3 a check could not run)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", help="lm-eval results JSON (or its folder), written with --log_samples")


def run(a: argparse.Namespace) -> int:
    from ..verify import exit_code, format_checks, verify_results

    model, info, checks = verify_results(a.results)
    print(format_checks(model, info, checks))
    return exit_code(checks)
