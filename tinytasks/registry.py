"""Where the tiny tasks live and which benchmark each one is."""

from __future__ import annotations

from pathlib import Path

import task_configs

TASK_CONFIG_DIR = Path(task_configs.__file__).resolve().parent

TASK_OF_BENCHMARK = {
    "mmlu": "tiny_mmlu", "arc": "tiny_arc", "hellaswag": "tiny_hellaswag",
    "winogrande": "tiny_winogrande", "gsm8k": "tiny_gsm8k", "truthfulqa": "tiny_truthfulqa",
}
BENCHMARK_OF_TASK = {t: b for b, t in TASK_OF_BENCHMARK.items()}


def params_path(task: str) -> Path:
    """The shipped parameter file of a tiny task."""
    if task not in BENCHMARK_OF_TASK:
        raise ValueError(f"unknown tiny task {task!r}; known: {sorted(BENCHMARK_OF_TASK)}")
    return TASK_CONFIG_DIR / task / "params.json"
