"""The real calibration data in shared/data/responses: which file serves each
benchmark, and each item's stable key and exact leaderboard few-shot prefix.

Nothing here is copied into the repository: the fit reads these files and
stores only derived parameters, keys and prompt prefixes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from estimators.tables import CalibrationData, load_calibration_data

from .benchmarks import hellaswag_preprocess, item_key, match_text

SHARED_ENV = "TINYTASKS_SHARED_DATA"
METABENCH_LICENCE = "CC BY-NC-SA 4.0 (metabench, Kipnis et al. 2024): non-commercial, share-alike"
ATLAS_LICENCE = "no licence stated (ATLAS response matrices); scores from the Open LLM Leaderboard v1"


@dataclass(frozen=True)
class Source:
    """Where a benchmark's calibration data lives, relative to shared/data."""

    benchmark: str
    responses: str
    scores: str
    score_column: str
    model_column: str
    items_parquet: str | None
    id_column: str
    prompts: str | None
    licence: str
    lm_eval_format: str


def _mb(stem: str, items: str, id_column: str = "metabench_idx", fmt: str = "") -> dict:
    return dict(
        responses=f"responses/metabench/{stem}__responses.csv",
        scores=f"responses/metabench/{stem}__scores.csv", score_column="score", model_column="model",
        items_parquet=f"responses/metabench/items/{items}.parquet", id_column=id_column,
        prompts=f"responses/metabench/{stem}__prompts.csv", licence=METABENCH_LICENCE, lm_eval_format=fmt,
    )


SOURCES = {
    "arc": Source("arc", **_mb("arc-4PL-MAP-0.005-seed=1-v2", "arc", fmt="ARC-Challenge 25-shot, acc_norm")),
    "gsm8k": Source("gsm8k", **_mb("gsm8k-2PL-EAPsum-0.005-seed=1-v2", "gsm8k", fmt="GSM8K 5-shot, strict exact match")),
    "mmlu": Source("mmlu", **_mb("mmlu-3PL-MAP-0.01-seed=1", "mmlu-secondary", "mb_sub_idx", fmt="MMLU 5-shot, acc")),
    "truthfulqa": Source("truthfulqa", **_mb("truthfulqa-2PL-EAPsum-0.01-seed=1", "truthfulqa-secondary",
                                              fmt="TruthfulQA mc2 0-shot (6-shot QA primer), mc2 > 0.5")),
    "winogrande": Source("winogrande", **_mb("winogrande-4PL-MAP-0.005-seed=1", "winogrande-secondary",
                                              fmt="Winogrande 5-shot, partial scoring, acc")),
    "hellaswag": Source(
        "hellaswag", responses="responses/atlas/response_matrix_tinyhellaswag.csv",
        scores="leaderboard/open-llm-leaderboard.csv", score_column="hellaswag", model_column="name",
        items_parquet=None, id_column="metabench_idx", prompts=None, licence=ATLAS_LICENCE,
        lm_eval_format="HellaSwag 10-shot, acc_norm",
    ),
}


def shared_data_dir() -> Path:
    """shared/data: $TINYTASKS_SHARED_DATA, else ../shared/data beside the project."""
    env = os.environ.get(SHARED_ENV)
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not path.is_dir():
        raise FileNotFoundError(
            f"shared data folder {path} not found; set ${SHARED_ENV} to the folder holding responses/ and benchmarks/"
        )
    return path


def load_source(benchmark: str, root: Path | None = None) -> CalibrationData:
    """A benchmark's calibration data (responses and full scores) from
    shared/data (`root`, default `shared_data_dir()`)."""
    src = SOURCES[benchmark]
    root = shared_data_dir() if root is None else root
    return load_calibration_data(root / src.responses, root / src.scores, src.score_column, src.model_column)


def _own_part(benchmark: str, doc: dict) -> str | None:
    """The item's own part at the end of its leaderboard prompt."""
    if benchmark in ("arc", "gsm8k"):
        return f"Question: {doc['question']}\nAnswer:"
    if benchmark == "mmlu":
        opts = "".join(f"\n{'ABCD'[i]}. {c}" for i, c in enumerate(doc["choices"]))
        return f"{doc['question'].strip()}{opts}\nAnswer:"
    if benchmark == "truthfulqa":
        return f"Q: {doc['question']}\nA:"
    return None


def fewshot_prefix(benchmark: str, doc: dict, prompt: str) -> str:
    """The few-shot part of an item's exact leaderboard prompt."""
    own = _own_part(benchmark, doc)
    if own is not None and prompt.endswith(own):
        return prompt[: len(prompt) - len(own)]
    cut = prompt.rfind("\n\n")
    if cut < 0:
        raise ValueError(f"cannot find the few-shot part of a {benchmark} prompt: {prompt[:80]!r}")
    return prompt[: cut + 2]


def _doc_from_parquet(benchmark: str, row: dict) -> dict:
    if benchmark == "hellaswag":
        return {"query": hellaswag_preprocess(row["activity_label"] + ": " + row["ctx"])}
    doc = dict(row)
    if benchmark == "mmlu":
        doc["choices"] = list(row["choices"])
    return doc


def item_table(benchmark: str, data_dir: Path | None = None) -> pd.DataFrame:
    """One row per response column that has text: `item` (column name), `key`,
    `match_text` and `fewshot_prefix` (empty where no prompt is known)."""
    data_dir = data_dir or shared_data_dir()
    src = SOURCES[benchmark]
    columns = pd.read_csv(data_dir / src.responses, nrows=0).columns[1:].astype(str)
    rows = []
    if benchmark == "hellaswag":
        # ATLAS ids share metabench's id space; text is known for few of them.
        for name in ("hellaswag", "hellaswag-secondary"):
            df = pd.read_parquet(data_dir / f"responses/metabench/items/{name}.parquet")
            for r in df.to_dict("records"):
                if str(r["metabench_idx"]) in set(columns):
                    doc = _doc_from_parquet(benchmark, r)
                    prompt = r["alltenshot_longprompt"]
                    prefix = prompt[: len(prompt) - len(doc["query"])] if prompt.endswith(doc["query"]) else ""
                    rows.append((str(r["metabench_idx"]), doc, prefix))
    else:
        df = pd.read_parquet(data_dir / src.items_parquet)
        prompts = pd.read_csv(data_dir / src.prompts)
        prompts["item"] = prompts["item"].astype(str).str.removeprefix(f"{benchmark}.")
        prompt_of = dict(zip(prompts["item"], prompts["prompt"]))
        for r in df.to_dict("records"):
            col = str(r[src.id_column])
            if col in set(columns):
                doc = _doc_from_parquet(benchmark, r)
                rows.append((col, doc, fewshot_prefix(benchmark, doc, prompt_of[col])))
    out = []
    for col, doc, prefix in rows:
        text = match_text(benchmark, doc)
        out.append({"item": col, "key": item_key(benchmark, text), "match_text": text, "fewshot_prefix": prefix})
    table = pd.DataFrame(out).drop_duplicates("item")
    if benchmark != "hellaswag" and len(table) != len(columns):
        raise ValueError(f"{benchmark}: text found for {len(table)} of {len(columns)} items")
    return table.set_index("item").loc[[c for c in columns if c in set(table["item"])]].reset_index()
