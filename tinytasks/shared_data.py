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

from tinytasks.estimators.tables import CalibrationData, load_calibration_data

from .benchmarks import hellaswag_preprocess, item_key, match_text

SHARED_ENV = "TINYTASKS_SHARED_DATA"
METABENCH_LICENCE = "CC BY-NC-SA 4.0 (metabench, Kipnis et al. 2024): non-commercial, share-alike"
ATLAS_LICENCE = "no licence stated (ATLAS response matrices); scores from the Open LLM Leaderboard v1"


@dataclass(frozen=True)
class Source:
    """Where a benchmark's calibration data lives, relative to shared/data.

    `responses` may name several files: pools of the same benchmark from the
    same evaluation runs, merged over the models found in all of them.
    `supplements` are pools from the same runs recorded for only some of
    those models (ATLAS's): their items whose text is known join as answers
    of the models they cover, NaN for the others (`add_supplements`).
    `items_parquets` hold the item text (and, for most, the exact prompt in
    a `*_longprompt` column); `prompts` are metabench's per-item prompt CSVs.
    """

    benchmark: str
    responses: tuple[str, ...]
    scores: str
    score_column: str
    model_column: str
    items_parquets: tuple[str, ...]
    id_column: str
    prompts: tuple[str, ...]
    licence: str
    lm_eval_format: str
    supplements: tuple[str, ...] = ()


MB = "responses/metabench"


def _mb(stems: tuple[str, ...], items: tuple[str, ...], id_column: str = "metabench_idx", fmt: str = "",
        atlas: str = "") -> dict:
    """A metabench source; `atlas` names an ATLAS matrix to add as a supplement,
    whose items with text are in metabench's other item set (`items[1]`, with
    its prompts in items/items-<bench>-A.csv)."""
    prompts = tuple(f"{MB}/{s}__prompts.csv" for s in stems)
    return dict(
        responses=tuple(f"{MB}/{s}__responses.csv" for s in stems),
        scores=f"{MB}/{stems[0]}__scores.csv", score_column="score", model_column="model",
        items_parquets=tuple(f"{MB}/items/{i}.parquet" for i in items), id_column=id_column,
        prompts=prompts + ((f"{MB}/items/items-{atlas}-A.csv",) if atlas else ()),
        licence=METABENCH_LICENCE + (f"; supplement: {ATLAS_LICENCE}" if atlas else ""), lm_eval_format=fmt,
        supplements=(f"responses/atlas/response_matrix_tiny{atlas}.csv",) if atlas else (),
    )


SOURCES = {
    "arc": Source("arc", **_mb(("arc-4PL-MAP-0.005-seed=1-v2", "arc-2PL-MAP-0.005-seed=1"), ("arc", "arc-secondary"),
                               fmt="ARC-Challenge 25-shot, acc_norm")),
    "gsm8k": Source("gsm8k", **_mb(("gsm8k-2PL-EAPsum-0.005-seed=1-v2", "gsm8k-2PL-EAPsum-0.001-seed=1"),
                                   ("gsm8k", "gsm8k-secondary"), fmt="GSM8K 5-shot, strict exact match")),
    "mmlu": Source("mmlu", **_mb(("mmlu-3PL-MAP-0.01-seed=1",), ("mmlu-secondary",), "mb_sub_idx",
                                 fmt="MMLU 5-shot, acc")),
    "truthfulqa": Source("truthfulqa", **_mb(("truthfulqa-2PL-EAPsum-0.01-seed=1",),
                                             ("truthfulqa-secondary", "truthfulqa"),
                                             fmt="TruthfulQA mc2 0-shot (6-shot QA primer), mc2 > 0.5",
                                             atlas="truthfulqa")),
    "winogrande": Source("winogrande", **_mb(("winogrande-4PL-MAP-0.005-seed=1",),
                                             ("winogrande-secondary", "winogrande"),
                                             fmt="Winogrande 5-shot, partial scoring, acc", atlas="winogrande")),
    "hellaswag": Source("hellaswag", **_mb(("hellaswag-lm-seed=1",), ("hellaswag-secondary", "hellaswag"),
                                           fmt="HellaSwag 10-shot, acc_norm", atlas="hellaswag")),
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


def load_source(benchmark: str, root: Path | None = None, items: pd.DataFrame | None = None) -> CalibrationData:
    """A benchmark's calibration data (responses and full scores) from
    shared/data (`root`, default `shared_data_dir()`). A supplement brings
    only its items of known text: those of `items`, the benchmark's
    `item_table`, built here when the caller has not."""
    src = SOURCES[benchmark]
    root = shared_data_dir() if root is None else root
    if src.supplements and items is None:
        items = item_table(benchmark, root)
    with_text = set(items["item"]) if src.supplements else None
    return load_calibration_data([root / r for r in src.responses], root / src.scores, src.score_column,
                                 src.model_column, [root / r for r in src.supplements], with_text)


def item_prompt(benchmark: str, doc: dict) -> str | None:
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
    own = item_prompt(benchmark, doc)
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


def _prefix(benchmark: str, doc: dict, prompt: str | None) -> str | None:
    if prompt is None:
        return None
    if benchmark == "hellaswag":
        # lm-eval capitalises the context's second part, which the parquet's `ctx` does not
        query = doc["query"]
        return prompt[: len(prompt) - len(query)] if prompt.lower().endswith(query.lower()) else None
    return fewshot_prefix(benchmark, doc, prompt)


def item_table(benchmark: str, data_dir: Path | None = None) -> pd.DataFrame:
    """One row per response column whose text and few-shot prompt are known:
    `item` (column name), `key`, `match_text` and `fewshot_prefix`."""
    data_dir = data_dir or shared_data_dir()
    src = SOURCES[benchmark]
    columns_of = {r: pd.read_csv(data_dir / r, nrows=0).columns[1:].astype(str)
                  for r in src.responses + src.supplements}
    columns = pd.Index([]).append(list(columns_of.values())).drop_duplicates()
    in_pool = set(columns)
    prompt_of = {}
    for path in src.prompts:
        prompts = pd.read_csv(data_dir / path)
        prompt_of.update(zip(prompts["item"].astype(str).str.removeprefix(f"{benchmark}."), prompts["prompt"]))
    rows = []
    for path in src.items_parquets:
        df = pd.read_parquet(data_dir / path)
        long_prompt = next((c for c in df.columns if c.endswith("_longprompt")), None)
        for r in df.to_dict("records"):
            col = str(r[src.id_column])
            if col in in_pool:
                doc = _doc_from_parquet(benchmark, r)
                prompt = prompt_of.get(col, r[long_prompt] if long_prompt else None)
                rows.append((col, doc, _prefix(benchmark, doc, prompt)))
    out = []
    for col, doc, prefix in rows:
        if prefix is not None:
            text = match_text(benchmark, doc)
            out.append({"item": col, "key": item_key(benchmark, text), "match_text": text, "fewshot_prefix": prefix})
    table = pd.DataFrame(out).drop_duplicates("item")
    known = set(table["item"])
    for r, cols in columns_of.items():
        if r.startswith(MB):  # metabench documents text for every item of its pools
            missing = set(cols) - known
            if missing:
                raise ValueError(f"{benchmark}: no text or prompt found for {len(missing)} items of {r}")
    return table.set_index("item").loc[[c for c in columns if c in known]].reset_index()
