"""`tinytasks adaptive`: adaptive tiny evaluation of a real model through
lm-eval. Each round, the adaptive test (estimators.adaptive) chooses the next
items of every unfinished task; lm-eval's own `evaluate` runs exactly those
documents (`samples=`), with the prompts, requests and scoring the task YAML
defines, so the model backend batches a round's requests as usual. The
answers, keyed by item, feed the next choice; at the end the adaptive score
maps give each task's estimate and interval."""

from __future__ import annotations

import datetime as _dt
import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import NamedTuple

from tinytasks.estimators import TinyEstimator
from tinytasks.estimators.adaptive import AdaptiveSettings, AdaptiveTest

from .checkpoints import expand_tasks
from .lm_eval_tasks import METRIC_ORDER
from .registry import BENCHMARK_OF_TASK, TASKS, task_name
from .scoring import load_task_params

log = logging.getLogger("tinytasks")

RESULT_METRICS = ("tiny_acc", *METRIC_ORDER)  # what the fixed-set run reports


class _TaskRun(NamedTuple):
    """One task's adaptive test and what maps its anchors to documents."""

    estimator: TinyEstimator
    keys: list[str]  # anchor keys, in parameter-file order
    doc_of_anchor: list[int]  # each anchor's index among the task's documents
    test: AdaptiveTest


def _doc_positions(task: str, task_obj, anchor_keys: list[str]) -> list[int]:
    """For each anchor (in parameter-file order) the index of its document in
    the task's evaluation split."""
    index = {str(doc["key"]): i for i, doc in enumerate(task_obj.eval_docs)}
    missing = [k for k in anchor_keys if k not in index]
    if missing:
        raise ValueError(f"{task}: {len(missing)} anchors are not among the task's documents (e.g. {missing[0]!r}); "
                         "the task YAML and its parameter file disagree: reinstall tinytasks")
    return [index[k] for k in anchor_keys]


def _round_answers(res: dict, task: str) -> dict[str, float]:
    """{item key: correctness} from one round's logged samples of `task`."""
    out = {}
    for sample in res["samples"][task]:
        key, value = str(sample["doc"]["key"]), float(sample["tiny_acc"])
        if key in out and out[key] != value:
            raise ValueError(f"{task}: item {key} came back twice with different results")
        out[key] = value
    return out


def run_adaptive(lm, tasks: list[str], settings: AdaptiveSettings, show_progress: bool = True) -> dict:
    """Adaptive tests of the lm-eval model `lm` (an `lm_eval.api.model.LM`)
    on `tasks`. Returns {task: {"estimate": ScoreEstimate, "items": keys in
    the order asked, "answers": [...], "se_trace": [...]}} ."""
    from lm_eval.evaluator import evaluate
    from tqdm.auto import tqdm

    from .lm_eval_support import build_tasks, task_manager

    named, tasks = list(tasks), []
    for task in expand_tasks(named):
        est = load_task_params(task, adaptive=True)[0]
        if est.adaptive_ is not None:
            tasks.append(task)
            continue
        if TASKS[task][1] is not None:  # a fixed subset of a pool
            why = (f"{task} has no adaptive score maps: adaptive tests choose among a benchmark's whole pool; run "
                   f"{task_name(BENCHMARK_OF_TASK[task], None)} (or the group tiny_leaderboard_pool)")
        else:
            why = (f"{task} has no adaptive score maps (its {est.anchors_.items.size} anchors are too few to "
                   "adapt); run it with plain lm_eval instead")
        if task in named:
            raise ValueError(why)
        log.warning("skipping %s", why)  # came in through a group
    if not tasks:
        raise ValueError("none of the requested tasks can be run adaptively")
    loaded = build_tasks(task_manager(), tasks)
    state = {}
    for task in tasks:
        est, meta, _ = load_task_params(task, adaptive=True)
        keys = [a["key"] for a in meta["anchors"]]
        state[task] = _TaskRun(est, keys, _doc_positions(task, loaded[task], keys), AdaptiveTest(est, 1, settings))
    bar = tqdm(total=settings.max_items * len(tasks), desc="adaptive items", unit="item", disable=not show_progress)
    quiet = [logging.getLogger(n) for n in ("tinytasks", "lm-eval", "lm_eval")]
    levels = [q.level for q in quiet]
    try:
        while True:
            chosen = {t: run.test.next_items() for t, run in state.items()}
            chosen = {t: items for t, (rows, items) in chosen.items() if items.size}
            if not chosen:
                break
            samples = {t: sorted(state[t].doc_of_anchor[j] for j in items) for t, items in chosen.items()}
            for q in quiet:  # the task's own aggregation sees a partial round; its warnings are noise here
                q.setLevel(logging.ERROR)
            try:
                res = evaluate(lm, {"tasks": {t: loaded[t] for t in samples}, "groups": {}}, samples=samples,
                               log_samples=True, bootstrap_iters=0, verbosity="ERROR")
            finally:
                for q, level in zip(quiet, levels):
                    q.setLevel(level)
            for t, items in chosen.items():
                got = _round_answers(res, t)
                wanted = [state[t].keys[j] for j in items]
                lost = [k for k in wanted if k not in got]
                if lost:
                    raise RuntimeError(f"{t}: lm-eval returned no result for {len(lost)} chosen items (e.g. {lost[0]})")
                state[t].test.record([0] * items.size, items, [got[k] for k in wanted])
            bar.update(sum(i.size for i in chosen.values()))
            bar.set_postfix({t: f"{run.test.n_asked[0]} items" for t, run in state.items()})
    finally:
        bar.close()
    out = {}
    for task, (est, keys, _, test) in state.items():
        n = int(test.n_asked[0])
        order = test.order[0, :n]
        out[task] = {"estimate": est.predict_adaptive(test.responses()), "items": [keys[j] for j in order],
                     "answers": test.answers[0, order].tolist(), "se_trace": test.se_trace[0, :n].tolist(),
                     "n_anchors": len(keys), "config": loaded[task].dump_config()}
    return out


def results_document(outcome: dict, model: str, model_args: str, settings: AdaptiveSettings) -> dict:
    """An lm-eval-style results document (`results` keyed "<metric>,none",
    as the fixed-set run writes) plus an `adaptive` block: settings and,
    per task, the items asked in order with their answers."""
    import lm_eval

    results, adaptive, configs = {}, {}, {}
    for task, o in outcome.items():
        e = o["estimate"]
        values = {"est_score": e.score[0], "est_score_stderr": e.stderr[0],
                  "est_lower": e.lower[0], "est_upper": e.upper[0],
                  "tiny_acc": e.accuracy[0], "n_answered": e.n_answered[0], "extrapolated": e.extrapolated[0],
                  "person_fit_lz": e.lz[0], "misfit": e.misfit[0]}
        results[task] = {"alias": task, **{f"{m},none": float(values[m]) for m in RESULT_METRICS}}
        adaptive[task] = {"items": o["items"], "answers": o["answers"], "score_se_after_each": o["se_trace"],
                          "n_anchors": o["n_anchors"], "params_sha256": load_task_params(task, adaptive=True)[2]}
        configs[task] = json.loads(json.dumps(o["config"], default=str))  # as lm-eval writes it, metadata included
    return {"results": results, "adaptive": {"settings": asdict(settings), "tasks": adaptive},
            "configs": configs, "n-shot": {task: 0 for task in outcome},
            "config": {"model": model, "model_args": model_args}, "lm_eval_version": lm_eval.__version__,
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat()}


def format_outcome(doc: dict) -> str:
    """A Markdown table of the adaptive estimates."""
    lines = ["| task | est. score | 95% interval | items asked | of anchors | accuracy on them | flags |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for task, r in doc["results"].items():
        a = doc["adaptive"]["tasks"][task]
        flags = ", ".join(f for f, on in (("extrapolated", r["extrapolated,none"]), ("misfit", r["misfit,none"])) if on)
        lines.append(f"| {task} | {r['est_score,none']:.1f} | [{r['est_lower,none']:.1f}, {r['est_upper,none']:.1f}] "
                     f"| {len(a['items'])} | {a['n_anchors']} | {r['tiny_acc,none']:.2f} | {flags or '-'} |")
    return "\n".join(lines)


def write_results(doc: dict, out_dir: str | Path) -> Path:
    """Write `results_adaptive_<time>.json` into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y-%m-%dT%H-%M-%S.%f")
    path = out / f"results_adaptive_{stamp}.json"
    path.write_text(json.dumps(doc, indent=1) + "\n")
    return path
