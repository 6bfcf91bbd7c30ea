"""The panel's arithmetic, as pure functions so it can be checked against hand-computed cases.

A scorecard's weighted score puts every criterion on one 0-100 scale first, so a 1-5 and a
1-10 criterion count by their weights alone:

    weighted = sum(w_i * (v_i - min_i) / (max_i - min_i)) / sum(w_i) * 100

An idea's score is the mean of its submitted scorecards' weighted scores; the spread is
their population standard deviation (0 with a single review).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean, pstdev


@dataclass(frozen=True)
class Scale:
    weight: float
    low: int
    high: int


def weighted_score(values: dict[int, int], criteria: dict[int, Scale]) -> float:
    """0-100 weighted score of one complete scorecard {criterion_id: value}."""
    total_weight = sum(c.weight for c in criteria.values())
    if total_weight <= 0:
        raise ValueError("criteria need a positive total weight")
    acc = 0.0
    for cid, scale in criteria.items():
        value = values[cid]
        acc += scale.weight * (value - scale.low) / (scale.high - scale.low)
    return acc / total_weight * 100


@dataclass(frozen=True)
class IdeaScore:
    reviews: int
    mean: float | None
    spread: float | None
    criterion_means: dict[int, float]


def idea_score(cards: list[dict[int, int]], criteria: dict[int, Scale]) -> IdeaScore:
    """Aggregate the submitted scorecards of one idea."""
    if not cards:
        return IdeaScore(0, None, None, {})
    totals = [weighted_score(card, criteria) for card in cards]
    means = {cid: fmean(card[cid] for card in cards) for cid in criteria}
    return IdeaScore(len(cards), fmean(totals), pstdev(totals), means)
