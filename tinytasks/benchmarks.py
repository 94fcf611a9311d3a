"""The six Open LLM Leaderboard v1 benchmarks: stable item keys, and their
documents from the hub or from local files, in one schema per benchmark.

An item's key is `<benchmark>:<first 16 hex of sha1(match text)>`, where the
match text is what identifies the item in every copy of the dataset (see
`match_text`). Documents always come out in the hub dataset's schema, plus
`key`.
"""

from __future__ import annotations

import bz2
import hashlib
import json
import os
import re
from pathlib import Path

from tinytasks.estimators.chance import ChanceLevel

# In the Open LLM Leaderboard's order, which the task groups follow.
BENCHMARKS = ("arc", "hellaswag", "mmlu", "truthfulqa", "winogrande", "gsm8k")
DATA_DIR_ENV = "TINYTASKS_DATA_DIR"

HUB_SOURCES = {
    "mmlu": ("cais/mmlu", "all", "test"),
    "arc": ("allenai/ai2_arc", "ARC-Challenge", "test"),
    "hellaswag": ("Rowan/hellaswag", None, "validation"),
    "winogrande": ("allenai/winogrande", "winogrande_xl", "validation"),
    "gsm8k": ("openai/gsm8k", "main", "test"),
    "truthfulqa": ("truthfulqa/truthful_qa", "multiple_choice", "validation"),
}


# What a uniform random guesser scores: its expected correctness on an item
# (as the tiny task scores it) and its full-benchmark score, from
# `chance_level` over the benchmark's documents (tests/test_chance.py checks
# these against ../shared/data/benchmarks).
CHANCE_LEVELS = {
    "mmlu": ChanceLevel(0.25, 25.0),
    "arc": ChanceLevel(0.25, 25.0),
    "hellaswag": ChanceLevel(0.25, 25.0),
    "winogrande": ChanceLevel(0.5, 50.0),
    "gsm8k": ChanceLevel(0.0, 0.0),
    "truthfulqa": ChanceLevel(0.1922, 44.84),
}


# lm-eval requests per item: one log-likelihood per answer choice (GSM8K: one
# generation), averaged over the full benchmark (ARC has 3-5 choices, TruthfulQA
# mc2 2-13); tiny_savings.py counted them in real runs, and
# tests/test_benchmarks_facts.py checks these against its results.
REQUESTS_PER_ITEM = {"arc": 4.0, "hellaswag": 4.0, "mmlu": 4.0, "truthfulqa": 7.2, "winogrande": 2.0, "gsm8k": 1.0}


# Items in the full benchmark (the split the leaderboard scores; checked
# against ../shared/data/benchmarks by tests/test_chance.py).
FULL_ITEMS = {"arc": 1172, "hellaswag": 10042, "mmlu": 14042, "truthfulqa": 817, "winogrande": 1267, "gsm8k": 1319}


def chance_level(benchmark: str, docs: list[dict]) -> ChanceLevel:
    """A uniform guesser's expected item correctness and full score over
    `docs` (hub schema). TruthfulQA's tiny task counts an item right when mc2
    exceeds 0.5, which uniform answers give where true answers outnumber false
    ones; its full score is the mean mc2, the share of true answers."""
    import numpy as np

    if benchmark == "gsm8k":
        return ChanceLevel(0.0, 0.0)
    if benchmark == "truthfulqa":
        labels = [np.asarray(d["mc2_targets"]["labels"], float) for d in docs]
        share_true = np.array([lab.mean() for lab in labels])
        return ChanceLevel(float((share_true > 0.5).mean()), float(100 * share_true.mean()))
    n_choices = {
        "mmlu": lambda d: len(d["choices"]), "arc": lambda d: len(d["choices"]["text"]),
        "hellaswag": lambda d: len(d["endings"]), "winogrande": lambda d: 2,
    }[benchmark]
    p = float(np.mean([1.0 / n_choices(d) for d in docs]))
    return ChanceLevel(p, 100 * p)


def _norm(text: str) -> str:
    return " ".join(str(text).split())


def hellaswag_preprocess(text: str) -> str:
    """lm-eval's HellaSwag cleaning (WikiHow artefacts removed)."""
    text = text.strip().replace(" [title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    return text.replace("  ", " ")


def match_text(benchmark: str, doc: dict) -> str:
    """The text that identifies an item in every copy of the benchmark."""
    if benchmark == "mmlu":
        return f"{doc['subject']}\n{_norm(doc['question'])}"
    if benchmark == "hellaswag":
        # `activity_label: ctx` as cleaned by lm-eval, with ctx as stored (the
        # local files keep ctx_b's case; lm-eval's prompt capitalises it).
        if "query" in doc:
            return _norm(doc["query"])
        return _norm(hellaswag_preprocess(doc["activity_label"] + ": " + doc["ctx"]))
    field = {"arc": "question", "gsm8k": "question", "truthfulqa": "question", "winogrande": "sentence"}[benchmark]
    return _norm(doc[field])


def item_key(benchmark: str, text: str) -> str:
    """Stable key from an item's match text."""
    return f"{benchmark}:{hashlib.sha1(text.encode()).hexdigest()[:16]}"


def hellaswag_query(doc: dict) -> str:
    if "query" in doc:
        return doc["query"]
    return hellaswag_preprocess(doc["activity_label"] + ": " + doc["ctx_a"] + " " + doc["ctx_b"].capitalize())


# ---------------------------------------------------------------- local files
def local_data_dir() -> Path | None:
    """The directory named by $TINYTASKS_DATA_DIR, if set."""
    value = os.environ.get(DATA_DIR_ENV)
    return Path(value) if value else None


def _need(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"local benchmark file {path} not found; ${DATA_DIR_ENV} must point to a folder laid out like "
            "shared/data/benchmarks (see README.md), or unset it to load from the Hugging Face hub"
        )
    return path


# Defects of the local ARC file (shared/data/benchmarks/arc_challenge.jsonl)
# in three pool items, found by tests/test_anchor_prompts.py, which checks
# every anchor against metabench's copy of the item (the one the calibration
# answers were scored on): the gold index of two items whose ai2_arc labels
# are "1"-"4" (answer keys "3" and "2", which lm-eval maps to C and B), and
# the fifth choice of one item. Items outside the pools cannot be checked so.
LOCAL_ARC_FIXES = {
    "arc:e5202bce763886c7": {"gold": 2},
    "arc:8d5ad976a530da2c": {"gold": 1},
    "arc:404de831827b041c": {"more_choices": ["Warm-blooded animals are found only in warm climates."]},
}


def load_local_docs(benchmark: str, data_dir: Path) -> list[dict]:
    """Documents of a benchmark from files in the layout of shared/data/benchmarks,
    converted to the hub schema."""
    d = Path(data_dir)
    if benchmark == "mmlu":
        import pandas as pd

        docs = []
        files = sorted(_need(d / "mmlu" / "test").glob("*_test.csv"))
        if not files:
            raise FileNotFoundError(f"no MMLU files *_test.csv in {d / 'mmlu' / 'test'}")
        for f in files:
            subject = f.name[: -len("_test.csv")]
            df = pd.read_csv(f, keep_default_na=False)
            for row in df.itertuples(index=False):
                docs.append({
                    "question": row.question, "subject": subject,
                    "choices": [str(row.choice0), str(row.choice1), str(row.choice2), str(row.choice3)],
                    "answer": int(row.answer),
                })
        return docs
    if benchmark == "arc":
        docs = []
        for line in _need(d / "arc_challenge.jsonl").read_text().splitlines():
            r = json.loads(line)
            q = r["query"].removeprefix("Question: ").removesuffix("\nAnswer:")
            fix = LOCAL_ARC_FIXES.get(item_key("arc", _norm(q)), {})
            choices = list(r["choices"]) + fix.get("more_choices", [])
            labels = [chr(ord("A") + i) for i in range(len(choices))]
            docs.append({"id": None, "question": q, "choices": {"text": choices, "label": labels},
                         "answerKey": labels[fix.get("gold", int(r["gold"]))]})
        return docs
    if benchmark == "hellaswag":
        lines = bz2.open(_need(d / "hellaswag_val.txt.bz2"), "rt").read().split("\n")
        return [
            {"query": lines[i], "label": lines[i + 1], "endings": lines[i + 2 : i + 6]}
            for i in range(0, len(lines) - 5, 6)
        ]
    if benchmark == "winogrande":
        import pandas as pd

        return pd.read_parquet(_need(d / "winogrande_validation.parquet")).to_dict("records")
    if benchmark == "gsm8k":
        return [json.loads(x) for x in _need(d / "gsm8k_test.jsonl").read_text().splitlines() if x.strip()]
    if benchmark == "truthfulqa":
        docs = []
        for r in json.loads(_need(d / "truthfulqa_mc_task.json").read_text()):
            docs.append({
                "question": r["question"],
                "mc1_targets": {"choices": list(r["mc1_targets"]), "labels": list(r["mc1_targets"].values())},
                "mc2_targets": {"choices": list(r["mc2_targets"]), "labels": list(r["mc2_targets"].values())},
            })
        return docs
    raise ValueError(f"unknown benchmark {benchmark!r}; choose one of {BENCHMARKS}")


def load_hub_docs(benchmark: str) -> list[dict]:
    """Documents of a benchmark from the Hugging Face hub, as lm-eval loads them."""
    import datasets

    path, name, split = HUB_SOURCES[benchmark]
    try:
        return list(datasets.load_dataset(path, name, split=split))
    except (ConnectionError, OSError) as e:  # offline, or the hub unreachable
        raise ConnectionError(
            f"cannot load {benchmark} ({path}) from the Hugging Face hub: {e}. Offline, point ${DATA_DIR_ENV} at "
            "a folder of local benchmark files laid out like shared/data/benchmarks (or pass --metadata "
            "'{\"data_dir\": ...}' to lm_eval)"
        ) from e


def load_docs(benchmark: str, data_dir: str | Path | None = None) -> list[dict]:
    """Local files when `data_dir` (or $TINYTASKS_DATA_DIR) is given, else the hub."""
    if benchmark not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {benchmark!r}; choose one of {BENCHMARKS}")
    data_dir = Path(data_dir) if data_dir else local_data_dir()
    return load_local_docs(benchmark, data_dir) if data_dir else load_hub_docs(benchmark)
