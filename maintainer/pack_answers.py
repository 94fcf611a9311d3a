"""`python -m maintainer pack-answers`: the calibration models' anchor
answers that `tinytasks similar` compares with, from ../shared/data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from tinytasks.anchor_answers import ANSWERS_PATH
from tinytasks.benchmark_specs import METABENCH_LICENCE, SPECS
from tinytasks.estimators.param_file import write_answers_file
from tinytasks.estimators.similarity import pack_answers
from tinytasks.registry import BENCHMARKS, task_name
from tinytasks.scoring import load_task_params

from .shared_data import item_table, load_source, shared_data_dir

HELP = "write the calibration models' anchor answers that `similar` compares with, from shared/data"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", help="file to write (default: the shipped one)")


def run(a: argparse.Namespace) -> int:
    pack_shared_answers(Path(a.out) if a.out else ANSWERS_PATH)
    return 0


def pack_shared_answers(out: Path = ANSWERS_PATH, root: Path | None = None,
                        progress: Callable[[str], None] = print) -> dict:
    """Write the anchor-answers file from ../shared/data; returns its manifest.
    Only metabench's answers are shipped: an anchor that only the ATLAS
    supplement answers (no licence stated) is left unanswered for every model."""
    root = root or shared_data_dir()
    data = {b: load_source(b, root, item_table(b, root)) for b in BENCHMARKS}
    models = sorted(set().union(*(d.models for d in data.values())))
    row_of = {m: i for i, m in enumerate(models)}
    blocks, licences = {}, {}
    for b in BENCHMARKS:
        _, meta, sha = load_task_params(task_name(b, None))
        d = data[b]
        cols = np.array([a["pool_index"] for a in meta["anchors"]])
        src = SPECS[b].calibration
        shareable = set().union(*(pd.read_csv(root / r, nrows=0).columns[1:].astype(str) for r in src.responses))
        answers = d.responses[:, cols].copy()
        answers[:, [d.items[c] not in shareable for c in cols]] = np.nan
        right, answered = pack_answers(answers)
        blocks[b] = {"task": meta["task"], "params_sha256": sha, "keys": [a["key"] for a in meta["anchors"]],
                     "models": np.array([row_of[m] for m in d.models], dtype=np.int32),
                     "right": right, "answered": answered, "scores": np.round(d.scores, 4)}
        licences[b] = METABENCH_LICENCE
        progress(f"{b}: {len(d.models)} models x {cols.size} anchors")
    doc = write_answers_file(out, {"metadata": {"licence": licences, "source": "../shared/data (see each "
                                                "benchmark's pool task report)"},
                                   "models": models, "benchmarks": blocks})
    progress(f"wrote {out} and {out.with_suffix('.npz').name}")
    return doc
