"""A benchmark's full set of documents, from the Hugging Face hub as lm-eval
loads them or from local files, in the hub's schema: for the reference
tasks (a model's full-benchmark score) and for fitting. The tiny tasks ask
the items shipped with tinytasks (`item_texts`)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .benchmark_specs import DATA_DIR_ENV, spec


def local_data_dir() -> Path | None:
    """The directory named by $TINYTASKS_DATA_DIR, if set."""
    value = os.environ.get(DATA_DIR_ENV)
    return Path(value) if value else None


def load_local_docs(benchmark: str, data_dir: Path) -> list[dict]:
    """Documents of a benchmark from files in the layout of shared/data/benchmarks,
    converted to the hub schema."""
    return spec(benchmark).local_docs(Path(data_dir))


def load_hub_docs(benchmark: str) -> list[dict]:
    """Documents of a benchmark from the Hugging Face hub, as lm-eval loads them."""
    import datasets

    hub = spec(benchmark).hub
    try:
        return list(datasets.load_dataset(hub.path, hub.config, split=hub.split))
    except (ConnectionError, OSError) as e:  # offline, or the hub unreachable
        raise ConnectionError(
            f"cannot load {benchmark} ({hub.path}) from the Hugging Face hub: {e}. Offline, point ${DATA_DIR_ENV} at "
            "a folder of local benchmark files laid out like shared/data/benchmarks (or pass --metadata "
            "'{\"data_dir\": ...}' to lm_eval)"
        ) from e


def load_docs(benchmark: str, data_dir: str | Path | None = None) -> list[dict]:
    """Local files when `data_dir` (or $TINYTASKS_DATA_DIR) is given, else the hub."""
    spec(benchmark)
    data_dir = Path(data_dir) if data_dir else local_data_dir()
    return load_local_docs(benchmark, data_dir) if data_dir else load_hub_docs(benchmark)


def plain_document(doc: dict) -> dict:
    """A document with plain Python values (parquet files give numpy ones),
    as JSON and `datasets` take them."""
    out = {}
    for k, v in doc.items():
        if isinstance(v, np.ndarray):
            v = [plain_document(x) if isinstance(x, dict) else x for x in v.tolist()]
        elif isinstance(v, dict):
            v = plain_document(v)
        elif isinstance(v, np.generic):
            v = v.item()
        out[k] = v
    return out
