"""The panel's arithmetic (ideahub/judging/arithmetic.py) against cases computed by hand.

weighted = sum(w_i * (v_i - min_i) / (max_i - min_i)) / sum(w_i) * 100; an idea's score is
the mean of its scorecards' weighted scores and its spread their population standard
deviation. Every expected number below is worked out in the comment next to it.
"""

from __future__ import annotations

import math

import pytest

from ideahub.judging.arithmetic import IdeaScore, Scale, idea_score, weighted_score

A, B, C = 11, 22, 33  # criterion ids (arbitrary, not 1..n on purpose)


# ---------------------------------------------------------------- one scorecard


def test_equal_weights_is_the_plain_mean_of_the_normalised_values():
    crit = {A: Scale(1, 1, 5), B: Scale(1, 1, 5)}
    # A: (4-1)/4 = 0.75, B: (2-1)/4 = 0.25 -> (0.75 + 0.25) / 2 * 100 = 50
    assert weighted_score({A: 4, B: 2}, crit) == pytest.approx(50.0)
    # A: 1.0, B: 0.75 -> 1.75 / 2 * 100 = 87.5
    assert weighted_score({A: 5, B: 4}, crit) == pytest.approx(87.5)
    # three equal criteria: 0.5, 0.5, 1.0 -> 2 / 3 * 100 = 66.67
    crit3 = {A: Scale(1, 1, 5), B: Scale(1, 1, 5), C: Scale(1, 1, 5)}
    assert weighted_score({A: 3, B: 3, C: 5}, crit3) == pytest.approx(200 / 3)


def test_lowest_and_highest_values_give_0_and_100():
    crit = {A: Scale(2, 1, 5), B: Scale(0.5, 1, 10), C: Scale(1, 0, 3)}
    assert weighted_score({A: 1, B: 1, C: 0}, crit) == 0
    assert weighted_score({A: 5, B: 10, C: 3}, crit) == pytest.approx(100.0)


def test_unequal_weights():
    crit = {A: Scale(3, 1, 5), B: Scale(1, 1, 5)}
    # (3 * 0.75 + 1 * 0.25) / 4 * 100 = 2.5 / 4 * 100 = 62.5
    assert weighted_score({A: 4, B: 2}, crit) == pytest.approx(62.5)
    # the heavier criterion dominates: (3 * 0.25 + 1 * 1.0) / 4 * 100 = 43.75
    assert weighted_score({A: 2, B: 5}, crit) == pytest.approx(43.75)
    # fractional weights: (0.5 * 1.0 + 1.5 * 0.0) / 2 * 100 = 25
    frac = {A: Scale(0.5, 1, 5), B: Scale(1.5, 1, 5)}
    assert weighted_score({A: 5, B: 1}, frac) == pytest.approx(25.0)


def test_only_the_ratio_of_the_weights_counts():
    small = {A: Scale(1, 1, 5), B: Scale(2, 1, 5)}
    large = {A: Scale(10, 1, 5), B: Scale(20, 1, 5)}
    card = {A: 5, B: 2}  # (1 * 1.0 + 2 * 0.25) / 3 * 100 = 50
    assert weighted_score(card, small) == pytest.approx(50.0)
    assert weighted_score(card, large) == pytest.approx(50.0)


def test_mixed_scales_1_to_5_and_1_to_10_count_by_weight_alone():
    crit = {A: Scale(1, 1, 5), B: Scale(1, 1, 10)}
    # A: (3-1)/4 = 0.5, B: (4-1)/9 = 1/3 -> (0.5 + 0.3333) / 2 * 100 = 41.667
    assert weighted_score({A: 3, B: 4}, crit) == pytest.approx(125 / 3)
    # top of 1-5 and bottom of 1-10 weigh the same with equal weights: 50
    assert weighted_score({A: 5, B: 1}, crit) == pytest.approx(50.0)
    assert weighted_score({A: 1, B: 10}, crit) == pytest.approx(50.0)
    # the raw 5 of 1-5 is not "half" of 10: with weights 2 and 1, (2 * 1 + 0) / 3 * 100
    weighted = {A: Scale(2, 1, 5), B: Scale(1, 1, 10)}
    assert weighted_score({A: 5, B: 1}, weighted) == pytest.approx(200 / 3)
    # (2 * 0.5 + 1 * 1) / 3 * 100 = 66.67 as well
    assert weighted_score({A: 3, B: 10}, weighted) == pytest.approx(200 / 3)


def test_scale_starting_at_zero():
    crit = {A: Scale(1, 0, 10)}
    assert weighted_score({A: 7}, crit) == pytest.approx(70.0)
    assert weighted_score({A: 0}, crit) == 0


def test_no_positive_weight_is_refused():
    with pytest.raises(ValueError):
        weighted_score({}, {})
    with pytest.raises(ValueError):
        weighted_score({A: 3}, {A: Scale(0, 1, 5)})


# ---------------------------------------------------------------- an idea's reviews


def test_no_reviews_gives_no_score():
    crit = {A: Scale(1, 1, 5), B: Scale(2, 1, 10)}
    score = idea_score([], crit)
    assert score == IdeaScore(reviews=0, mean=None, spread=None, criterion_means={})


def test_a_single_review_has_spread_zero():
    crit = {A: Scale(2, 1, 5), B: Scale(1, 1, 10)}
    # (2 * 0.75 + 1 * 4/9) / 3 * 100 = (1.5 + 0.4444) / 3 * 100 = 64.815
    score = idea_score([{A: 4, B: 5}], crit)
    assert score.reviews == 1
    assert score.mean == pytest.approx(175 / 2.7)
    assert score.spread == 0
    assert score.criterion_means == {A: 4, B: 5}


def test_two_reviews_spread_is_the_population_standard_deviation():
    crit = {A: Scale(1, 1, 5), B: Scale(1, 1, 10)}
    # card 1: (1.0 + 1.0) / 2 = 100; card 2: (0.5 + 0) / 2 = 25
    # mean 62.5; population stdev = |100 - 25| / 2 = 37.5 (the sample stdev would be 53.03)
    score = idea_score([{A: 5, B: 10}, {A: 3, B: 1}], crit)
    assert score.reviews == 2
    assert score.mean == pytest.approx(62.5)
    assert score.spread == pytest.approx(37.5)
    assert score.spread != pytest.approx(75 / math.sqrt(2))
    # per-criterion means stay on each criterion's own scale: (5 + 3) / 2, (10 + 1) / 2
    assert score.criterion_means == {A: pytest.approx(4.0), B: pytest.approx(5.5)}


def test_two_identical_reviews_do_not_disagree():
    crit = {A: Scale(1, 1, 5)}
    score = idea_score([{A: 2}, {A: 2}], crit)
    assert score.mean == pytest.approx(25.0) and score.spread == 0


def test_three_reviews_with_unequal_weights():
    crit = {A: Scale(3, 1, 5), B: Scale(1, 1, 5)}
    # 100: A 5, B 5; 50: (3 * 0.5 + 1 * 0.5) / 4 = 0.5; 0: A 1, B 1
    cards = [{A: 5, B: 5}, {A: 3, B: 3}, {A: 1, B: 1}]
    score = idea_score(cards, crit)
    assert score.reviews == 3
    assert score.mean == pytest.approx(50.0)
    # sqrt(((100-50)^2 + 0 + (0-50)^2) / 3) = sqrt(5000 / 3) = 40.825
    assert score.spread == pytest.approx(math.sqrt(5000 / 3))
    assert score.criterion_means == {A: pytest.approx(3.0), B: pytest.approx(3.0)}


def test_weights_change_the_mean_but_not_the_criterion_means():
    cards = [{A: 5, B: 1}, {A: 4, B: 2}]
    equal = idea_score(cards, {A: Scale(1, 1, 5), B: Scale(1, 1, 5)})
    heavy = idea_score(cards, {A: Scale(3, 1, 5), B: Scale(1, 1, 5)})
    # equal: card 1 (1 + 0) / 2 = 50, card 2 (0.75 + 0.25) / 2 = 50 -> mean 50, spread 0
    assert equal.mean == pytest.approx(50.0) and equal.spread == pytest.approx(0.0)
    # heavy: card 1 (3 * 1 + 0) / 4 = 75, card 2 (3 * 0.75 + 0.25) / 4 = 62.5
    # mean 68.75, population stdev 6.25
    assert heavy.mean == pytest.approx(68.75) and heavy.spread == pytest.approx(6.25)
    assert equal.criterion_means == heavy.criterion_means == {A: 4.5, B: 1.5}


def test_order_of_the_reviews_does_not_matter():
    crit = {A: Scale(2, 1, 5), B: Scale(1, 1, 10)}
    cards = [{A: 5, B: 2}, {A: 1, B: 9}, {A: 3, B: 3}]
    forward, backward = idea_score(cards, crit), idea_score(cards[::-1], crit)
    assert forward.mean == pytest.approx(backward.mean)
    assert forward.spread == pytest.approx(backward.spread)
    assert forward.criterion_means == pytest.approx(backward.criterion_means)
