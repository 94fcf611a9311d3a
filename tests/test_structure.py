"""The user commands never reach fitting code: walking every import in the
code each command can run (module level and inside functions, but not inside
the estimators' own `fit*` functions, which only `fit` calls), none of the
fitting modules or the maintainers' code is reachable, except from `fit`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT
from tinytasks.commands import COMMANDS

FITTING = {"tinytasks.fitting", "tinytasks.commands.fit_options", "tinytasks.estimators.validation",
           "tinytasks.estimators.selection_oof"}
PACKAGE_DIRS = {"tinytasks.estimators": ROOT / "estimators", "tinytasks.task_configs": ROOT / "task_configs",
                "tinytasks": ROOT / "tinytasks", "maintainer": ROOT / "maintainer", "benchmarks": ROOT / "benchmarks"}


def module_file(name: str) -> Path | None:
    for prefix in sorted(PACKAGE_DIRS, key=len, reverse=True):
        if name == prefix or name.startswith(prefix + "."):
            rest = name[len(prefix):].lstrip(".").split(".") if name != prefix else []
            base = PACKAGE_DIRS[prefix].joinpath(*rest)
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():
                    return candidate
    return None


def imports_of(name: str) -> set[str]:
    path = module_file(name)
    if path is None:
        return set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    tree = ast.parse(path.read_text())
    fitting = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name.lstrip("_").startswith("fit")
               for n in ast.walk(f)}
    for node in ast.walk(tree):
        if id(node) in fitting:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names if module_file(f"{base}.{a.name}")}
    return {m for m in out if module_file(m)}


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo += list(imports_of(m) - seen)
    return seen


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_user_command_reaches_no_fitting_code(command):
    module = COMMANDS[command].__name__
    reached = reachable(module)
    if command == "fit":
        assert "tinytasks.fitting" in reached  # the walk sees what it should
        return
    bad = sorted(m for m in reached if m in FITTING or m.startswith("maintainer"))
    assert not bad, f"tinytasks {command} can import {bad}"
