"""Where the tiny tasks live and which benchmark each one is."""

from __future__ import annotations

from pathlib import Path

from tinytasks import task_configs

TASK_CONFIG_DIR = Path(task_configs.__file__).resolve().parent

# The six Open LLM Leaderboard tasks (group tiny_leaderboard), every eligible pool item as an anchor.
TASK_OF_BENCHMARK = {
    "mmlu": "tiny_mmlu", "arc": "tiny_arc", "hellaswag": "tiny_hellaswag",
    "winogrande": "tiny_winogrande", "gsm8k": "tiny_gsm8k", "truthfulqa": "tiny_truthfulqa",
}


def task_name(benchmark: str, budget: int | None = None) -> str:
    """The tiny task of `benchmark` with `budget` anchors (None: the whole pool)."""
    base = TASK_OF_BENCHMARK[benchmark]
    return base if budget is None else f"{base}_{budget}"


# Smaller shipped versions, task -> benchmark, written by `tinytasks fit-shared --budget 25`.
# HellaSwag has none: only 6 of its pool items have text, so tiny_hellaswag is already that small.
VARIANT_BUDGET = 25
VARIANT_TASKS = {task_name(b, VARIANT_BUDGET): b for b in ("mmlu", "arc", "winogrande", "gsm8k", "truthfulqa")}
BENCHMARK_OF_TASK = {t: b for b, t in TASK_OF_BENCHMARK.items()} | VARIANT_TASKS

# lm-eval groups of tiny tasks (task_configs/<group>.yaml), one task per leaderboard benchmark.
GROUPS = {
    "tiny_leaderboard": list(TASK_OF_BENCHMARK.values()),
    f"tiny_leaderboard_{VARIANT_BUDGET}": [v if (v := task_name(b, VARIANT_BUDGET)) in VARIANT_TASKS else t
                                           for b, t in TASK_OF_BENCHMARK.items()],
}


def params_path(task: str) -> Path:
    """The shipped parameter file of a tiny task."""
    if task not in BENCHMARK_OF_TASK:
        raise ValueError(f"unknown tiny task {task!r}; known: {sorted(BENCHMARK_OF_TASK)}")
    return TASK_CONFIG_DIR / task / "params.json"
