"""The calibration models' answers to every shipped anchor, bit-packed, with
their names and full scores: what `tinytasks similar` compares a model with.

One block per benchmark, over the anchors of its pool task (every item any
of its tiny tasks asks). Written by `python -m maintainer pack-answers` from the shared
data; the file records each pool parameter file's checksum, since abilities
are read with those item parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from tinytasks.estimators.ability import estimate_ability
from tinytasks.estimators.calibration import Calibration
from tinytasks.estimators.param_file import ParamFileError, load_answers_file
from tinytasks.estimators.similarity import AnswerSet, unpack_answers

from .registry import TASK_CONFIG_DIR
from .scoring import load_task_params

ANSWERS_PATH = TASK_CONFIG_DIR / "anchor_answers" / "answers.json"


def probabilities(calibration: Calibration, answers: np.ndarray) -> np.ndarray:
    """P(correct) on the calibration's anchors at each row's EAP ability from its answers."""
    theta = estimate_ability(answers, calibration.anchor_bank, "eap", calibration.prior).theta
    return calibration.anchor_bank.icc(theta)


@dataclass
class BenchmarkAnswers:
    """One benchmark's reference answers (rows: every model of the file; a
    model without this benchmark has no answers), and the pool task's
    calibration that places a new model's answers beside them."""

    keys: list[str]
    answers: AnswerSet
    scores: np.ndarray  # NaN for models without this benchmark
    calibration: Calibration

    @cached_property
    def column_of(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}

    def answer_set(self, answers: np.ndarray) -> AnswerSet:
        """New models' answers (rows, over `keys`) with their P(correct)."""
        return AnswerSet(answers, probabilities(self.calibration, answers))


@dataclass
class ReferenceAnswers:
    models: list[str]
    benchmarks: dict[str, BenchmarkAnswers]
    licence: dict[str, str]


def load_reference_answers(path: Path = ANSWERS_PATH) -> ReferenceAnswers:
    """The shipped answers, unpacked, with each model's P(correct) per item."""
    doc = load_answers_file(path)
    models = list(doc["models"])
    out = {}
    for b, block in doc["benchmarks"].items():
        est, _, sha = load_task_params(block["task"])
        if sha != block["params_sha256"]:
            raise ParamFileError(f"{path} was packed with another {block['task']} parameter file; "
                                 "reinstall tinytasks")
        rows = np.asarray(block["models"], dtype=int)
        keys = list(block["keys"])
        own = unpack_answers(np.asarray(block["right"], np.uint8), np.asarray(block["answered"], np.uint8), len(keys))
        answers = np.full((len(models), len(keys)), np.nan)
        answers[rows] = own
        prob = np.full(answers.shape, 0.5)
        prob[rows] = probabilities(est.calibration_, own)
        scores = np.full(len(models), np.nan)
        scores[rows] = np.asarray(block["scores"], float)
        out[b] = BenchmarkAnswers(keys, AnswerSet(answers, prob), scores, est.calibration_)
    return ReferenceAnswers(models, out, dict(doc["metadata"]["licence"]))
