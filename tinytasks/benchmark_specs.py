"""The benchmarks tinytasks has tiny versions of, one `BenchmarkSpec` each:
the six of the Open LLM Leaderboard v1 (its lineup, `BENCHMARKS`) and IFEval
of the leaderboard's v2. The only place that knows a benchmark. Everything else (document loading, item
keys, the calibration data, the task registry, reading lm-eval's samples,
the benchmark scripts) asks `SPECS[name]`.

An item's key is `<benchmark>:<first 16 hex of sha1(match text)>`, where the
match text is what identifies the item in every copy of the dataset (the
hub's, the local files', metabench's item tables). Documents come in the hub
dataset's schema.
"""

from __future__ import annotations

import bz2
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tinytasks.estimators.chance import ChanceLevel

MB = "responses/metabench"
METABENCH_LICENCE = "CC BY-NC-SA 4.0 (metabench, Kipnis et al. 2024): non-commercial, share-alike"
ATLAS_LICENCE = "no licence stated (ATLAS response matrices); scores from the Open LLM Leaderboard v1"
DATA_DIR_ENV = "TINYTASKS_DATA_DIR"


@dataclass(frozen=True)
class HubSource:
    """The Hugging Face dataset the leaderboard's lm-eval task loads."""

    path: str
    config: str | None
    split: str


@dataclass(frozen=True)
class ItemSource:
    """Where a benchmark's items come from and under which licence: named
    beside the items tinytasks ships (task_configs/items/)."""

    source: str
    licence: str

    def to_dict(self) -> dict:
        return {"source": self.source, "licence": self.licence}


@dataclass(frozen=True)
class CalibrationSource:
    """Where a benchmark's calibration data lives, relative to shared/data.

    `responses` may name several files: pools of the same benchmark from the
    same evaluation runs, merged over the models found in all of them.
    `supplements` are pools from the same runs recorded for only some of
    those models (ATLAS's): their items whose text is known join as answers
    of the models they cover, NaN for the others. `items_parquets` hold the
    item text (and, for most, the exact prompt in a `*_longprompt` column);
    `prompts` are metabench's per-item prompt CSVs. `supplement_rows` map
    supplement columns to rows of the benchmark file (`item`, `row`: the
    0-based position in `local_docs`): those items join with their text, and
    where their exact prompt is unknown they are asked with a borrowed
    few-shot prefix (another pool item's, in the same leaderboard format).

    A source whose matrix holds the whole benchmark (every item) has no
    `scores` file (""): a model's full score is its mean over the matrix x 100.
    Its items are the benchmark file's documents, matched to the response
    columns by `column_of` (a document -> its column's name).
    """

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
    supplement_rows: tuple[str, ...] = ()
    column_of: Callable[[dict], str] | None = None


@dataclass(frozen=True)
class BenchmarkSpec:
    """What tinytasks knows about one benchmark.

    match_text: the text that identifies a document's item in every copy.
    local_docs: its documents from a folder laid out like shared/data/benchmarks.
    n_choices: a document's answer choices (None: scored by generation).
    item_prompt: the item's own part at the end of its leaderboard prompt
      (None: the prompt is split at its last blank line).
    prompt_prefix: the few-shot part of an item's exact leaderboard prompt
      (None where the prompt does not end with the item).
    parquet_doc: a metabench item-table row as a document match_text reads.
    scorer: the `tinytasks.lm_eval_tasks` function its task YAMLs name as
      process_results.
    builtin_metric / builtin_filter / builtin_above: the per-item metric lm-eval's
      own task logs in its samples (the one the leaderboard scored), the
      filter it must come from, and the threshold above which it counts as
      right (TruthfulQA's mc2, binarised as the calibration data is).
    chance: a uniform guesser's expected item correctness and full score
      (`chance_on` the documents gives them; tests check these).
    guesser: a uniform guesser's ChanceLevel on documents, where it is not
      one over the number of choices.
    full_items: items in the full split the leaderboard scores.
    requests_per_item: lm-eval requests per item over the full benchmark
      (one log-likelihood per choice, one generation for GSM8K), as
      tiny_savings.py counted them in real runs.
    items: the source and licence of the benchmark's items.
    budgets: the anchor budgets of its tiny tasks (None: the whole pool).
    fit: the fit settings its tasks are fitted with where they differ from
      FitSettings' defaults (e.g. fewer calibration models than supervised
      anchor choice needs).
    generation: lm-eval's generation settings of its leaderboard task (a
      generation benchmark), which `verify` checks a run against.
    """

    name: str
    hub: HubSource
    match_text: Callable[[dict], str]
    local_docs: Callable[[Path], list[dict]]
    n_choices: Callable[[dict], int] | None
    item_prompt: Callable[[dict], str] | None
    scorer: str
    builtin_metric: str
    chance: ChanceLevel
    full_items: int
    requests_per_item: float
    calibration: CalibrationSource
    prompt_prefix: Callable[[dict, str], str | None] | None = None
    guesser: Callable[[list[dict]], ChanceLevel] | None = None
    parquet_doc: Callable[[dict], dict] = dict
    builtin_filter: str | None = None
    builtin_above: float | None = None
    items: ItemSource = ItemSource("", "")
    budgets: tuple[int | None, ...] = (100, 25, None)
    fit: tuple[tuple[str, object], ...] = ()
    generation: tuple[tuple[str, object], ...] = ()

    def fewshot_prefix(self, doc: dict, prompt: str) -> str | None:
        """The few-shot part of an item's exact leaderboard prompt: before its
        own part (`item_prompt`), else before the prompt's last blank line."""
        if self.prompt_prefix is not None:
            return self.prompt_prefix(doc, prompt)
        own = self.item_prompt(doc) if self.item_prompt is not None else None
        if own is not None and prompt.endswith(own):
            return prompt[: len(prompt) - len(own)]
        cut = prompt.rfind("\n\n")
        if cut < 0:
            raise ValueError(f"cannot find the few-shot part of a {self.name} prompt: {prompt[:80]!r}")
        return prompt[: cut + 2]

    def chance_on(self, docs: list[dict]) -> ChanceLevel:
        """A uniform guesser's expected item correctness and full score over `docs`."""
        if self.guesser is not None:
            return self.guesser(docs)
        if self.n_choices is None:  # generation: a guesser never gives the exact answer
            return ChanceLevel(0.0, 0.0)
        p = sum(1.0 / self.n_choices(d) for d in docs) / len(docs)
        return ChanceLevel(p, 100 * p)

    def requests(self, doc: dict) -> int:
        """lm-eval requests for one document: one per answer choice, or one generation."""
        return 1 if self.n_choices is None else self.n_choices(doc)


def item_key(benchmark: str, text: str) -> str:
    """Stable key from an item's match text."""
    return f"{benchmark}:{hashlib.sha1(text.encode()).hexdigest()[:16]}"


def norm_space(text: str) -> str:
    return " ".join(str(text).split())


def need_file(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"local benchmark file {path} not found; ${DATA_DIR_ENV} must point to a folder laid out like "
            "shared/data/benchmarks (see README.md), or unset it to load from the Hugging Face hub"
        )
    return path


def _field(name: str) -> Callable[[dict], str]:
    return lambda doc: norm_space(doc[name])


def atlas_matrix(benchmark: str) -> str:
    """ATLAS's response matrix of tinyBenchmarks' items of `benchmark`, relative to shared/data."""
    return f"responses/atlas/response_matrix_tiny{benchmark}.csv"


def atlas_row_map(benchmark: str) -> str:
    """Which row of the benchmark file each column of `atlas_matrix` is, relative to shared/data."""
    return f"responses/atlas/tiny_item_rows/{benchmark}.csv"


def _metabench(stems: tuple[str, ...], items: tuple[str, ...], fmt: str, id_column: str = "metabench_idx",
               atlas: str = "", atlas_rows: bool = False) -> CalibrationSource:
    """A metabench source; `atlas` names an ATLAS matrix to add as a supplement:
    its items in metabench's other item set (`items[1]`, prompts in
    items/items-<bench>-A.csv) with their exact prompt and, with
    `atlas_rows`, the rest through the row map atlas/tiny_item_rows/<bench>.csv
    with a borrowed prefix (where benchmarks/results/borrowed_prefix_noise.md
    shows they bring more than a borrowed prefix can cost)."""
    prompts = tuple(f"{MB}/{s}__prompts.csv" for s in stems)
    return CalibrationSource(
        responses=tuple(f"{MB}/{s}__responses.csv" for s in stems),
        scores=f"{MB}/{stems[0]}__scores.csv", score_column="score", model_column="model",
        items_parquets=tuple(f"{MB}/items/{i}.parquet" for i in items), id_column=id_column,
        prompts=prompts + ((f"{MB}/items/items-{atlas}-A.csv",) if atlas else ()),
        licence=METABENCH_LICENCE + (f"; supplement: {ATLAS_LICENCE}" if atlas else ""), lm_eval_format=fmt,
        supplements=(atlas_matrix(atlas),) if atlas else (),
        supplement_rows=(atlas_row_map(atlas),) if atlas_rows else (),
    )


def _question_answer(doc: dict) -> str:
    return f"Question: {doc['question']}\nAnswer:"


# ---------------------------------------------------------------- MMLU
def _mmlu_match(doc: dict) -> str:
    return f"{doc['subject']}\n{norm_space(doc['question'])}"


def _mmlu_prompt(doc: dict) -> str:
    opts = "".join(f"\n{'ABCD'[i]}. {c}" for i, c in enumerate(doc["choices"]))
    return f"{doc['question'].strip()}{opts}\nAnswer:"


def _mmlu_local(d: Path) -> list[dict]:
    import pandas as pd

    files = sorted(need_file(d / "mmlu" / "test").glob("*_test.csv"))
    if not files:
        raise FileNotFoundError(f"no MMLU files *_test.csv in {d / 'mmlu' / 'test'}")
    docs = []
    for f in files:
        subject = f.name[: -len("_test.csv")]
        for row in pd.read_csv(f, keep_default_na=False).itertuples(index=False):
            docs.append({"question": row.question, "subject": subject,
                         "choices": [str(row.choice0), str(row.choice1), str(row.choice2), str(row.choice3)],
                         "answer": int(row.answer)})
    return docs


# ---------------------------------------------------------------- ARC
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


def _arc_local(d: Path) -> list[dict]:
    docs = []
    for line in need_file(d / "arc_challenge.jsonl").read_text().splitlines():
        r = json.loads(line)
        q = r["query"].removeprefix("Question: ").removesuffix("\nAnswer:")
        fix = LOCAL_ARC_FIXES.get(item_key("arc", norm_space(q)), {})
        choices = list(r["choices"]) + fix.get("more_choices", [])
        labels = [chr(ord("A") + i) for i in range(len(choices))]
        docs.append({"id": None, "question": q, "choices": {"text": choices, "label": labels},
                     "answerKey": labels[fix.get("gold", int(r["gold"]))]})
    return docs


# ---------------------------------------------------------------- HellaSwag
def hellaswag_preprocess(text: str) -> str:
    """lm-eval's HellaSwag cleaning (WikiHow artefacts removed)."""
    text = text.strip().replace(" [title]", ". ")
    text = re.sub("\\[.*?\\]", "", text)
    return text.replace("  ", " ")


def hellaswag_query(doc: dict) -> str:
    """The context as lm-eval's prompt shows it (its second part capitalised)."""
    if "query" in doc:
        return doc["query"]
    return hellaswag_preprocess(doc["activity_label"] + ": " + doc["ctx_a"] + " " + doc["ctx_b"].capitalize())


def _hellaswag_match(doc: dict) -> str:
    # `activity_label: ctx` as cleaned by lm-eval, with ctx as stored (the
    # local files keep ctx_b's case; lm-eval's prompt capitalises it).
    if "query" in doc:
        return norm_space(doc["query"])
    return norm_space(hellaswag_preprocess(doc["activity_label"] + ": " + doc["ctx"]))


def _hellaswag_local(d: Path) -> list[dict]:
    lines = bz2.open(need_file(d / "hellaswag_val.txt.bz2"), "rt").read().split("\n")
    return [{"query": lines[i], "label": lines[i + 1], "endings": lines[i + 2: i + 6]}
            for i in range(0, len(lines) - 5, 6)]


def _hellaswag_prefix(doc: dict, prompt: str) -> str | None:
    # lm-eval capitalises the context's second part, which the item table's `ctx` does not
    query = doc["query"]
    return prompt[: len(prompt) - len(query)] if prompt.lower().endswith(query.lower()) else None


def _hellaswag_parquet(row: dict) -> dict:
    return {"query": hellaswag_preprocess(row["activity_label"] + ": " + row["ctx"])}


# ---------------------------------------------------------------- the rest
def _winogrande_local(d: Path) -> list[dict]:
    import pandas as pd

    return pd.read_parquet(need_file(d / "winogrande_validation.parquet")).to_dict("records")


def _gsm8k_local(d: Path) -> list[dict]:
    return [json.loads(x) for x in need_file(d / "gsm8k_test.jsonl").read_text().splitlines() if x.strip()]


def _truthfulqa_local(d: Path) -> list[dict]:
    return [{"question": r["question"],
             "mc1_targets": {"choices": list(r["mc1_targets"]), "labels": list(r["mc1_targets"].values())},
             "mc2_targets": {"choices": list(r["mc2_targets"]), "labels": list(r["mc2_targets"].values())}}
            for r in json.loads(need_file(d / "truthfulqa_mc_task.json").read_text())]


def _truthfulqa_guesser(docs: list[dict]) -> ChanceLevel:
    """The tiny task counts an item right when mc2 exceeds 0.5, which uniform
    answers give where true answers outnumber false ones; the full score is
    the mean mc2, the share of true answers."""
    shares = [sum(d["mc2_targets"]["labels"]) / len(d["mc2_targets"]["labels"]) for d in docs]
    return ChanceLevel(sum(x > 0.5 for x in shares) / len(shares), 100 * sum(shares) / len(shares))


# ---------------------------------------------------------------- IFEval (leaderboard v2)
def _ifeval_local(d: Path) -> list[dict]:
    return [json.loads(x) for x in need_file(d / "ifeval_input_data.jsonl").read_text().splitlines() if x.strip()]


IFEVAL_FORMAT = ("leaderboard_ifeval: 0-shot, the prompt as is, greedy generation up to 1,280 tokens, with the "
                 "model's chat template where it has one; prompt_level_strict_acc")


# In the Open LLM Leaderboard's order, which the task groups follow.
SPECS: dict[str, BenchmarkSpec] = {s.name: s for s in (
    BenchmarkSpec(
        "arc", HubSource("allenai/ai2_arc", "ARC-Challenge", "test"), _field("question"), _arc_local,
        lambda doc: len(doc["choices"]["text"]), _question_answer, "process_arc", "acc_norm",
        ChanceLevel(0.25, 25.0), 1172, 4.0,
        _metabench(("arc-4PL-MAP-0.005-seed=1-v2", "arc-2PL-MAP-0.005-seed=1"), ("arc", "arc-secondary"),
                   "ARC-Challenge 25-shot, acc_norm"),
        items=ItemSource("AI2 Reasoning Challenge (Clark et al. 2018), ARC-Challenge test split, Hugging Face "
                         "dataset allenai/ai2_arc", "CC BY-SA 4.0")),
    BenchmarkSpec(
        "hellaswag", HubSource("Rowan/hellaswag", None, "validation"), _hellaswag_match, _hellaswag_local,
        lambda doc: len(doc["endings"]), None, "process_hellaswag", "acc_norm",
        ChanceLevel(0.25, 25.0), 10042, 4.0,
        _metabench(("hellaswag-lm-seed=1",), ("hellaswag-secondary", "hellaswag"), "HellaSwag 10-shot, acc_norm",
                   atlas="hellaswag", atlas_rows=True),
        prompt_prefix=_hellaswag_prefix, parquet_doc=_hellaswag_parquet,
        items=ItemSource("HellaSwag (Zellers et al. 2019), validation split, Hugging Face dataset Rowan/hellaswag",
                         "MIT")),
    BenchmarkSpec(
        "mmlu", HubSource("cais/mmlu", "all", "test"), _mmlu_match, _mmlu_local,
        lambda doc: len(doc["choices"]), _mmlu_prompt, "process_acc", "acc",
        ChanceLevel(0.25, 25.0), 14042, 4.0,
        _metabench(("mmlu-3PL-MAP-0.01-seed=1",), ("mmlu-secondary",), "MMLU 5-shot, acc", "mb_sub_idx"),
        parquet_doc=lambda row: {**row, "choices": list(row["choices"])},
        items=ItemSource("MMLU (Hendrycks et al. 2021), test split, Hugging Face dataset cais/mmlu", "MIT")),
    BenchmarkSpec(
        "truthfulqa", HubSource("truthfulqa/truthful_qa", "multiple_choice", "validation"), _field("question"),
        _truthfulqa_local, lambda doc: len(doc["mc2_targets"]["choices"]), lambda doc: f"Q: {doc['question']}\nA:",
        "process_truthfulqa_mc2", "acc",
        ChanceLevel(0.1922, 44.84), 817, 7.2,
        _metabench(("truthfulqa-2PL-EAPsum-0.01-seed=1",), ("truthfulqa-secondary", "truthfulqa"),
                   "TruthfulQA mc2 0-shot (6-shot QA primer), mc2 > 0.5", atlas="truthfulqa"),
        builtin_above=0.5, guesser=_truthfulqa_guesser,
        items=ItemSource("TruthfulQA (Lin et al. 2022), multiple-choice validation split, Hugging Face dataset "
                         "truthfulqa/truthful_qa", "Apache-2.0")),
    BenchmarkSpec(
        "winogrande", HubSource("allenai/winogrande", "winogrande_xl", "validation"), _field("sentence"),
        _winogrande_local, lambda doc: 2, None, "process_acc", "acc",
        ChanceLevel(0.5, 50.0), 1267, 2.0,
        _metabench(("winogrande-4PL-MAP-0.005-seed=1",), ("winogrande-secondary", "winogrande"),
                   "Winogrande 5-shot, partial scoring, acc", atlas="winogrande"),
        items=ItemSource("WinoGrande (Sakaguchi et al. 2020), winogrande_xl validation split, Hugging Face dataset "
                         "allenai/winogrande", "CC-BY")),
    BenchmarkSpec(
        "gsm8k", HubSource("openai/gsm8k", "main", "test"), _field("question"), _gsm8k_local,
        None, _question_answer, "process_gsm8k", "exact_match",
        ChanceLevel(0.0, 0.0), 1319, 1.0,
        _metabench(("gsm8k-2PL-EAPsum-0.005-seed=1-v2", "gsm8k-2PL-EAPsum-0.001-seed=1"), ("gsm8k", "gsm8k-secondary"),
                   "GSM8K 5-shot, strict exact match"),
        builtin_filter="strict-match",
        items=ItemSource("GSM8K (Cobbe et al. 2021), test split, Hugging Face dataset openai/gsm8k", "MIT")),
    BenchmarkSpec(
        "ifeval", HubSource("wis-k/instruction-following-eval", None, "train"), _field("prompt"), _ifeval_local,
        None, None, "process_ifeval", "prompt_level_strict_acc",
        ChanceLevel(0.0, 0.0), 541, 1.0,
        CalibrationSource(
            responses=("responses/benchmark-prediction/ifeval__responses.csv",), scores="", score_column="",
            model_column="model", items_parquets=(), id_column="", prompts=(),
            licence="MIT (socialfoundations/benchmark-prediction: Open LLM Leaderboard v2 per-prompt results)",
            lm_eval_format=IFEVAL_FORMAT, column_of=lambda doc: f"ifeval:{doc['key']}"),
        items=ItemSource("IFEval (Zhou et al. 2023), input_data.jsonl (Hugging Face dataset "
                         "wis-k/instruction-following-eval, as the leaderboard's lm-eval task loads it)", "Apache-2.0"),
        budgets=(100, 25), fit=(("anchor_method", "stratified"), ("n_dims", 2)),
        generation=(("max_gen_toks", 1280), ("do_sample", False))),
)}
# The Open LLM Leaderboard v1 benchmarks, in its order: the lineups' (tiny_leaderboard, ...).
BENCHMARKS = tuple(b for b in SPECS if b != "ifeval")
ALL_BENCHMARKS = tuple(SPECS)


def spec(benchmark: str) -> BenchmarkSpec:
    """The spec of `benchmark`, or a clear error naming the known ones."""
    if benchmark not in SPECS:
        raise ValueError(f"unknown benchmark {benchmark!r}; known: {', '.join(ALL_BENCHMARKS)}")
    return SPECS[benchmark]


def match_text(benchmark: str, doc: dict) -> str:
    """The text that identifies a document's item in every copy of the benchmark."""
    return spec(benchmark).match_text(doc)
