"""`tinytasks path`: the folder of the tiny task YAMLs."""

from __future__ import annotations

import argparse

HELP = "print the folder of the tiny task YAMLs (for lm_eval --include_path; an installed tinytasks needs none)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(a: argparse.Namespace) -> int:
    from ..registry import TASK_CONFIG_DIR

    print(TASK_CONFIG_DIR)
    return 0
