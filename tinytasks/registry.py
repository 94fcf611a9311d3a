"""The shipped tiny tasks: their names, benchmarks, anchor budgets and groups
(the lineups of the Open LLM Leaderboard v1's six benchmarks)."""

from __future__ import annotations

from pathlib import Path

from tinytasks import task_configs

from .benchmark_specs import ALL_BENCHMARKS, BENCHMARKS, SPECS

TASK_CONFIG_DIR = Path(task_configs.__file__).resolve().parent
DEFAULT_BUDGET = 100  # tiny_<benchmark>
SMALL_BUDGET = 25  # tiny_<benchmark>_25


def task_name(benchmark: str, budget: int | None = DEFAULT_BUDGET) -> str:
    """The tiny task of `benchmark` with `budget` anchors (None: the whole pool)."""
    if benchmark not in SPECS:
        raise ValueError(f"unknown benchmark {benchmark!r}; known: {', '.join(ALL_BENCHMARKS)}")
    if budget is None:
        return f"tiny_{benchmark}_pool"
    return f"tiny_{benchmark}" if budget == DEFAULT_BUDGET else f"tiny_{benchmark}_{budget}"


# lm-eval groups (task_configs/<group>.yaml) -> the anchor budget of their tasks.
LINEUPS = {"tiny_leaderboard": DEFAULT_BUDGET, f"tiny_leaderboard_{SMALL_BUDGET}": SMALL_BUDGET,
           "tiny_leaderboard_pool": None}


def lineup_tasks(budget: int | None) -> list[str]:
    """One task per benchmark at `budget`."""
    return [task_name(b, budget) for b in BENCHMARKS]


GROUPS = {group: lineup_tasks(budget) for group, budget in LINEUPS.items()}
# The lineups from cheapest to dearest (the tiers of `tinytasks tiered`).
TIERS = tuple(sorted(LINEUPS, key=lambda g: float("inf") if LINEUPS[g] is None else LINEUPS[g]))
# task -> (benchmark, budget); budget None: the whole pool
TASKS = {task_name(b, budget): (b, None if task_name(b, budget) == task_name(b, None) else budget)
         for b in ALL_BENCHMARKS for budget in SPECS[b].budgets}
BENCHMARK_OF_TASK = {t: b for t, (b, _) in TASKS.items()}


def params_path(task: str) -> Path:
    """The shipped parameter file of a tiny task."""
    if task not in BENCHMARK_OF_TASK:
        raise ValueError(f"unknown tiny task {task!r}; known: {sorted(BENCHMARK_OF_TASK)}")
    return TASK_CONFIG_DIR / task / "params.json"


def joint_params_path(group: str) -> Path:
    """The joint-estimate parameter file of a lineup (an lm-eval group of six tasks)."""
    if group not in GROUPS:
        raise ValueError(f"unknown lineup {group!r}; known: {', '.join(GROUPS)}")
    return TASK_CONFIG_DIR / f"{group}_joint" / "params.json"
