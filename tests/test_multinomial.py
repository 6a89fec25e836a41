"""Tests for kltools.count_vectors."""

import itertools
import math

import numpy as np
import pytest

from kltools import count_vectors


@pytest.mark.parametrize(("n", "k"), [(0, 1), (0, 4), (5, 1), (7, 2), (6, 3), (4, 5)])
def test_same_set_as_brute_force(n, k):
    """The rows are exactly the tuples of k counts summing to n, each once."""
    got = count_vectors(n, k)
    brute = {t for t in itertools.product(range(n + 1), repeat=k) if sum(t) == n}
    assert got.shape == (math.comb(n + k - 1, k - 1), k)
    assert {tuple(r) for r in got} == brute
    assert len({tuple(r) for r in got}) == got.shape[0]  # no duplicates


def test_multinomial_probabilities_sum_to_one():
    """Summing scipy's multinomial pmf over the vectors gives 1 (all types present)."""
    from scipy import stats

    types = count_vectors(12, 4)
    total = stats.multinomial.pmf(types, 12, [0.1, 0.2, 0.3, 0.4]).sum()
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)


def test_bad_input():
    with pytest.raises(TypeError, match="`n` must be an integer"):
        count_vectors(2.0, 3)
    with pytest.raises(ValueError, match="`k` must be at least 1"):
        count_vectors(2, 0)
    with pytest.raises(ValueError, match="`n` must be at least 0"):
        count_vectors(-1, 2)
    with pytest.raises(ValueError, match="more than 1000000"):
        count_vectors(200, 6)


def test_n_count_vectors_counts_them():
    """comb(n + k - 1, k - 1) against a brute-force count of the vectors."""
    from kltools._multinomial import n_count_vectors

    for n in range(6):
        for k in range(1, 5):
            brute = sum(
                1 for c in itertools.product(range(n + 1), repeat=k) if sum(c) == n
            )
            assert n_count_vectors(n, k) == brute == len(count_vectors(n, k)), (n, k)
