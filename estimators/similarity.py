"""How alike two models answer, beyond what their abilities explain
(PhyloLM, Yax et al. 2024, with correctness in place of the answers given).

On the items both answered, the observed agreement is the share of items
both got right or both got wrong. Two models of abilities theta_a, theta_b
that answer independently given their abilities agree on item j with
probability p_a p_b + (1 - p_a)(1 - p_b), p = P(correct) from the IRT item
bank. The excess agreement is Cohen's-kappa-like:
(observed - expected) / (1 - expected): about 0 for two unrelated models of
any abilities, 1 for identical answers. It means something only where the
two were expected to disagree often: two models at chance, both wrong on
every GSM8K item, agree as predicted, and no excess tells them apart. Pairs
are therefore compared only with at least MIN_EXPECTED_DISAGREEMENTS
expected disagreements. Fine-tunes, merges and resubmissions of one model
share its quirks and score high.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_EXPECTED_DISAGREEMENTS = 20.0
# Excess agreement at which two comparable models are flagged as
# near-duplicates (benchmarks/similarity_validation.py measures what it finds).
DUPLICATE_AT = 0.95


@dataclass
class AnswerSet:
    """Models' 0/1 correctness on one benchmark's items (NaN: not answered)
    and each answer's P(correct) at the model's ability."""

    answers: np.ndarray  # models x items, 0/1/NaN
    prob: np.ndarray  # models x items, P(correct) at each model's ability

    def __post_init__(self) -> None:
        if self.answers.shape != self.prob.shape:
            raise ValueError(f"answers {self.answers.shape} and probabilities {self.prob.shape} differ in shape")


@dataclass
class Agreement:
    """Queries x references: items both answered, observed and expected agreement."""

    n_items: np.ndarray
    observed: np.ndarray
    expected: np.ndarray

    @property
    def excess(self) -> np.ndarray:
        """(observed - expected) / (1 - expected); NaN where no item is shared."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.n_items > 0, (self.observed - self.expected) / (1 - self.expected), np.nan)

    @property
    def expected_disagreements(self) -> np.ndarray:
        return np.nan_to_num(self.n_items * (1 - self.expected))

    @property
    def comparable(self) -> np.ndarray:
        """Pairs with enough expected disagreements for the excess to mean something."""
        return self.expected_disagreements >= MIN_EXPECTED_DISAGREEMENTS

    @property
    def duplicate(self) -> np.ndarray:
        """Comparable pairs whose excess agreement is at least DUPLICATE_AT."""
        return self.comparable & (np.nan_to_num(self.excess) >= DUPLICATE_AT)


def agreement(queries: list[AnswerSet], references: list[AnswerSet]) -> Agreement:
    """Agreement of every query model with every reference model, pooled
    over benchmarks (one AnswerSet per benchmark in both lists, same items)."""
    if len(queries) != len(references):
        raise ValueError("one query and one reference answer set per benchmark")
    n = agree = expect = 0.0
    for q, r in zip(queries, references):
        if q.answers.shape[1] != r.answers.shape[1]:
            raise ValueError(f"a benchmark's query answers have {q.answers.shape[1]} items, the references "
                             f"{r.answers.shape[1]}")
        mq, mr = ~np.isnan(q.answers), ~np.isnan(r.answers)
        yq, yr = np.where(mq, q.answers, 0.0), np.where(mr, r.answers, 0.0)
        pq, pr = q.prob * mq, r.prob * mr
        fq, fr = mq.astype(float), mr.astype(float)
        n = n + fq @ fr.T
        agree = agree + yq @ yr.T + (fq - yq) @ (fr - yr).T
        expect = expect + pq @ pr.T + (fq - pq) @ (fr - pr).T
    with np.errstate(divide="ignore", invalid="ignore"):
        return Agreement(np.asarray(n), np.asarray(agree) / n, np.asarray(expect) / n)


def pack_answers(answers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(right bits, answered bits), each packed along items (np.packbits)."""
    answered = ~np.isnan(answers)
    return np.packbits(answered & (answers == 1), axis=1), np.packbits(answered, axis=1)


def unpack_answers(right: np.ndarray, answered: np.ndarray, n_items: int) -> np.ndarray:
    """The 0/1/NaN answers that pack_answers packed."""
    r = np.unpackbits(right, axis=1, count=n_items).astype(float)
    r[np.unpackbits(answered, axis=1, count=n_items) == 0] = np.nan
    return r
