"""Each benchmark's spec against what it describes: the counted full runs,
the task YAMLs, lm-eval's own tasks."""

import json
from pathlib import Path

import pytest

from tinytasks import lm_eval_tasks
from tinytasks.benchmark_specs import BENCHMARKS, SPECS, spec
from tinytasks.registry import TASK_CONFIG_DIR, TASKS
from tinytasks.task_yaml import yaml_field

SAVINGS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "tiny_savings.json"


def test_requests_per_item_match_the_counted_full_runs():
    full = json.loads(SAVINGS.read_text())["full"]
    assert set(full) == set(BENCHMARKS)
    for b in BENCHMARKS:
        assert full[b]["items"] == SPECS[b].full_items
        assert SPECS[b].requests_per_item == pytest.approx(full[b]["requests"] / full[b]["items"], abs=0.01)


def test_a_generation_benchmarks_tasks_generate_as_its_leaderboard_task_does():
    """The settings verify checks a run against are the tasks' own and lm-eval's leaderboard task's."""
    import lm_eval

    own = yaml_field(Path(lm_eval.__file__).parent / "tasks" / "leaderboard" / "ifeval" / "ifeval.yaml",
                     "generation_kwargs")
    for task, (bench, _) in TASKS.items():
        want = dict(SPECS[bench].generation)
        if want:
            got = yaml_field(TASK_CONFIG_DIR / task / f"{task}.yaml", "generation_kwargs")
            assert {k: got[k] for k in want} == want == {k: own[k] for k in want}, task


@pytest.mark.parametrize("task", sorted(TASKS))
def test_every_task_yaml_scores_with_its_benchmarks_scorer(task):
    scorer = SPECS[TASKS[task][0]].scorer
    assert yaml_field(TASK_CONFIG_DIR / task / f"{task}.yaml", "process_results") == \
        f"tiny_functions.{scorer}"
    assert callable(getattr(lm_eval_tasks, scorer))


def test_an_unknown_benchmark_names_the_known_ones():
    with pytest.raises(ValueError, match="known: arc, hellaswag"):
        spec("lambada")


def test_lm_eval_tasks_of_the_same_name_log_the_specs_metric():
    """lm-eval's own task YAMLs of each benchmark compute the per-item metric
    the spec reads from their samples (arc_challenge includes arc_easy's metrics)."""
    import lm_eval

    tasks = Path(lm_eval.__file__).parent / "tasks"
    own = {"arc": "arc/arc_easy.yaml", "hellaswag": "hellaswag/hellaswag.yaml",
           "mmlu": "mmlu/default/_default_template_yaml", "truthfulqa": "truthfulqa/truthfulqa_mc2.yaml",
           "winogrande": "winogrande/default.yaml", "gsm8k": "gsm8k/gsm8k.yaml",
           "ifeval": "leaderboard/ifeval/ifeval.yaml"}
    for b, rel in own.items():
        text = (tasks / rel).read_text()
        assert f"metric: {SPECS[b].builtin_metric}" in text, b
        if SPECS[b].builtin_filter:
            assert SPECS[b].builtin_filter in text, b
