"""`tinytasks run ...` and `tinytasks ls`: lm-eval's own command line, with
the tiny tasks on its include path where lm-eval's own scan does not find
them (an editable install); every lm_eval argument is accepted."""

from __future__ import annotations

import sys

HELP = "run lm_eval with the tiny tasks available; every lm_eval argument is accepted"
LS_HELP = "lm-eval's task list (`lm_eval ls tasks`, or `--tasks list` before lm-eval had `ls`) with the tiny tasks"


def list_command(argv: list[str]) -> list[str]:
    """lm-eval's arguments that list tasks: `ls ...` where lm-eval has the
    subcommand, else `--tasks list`."""
    import importlib.util

    if importlib.util.find_spec("lm_eval._cli") is not None:
        return ["ls", *(argv or ["tasks"])]
    return ["--tasks", "list", *argv]


def run_lm_eval(argv: list[str]) -> int:
    from ..lm_eval_support import check_lm_eval, lm_eval_finds_tiny_tasks
    from ..registry import TASK_CONFIG_DIR

    check_lm_eval()
    from lm_eval.__main__ import cli_evaluate

    if "--include_path" not in argv and not lm_eval_finds_tiny_tasks():
        argv = [*argv, "--include_path", str(TASK_CONFIG_DIR)]
    sys.argv = ["lm_eval", *argv]
    cli_evaluate()
    return 0
