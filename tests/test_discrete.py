"""Tests for the discrete core: entropy, cross-entropy, KL, JS and TV."""

import math

import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal

from kltools import (
    cross_entropy,
    entropy,
    js_divergence,
    kl_divergence,
    total_variation,
)
from kltools._validation import BLOCK_SIZE

TWO_ARG = [cross_entropy, kl_divergence, js_divergence, total_variation]
ALL = [entropy, *TWO_ARG]


def call(f, p, q=None, **kw):
    """Call a one- or two-argument function of this module uniformly."""
    return f(p, **kw) if f is entropy else f(p, q, **kw)


# --- known values -----------------------------------------------------------

# Five-category example, references computed with mpmath at 30 digits:
#   from mpmath import mp, mpf, log; mp.dps = 30
#   p = [mpf(1)/10, mpf(2)/10, mpf(3)/10, mpf(4)/10, 0]
#   q = [mpf(1)/4, mpf(1)/4, mpf(1)/8, mpf(1)/8, mpf(1)/4]
#   sum(a*log(a/b) for a, b in zip(p, q) if a > 0)           # KL
#   -sum(a*log(a) for a in p if a > 0)                       # H(p)
#   m = [(a+b)/2 for a, b in zip(p, q)]
#   (sum(a*log(a/c) for a, c in zip(p, m) if a > 0)
#    + sum(b*log(b/c) for b, c in zip(q, m) if b > 0)) / 2   # JS
P5 = [0.1, 0.2, 0.3, 0.4, 0.0]
Q5 = [0.25, 0.25, 0.125, 0.125, 0.25]
KL5 = 0.591643161678184868244340965788
H5 = 1.27985422583366746718218576215
JS5 = 0.161072153279201928159336858063


def test_kl_fair_vs_biased_coin_in_bits():
    """KL(fair || 3:1 coin) = 1/2 log2(2/3) + 1/2 log2(2) = 1 - log2(3)/2 bits."""
    expected = 1 - 0.5 * math.log2(3)
    assert_allclose(kl_divergence([0.5, 0.5], [0.75, 0.25], base=2), expected, 1e-15)


def test_kl_biased_vs_fair_coin_in_bits():
    """KL(3:1 coin || fair) = 3/4 log2(3/2) + 1/4 log2(1/2) = 3/4 log2 3 - 1."""
    expected = 0.75 * math.log2(3) - 1
    assert_allclose(kl_divergence([0.75, 0.25], [0.5, 0.5], base=2), expected, 1e-15)


def test_kl_certain_outcome_vs_uniform_is_log_k():
    """KL(delta || uniform over K) = log K."""
    for k in (2, 3, 10):
        p = np.zeros(k)
        p[0] = 1.0
        assert_allclose(kl_divergence(p, np.full(k, 1 / k)), math.log(k), 1e-14)


def test_five_category_example_matches_mpmath():
    """KL, entropy, cross-entropy and JS match 30-digit mpmath references."""
    assert_allclose(kl_divergence(P5, Q5), KL5, rtol=1e-14)
    assert_allclose(entropy(P5), H5, rtol=1e-14)
    assert_allclose(cross_entropy(P5, Q5), H5 + KL5, rtol=1e-14)
    assert_allclose(js_divergence(P5, Q5), JS5, rtol=1e-14)


def test_total_variation_by_hand():
    """TV = 1/2 sum |p - q| = 1/2 (0.15 + 0.05 + 0.175 + 0.275 + 0.25) = 0.45."""
    assert_allclose(total_variation(P5, Q5), 0.45, rtol=1e-14)


def test_entropy_of_uniform_is_log_k_and_fair_coin_one_bit():
    """H(uniform over K) = log K; a fair coin carries exactly one bit."""
    assert_allclose(entropy(np.full(6, 1 / 6)), math.log(6), rtol=1e-15)
    assert entropy([0.5, 0.5], base=2) == 1.0


def test_cross_entropy_with_one_hot_target_is_minus_log_q():
    """With a one-hot p (label y), H(p, q) = -log q_y."""
    assert_allclose(cross_entropy([0, 1, 0], [0.2, 0.7, 0.1]), -math.log(0.7), 1e-15)


def test_js_between_disjoint_supports_is_log_2():
    """JS takes its maximum log 2 (one bit) on disjoint supports."""
    assert_allclose(js_divergence([1, 0], [0, 1]), math.log(2), rtol=1e-15)
    assert js_divergence([0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5], base=2) == 1.0


def test_results_are_python_floats_for_1d_input():
    """One distribution in, a Python float out (prints cleanly, as scipy does not)."""
    for f in ALL:
        assert type(call(f, [0.5, 0.5], [0.25, 0.75])) is float


# --- zero and infinity conventions ------------------------------------------


def test_kl_zero_p_terms_contribute_nothing_whatever_q():
    """A category with p = 0 adds 0, also when q = 0 there: KL = log 2 here."""
    assert_allclose(kl_divergence([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]), math.log(2))
    assert kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0


def test_kl_is_inf_where_p_has_mass_and_q_none():
    """p > 0 where q = 0: not absolutely continuous, KL = +inf (never NaN)."""
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert kl_divergence([0.5, 0.5], [1.0, 0.0], base=2) == math.inf


def test_inf_is_per_distribution_in_a_batch():
    """Only the rows whose q misses p's support are infinite."""
    out = kl_divergence([[0.5, 0.5], [1.0, 0.0]], [1.0, 0.0])
    assert_array_equal(out, [math.inf, 0.0])


def test_kl_of_identical_inputs_is_exactly_zero():
    """KL(p, p) is exactly 0.0, in every base and after normalisation."""
    rng = np.random.default_rng(1)
    p = rng.random(1000)
    p /= p.sum()
    assert kl_divergence(p, p) == 0.0
    assert kl_divergence(p, p, base=2) == 0.0
    assert kl_divergence([1, 2, 3], [2, 4, 6], normalize=True) == 0.0


def test_regression_near_equal_inputs_match_mpmath_before_any_clamp():
    """Pmfs 1e-12 apart: the value is the mpmath sum of p log(p/q) - p + q.

    scipy.stats.entropy can return small negatives here. The reference is
    computed at 50 digits from the stored floats (mpmath.mp.dps = 50), so a
    result clamped to 0 or of the wrong size fails, not only a negative one.
    """
    import mpmath

    mpmath.mp.dps = 50
    rng = np.random.default_rng(7)
    for _ in range(20):
        p = rng.random(50)
        p /= p.sum()
        q = p * (1 + 1e-12 * rng.standard_normal(50))
        q /= q.sum()
        ref = float(
            mpmath.fsum(
                mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b)) - a + b
                for a, b in zip(p.tolist(), q.tolist(), strict=True)
            )
        )
        assert ref > 0.0
        res = kl_divergence(p, q)
        assert_allclose(res, ref, rtol=1e-10)


def test_entropy_of_certain_outcome_is_positive_zero():
    """-0 * log(1) must come out as 0.0, not -0.0."""
    res = entropy([1.0, 0.0])
    assert res == 0.0 and math.copysign(1.0, res) == 1.0


def test_js_never_nan_and_bounded_with_zeros_everywhere():
    """JS with zeros in both inputs, including shared zeros, is finite and <= log 2."""
    p = [0.0, 0.5, 0.0, 0.5]
    q = [0.0, 0.0, 1.0, 0.0]
    res = js_divergence(p, q)
    # the supports {1, 3} and {2} are disjoint: JS is exactly log 2
    assert res == pytest.approx(math.log(2), rel=1e-15)


# --- axis, broadcasting, keepdims -------------------------------------------


def reference_kl_rows(p, q):
    """Second method: math.fsum of scipy.special.rel_entr terms, row by row."""
    p2, q2 = np.broadcast_arrays(p, q)
    flat_p = p2.reshape(-1, p2.shape[-1])
    flat_q = q2.reshape(-1, q2.shape[-1])
    out = [
        math.fsum(scipy.special.rel_entr(a, b))
        for a, b in zip(flat_p, flat_q, strict=True)
    ]
    return np.array(out).reshape(p2.shape[:-1])


def random_pmfs(rng, shape, axis=-1):
    x = rng.random(shape)
    return x / x.sum(axis=axis, keepdims=True)


def test_batch_along_last_axis_matches_row_by_row():
    """Default axis=-1: one distribution per row, matching a row-by-row sum."""
    rng = np.random.default_rng(2)
    p = random_pmfs(rng, (4, 3, 7))
    q = random_pmfs(rng, (4, 3, 7))
    assert_allclose(kl_divergence(p, q), reference_kl_rows(p, q), rtol=1e-13)


def test_axis_zero_matches_scipy_default():
    """axis=0 reproduces scipy.stats.entropy's default layout (columns)."""
    rng = np.random.default_rng(3)
    p = random_pmfs(rng, (6, 5), axis=0)
    q = random_pmfs(rng, (6, 5), axis=0)
    assert_allclose(kl_divergence(p, q, axis=0), scipy.stats.entropy(p, q), 1e-13)


def test_middle_axis_and_keepdims_shapes():
    """A middle axis is reduced; keepdims keeps it with length one."""
    rng = np.random.default_rng(4)
    p = random_pmfs(rng, (2, 5, 3), axis=1)
    q = random_pmfs(rng, (2, 5, 3), axis=1)
    out = kl_divergence(p, q, axis=1)
    assert out.shape == (2, 3)
    expected = reference_kl_rows(np.moveaxis(p, 1, -1), np.moveaxis(q, 1, -1))
    assert_allclose(out, expected, rtol=1e-13)
    for f in ALL:
        assert call(f, p, q, axis=1, keepdims=True).shape == (2, 1, 3)
        assert call(f, p, q, axis=-1, keepdims=True, normalize=True).shape == (2, 5, 1)


def test_keepdims_on_1d_input_gives_length_one_array():
    """keepdims=True on a single distribution returns shape (1,), not a float."""
    out = kl_divergence([0.5, 0.5], [0.25, 0.75], keepdims=True)
    assert isinstance(out, np.ndarray) and out.shape == (1,)


def test_one_q_broadcasts_against_a_batch_of_p():
    """A single q of shape (K,) is compared with every row of p."""
    rng = np.random.default_rng(5)
    p = random_pmfs(rng, (10, 4))
    q = random_pmfs(rng, (4,))
    for f in TWO_ARG:
        batch = f(p, q)
        assert_allclose(batch, [f(row, q) for row in p], rtol=1e-14)


def test_empty_batch_gives_empty_result():
    """Zero distributions of three categories: an empty result, not an error."""
    out = kl_divergence(np.empty((0, 3)), np.empty((0, 3)))
    assert out.shape == (0,)


@pytest.mark.parametrize("k", [BLOCK_SIZE - 1, BLOCK_SIZE, 3 * BLOCK_SIZE + 7])
def test_long_distributions_across_blocks_match_fsum(k):
    """Distributions longer than a block, with zeros, agree with an exact sum."""
    rng = np.random.default_rng(k)
    p = rng.random(k)
    p[rng.random(k) < 0.1] = 0.0  # zeros scattered through every block
    p /= p.sum()
    q = rng.random(k)
    q /= q.sum()
    expected = math.fsum(scipy.special.rel_entr(p, q))
    assert_allclose(kl_divergence(p, q), expected, rtol=1e-12)
    expected_h = -math.fsum(scipy.special.xlogy(p, p))
    assert_allclose(entropy(p), expected_h, rtol=1e-12)
    # rows longer than a block in a 2-D batch
    pp = np.stack([p, q])
    qq = np.stack([q, p])
    assert_allclose(kl_divergence(pp, qq), reference_kl_rows(pp, qq), rtol=1e-12)


def test_inf_in_a_late_block_is_found():
    """A q = 0 under p > 0 in the last block still makes KL infinite."""
    k = 2 * BLOCK_SIZE + 5
    p = np.full(k, 1 / k)
    q = p.copy()
    q[-1] = 0.0
    q /= q.sum()
    assert kl_divergence(p, q) == math.inf


def test_ratio_overflow_does_not_turn_finite_terms_infinite():
    """p / q overflowing (tiny q) is computed as log p - log q, staying finite."""
    tiny = 1e-310  # subnormal: 0.5 / tiny overflows float64
    p = [0.5, 0.5]
    q = [tiny, 1 - tiny]
    expected = 0.5 * (math.log(0.5) - math.log(tiny)) + 0.5 * math.log(0.5 / (1 - tiny))
    assert_allclose(kl_divergence(p, q), expected, rtol=1e-14)


# --- normalize --------------------------------------------------------------


def test_normalize_divides_counts_by_their_sum():
    """Counts [30, 10] vs [20, 20] equal the pmfs [3/4, 1/4] vs [1/2, 1/2]."""
    expected = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    assert_allclose(kl_divergence([30, 10], [20, 20], normalize=True), expected, 1e-15)
    for f in ALL:
        assert_allclose(
            call(f, [30, 10], [20, 20], normalize=True),
            call(f, [0.75, 0.25], [0.5, 0.5]),
            rtol=1e-15,
        )


def test_normalize_is_per_distribution():
    """Each row is divided by its own sum."""
    counts = np.array([[1, 1], [30, 10]])
    assert_allclose(
        entropy(counts, normalize=True, base=2),
        [1.0, entropy([0.75, 0.25], base=2)],
        rtol=1e-15,
    )


def test_float32_pmf_accepted_with_float32_tolerance():
    """A float32 softmax output (sum off by ~1e-7) is accepted as a pmf."""
    logits = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    p32 = np.exp(logits) / np.exp(logits).sum()
    assert abs(float(p32.astype(np.float64).sum()) - 1) > 1e-12  # not exact
    assert entropy(p32) > 0


# --- properties -------------------------------------------------------------


@st.composite
def two_pmfs(draw, positive_q=False):
    k = draw(st.integers(2, 12))
    elem = st.one_of(st.just(0.0), st.floats(1e-6, 1.0))
    w1 = draw(arrays(np.float64, k, elements=elem).filter(lambda w: w.sum() > 0))
    q_elem = st.floats(1e-6, 1.0) if positive_q else elem
    w2 = draw(arrays(np.float64, k, elements=q_elem).filter(lambda w: w.sum() > 0))
    return w1 / w1.sum(), w2 / w2.sum()


@given(two_pmfs())
def test_gibbs_inequality(pq):
    """KL(p || q) >= 0 (Gibbs' inequality), possibly inf, never NaN."""
    p, q = pq
    res = kl_divergence(p, q)
    assert res >= 0.0


@given(two_pmfs(positive_q=True))
def test_zero_iff_equal(pq):
    """KL(p || q) = 0 exactly when p = q; otherwise strictly positive."""
    p, q = pq
    assert kl_divergence(p, p) == 0.0
    assume(total_variation(p, q) > 1e-6)
    assert kl_divergence(p, q) > 0.0


@given(two_pmfs())
def test_cross_entropy_identity(pq):
    """H(p, q) = H(p) + KL(p || q) to 1e-12 (both inf together)."""
    p, q = pq
    ce, h, kl = cross_entropy(p, q), entropy(p), kl_divergence(p, q)
    if math.isinf(kl):
        assert math.isinf(ce)
    else:
        assert_allclose(ce, h + kl, rtol=1e-12, atol=1e-12)


@given(two_pmfs())
def test_js_symmetric_and_bounded(pq):
    """JS(p, q) = JS(q, p), within [0, log 2]; at most one bit in base 2."""
    p, q = pq
    a, b = js_divergence(p, q), js_divergence(q, p)
    assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    assert 0.0 <= a <= math.log(2)
    assert 0.0 <= js_divergence(p, q, base=2) <= 1.0


@given(two_pmfs())
def test_total_variation_bounds_and_pinsker(pq):
    """TV in [0, 1], symmetric, and Pinsker: TV <= sqrt(KL / 2)."""
    p, q = pq
    tv = total_variation(p, q)
    assert 0.0 <= tv <= 1.0
    assert_allclose(tv, total_variation(q, p), rtol=1e-14)
    assert tv <= math.sqrt(kl_divergence(p, q) / 2) + 1e-12


@given(two_pmfs(), st.randoms(use_true_random=False))
def test_invariant_to_permuting_categories(pq, rnd):
    """Relabelling the categories (same permutation of p and q) changes nothing."""
    p, q = pq
    perm = list(range(len(p)))
    rnd.shuffle(perm)
    for f in ALL:
        assert_allclose(
            call(f, p[perm], q[perm]), call(f, p, q), rtol=1e-12, atol=1e-15
        )


@given(two_pmfs(), st.data())
def test_merging_categories_never_increases_kl(pq, data):
    """Data processing: merging two categories cannot increase KL (or JS)."""
    p, q = pq
    i = data.draw(st.integers(0, len(p) - 2))
    merge = lambda a: np.concatenate([a[:i], [a[i] + a[i + 1]], a[i + 2 :]])  # noqa: E731
    assert (
        kl_divergence(merge(p), merge(q)) <= kl_divergence(p, q) * (1 + 1e-12) + 1e-15
    )
    assert (
        js_divergence(merge(p), merge(q)) <= js_divergence(p, q) * (1 + 1e-12) + 1e-15
    )


@given(two_pmfs(positive_q=True), st.floats(1.5, 100.0))
def test_base_conversion(pq, base):
    """A result in base b is the nat result divided by ln b."""
    p, q = pq
    for f in (entropy, kl_divergence, cross_entropy, js_divergence):
        assert_allclose(
            call(f, p, q, base=base), call(f, p, q) / math.log(base), rtol=1e-13
        )


@settings(max_examples=50)
@given(two_pmfs(positive_q=True))
def test_agrees_with_scipy_where_scipy_is_right(pq):
    """On valid pmfs with q > 0, agree with scipy.stats.entropy."""
    p, q = pq
    assert_allclose(kl_divergence(p, q), scipy.stats.entropy(p, q), atol=1e-14)


# --- errors -----------------------------------------------------------------


@pytest.mark.parametrize("f", ALL)
@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ([0.5, 1.5, -1.0], r"`p` contains negative entries"),
        ([0.5, np.nan, 0.5], r"`p` contains NaN"),
        ([0.5, np.inf], r"`p` contains infinite entries"),
        ([0.3, 0.3, 0.3], r"`p` must sum to 1.*0\.9.*normalize=True"),
        (["a", "b"], r"`p` must be an array of real numbers"),
        ([1 + 0j, 0j], r"`p` must be an array of real numbers"),
        ([[0.5, 0.5], [1.0]], r"`p` must be an array of real numbers"),
        (0.5, r"`p` must have at least one dimension"),
        ([True, False], r"`p` must be an array of real numbers"),
    ],
)
def test_bad_p_is_a_value_error_naming_p(f, bad, match):
    """Every kind of invalid p is a ValueError whose message names `p`."""
    q = [0.25, 0.25, 0.5] if isinstance(bad, list) and len(bad) == 3 else [0.5, 0.5]
    with pytest.raises(ValueError, match=match):
        call(f, bad, q)


@pytest.mark.parametrize("f", TWO_ARG)
@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ([1.5, -0.5], r"`q` contains negative entries"),
        ([np.nan, 1.0], r"`q` contains NaN"),
        ([np.inf, 0.0], r"`q` contains infinite entries"),
        ([0.6, 0.6], r"`q` must sum to 1"),
    ],
)
def test_bad_q_is_a_value_error_naming_q(f, bad, match):
    """Invalid q entries are caught even where p = 0 would hide them."""
    with pytest.raises(ValueError, match=match):
        f([1.0, 0.0], bad)


def test_negative_entries_in_both_inputs_are_caught():
    """p and q both negative at one place give a positive ratio: still an error."""
    with pytest.raises(ValueError, match="`p` contains negative"):
        kl_divergence([-0.1, 1.1], [-0.2, 1.2])


@pytest.mark.parametrize("f", TWO_ARG)
def test_shapes_that_do_not_broadcast(f):
    """Mismatched category counts name both shapes."""
    with pytest.raises(
        ValueError, match=r"do not broadcast: `p` \(3,\) and `q` \(2,\)"
    ):
        f([0.2, 0.3, 0.5], [0.5, 0.5])


@pytest.mark.parametrize("f", ALL)
def test_empty_distribution_axis(f):
    """A distribution with no categories is an error, not 0 or NaN."""
    with pytest.raises(ValueError, match=r"distribution axis.*is empty"):
        call(f, np.empty((3, 0)), np.empty((3, 0)))


@pytest.mark.parametrize("f", ALL)
def test_all_zero_distribution_with_normalize(f):
    """normalize=True cannot divide an all-zero distribution by its sum."""
    with pytest.raises(
        ValueError, match="`p` has a distribution whose entries are all zero"
    ):
        call(f, [0, 0], [1, 1], normalize=True)


def test_normalize_false_does_not_renormalise_silently():
    """Counts without normalize=True are rejected, unlike scipy.stats.entropy."""
    with pytest.raises(ValueError, match=r"sums to 40.*normalize=True"):
        kl_divergence([30, 10], [20, 20])


@pytest.mark.parametrize("base", [1, 0, 0.5, -2, math.inf, math.nan, "2", True])
@pytest.mark.parametrize("f", [entropy, cross_entropy, kl_divergence, js_divergence])
def test_bad_base(f, base):
    """`base` must be None or a number greater than 1."""
    with pytest.raises(
        ValueError, match="`base` must be None or a number greater than 1"
    ):
        call(f, [0.5, 0.5], [0.5, 0.5], base=base)


def test_axis_out_of_range_and_not_integer():
    """An axis outside the broadcast shape is a ValueError; a float a TypeError."""
    with pytest.raises(ValueError, match="`axis` 2 is out of range"):
        kl_divergence([[0.5, 0.5]], [0.5, 0.5], axis=2)
    with pytest.raises(TypeError, match="`axis` must be an integer"):
        kl_divergence([0.5, 0.5], [0.5, 0.5], axis=0.0)


def test_sum_error_in_a_batch_says_how_many_distributions():
    """In a batch, the message reports the offending sum among the n rows."""
    with pytest.raises(ValueError, match=r"one of its 2 distributions sums to 0\.8"):
        kl_divergence([[0.5, 0.5], [0.4, 0.4]], [0.5, 0.5])


def test_js_short_pmfs_with_a_category_empty_in_both():
    """A category where p and q are both 0 adds nothing to JS (small-input path),
    also below 1e-2 nats where the accurate terms are summed: the value equals
    that without the category, and mpmath's."""
    import mpmath as mp

    for p, q in [((0.5, 0.5), (0.25, 0.75)), ((0.5, 0.5), (0.51, 0.49))]:
        got = js_divergence([*p, 0.0], [*q, 0.0])
        assert got == js_divergence(list(p), list(q))
        with mp.workdps(40):
            ps, qs = [mp.mpf(v) for v in p], [mp.mpf(v) for v in q]
            ms = [(x + y) / 2 for x, y in zip(ps, qs, strict=True)]
            ref = sum(
                (x * mp.log(x / m) + y * mp.log(y / m)) / 2
                for x, y, m in zip(ps, qs, ms, strict=True)
            )
        assert_allclose(got, float(ref), rtol=1e-13)
