import logging
import random

import numpy as np
import pytest

from tinytasks.estimators import spread_order
from tinytasks import lm_eval_tasks as lt
from tinytasks.registry import BENCHMARK_OF_TASK, GROUPS, TASK_CONFIG_DIR, task_name
from tinytasks.lm_eval_support import indexed_yaml_path
from tinytasks.scoring import anchor_keys, estimate_task, load_task_params
from tinytasks.task_yaml import resolved_yaml, yaml_field

pytestmark = pytest.mark.lm_eval

SHIPPED = sorted(BENCHMARK_OF_TASK)


def test_every_tiny_task_is_listed_by_lm_eval():
    from tinytasks.lm_eval_support import task_manager

    tm = task_manager()
    for task in BENCHMARK_OF_TASK:
        assert task in tm.all_tasks, f"{task} YAML failed to parse (lm-eval skips such files silently)"
    for group, members in GROUPS.items():
        assert group in tm.all_groups
        assert set(yaml_field(indexed_yaml_path(tm, group), "task")) == set(members), \
            f"{group}.yaml lists other tasks than GROUPS"


def test_every_task_of_a_benchmark_asks_as_its_default_task_a_subset_of_the_pool():
    from tinytasks.lm_eval_support import task_manager

    tm = task_manager()
    for variant, bench in BENCHMARK_OF_TASK.items():
        default, pool = task_name(bench), task_name(bench, None)
        a, b = (resolved_yaml(indexed_yaml_path(tm, t)) for t in (variant, default))
        assert {k: v for k, v in a.items() if k not in ("task", "dataset_kwargs", "metadata")} == \
               {k: v for k, v in b.items() if k not in ("task", "dataset_kwargs", "metadata")}
        assert a["dataset_kwargs"] == {"task": variant}
        if pool in BENCHMARK_OF_TASK:  # a benchmark with a whole-pool task (IFEval's pool is the benchmark)
            assert variant == pool or set(anchor_keys(variant)) < set(anchor_keys(pool))


def _items(task, rng, fraction=1.0):
    keys = anchor_keys(task)
    keep = keys[: max(1, int(len(keys) * fraction))]
    return [(task, k, float(rng.random() < 0.6)) for k in keep]


@pytest.mark.parametrize("task", SHIPPED)
def test_aggregation_is_keyed_not_positional(task):
    items = _items(task, np.random.default_rng(0))
    keyed = estimate_task(task, {k: v for _, k, v in items})
    interleaved = items[0::2] + items[1::2]  # results gathered rank by rank
    shuffled = items[:]
    random.Random(1).shuffle(shuffled)
    for order in (items, interleaved, shuffled):
        lt._estimate.cache_clear()  # each order computed afresh, not served from the cache
        assert lt.aggregate_score(order) == keyed.score
    # the same results at other items (what a positional aggregation would make of them) estimate differently
    moved = [(t, k, v) for (t, k, _), (_, _, v) in zip(items, shuffled)]
    lt._estimate.cache_clear()
    assert lt.aggregate_score(moved) != keyed.score
    assert lt.aggregate_lower(items) < lt.aggregate_score(items) < lt.aggregate_upper(items)
    assert lt.aggregate_answered(items) == len(items)


def test_partial_runs_estimate_from_the_answered_items_with_a_wider_interval(caplog):
    task = SHIPPED[0]
    full = _items(task, np.random.default_rng(3))
    part = full[:20]
    with caplog.at_level(logging.WARNING, logger="tinytasks"):
        p = estimate_task(task, {k: v for _, k, v in part})
    assert f"{len(full) - 20} of {len(full)} anchors have no result" in caplog.text
    f = estimate_task(task, {k: v for _, k, v in full})
    assert p.n_answered == 20
    assert (p.upper - p.lower) > (f.upper - f.lower)


def test_a_few_wrong_answers_of_a_partial_run_are_not_called_an_extrapolation():
    """The guard compares accuracy over every anchor: unanswered ones count at
    their predicted probability, so 0 of 2 is not 'below every calibration
    model' (it was, when the guard saw the answered anchors' accuracy)."""
    task = "tiny_mmlu"
    keys = anchor_keys(task)
    few = estimate_task(task, {k: 0.0 for k in keys[:2]})
    assert few.n_answered == 2 and not few.extrapolated
    assert estimate_task(task, {k: 0.0 for k in keys}).extrapolated  # every anchor wrong still is


def test_results_for_unknown_items_are_an_error():
    task = SHIPPED[0]
    with pytest.raises(ValueError, match="not anchors of this task"):
        estimate_task(task, {"arc:0000000000000000": 1.0})
    with pytest.raises(ValueError, match="two different results"):
        k = anchor_keys(task)[0]
        lt.aggregate_score([(task, k, 1.0), (task, k, 0.0)])


def test_shipped_items_are_exactly_the_anchors_in_spread_order_with_no_download(monkeypatch):
    import datasets

    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: pytest.fail("a tiny task went to the hub"))
    monkeypatch.delenv("TINYTASKS_DATA_DIR", raising=False)
    for task in SHIPPED:
        ds = lt.load_tiny_dataset(task)["test"]
        est, _, _ = load_task_params(task)
        assert ds["key"] == [anchor_keys(task)[i] for i in spread_order(est.calibration_.anchor_bank)]  # what --limit k runs
        assert all(t == task for t in ds["tiny_task"])


def test_shipped_items_match_the_benchmark_files_they_come_from(shared_data):
    """Every shipped item's document is its benchmark file's (shared/data/benchmarks), text for text."""
    from tinytasks.benchmark_specs import item_key, match_text
    from tinytasks.documents import load_local_docs, plain_document
    from tinytasks.scoring import task_anchors

    for bench in sorted(set(BENCHMARK_OF_TASK.values())):
        local = {}
        for doc in load_local_docs(bench, shared_data / "benchmarks"):
            local.setdefault(item_key(bench, match_text(bench, doc)), plain_document(doc))
        for task in [t for t, b in BENCHMARK_OF_TASK.items() if b == bench]:
            for a in task_anchors(task):
                assert a["doc"] == local[a["key"]], f"{task}: {a['key']}"


def test_unknown_task_and_a_broken_install_give_clear_errors(tmp_path, monkeypatch):
    import shutil

    from tinytasks import scoring

    with pytest.raises(ValueError, match="unknown tiny task"):
        lt.load_tiny_dataset("tiny_nonsense")
    broken = tmp_path / "tiny_arc"  # the parameter file without the items shipped beside it
    broken.mkdir()
    for name in ("params.json", "params.npz"):
        shutil.copy(TASK_CONFIG_DIR / "tiny_arc" / name, broken / name)
    monkeypatch.setattr(scoring, "params_path", lambda task: broken / "params.json")
    for cached in (scoring.load_task_params, scoring.task_anchors):
        cached.cache_clear()
    try:
        with pytest.raises(ValueError, match="reinstall tinytasks") as err:
            lt.load_tiny_dataset("tiny_arc")
        assert "hub" not in str(err.value).lower()
    finally:
        for cached in (scoring.load_task_params, scoring.task_anchors):
            cached.cache_clear()


def test_each_standard_error_metric_comes_after_its_metric_whatever_the_order_of_the_metrics():
    """lm-eval writes `<metric>_stderr` as N/A when it aggregates `<metric>`: the standard error must be
    aggregated after it to fill the Stderr column."""
    for metrics in (lt.KEYED_METRICS, tuple(reversed(lt.KEYED_METRICS))):
        order = lt.metric_order(metrics)
        assert order.index("est_score_stderr") == order.index("est_score") + 1
    keys = list(lt._keyed({"tiny_task": "t", "key": "k"}, 1.0))
    assert keys.index("est_score_stderr") == keys.index("est_score") + 1 and set(lt.METRIC_ORDER) <= set(keys)


def test_per_document_scoring():
    doc = {"tiny_task": "t", "key": "k", "answer": 2}
    assert lt.process_acc(doc, [(-3.0, False), (-2.0, False), (-1.0, True), (-4.0, False)])["tiny_acc"] == 1.0
    arc = {"tiny_task": "t", "key": "k", "answerKey": "A",
           "choices": {"label": ["A", "B"], "text": ["a very long answer", "b"]}}
    # raw log-likelihood prefers B; per character A wins (acc_norm)
    assert lt.process_arc(arc, [(-5.0, False), (-3.0, False)])["tiny_acc"] == 1.0
    tqa = {"tiny_task": "t", "key": "k", "mc2_targets": {"choices": ["x", "y", "z"], "labels": [1, 0, 0]}}
    assert lt.process_truthfulqa_mc2(tqa, [(-0.1, False), (-3.0, False), (-3.0, False)])["tiny_acc"] == 1.0
    gsm = {"tiny_task": "t", "key": "k", "answer": "so 1,200\n#### 1,200"}
    assert lt.process_gsm8k(gsm, ["It is 1200.\n#### 1200"])["tiny_acc"] == 1.0
    assert lt.process_gsm8k(gsm, ["#### 12"])["tiny_acc"] == 0.0
    assert lt.process_gsm8k(gsm, ["no answer"])["est_score"] == ("t", "k", 0.0)


def test_hub_and_local_hellaswag_docs_get_the_same_key():
    from tinytasks.benchmark_specs import item_key, match_text

    hub = {"activity_label": "Roof shingle removal", "ctx_a": "A man is sitting on a roof.", "ctx_b": "he",
           "ctx": "A man is sitting on a roof. he", "endings": [], "label": "3"}
    local = {"query": "Roof shingle removal: A man is sitting on a roof. he", "endings": [], "label": "3"}
    assert item_key("hellaswag", match_text("hellaswag", hub)) == item_key("hellaswag", match_text("hellaswag", local))


@pytest.mark.parametrize("task", SHIPPED)
def test_all_wrong_is_flagged_exactly_when_no_calibration_model_answered_so(task, shared_data):
    from tinytasks.registry import BENCHMARK_OF_TASK
    from tinytasks.scoring import load_task_params
    from maintainer.shared_data import load_source

    data = load_source(BENCHMARK_OF_TASK[task], shared_data)
    _, meta, _ = load_task_params(task)
    cols = [data.items.index(a["item"]) for a in meta["anchors"]]
    seen_all_wrong = bool((np.nansum(data.responses[:, cols], axis=1) == 0).any())
    zeros = [(task, k, 0.0) for k in anchor_keys(task)]
    assert lt.aggregate_extrapolated(zeros) == float(not seen_all_wrong)
    typical = [(task, k, float(i % 2)) for i, k in enumerate(anchor_keys(task))]
    assert lt.aggregate_extrapolated(typical) == 0.0


def test_hub_failure_says_how_to_use_local_files(monkeypatch):
    import datasets

    from tinytasks.documents import load_docs

    def offline(*args, **kwargs):
        raise ConnectionError("Couldn't reach 'cais/mmlu' on the Hub (OfflineModeIsEnabled)")

    monkeypatch.delenv("TINYTASKS_DATA_DIR", raising=False)
    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(ConnectionError, match=r"TINYTASKS_DATA_DIR"):
        load_docs("mmlu")
