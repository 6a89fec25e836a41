"""Tests for the simulation helpers: sample_pmf, count_outcomes, empirical_pmf."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from kltools import count_outcomes, empirical_pmf, sample_pmf

DIE = np.full(6, 1 / 6)
LOADED = np.arange(1, 7) / 21  # face k with probability k / 21


# --- sample_pmf -------------------------------------------------------------


def test_sample_pmf_matches_numpy_choice_draw_for_draw():
    """For float64 pmfs the draws equal Generator.choice from the same state."""
    for pmf in (DIE, LOADED, [0.25, 0.75], [0.0, 0.3, 0.0, 0.7]):
        ours = sample_pmf(pmf, 1000, rng=np.random.default_rng(7))
        ref = np.random.default_rng(7).choice(len(pmf), size=1000, p=pmf)
        assert_array_equal(ours, ref)


def test_sample_pmf_returns_outcomes_of_the_support():
    """With `support`, draws are its elements (strings stay strings)."""
    draws = sample_pmf([0.5, 0.5], 200, support=["H", "T"], rng=0)
    assert draws.shape == (200,)
    assert set(draws.tolist()) == {"H", "T"}
    faces = sample_pmf(DIE, 500, support=range(2, 14, 2), rng=0)
    assert set(faces.tolist()) == {2, 4, 6, 8, 10, 12}


def test_sample_pmf_default_support_is_category_indices():
    """Without `support`, draws are integer indices 0..K-1."""
    draws = sample_pmf(LOADED, 1000, rng=3)
    assert draws.dtype.kind == "i"
    assert draws.min() >= 0 and draws.max() <= 5


def test_sample_pmf_never_draws_zero_probability_outcomes():
    """Categories with probability 0, first, inner or last, never appear."""
    pmf = [0.0, 0.5, 0.0, 0.5, 0.0]
    draws = sample_pmf(pmf, 100_000, rng=11)
    assert set(np.unique(draws).tolist()) == {1, 3}
    assert_array_equal(sample_pmf([0.0, 1.0, 0.0], 50, rng=1), np.ones(50, int))


def test_sample_pmf_zero_draws_gives_empty_array():
    """n = 0 is allowed and gives an empty sample."""
    assert sample_pmf(DIE, 0, rng=0).shape == (0,)


def test_sample_pmf_same_seed_same_draws():
    """An integer seed makes the draws repeatable."""
    assert_array_equal(sample_pmf(LOADED, 50, rng=5), sample_pmf(LOADED, 50, rng=5))


def test_sample_pmf_generator_stream_continues():
    """Two calls with one Generator equal one call for both sample sizes."""
    rng = np.random.default_rng(9)
    first, second = sample_pmf(DIE, 30, rng=rng), sample_pmf(DIE, 20, rng=rng)
    both = sample_pmf(DIE, 50, rng=np.random.default_rng(9))
    assert_array_equal(np.concatenate([first, second]), both)
    assert not np.array_equal(first[:20], second)


def test_sample_pmf_accepts_float32_pmf_within_float32_rounding():
    """A float32 pmf whose sum is off by float32 rounding is accepted."""
    pmf = np.full(3, 1 / 3, dtype=np.float32)
    assert abs(float(pmf.astype(np.float64).sum()) - 1.0) > 0  # not exact
    assert sample_pmf(pmf, 10, rng=0).shape == (10,)


@pytest.mark.parametrize(
    ("pmf", "support"),
    [
        ([0.5, 0.5], ["H", "T"]),
        ([0.25, 0.75], ["H", "T"]),
        (DIE, range(1, 7)),
        (LOADED, range(1, 7)),
        ([0.01, 0.09, 0.9], ["a", "b", "c"]),
    ],
)
def test_empirical_pmf_of_large_sample_converges_to_pmf(pmf, support):
    """Frequencies of 10**6 draws lie within 5 binomial standard errors of pmf.

    Each count is Binomial(n, p_k), so the frequency has standard deviation
    sqrt(p_k (1 - p_k) / n); five of them bound a fixed seed's deviation with
    a two-sided normal tail probability of 6e-7 per category.
    """
    n = 1_000_000
    pmf = np.asarray(pmf, dtype=float)
    freq = empirical_pmf(sample_pmf(pmf, n, support=support, rng=2024), support)
    sd = np.sqrt(pmf * (1 - pmf) / n)
    assert np.all(np.abs(freq - pmf) <= 5 * sd)


@settings(max_examples=50, deadline=None)
@given(
    weights=st.lists(st.integers(0, 10), min_size=1, max_size=8).filter(any),
    n=st.integers(0, 300),
    seed=st.integers(0, 2**32 - 1),
)
def test_counts_of_samples_add_up_and_respect_zeros(weights, n, seed):
    """Counts of n draws sum to n and are 0 wherever the pmf is 0."""
    pmf = np.asarray(weights, float) / sum(weights)
    counts = count_outcomes(sample_pmf(pmf, n, rng=seed), range(len(pmf)))
    assert counts.sum() == n
    assert np.all(counts[pmf == 0] == 0)


@pytest.mark.parametrize(
    ("pmf", "match"),
    [
        ([0.5, 0.4], r"`pmf` must sum to 1, but sums to 0\.9"),
        ([30, 10], r"`pmf` must sum to 1, but sums to 40"),
        ([1.5, -0.5], r"`pmf` contains negative entries"),
        ([0.5, np.nan], r"`pmf` contains NaN"),
        ([0.5, np.inf], r"`pmf` contains NaN or infinite"),
        ([[0.5, 0.5]], r"`pmf` must be a 1-D array"),
        (0.5, r"`pmf` must be a 1-D array"),
        ([], r"`pmf` must have at least one category"),
        (["a", "b"], r"`pmf` must be an array of real numbers"),
    ],
)
def test_sample_pmf_rejects_bad_pmf(pmf, match):
    """Invalid pmfs are ValueErrors naming `pmf`; nothing is renormalised."""
    with pytest.raises(ValueError, match=match):
        sample_pmf(pmf, 10, rng=0)


def test_sample_pmf_rejects_bad_n():
    """n must be a non-negative integer."""
    with pytest.raises(ValueError, match=r"`n` must be a non-negative integer"):
        sample_pmf(DIE, -1, rng=0)
    for bad in (10.0, True, "10"):
        with pytest.raises(TypeError, match=r"`n` must be a non-negative integer"):
            sample_pmf(DIE, bad, rng=0)


def test_sample_pmf_accepts_numpy_integer_n():
    """A numpy integer is a valid sample size."""
    assert sample_pmf(DIE, np.int64(3), rng=0).shape == (3,)


@pytest.mark.parametrize(
    ("support", "match"),
    [
        (["H", "T", "E"], r"`support` has 3 outcomes but `pmf` has 2"),
        (["H", "H"], r"`support` must list distinct outcomes, but 1 are repeated"),
        ([["H", "T"]], r"`support` must be a 1-D sequence"),
        ([0.0, np.nan], r"`support` contains NaN"),
    ],
)
def test_sample_pmf_rejects_bad_support(support, match):
    """A support of the wrong length, with repeats or not 1-D is rejected."""
    with pytest.raises(ValueError, match=match):
        sample_pmf([0.5, 0.5], 10, support=support, rng=0)


def test_sample_pmf_rejects_bad_rng():
    """rng must be None, a non-negative seed or a Generator."""
    with pytest.raises(ValueError, match=r"`rng` is not a valid seed"):
        sample_pmf(DIE, 3, rng=-1)
    for bad in ("seed", 1.5):
        with pytest.raises(TypeError, match=r"`rng` must be None, a seed"):
            sample_pmf(DIE, 3, rng=bad)


# --- count_outcomes and empirical_pmf ----------------------------------------


def test_count_outcomes_by_hand():
    """Counts follow the order of `support`, which need not be sorted."""
    assert_array_equal(count_outcomes([3, 1, 3, 3, 2], [3, 1, 2, 4]), [3, 1, 1, 0])
    assert_array_equal(count_outcomes(["T", "H", "T"], ["T", "H"]), [2, 1])


def test_count_outcomes_matches_counter():
    """Counts agree with collections.Counter on a random string sample."""
    support = ["a", "bb", "c", "dd", "e"]
    draws = sample_pmf([0.1, 0.2, 0.3, 0.4, 0.0], 777, support=support, rng=4)
    tally = Counter(draws.tolist())
    assert_array_equal(count_outcomes(draws, support), [tally[s] for s in support])


def test_count_outcomes_batch_equals_row_by_row():
    """Leading axes are a batch: each row is counted on its own."""
    draws = sample_pmf(LOADED, 2 * 3 * 40, support=range(1, 7), rng=8)
    draws = draws.reshape(2, 3, 40)
    counts = count_outcomes(draws, range(1, 7))
    assert counts.shape == (2, 3, 6)
    for i in range(2):
        for j in range(3):
            assert_array_equal(counts[i, j], count_outcomes(draws[i, j], range(1, 7)))


def test_count_outcomes_of_empty_sample_is_zero():
    """No draws give zero counts (with the batch shape kept)."""
    assert_array_equal(count_outcomes([], [1, 2]), [0, 0])
    assert count_outcomes(np.empty((3, 0)), [1, 2]).shape == (3, 2)


def test_empirical_pmf_is_counts_over_n():
    """The empirical pmf is the relative frequency, and sums to 1 per row."""
    assert_allclose(
        empirical_pmf([2, 4, 4, 6], range(1, 7)),
        [0, 1 / 4, 0, 1 / 2, 0, 1 / 4],
        rtol=0,
        atol=0,
    )
    batch = empirical_pmf([[1, 1, 2], [2, 2, 2]], [1, 2])
    assert_allclose(batch, [[2 / 3, 1 / 3], [0, 1]], rtol=1e-15)
    assert_allclose(batch.sum(axis=-1), 1.0, rtol=1e-15)


@pytest.mark.parametrize("func", [count_outcomes, empirical_pmf])
def test_values_outside_support_are_rejected(func):
    """An outcome not in `support` is an error, never silently dropped."""
    with pytest.raises(
        ValueError, match=r"1 value\(s\) not in `support`, for example 7"
    ):
        func([1, 2, 7], range(1, 7))
    with pytest.raises(ValueError, match=r"not in `support`"):
        func([1, 2], ["1", "2"])  # numbers are not their string labels
    with pytest.raises(ValueError, match=r"not in `support`"):
        func([1.0, np.nan], [1.0, 2.0])


@pytest.mark.parametrize("func", [count_outcomes, empirical_pmf])
def test_scalar_samples_and_bad_support_are_rejected(func):
    """A scalar sample and an empty or repeated support are ValueErrors."""
    with pytest.raises(ValueError, match=r"`samples` must have at least one dimension"):
        func(3, [1, 2, 3])
    with pytest.raises(
        ValueError, match=r"`support` must contain at least one outcome"
    ):
        func([1], [])
    with pytest.raises(ValueError, match=r"`support` must list distinct outcomes"):
        func([1], [1, 1])


def test_empirical_pmf_of_no_draws_is_an_error():
    """With n = 0 there are no frequencies: a ValueError, not NaN."""
    with pytest.raises(ValueError, match=r"`samples` has no draws"):
        empirical_pmf([], [1, 2])
