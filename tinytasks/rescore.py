"""`tinytasks rescore RESULTS`: a run's tiny-task estimates recomputed from
its logged per-item results with the installed parameter files.

A tiny task's estimate depends on the model only through its answers to the
anchors, which the samples files (--log_samples) keep. After tinytasks
updates its parameter files, stored runs need not be run again: each task's
estimate is recomputed as lm-eval's aggregation would compute it now, each
group's (tiny_leaderboard, ...) as lm-eval averages its tasks, and the result
is written as a new results file, with the installed parameter file's
SHA-256 in each task's config and copies of the samples files beside it, so
that `tinytasks verify` checks it like a fresh run. The new file records what
it was rescored from under `tinytasks_rescored`.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import logging
import shutil
from pathlib import Path

from tinytasks.estimators.param_file import FORMAT_VERSION

from .registry import BENCHMARK_OF_TASK, GROUPS, TASK_CONFIG_DIR
from .results_files import read_results, read_samples, samples_file, task_answers
from .scoring import estimate_task, load_task_params
from .run_checks import generation_warnings
from .task_yaml import yaml_field
from .verify import RECOMPUTED

log = logging.getLogger("tinytasks")


def group_metrics(group: str) -> list[str]:
    """The metrics lm-eval averages over a group's tasks (its YAML's
    aggregate_metric_list, or that of the YAML it includes)."""
    return [m["metric"] for m in yaml_field(TASK_CONFIG_DIR / f"{group}.yaml", "aggregate_metric_list")]


def rescore(path: str | Path, out_dir: str | Path) -> Path:
    """Write the rescored results file of the run at `path` (a results JSON
    or its folder) into `out_dir`, with its samples files; returns its path."""
    from .lm_eval_support import group_stderr

    results_path, doc = read_results(path)
    if "adaptive" in doc:
        raise ValueError(f"{results_path} is an adaptive run; rescore reads runs of the fixed tiny tasks")
    tasks = [t for t in doc["results"] if t in BENCHMARK_OF_TASK]
    if not tasks:
        raise ValueError(f"{results_path} has no tiny task results to rescore")
    out_dir = Path(out_dir)
    if out_dir.resolve() == results_path.parent.resolve():
        raise ValueError("write the rescored run to another folder (--output_path): it keeps the run's file names")
    new = copy.deepcopy(doc)
    copies = []
    for task in tasks:
        samples = samples_file(results_path, task)
        est = estimate_task(task, task_answers(read_samples(samples), task, samples.name))
        for w in generation_warnings(task, doc.get("configs", {}).get(task, {}), doc):
            log.warning("%s: %s: %s", results_path, task, w)
        new["results"][task].update({f"{m},none": float(getattr(est, a)) for m, a in RECOMPUTED.items()})
        metadata = new.setdefault("configs", {}).setdefault(task, {}).setdefault("metadata", {})
        metadata.update(params_sha256=load_task_params(task)[2], params_format_version=FORMAT_VERSION)
        copies.append(samples)
    for group in [g for g in doc["results"] if g in GROUPS]:
        names = [t for t in GROUPS[group] if t in new["results"]]
        members = [new["results"][t] for t in names]
        # each task's sample count, as lm-eval weighs a pooled standard error (the items answered if not recorded)
        sizes = [int(doc.get("n-samples", {}).get(t, {}).get("effective", m["n_answered,none"]))
                 for t, m in zip(names, members)]
        for metric in group_metrics(group):
            values = [m[f"{metric},none"] for m in members]
            new["results"][group][f"{metric},none"] = sum(values) / len(values)
            stderrs = [m.get(f"{metric}_stderr,none", "N/A") for m in members]
            if "N/A" not in stderrs:
                new["results"][group][f"{metric}_stderr,none"] = group_stderr(stderrs, sizes)
        if group in new.get("groups", {}):
            new["groups"][group] = copy.deepcopy(new["results"][group])
    new["tinytasks_rescored"] = {"from": str(results_path), "at": _dt.datetime.now().isoformat(timespec="seconds")}
    out_dir.mkdir(parents=True, exist_ok=True)
    for samples in copies:
        shutil.copyfile(samples, out_dir / samples.name)
    target = out_dir / results_path.name
    target.write_text(json.dumps(new, indent=2, default=str))
    return target
