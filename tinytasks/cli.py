"""The `tinytasks` command: fit parameters, and run lm-eval with the tiny tasks.
Each subcommand lives in its own module of tinytasks.commands."""

from __future__ import annotations

import argparse
import sys

from .commands import COMMANDS
from .commands.run import HELP as RUN_HELP
from .commands.run import LS_HELP, list_command, run_lm_eval
from .pinned_numerics import numerics_are_pinned, rerun_pinned


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tinytasks", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help=RUN_HELP)
    sub.add_parser("ls", help=LS_HELP)
    for name, module in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=module.HELP))
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:
        return run_lm_eval(argv[1:])
    if argv[:1] == ["ls"]:  # lm-eval's own listing, with the tiny tasks on the include path
        return run_lm_eval(list_command(argv[1:]))
    a = parser().parse_args(argv)
    command = COMMANDS[a.command]
    if getattr(command, "WRITES_PARAMETERS", False) and not numerics_are_pinned():
        return rerun_pinned("tinytasks.cli", argv)
    try:
        return command.run(a)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
