"""The real calibration data in shared/data/responses (each benchmark's files
are named by its BenchmarkSpec's `calibration`): the response matrices and
scores, and each item's stable key and exact leaderboard few-shot prefix.

Nothing here is copied into the repository: the fit reads these files and
stores only derived parameters, keys and prompt prefixes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from tinytasks.estimators.tables import CalibrationData, load_calibration_data

from .benchmark_specs import MB, item_key, spec

SHARED_ENV = "TINYTASKS_SHARED_DATA"


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
    src = spec(benchmark).calibration
    root = shared_data_dir() if root is None else root
    if src.supplements and items is None:
        items = item_table(benchmark, root)
    with_text = set(items["item"]) if src.supplements else None
    return load_calibration_data([root / r for r in src.responses], root / src.scores, src.score_column,
                                 src.model_column, [root / r for r in src.supplements], with_text)


def item_table(benchmark: str, data_dir: Path | None = None) -> pd.DataFrame:
    """One row per response column whose text and few-shot prompt are known:
    `item` (column name), `key`, `match_text` and `fewshot_prefix`."""
    data_dir = data_dir or shared_data_dir()
    bench = spec(benchmark)
    src = bench.calibration
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
                doc = bench.parquet_doc(r)
                prompt = prompt_of.get(col, r[long_prompt] if long_prompt else None)
                rows.append((col, doc, None if prompt is None else bench.fewshot_prefix(doc, prompt)))
    out = []
    for col, doc, prefix in rows:
        if prefix is not None:
            text = bench.match_text(doc)
            out.append({"item": col, "key": item_key(benchmark, text), "match_text": text, "fewshot_prefix": prefix})
    table = pd.DataFrame(out).drop_duplicates("item")
    known = set(table["item"])
    for r, cols in columns_of.items():
        if r.startswith(MB):  # metabench documents text for every item of its pools
            missing = set(cols) - known
            if missing:
                raise ValueError(f"{benchmark}: no text or prompt found for {len(missing)} items of {r}")
    return table.set_index("item").loc[[c for c in columns if c in known]].reset_index()
