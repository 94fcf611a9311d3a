"""The full-benchmark reference tasks that benchmarks/full_reference.py checks
tiny estimates against."""

import numpy as np
import pytest

from benchmarks.full_reference import REFERENCE_DIR, REFERENCES, reference_score, sample_indices
from tinytasks.benchmark_specs import SPECS
from tinytasks.registry import TASK_CONFIG_DIR

SHOTS = {"winogrande": 5, "hellaswag": 10}  # one fixed set of shots for every item of the reference task



@pytest.fixture(scope="module")
def tasks(shared_data):
    from lm_eval.tasks import TaskManager, get_task_dict

    mp = pytest.MonkeyPatch()
    mp.setenv("TINYTASKS_DATA_DIR", str(shared_data / "benchmarks"))
    tm = TaskManager(include_path=[str(TASK_CONFIG_DIR), str(REFERENCE_DIR)], include_defaults=False)
    names = [n for r in REFERENCES.values() for n in (r.tiny, r.task)]
    yield get_task_dict(names, tm)
    mp.undo()


def _key(bench, doc):
    # MMLU repeats some questions within a subject, a few with other choices
    if bench == "winogrande":
        return doc["sentence"]
    if bench == "hellaswag":
        return doc["query"], tuple(doc["endings"])
    return (doc["subject"], doc["question"], tuple(doc["choices"])) if bench == "mmlu" else doc["question"]


@pytest.mark.parametrize("bench", sorted(REFERENCES))
def test_reference_task_asks_every_item_in_the_tiny_tasks_format(tasks, bench):
    ref = REFERENCES[bench]
    tiny, full = tasks[ref.tiny], tasks[ref.task]
    docs = list(full.test_docs())
    assert len(docs) == SPECS[bench].full_items
    by_key = {}
    for d in docs:
        by_key.setdefault(_key(bench, d), d)
    for doc in tiny.test_docs():  # each anchor gets the very same prompt and choices in both tasks
        twin = by_key[_key(bench, doc)]
        assert full.doc_to_target(twin) == tiny.doc_to_target(doc)
        if bench in SHOTS:  # one fixed set of shots for every item: the same format, other examples
            assert twin["fewshot_prefix"].count("\n\n") == doc["fewshot_prefix"].count("\n\n") == SHOTS[bench]
        if bench == "winogrande":  # the shots lead each choice
            assert full.doc_to_text(twin) == tiny.doc_to_text(doc)
            own = [c.removeprefix(twin["fewshot_prefix"]) for c in full.doc_to_choice(twin)]
            assert own == [c.removeprefix(doc["fewshot_prefix"]) for c in tiny.doc_to_choice(doc)]
            continue
        if bench == "hellaswag":  # the shots lead the context
            assert (full.doc_to_text(twin).removeprefix(twin["fewshot_prefix"])
                    == tiny.doc_to_text(doc).removeprefix(doc["fewshot_prefix"]))
        else:
            assert full.doc_to_text(twin) == tiny.doc_to_text(doc)
        assert full.doc_to_choice(twin) == tiny.doc_to_choice(doc)


def test_mmlu_prefixes_are_rebuilt_for_every_subject(shared_data):
    from benchmarks.reference_tasks import reference

    prefixes = reference.mmlu_prefixes(shared_data / "benchmarks")
    assert len(prefixes) == 57
    assert all(p.count("\nAnswer: ") == 5 for p in prefixes.values())


def test_reference_scores_mc2_like_the_tiny_task(tasks):
    from tinytasks.lm_eval_tasks import process_truthfulqa_mc2

    task = tasks[REFERENCES["truthfulqa"].task]
    doc = next(iter(task.test_docs()))
    n_true = list(doc["mc2_targets"]["labels"]).count(1)
    n = len(doc["mc2_targets"]["labels"])
    results = [(-1.0, False)] * n_true + [(-3.0, False)] * (n - n_true)
    mc2 = task.process_results(doc, results)["mc2"]
    expected = n_true * np.exp(-1) / (n_true * np.exp(-1) + (n - n_true) * np.exp(-3))
    assert mc2 == pytest.approx(expected)
    assert process_truthfulqa_mc2({**doc, "tiny_task": "t", "key": "k"}, results)["tiny_acc"] == float(mc2 > 0.5)


def test_reference_score_averages_strata_and_is_exact_on_every_item():
    rng = np.random.default_rng(0)
    values = rng.random(30)
    strata = np.array(["a"] * 10 + ["b"] * 20)
    score, se = reference_score(values, strata, {"a": 10, "b": 20})
    assert score == pytest.approx(50 * (values[:10].mean() + values[10:].mean())) and se == 0
    with pytest.raises(ValueError, match="every stratum"):
        reference_score(values[:10], strata[:10], {"a": 10, "b": 20})
    with pytest.raises(ValueError, match="11 values for 10 items"):
        reference_score(values[:11], np.array(["a"] * 11), {"a": 10})


def test_reference_score_of_a_sample_has_the_stratified_standard_error():
    rng = np.random.default_rng(1)
    strata = np.repeat(["a", "b"], 50)
    values = rng.random(100)
    _, se = reference_score(values, strata, {"a": 200, "b": 50})
    va = values[:50].var(ddof=1) / 50 * (1 - 50 / 200)  # stratum b is complete: no error
    assert se == pytest.approx(100 * np.sqrt(va) / 2)


def test_sample_indices_draw_per_stratum_reproducibly():
    strata = np.repeat(["a", "b", "c"], [10, 3, 7])
    idx = sample_indices(strata, 4, seed=0)
    assert idx == sample_indices(strata, 4, seed=0) and idx != sample_indices(strata, 4, seed=1)
    counts = {s: int(np.sum(strata[idx] == s)) for s in "abc"}
    assert counts == {"a": 4, "b": 3, "c": 4}
