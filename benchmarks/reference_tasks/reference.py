"""The full TruthfulQA (mc2) in exactly the prompt format of `tiny_truthfulqa`:
the six-example QA primer the leaderboard used (stored with every anchor),
then `Q: ...\\nA:`. It gives a model's real full-benchmark score to check a
tiny estimate against (`benchmarks/full_reference.py`). Only TruthfulQA has
one prompt for every item; the other benchmarks' leaderboard prompts carry
per-item few-shot examples known only for the anchors."""

from __future__ import annotations

from tinytasks.benchmarks import load_docs
from tinytasks.lm_eval_tasks import _plain, truthfulqa_mc2
from tinytasks.scoring import load_task_params


def truthfulqa_primer() -> str:
    """The primer stored with tiny_truthfulqa's anchors (one for all)."""
    _, meta, _ = load_task_params("tiny_truthfulqa")
    primers = {a["fewshot_prefix"] for a in meta["anchors"]}
    if len(primers) != 1:
        raise ValueError(f"tiny_truthfulqa's anchors carry {len(primers)} different prefixes; expected one primer")
    return primers.pop()


def load_truthfulqa(data_dir: str | None = None, **_ignored):
    """Every TruthfulQA item (817) with the primer, as a `test` split."""
    import datasets

    primer = truthfulqa_primer()
    rows = [_plain({**doc, "fewshot_prefix": primer}) for doc in load_docs("truthfulqa", data_dir)]
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)})


def process_mc2(doc: dict, results) -> dict:
    return {"mc2": truthfulqa_mc2(doc, results)}
