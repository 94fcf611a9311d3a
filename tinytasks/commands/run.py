"""`tinytasks run ...` and `tinytasks ls`: lm-eval's own command line with the
tiny tasks on its include path; every lm_eval argument is accepted."""

from __future__ import annotations

import sys

HELP = "run lm_eval with the tiny tasks available; every lm_eval argument is accepted"
LS_HELP = "lm-eval's task list (`lm-eval ls tasks`) including the tiny tasks"


def run_lm_eval(argv: list[str]) -> int:
    from lm_eval.__main__ import cli_evaluate

    from ..registry import TASK_CONFIG_DIR

    if "--include_path" not in argv:
        argv = [*argv, "--include_path", str(TASK_CONFIG_DIR)]
    sys.argv = ["lm_eval", *argv]
    cli_evaluate()
    return 0
