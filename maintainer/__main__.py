"""`python -m maintainer COMMAND`: fit-shared, fit-joint, pack-answers."""

from __future__ import annotations

import argparse
import sys

from tinytasks.pinned_numerics import numerics_are_pinned, rerun_pinned

from . import fit_joint, fit_shared, pack_answers

COMMANDS = {"fit-shared": fit_shared, "fit-joint": fit_joint, "pack-answers": pack_answers}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m maintainer", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    for name, module in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=module.HELP))
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    a = parser().parse_args(argv)
    if not numerics_are_pinned():  # the shipped files must not depend on the CPU that fitted them
        return rerun_pinned("maintainer", argv)
    try:
        return COMMANDS[a.command].run(a)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
