"""Every command the README shows parses as its program would parse it: the
`tinytasks` subcommands and their options, and `lm_eval`'s own options. (The
commands themselves are run by the tests of each workflow, by the quickstart
and .ci/run, and by benchmarks/readme_examples.py, which makes the README's
example outputs.)"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from tinytasks.cli import parser as tinytasks_parser

pytestmark = pytest.mark.lm_eval

README = (ROOT / "README.md").read_text()


def readme_commands() -> list[list[str]]:
    """The README's bash commands, continuation lines joined, comments dropped."""
    out = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                out.append(words)
    return out


def lm_eval_parses(argv: list[str]) -> None:
    try:
        from lm_eval._cli import HarnessCLI
    except ImportError:  # lm-eval before its subcommands
        from lm_eval.__main__ import setup_parser

        setup_parser().parse_args(argv)
        return
    old = sys.argv
    sys.argv = ["lm_eval", *argv]
    try:
        HarnessCLI().parse_args()
    finally:
        sys.argv = old


def test_the_readme_shows_the_main_commands():
    programs = {c[0] for c in readme_commands()}
    assert {"pip", "lm_eval", "tinytasks", "bash"} <= programs
    assert ["bash", ".ci/run"] in readme_commands() and ["bash", "scripts/quickstart.sh"] in readme_commands()


@pytest.mark.parametrize("argv", [c for c in readme_commands() if c[0] in ("tinytasks", "lm_eval")],
                         ids=lambda c: " ".join(c)[:60])
def test_a_readme_command_parses(argv):
    try:
        if argv[0] == "lm_eval":
            lm_eval_parses(argv[1:])
        elif argv[1] == "run":
            lm_eval_parses(argv[2:])
        elif argv[1] != "ls":
            tinytasks_parser().parse_args(argv[1:])
    except SystemExit as e:
        pytest.fail(f"`{' '.join(argv)}` does not parse (exit {e.code})")


def test_the_scripts_the_readme_runs_exist():
    for c in readme_commands():
        if c[0] == "bash":
            assert (ROOT / c[1]).is_file(), c
        if c[0] == "python" and c[1] == "-m":
            assert (ROOT / (c[2].replace(".", "/") + ".py")).is_file(), c
