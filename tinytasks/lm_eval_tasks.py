"""Functions the tiny task YAMLs name with `!function`: the dataset loader,
per-document scoring, and the aggregations that call the estimator.

Every per-document metric value is a `(task, item key, correctness)` tuple so
the aggregation never depends on the order lm-eval gathers results in.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from tinytasks.estimators import spread_order

from .benchmark_specs import hellaswag_preprocess, hellaswag_query
from .documents import plain_document
from .lm_eval_support import check_lm_eval
from .registry import BENCHMARK_OF_TASK
from .results_files import add_answer
from .scoring import TaskEstimate, estimate_task, load_task_params, task_anchors

check_lm_eval()  # lm-eval imports this module when it loads a tiny task: an unsupported release stops here


def load_tiny_dataset(task: str = "", **_ignored):
    """The anchors of `task` (a shipped task's name, or the parameter file of
    a task folder `tinytasks fit` wrote) as a DatasetDict with a `test`
    split, from the items stored beside its parameters (no download)."""
    if task not in BENCHMARK_OF_TASK and not task.endswith(".json"):
        raise ValueError(f"unknown tiny task {task!r}; known: {sorted(BENCHMARK_OF_TASK)}")
    est = load_task_params(task)[0]
    anchors = task_anchors(task)
    no_doc = [a["key"] for a in anchors if "doc" not in a]
    if no_doc:
        raise ValueError(f"{task}: {len(no_doc)} of {len(anchors)} anchors have no document in the shipped items "
                         f"(first: {no_doc[0]}); this tinytasks installation is incomplete: reinstall tinytasks")
    rows = []
    # Docs in an order whose every prefix spreads over the difficulty range,
    # so that `--limit k` runs a stratified subset of the anchors.
    for i in spread_order(est.calibration_.anchor_bank):
        a = anchors[i]
        rows.append({**a["doc"], "key": a["key"], "fewshot_prefix": a["fewshot_prefix"], "tiny_task": task})
    return as_test_split(rows)


def as_test_split(docs: list[dict]):
    """`docs` as a DatasetDict with one `test` split, the shape lm-eval's
    `custom_dataset` returns."""
    import datasets

    return datasets.DatasetDict({"test": datasets.Dataset.from_list([plain_document(d) for d in docs])})


# ------------------------------------------------------------ prompt pieces
def winogrande_gold(doc: dict) -> int:
    return {"1": 0, "2": 1}[str(doc["answer"])]


def winogrande_choices(doc: dict) -> list[str]:
    idx = doc["sentence"].index("_")
    return [doc["fewshot_prefix"] + doc["sentence"][:idx] + opt for opt in (doc["option1"], doc["option2"])]


def winogrande_target(doc: dict) -> str:
    idx = doc["sentence"].index("_") + 1
    return " " + doc["sentence"][idx:].strip()


def hellaswag_choices(doc: dict) -> list[str]:
    return [hellaswag_preprocess(e) for e in doc["endings"]]


def hellaswag_text(doc: dict) -> str:
    return doc["fewshot_prefix"] + hellaswag_query(doc)


# ---------------------------------------------------------- per-doc scoring
# Every metric whose aggregation estimates from (task, item key, correctness). lm-eval aggregates a task's
# metrics in the order they first appear in process_results' dict, and aggregating `<metric>` writes
# `<metric>_stderr` as "N/A" (it knows no standard error of a custom aggregation); its table prints
# `<metric>_stderr` in `<metric>`'s Stderr column. So `est_score_stderr` must come after `est_score`,
# or `est_score`'s aggregation would overwrite it: `_keyed` puts each `_stderr` metric right after its own.
KEYED_METRICS = ("est_score", "est_lower", "est_upper", "n_answered", "extrapolated", "person_fit_lz", "misfit")
STDERR_METRICS = ("est_score_stderr",)


def metric_order(metrics: tuple[str, ...] = KEYED_METRICS) -> tuple[str, ...]:
    """`metrics` with each of STDERR_METRICS right after the metric it is the standard error of."""
    order = []
    for m in metrics:
        order += [m, *(s for s in STDERR_METRICS if s == f"{m}_stderr")]
    return tuple(order)


METRIC_ORDER = metric_order()


def _keyed(doc: dict, value: float) -> dict:
    item = (doc["tiny_task"], doc["key"], float(value))
    return {"tiny_acc": float(value), **{m: item for m in METRIC_ORDER}}


def _loglik(results) -> np.ndarray:
    return np.array([float(r[0]) for r in results])


def process_acc(doc: dict, results) -> dict:
    """Multiple choice scored by accuracy (MMLU, Winogrande)."""
    gold = winogrande_gold(doc) if "option1" in doc else int(doc["answer"])
    return _keyed(doc, float(np.argmax(_loglik(results)) == gold))


def process_acc_norm(doc: dict, results, choices: list[str], gold: int) -> dict:
    lengths = np.array([float(len(c)) for c in choices])
    return _keyed(doc, float(np.argmax(_loglik(results) / lengths) == gold))


def process_arc(doc: dict, results) -> dict:
    """ARC scored by length-normalised accuracy, as on the leaderboard."""
    gold = list(doc["choices"]["label"]).index(doc["answerKey"])
    return process_acc_norm(doc, results, list(doc["choices"]["text"]), gold)


def process_hellaswag(doc: dict, results) -> dict:
    return process_acc_norm(doc, results, hellaswag_choices(doc), int(doc["label"]))


def truthfulqa_mc2(doc: dict, results) -> float:
    """TruthfulQA's mc2: the normalised probability mass on the true answers
    (which come first among the mc2 targets)."""
    ll = _loglik(results)
    split = list(doc["mc2_targets"]["labels"]).index(0)
    p = np.exp(ll - ll.max())
    return float(p[:split].sum() / p.sum())


def process_truthfulqa_mc2(doc: dict, results) -> dict:
    """Correct when mc2 exceeds 0.5, the binarisation of the calibration data."""
    return _keyed(doc, float(truthfulqa_mc2(doc, results) > 0.5))


_NUMBER = re.compile(r"#### (\-?[0-9\.\,]+)")


def _clean_number(text: str) -> str:
    return text.replace(",", "").replace("$", "").strip().rstrip(".")


def process_ifeval(doc: dict, results) -> dict:
    """IFEval scored by lm-eval's leaderboard verifier: right when the
    response follows every instruction of the prompt (prompt-level strict
    accuracy); the instruction-level verdicts go to `inst_level_strict_acc`."""
    from .ifeval import verdicts

    prompt_ok, instructions_ok = verdicts(doc, results[0])
    return {**_keyed(doc, float(prompt_ok)), "inst_level_strict_acc": instructions_ok}


def aggregate_instruction_accuracy(items) -> float:
    """IFEval's instruction-level strict accuracy over the asked prompts (information: the estimate is of the
    prompt-level strict accuracy)."""
    from .ifeval import instruction_accuracy

    return instruction_accuracy(items)


def process_gsm8k(doc: dict, results) -> dict:
    """Strict match of the `#### N` answer, as on the leaderboard."""
    m = _NUMBER.search(results[0])
    gold = _clean_number(doc["answer"].split("####")[-1])
    return _keyed(doc, float(m is not None and _clean_number(m.group(1)) == gold))


# ------------------------------------------------------------ aggregations
@functools.lru_cache(maxsize=64)
def _estimate(items: tuple):
    tasks = {t for t, _, _ in items}
    if len(tasks) != 1:
        raise ValueError(f"results of several tasks reached one aggregation: {sorted(tasks)}")
    task = tasks.pop()
    keyed: dict[str, float] = {}
    for _, key, value in items:
        add_answer(keyed, key, value, task)
    return estimate_task(task, keyed)


def estimate_keyed(items) -> TaskEstimate:
    """The estimate from `(task, item key, correctness)` tuples in any order
    (one task; an item may repeat only with the same result)."""
    return _estimate(tuple(sorted((str(t), str(k), float(v)) for t, k, v in items)))


def aggregate_score(items) -> float:
    """Estimated full-benchmark score (0-100)."""
    return estimate_keyed(items).score


def aggregate_stderr(items) -> float:
    """Standard error of the estimated score, consistent with its interval
    (half its width over 1.96); lm-eval shows it in the Stderr column of
    `est_score`."""
    return estimate_keyed(items).stderr


def aggregate_lower(items) -> float:
    """Lower end of the 95% interval of the estimated score."""
    return estimate_keyed(items).lower


def aggregate_upper(items) -> float:
    """Upper end of the 95% interval of the estimated score."""
    return estimate_keyed(items).upper


def aggregate_answered(items) -> float:
    """How many anchors were answered."""
    return float(estimate_keyed(items).n_answered)


def aggregate_extrapolated(items) -> float:
    """1 when the model's anchor accuracy is beyond every calibration model's
    (the estimate and its interval are then an extrapolation), else 0."""
    return float(estimate_keyed(items).extrapolated)


def aggregate_lz(items) -> float:
    """Person-fit statistic lz of the answers: near 0 for a usual answer
    pattern, very negative for hard items right and easy ones wrong."""
    return estimate_keyed(items).lz


def aggregate_misfit(items) -> float:
    """1 when lz is below that of 95% of the calibration models (possible
    contamination or a broken prompt format), else 0."""
    return float(estimate_keyed(items).misfit)
