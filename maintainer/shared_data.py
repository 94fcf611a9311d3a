"""The real calibration data in shared/data/responses (each benchmark's files
are named by its BenchmarkSpec's `calibration`): the response matrices and
scores, and each item's stable key and exact leaderboard few-shot prefix.

Nothing here is copied into the repository: the fit reads these files and
stores only derived parameters, keys and prompt prefixes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd

from tinytasks.estimators.tables import (
    CalibrationData,
    load_calibration_data,
    merge_response_tables,
    read_responses_csv,
)

from tinytasks.benchmark_specs import MB, CalibrationSource, item_key, spec
from tinytasks.documents import plain_document

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


def load_source(benchmark: str, root: Path | None = None, items: pd.DataFrame | None = None,
                src: CalibrationSource | None = None) -> CalibrationData:
    """A benchmark's calibration data (responses and full scores) from
    shared/data (`root`, default `shared_data_dir()`), as `src` names it
    (default: its spec's). A supplement brings only its items of known text:
    those of `items`, the benchmark's `item_table`, built here when the
    caller has not."""
    src = spec(benchmark).calibration if src is None else src
    root = shared_data_dir() if root is None else root
    if not src.scores:
        return whole_benchmark_data([root / r for r in src.responses])
    if src.supplements and items is None:
        items = item_table(benchmark, root, src)
    with_text = set(items["item"]) if src.supplements else None
    return load_calibration_data([root / r for r in src.responses], root / src.scores, src.score_column,
                                 src.model_column, [root / r for r in src.supplements], with_text)


def whole_benchmark_data(paths: list[Path]) -> CalibrationData:
    """Calibration data whose matrix holds every item of the benchmark: each
    model's full score is its mean x 100 (every model must answer every item)."""
    r = merge_response_tables([read_responses_csv(p) for p in paths], [str(p) for p in paths])
    if r.isna().any().any():
        raise ValueError(f"{paths[0]}: a whole-benchmark matrix needs every model's answer to every item; "
                         f"{int(r.isna().to_numpy().sum())} cells are empty")
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    y = r.to_numpy(dtype=float)
    return CalibrationData(models=list(r.index), items=list(r.columns), responses=y, scores=100 * y.mean(1),
                           source_sha256=h.hexdigest())


def item_table(benchmark: str, data_dir: Path | None = None, src: CalibrationSource | None = None) -> pd.DataFrame:
    """One row per response column whose text is known: `item` (column
    name), `key`, `match_text`, `fewshot_prefix`, `prefix_from` (the key of
    the item whose prefix it borrows where its own exact prompt is unknown,
    else "") and `doc`, the item's document from shared/data/benchmarks (the
    hub's schema). `src`: the calibration source (default: the spec's)."""
    data_dir = data_dir or shared_data_dir()
    bench = spec(benchmark)
    src = bench.calibration if src is None else src
    if src.column_of is not None:
        return _benchmark_file_items(benchmark, data_dir)
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
            out.append({"item": col, "key": item_key(benchmark, text), "match_text": text, "fewshot_prefix": prefix,
                        "prefix_from": ""})
    local = bench.local_docs(data_dir / "benchmarks")
    docs = {}
    for d in local:
        docs.setdefault(item_key(benchmark, bench.match_text(d)), d)
    for row in out:
        if row["key"] not in docs:
            raise ValueError(f"{benchmark}: item {row['item']} ({row['match_text'][:60]!r}) is not in "
                             f"{data_dir / 'benchmarks'}")
    out += _row_mapped_items(benchmark, src.supplement_rows, data_dir, local, out, in_pool)
    for row in out:
        row["doc"] = plain_document(docs[row["key"]])
    table = pd.DataFrame(out).drop_duplicates("item")
    known = set(table["item"])
    for r, cols in columns_of.items():
        if r.startswith(MB):  # metabench documents text for every item of its pools
            missing = set(cols) - known
            if missing:
                raise ValueError(f"{benchmark}: no text or prompt found for {len(missing)} items of {r}")
    return table.set_index("item").loc[[c for c in columns if c in known]].reset_index()


def _row_mapped_items(benchmark: str, row_maps: tuple[str, ...], data_dir: Path, local: list[dict],
                      known: list[dict], in_pool: set[str]) -> list[dict]:
    """Item-table rows of the supplement columns that `row_maps` map to rows
    of the benchmark file and `known` (the rows with an exact prompt)
    lacks. Each borrows the few-shot prefix of a known item, chosen by its own
    key (`prefix_from` names the donor), so the choice does not depend on
    the order of the files."""
    match_text = spec(benchmark).match_text
    have = {r["item"] for r in known}
    donors = sorted({r["key"]: r["fewshot_prefix"] for r in known}.items())
    out = []
    for path in row_maps:
        rows = pd.read_csv(data_dir / path, dtype={"item": str})
        if not {"item", "row"} <= set(rows.columns):
            raise ValueError(f"{data_dir / path}: needs the columns item and row, has {list(rows.columns)}")
        bad = rows[(rows["row"] < 0) | (rows["row"] >= len(local))]
        if len(bad):
            raise ValueError(f"{data_dir / path}: row {int(bad['row'].iloc[0])} of item {bad['item'].iloc[0]} is "
                             f"outside the {len(local)} documents of {data_dir / 'benchmarks'}")
        for col, row in zip(rows["item"], rows["row"]):
            if col in have or col not in in_pool:
                continue
            text = match_text(local[int(row)])
            key = item_key(benchmark, text)
            donor_key, prefix = donors[int(key.rsplit(":", 1)[1], 16) % len(donors)]
            out.append({"item": col, "key": key, "match_text": text, "fewshot_prefix": prefix,
                        "prefix_from": donor_key})
            have.add(col)
    return out


def _benchmark_file_items(benchmark: str, data_dir: Path) -> pd.DataFrame:
    """The item table of a source whose items are its benchmark file's
    documents (0-shot: no few-shot prefix), in the responses' column order."""
    bench = spec(benchmark)
    src = bench.calibration
    by_column = {src.column_of(d): d for d in bench.local_docs(data_dir / "benchmarks")}
    rows = []
    for r in src.responses:
        for col in pd.read_csv(data_dir / r, nrows=0).columns[1:].astype(str):
            if col not in by_column:
                raise ValueError(f"{benchmark}: column {col} of {r} is not in {data_dir / 'benchmarks'}")
            doc = by_column[col]
            text = bench.match_text(doc)
            rows.append({"item": col, "key": item_key(benchmark, text), "match_text": text, "fewshot_prefix": "",
                         "prefix_from": "", "doc": plain_document(doc)})
    return pd.DataFrame(rows).drop_duplicates("item").reset_index(drop=True)
