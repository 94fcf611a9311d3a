"""Full benchmarks in exactly the prompt format of their tiny tasks, to check
tiny estimates against a model's real full score (`benchmarks/full_reference.py`).

Two leaderboard benchmarks have a prompt that can be rebuilt exactly for
every item: TruthfulQA (one six-example QA primer for all) and MMLU (per
subject, its five dev examples in file order); their loaders check that the
prompts equal the ones stored with the tiny task's anchors. The others drew
few-shot examples per item, known only for the anchors. For Winogrande, ARC,
HellaSwag and GSM8K every item gets the first anchor's shots: the same format
(shot count, template, scoring), with one fixed set of examples. The pool
tasks' anchors are the ones read, as they include every other task's."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinytasks import lm_eval_tasks
from tinytasks.benchmark_specs import SPECS
from tinytasks.documents import load_docs, local_data_dir
from tinytasks.lm_eval_tasks import as_test_split, truthfulqa_mc2, winogrande_gold
from tinytasks.registry import task_name
from tinytasks.scoring import task_anchors

MMLU_HEADER = "The following are multiple choice questions (with answers) about {}.\n\n"


def _stored_prefixes(task: str) -> set[str]:
    return {a["fewshot_prefix"] for a in task_anchors(task)}


def truthfulqa_primer() -> str:
    """The primer stored with tiny_truthfulqa_pool's anchors (one for all)."""
    primers = _stored_prefixes("tiny_truthfulqa_pool")
    if len(primers) != 1:
        raise ValueError(f"tiny_truthfulqa_pool's anchors carry {len(primers)} different prefixes; expected one primer")
    return primers.pop()


def mmlu_prefixes(data_dir: str | Path | None = None) -> dict[str, str]:
    """Per subject (file stem), its five-shot prefix: header, then the dev
    examples in file order. Checked against every prefix tiny_mmlu_pool stores."""
    import pandas as pd

    root = Path(data_dir) if data_dir else local_data_dir()
    if root is None:
        raise FileNotFoundError("the MMLU reference needs local files: set $TINYTASKS_DATA_DIR (dev split in mmlu/dev/)")
    files = sorted((root / "mmlu" / "dev").glob("*_dev.csv"))
    if not files:
        raise FileNotFoundError(f"no MMLU dev files *_dev.csv in {root / 'mmlu' / 'dev'}")
    out = {}
    for f in files:
        subject = f.name[: -len("_dev.csv")]
        shots = pd.read_csv(f, keep_default_na=False).itertuples(index=False)
        out[subject] = MMLU_HEADER.format(subject.replace("_", " ")) + "".join(
            SPECS["mmlu"].item_prompt({"question": r.question, "choices": [str(r.choice0), str(r.choice1),
                                                                    str(r.choice2), str(r.choice3)]})
            + f" {'ABCD'[int(r.answer)]}\n\n"
            for r in shots)
    unmatched = _stored_prefixes("tiny_mmlu_pool") - set(out.values())
    if unmatched:
        raise ValueError(f"{len(unmatched)} of tiny_mmlu_pool's stored prefixes are not rebuilt from the dev files")
    return out


def load_truthfulqa(data_dir: str | None = None, **_ignored):
    """Every TruthfulQA item (817) with the primer, as a `test` split."""
    primer = truthfulqa_primer()
    return as_test_split([{**doc, "fewshot_prefix": primer} for doc in load_docs("truthfulqa", data_dir)])


def load_mmlu(data_dir: str | None = None, **_ignored):
    """Every MMLU test item (14,042) with its subject's prefix."""
    prefixes = mmlu_prefixes(data_dir)
    return as_test_split([{**doc, "fewshot_prefix": prefixes[doc["subject"]]} for doc in load_docs("mmlu", data_dir)])


def process_mc2(doc: dict, results) -> dict:
    return {"mc2": truthfulqa_mc2(doc, results)}


def _with_first_shots(benchmark: str, data_dir: str | None):
    prefix = task_anchors(task_name(benchmark, None))[0]["fewshot_prefix"]
    return as_test_split([{**doc, "fewshot_prefix": prefix, "tiny_task": "", "key": ""}
                          for doc in load_docs(benchmark, data_dir)])


def load_winogrande(data_dir: str | None = None, **_ignored):
    """Every Winogrande validation item (1,267) with tiny_winogrande_pool's
    first anchor's five shots."""
    return _with_first_shots("winogrande", data_dir)


def load_arc(data_dir: str | None = None, **_ignored):
    """Every ARC-Challenge test item (1,172) with tiny_arc_pool's first anchor's 25 shots."""
    return _with_first_shots("arc", data_dir)


def load_hellaswag(data_dir: str | None = None, **_ignored):
    """Every HellaSwag validation item (10,042) with tiny_hellaswag's first anchor's 10 shots."""
    return _with_first_shots("hellaswag", data_dir)


def load_gsm8k(data_dir: str | None = None, **_ignored):
    """Every GSM8K test item (1,319) with tiny_gsm8k_pool's first anchor's five shots."""
    return _with_first_shots("gsm8k", data_dir)


def process_tiny(process):
    """A tiny task's per-item scoring as a plain per-item `acc`."""
    return lambda doc, results: {"acc": process(doc, results)["tiny_acc"]}


process_arc = process_tiny(lm_eval_tasks.process_arc)
process_hellaswag = process_tiny(lm_eval_tasks.process_hellaswag)
process_gsm8k = process_tiny(lm_eval_tasks.process_gsm8k)


def process_acc(doc: dict, results) -> dict:
    """Accuracy: the option whose context gives the continuation the higher log-likelihood."""
    return {"acc": float(np.argmax([float(r[0]) for r in results]) == winogrande_gold(doc))}
