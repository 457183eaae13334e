"""Medians and quantiles.

The median is checked against Python's `statistics.median` (an independent implementation of the same
definition); the quantile against Hyndman and Fan (1996) type 7, whose worked value for 1..4 at q = 0.25
is 1.75 (also R's `quantile(1:4, 0.25)`); the median's interval against the distribution-free rule
in Conover (1999, Practical Nonparametric Statistics, §3.2): for n = 10 the 95% interval is
(x(2), x(9)), with coverage 1 - 2 P(B <= 1) = 0.9785 for B ~ Binomial(10, 1/2).
"""

from __future__ import annotations

import random
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.stats import median, quantile


def test_median_equals_the_standard_library_on_random_samples() -> None:
    rng = random.Random(7)
    for size in range(1, 40):
        sample = [rng.randint(0, 60) for _ in range(size)]
        assert median(sample).estimate == statistics.median(sample)


def test_histogram_gives_the_same_median_as_the_expanded_values() -> None:
    histogram = {3: 4, 10: 1, 0: 2, 7: 3}
    expanded = [value for value, count in histogram.items() for _ in range(count)]

    assert median(histogram).estimate == statistics.median(expanded)
    assert median(histogram).n == 10


def test_median_interval_for_ten_values_is_second_to_ninth() -> None:
    values = [12, 3, 7, 1, 9, 20, 15, 4, 8, 11]  # sorted: 1 3 4 7 8 9 11 12 15 20

    result = median(values)

    assert (result.low, result.high) == (3, 15)


def test_too_few_values_have_no_interval_and_none_have_no_median() -> None:
    assert median([1, 2, 3, 4, 5]).low is None
    assert median([]).estimate is None


def test_quantile_type_7() -> None:
    assert quantile([1, 2, 3, 4], 0.25) == pytest.approx(1.75)
    assert quantile([4, 1, 3, 2], 1.0) == 4
    assert quantile([5], 0.5) == 5
    assert quantile([], 0.5) is None


@given(st.lists(st.integers(min_value=0, max_value=400), max_size=60))
def test_median_of_a_histogram_equals_the_median_of_the_list(days: list[int]) -> None:
    # The reports send {days: how many}; the answer must equal the median of the expanded list.
    histogram: dict[float, int] = {}
    for day in days:
        histogram[day] = histogram.get(day, 0) + 1

    assert median(histogram).estimate == (float(statistics.median(days)) if days else None)
