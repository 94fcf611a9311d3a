"""Which lm-eval releases tinytasks runs with, and how lm-eval finds the
tiny tasks.

An installed tinytasks puts its task YAMLs in lm-eval's own task folder
(`lm_eval/tasks/tinytasks/`, see pyproject.toml), where `lm_eval --tasks
tiny_mmlu` finds them with nothing else. An editable (development) install
cannot put files there; `tinytasks run` then adds `--include_path`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# Tested at both ends by .ci/run; pyproject.toml declares the same range.
LM_EVAL_OLDEST = (0, 4, 9)
LM_EVAL_BELOW = (0, 5)
LM_EVAL_RANGE = ">=0.4.9,<0.5"


class UnsupportedLmEval(ImportError):
    """lm-eval is missing or outside the range tinytasks runs with."""


def _release(text: str) -> tuple[int, ...]:
    """The release numbers of a version (0.5.0rc1 and 0.5.0.dev0 count as 0.5.0)."""
    import re

    return tuple(int(p) for p in re.match(r"\d+(?:\.\d+)*", text.split("+")[0]).group(0).split("."))


def check_lm_eval() -> str:
    """The installed lm-eval's version, or UnsupportedLmEval naming the range."""
    try:
        v = version("lm_eval")
    except PackageNotFoundError as e:
        raise UnsupportedLmEval(f"tinytasks needs lm-eval {LM_EVAL_RANGE}, which is not installed: "
                                f"pip install 'lm-eval[hf]{LM_EVAL_RANGE}'") from e
    if not LM_EVAL_OLDEST <= _release(v) < LM_EVAL_BELOW:
        raise UnsupportedLmEval(f"tinytasks runs with lm-eval {LM_EVAL_RANGE}; this environment has lm-eval {v}: "
                                f"pip install 'lm-eval[hf]{LM_EVAL_RANGE}'")
    return v


def scanned_task_folder() -> Path:
    """The tiny tasks' folder inside lm-eval's own task folder (present in a
    regular install, absent in an editable one)."""
    import importlib.util

    spec = importlib.util.find_spec("lm_eval")
    if spec is None or not spec.submodule_search_locations:
        raise UnsupportedLmEval(f"lm-eval is not installed: pip install 'lm-eval[hf]{LM_EVAL_RANGE}'")
    return Path(list(spec.submodule_search_locations)[0]) / "tasks" / "tinytasks"


def lm_eval_finds_tiny_tasks() -> bool:
    """True when lm-eval's own task scan finds the tiny tasks (no --include_path needed)."""
    return (scanned_task_folder() / "tiny_leaderboard.yaml").is_file()


def task_manager():
    """lm-eval's TaskManager indexing the tiny tasks' folder only."""
    from lm_eval.tasks import TaskManager

    from .registry import TASK_CONFIG_DIR

    return TaskManager(include_path=str(TASK_CONFIG_DIR), include_defaults=False)


def build_tasks(manager, names: list[str]) -> dict:
    """{task name: built lm-eval Task} of plain (not group) tasks, as either
    API builds them: TaskManager.load (0.4.13) or get_task_dict (0.4.9)."""
    if hasattr(manager, "load"):
        return manager.load(names)["tasks"]
    from lm_eval.tasks import get_task_dict

    return dict(get_task_dict(names, manager))


def indexed_yaml_path(manager, name: str) -> Path:
    """The YAML file lm-eval indexed task or group `name` from."""
    entry = manager.task_index[name]
    return Path(entry.yaml_path if hasattr(entry, "yaml_path") else entry["yaml_path"])


def group_stderr(stderrs: list[float], sizes: list[int]) -> float:
    """The standard error lm-eval gives a group's unweighted mean of its tasks'
    metrics: that of an unweighted mean where the release has it (0.4.13),
    else its pooled one (0.4.9), so that a rescored file matches a fresh run."""
    from lm_eval.api import metrics

    if hasattr(metrics, "unweighted_mean_stderr"):
        return metrics.unweighted_mean_stderr(stderrs)
    return metrics.pooled_sample_stderr(stderrs, sizes)
