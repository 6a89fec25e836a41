"""Tests for the relatives of KL between pmfs: Rényi, Hellinger, chi-squared."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal

from kltools import (
    chi2_divergence,
    hellinger_distance,
    kl_divergence,
    renyi_divergence,
    total_variation,
)

# Five-category example of test_discrete.py. References computed with mpmath
# at 30 digits from the float inputs:
#   from mpmath import mp, mpf, log, sqrt; mp.dps = 30
#   P = [mpf(x) for x in (0.1, 0.2, 0.3, 0.4, 0.0)]
#   Q = [mpf(x) for x in (0.25, 0.25, 0.125, 0.125, 0.25)]
#   a = mpf("0.5")  # etc.
#   log(sum(x**a * y**(1 - a) for x, y in zip(P, Q) if x > 0)) / (a - 1)
#   sqrt(1 - sum(sqrt(x * y) for x, y in zip(P, Q)))     # Hellinger
#   sum((x - y)**2 / y for x, y in zip(P, Q))            # chi-squared
P5 = [0.1, 0.2, 0.3, 0.4, 0.0]
Q5 = [0.25, 0.25, 0.125, 0.125, 0.25]
RENYI5 = {
    0.25: 0.3693915399208102411723885,
    0.5: 0.4488471258123796944653003,
    2.0: 0.7884573603642702199258672,
    3.7: 0.9370345528408487574895333,
}
HELLINGER5 = 0.4483562804079499415898122
CHI2_5 = 1.200000000000000055511151


@st.composite
def two_pmfs(draw, positive_q=False):
    k = draw(st.integers(2, 10))
    elem = st.one_of(st.just(0.0), st.floats(1e-6, 1.0))
    w1 = draw(arrays(np.float64, k, elements=elem).filter(lambda w: w.sum() > 0))
    q_elem = st.floats(1e-6, 1.0) if positive_q else elem
    w2 = draw(arrays(np.float64, k, elements=q_elem).filter(lambda w: w.sum() > 0))
    return w1 / w1.sum(), w2 / w2.sum()


# --- Rényi: known values ------------------------------------------------------


@pytest.mark.parametrize("alpha", sorted(RENYI5))
def test_renyi_mpmath_values(alpha):
    """Five-category example against mpmath at 30 digits."""
    assert_allclose(renyi_divergence(P5, Q5, alpha), RENYI5[alpha], rtol=1e-14)


def test_renyi_order_two_is_log_one_plus_chi2_by_hand():
    """D_2([.5, .5] || [.75, .25]) = log(.25/.75 + .25/.25) = log(4/3)."""
    assert_allclose(renyi_divergence([0.5, 0.5], [0.75, 0.25], 2), math.log(4 / 3))


def test_renyi_order_zero_is_minus_log_q_of_support():
    """D_0 = -log q(supp p): p lives on the first two of three categories."""
    value = renyi_divergence([0.5, 0.5, 0.0], [0.2, 0.3, 0.5], 0)
    assert_allclose(value, -math.log(0.5), rtol=1e-15)


def test_renyi_order_zero_is_zero_for_a_common_support():
    """Same support, any values: D_0 is exactly 0."""
    assert renyi_divergence([0.9, 0.1], [0.2, 0.8], 0) == 0.0


def test_renyi_order_infinity_is_log_max_ratio():
    """D_inf = log max p/q = log(0.4 / 0.125) for the five-category example."""
    assert_allclose(renyi_divergence(P5, Q5, math.inf), math.log(3.2), rtol=1e-15)


def test_renyi_order_one_is_exactly_kl():
    """alpha = 1 calls kl_divergence: identical bits, also in batches."""
    p = np.array([P5, Q5])
    assert_array_equal(renyi_divergence(p, Q5, 1), kl_divergence(p, Q5))
    assert renyi_divergence(P5, Q5, 1.0, base=2) == kl_divergence(P5, Q5, base=2)


def test_renyi_half_is_minus_two_log_bhattacharyya():
    """D_1/2 = -2 log BC with BC = 1 - H^2 (Hellinger from mpmath)."""
    assert_allclose(
        renyi_divergence(P5, Q5, 0.5), -2 * math.log(1 - HELLINGER5**2), rtol=1e-14
    )


def test_renyi_large_order_does_not_overflow():
    """alpha = 1000 on far-apart pmfs: p^a q^(1-a) overflows a naive sum.

    mpmath, 30 digits: p = [0.999, 0.001], q = [0.001, 0.999] (floats),
    log(sum(x**1000 * y**(-999))) / 999 = 6.9067537771467180779.
    """
    value = renyi_divergence([0.999, 0.001], [0.001, 0.999], 1000)
    assert_allclose(value, 6.9067537771467180779, rtol=1e-13)


def test_renyi_small_order_far_apart():
    """alpha = 0.3 on the same pair: mpmath gives 2.8740257446692962229."""
    value = renyi_divergence([0.999, 0.001], [0.001, 0.999], 0.3)
    assert_allclose(value, 2.8740257446692962229, rtol=1e-13)


def test_renyi_base_two():
    """Bits are nats divided by log 2."""
    assert_allclose(
        renyi_divergence(P5, Q5, 2.0, base=2), RENYI5[2.0] / math.log(2), rtol=1e-14
    )


def test_renyi_nearly_equal_keeps_relative_precision():
    """Pmfs 2^-23 apart (exact floats summing to 1): no cancellation noise.

    mpmath at 50 digits, p = [1/2 + 2^-24, 1/2 - 2^-24], q = [1/2, 1/2]:
    log(sum(x**a * y**(1 - a))) / (a - 1).
    """
    e = 2.0**-24
    p, q = [0.5 + e, 0.5 - e], [0.5, 0.5]
    expected = {
        0.3: 2.1316282072803136559e-15,
        2.0: 1.4210854715201902743e-14,
        5.0: 3.5527136788002737374e-14,
    }
    for alpha, value in expected.items():
        assert_allclose(renyi_divergence(p, q, alpha), value, rtol=1e-8)


# --- Rényi: infinity rules ------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.0, 0.2, 0.5, 0.99])
def test_renyi_below_one_is_finite_under_support_mismatch(alpha):
    """alpha < 1: q = 0 < p lowers the sum but keeps D finite."""
    value = renyi_divergence([0.5, 0.5], [1.0, 0.0], alpha)
    # Only the first category counts: sum = 0.5^alpha * 1, so
    # D = alpha log 2 / (1 - alpha); 0 at alpha = 0 (q(supp p) = 1).
    expected = alpha * math.log(2) / (1 - alpha)
    assert_allclose(value, expected, rtol=1e-14)


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.5, 0.9, 0.999, 1.0, 2.0, math.inf])
@pytest.mark.parametrize("q_small", [1e-37, 1e-300])
def test_renyi_nearly_disjoint_supports_stay_finite(alpha, q_small):
    """Overlap of q_small: finite at every order, -log q(supp p) by hand.

    p is uniform on its support and q is constant there, so p / q is constant
    where p > 0 and D_alpha = -log q(supp p) at every order. Below order 1 the
    sum of p^alpha q^(1 - alpha) is tiny; written as 1 + (sum - 1) it rounds
    to 0, which would report a finite divergence as inf.
    """
    value = renyi_divergence([0.0, 1.0], [1.0, q_small], alpha)
    assert_allclose(value, -math.log(q_small), rtol=1e-13)
    # mpmath, 30 digits, from the floats: -log(2 * 1e-40) = 91.410256539201882122
    value = renyi_divergence([0.5, 0.5, 0.0], [1e-40, 1e-40, 1.0], alpha)
    assert_allclose(value, 91.410256539201882122, rtol=1e-13)


@pytest.mark.parametrize("alpha", [1.0, 1.5, 2.0, 10.0, math.inf])
def test_renyi_from_one_on_is_infinite_under_support_mismatch(alpha):
    """alpha >= 1: any p > 0 where q = 0 gives inf, as KL does."""
    assert renyi_divergence([0.5, 0.5], [1.0, 0.0], alpha) == math.inf


@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.5, 1.0, 2.0, math.inf])
def test_renyi_disjoint_supports_are_infinite(alpha):
    """Disjoint supports: infinite at every order (also 0 and below 1)."""
    assert renyi_divergence([1.0, 0.0], [0.0, 1.0], alpha) == math.inf


@pytest.mark.parametrize("alpha", [0.0, 0.5, 2.0, math.inf])
def test_renyi_zeros_of_both_contribute_nothing(alpha):
    """A category with p = q = 0 is ignored, never NaN."""
    a = renyi_divergence([0.5, 0.5, 0.0], [0.25, 0.75, 0.0], alpha)
    b = renyi_divergence([0.5, 0.5], [0.25, 0.75], alpha)
    assert_allclose(a, b, rtol=1e-15)


# --- Rényi: properties ----------------------------------------------------------


@given(two_pmfs())
def test_renyi_non_decreasing_in_alpha(pq):
    """D_alpha is non-decreasing in alpha (van Erven and Harremoës, thm 3)."""
    p, q = pq
    alphas = [0.0, 0.1, 0.5, 0.9, 1.0, 1.1, 2.0, 5.0, math.inf]
    values = np.array([renyi_divergence(p, q, a) for a in alphas])
    assert not np.isnan(values).any()
    finite = values[np.isfinite(values)]
    assert (np.diff(finite) >= -1e-12 * (1 + finite[1:])).all()
    # Once infinite, infinite for every larger order.
    inf_at = np.isinf(values)
    assert (np.diff(inf_at.astype(int)) >= 0).all()


@given(two_pmfs(positive_q=True))
def test_renyi_tends_to_kl_as_alpha_tends_to_one(pq):
    """Orders 1 -+ 1e-6 bracket KL and agree with it to about 1e-6."""
    p, q = pq
    kl = kl_divergence(p, q)
    below = renyi_divergence(p, q, 1 - 1e-6)
    above = renyi_divergence(p, q, 1 + 1e-6)
    # Monotone in alpha, up to rounding of two different formulas (relative,
    # and absolute near 0, where both are rounding noise of order eps).
    assert below <= kl * (1 + 1e-9) + 1e-15
    assert above >= kl * (1 - 1e-9) - 1e-15
    tol = 1e-5 * (1 + kl) * max(1.0, kl)
    assert abs(below - kl) <= tol and abs(above - kl) <= tol


@given(two_pmfs())
def test_renyi_zero_for_identical_inputs(pq):
    """D_alpha(p || p) is exactly 0 at every order."""
    p, _ = pq
    for alpha in [0.0, 0.5, 2.0, 7.0, math.inf]:
        assert renyi_divergence(p, p, alpha) == 0.0


def test_renyi_batch_axis_keepdims_normalize():
    """Batches along any axis match one call per distribution."""
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4), size=3)
    q = rng.dirichlet(np.ones(4), size=3)
    one_by_one = [renyi_divergence(a, b, 2.5) for a, b in zip(p, q, strict=True)]
    assert_allclose(renyi_divergence(p, q, 2.5), one_by_one, rtol=1e-14)
    assert_allclose(renyi_divergence(p.T, q.T, 2.5, axis=0), one_by_one, rtol=1e-14)
    kept = renyi_divergence(p, q, 2.5, keepdims=True)
    assert kept.shape == (3, 1)
    counts = renyi_divergence(p * 7, q * 3, 2.5, normalize=True)
    assert_allclose(counts, one_by_one, rtol=1e-13)
    # one q against the batch of p
    assert_allclose(
        renyi_divergence(p, q[0], 0.5),
        [renyi_divergence(a, q[0], 0.5) for a in p],
        rtol=1e-14,
    )


# --- Hellinger and chi-squared ------------------------------------------------


def test_hellinger_mpmath_value():
    assert_allclose(hellinger_distance(P5, Q5), HELLINGER5, rtol=1e-14)


def test_hellinger_extremes():
    """0 for equal pmfs, 1 for disjoint supports (the 1/2 convention)."""
    assert hellinger_distance(P5, P5) == 0.0
    assert hellinger_distance([1.0, 0.0, 0.0], [0.0, 0.5, 0.5]) == 1.0


@given(two_pmfs())
def test_hellinger_matches_bhattacharyya_form(pq):
    """H^2 = 1 - sum sqrt(p q), computed here the other way, and symmetric."""
    p, q = pq
    h = hellinger_distance(p, q)
    assert_allclose(h * h, 1 - np.sqrt(p * q).sum(), atol=1e-12)
    assert h == hellinger_distance(q, p)


@st.composite
def three_pmfs(draw):
    k = draw(st.integers(2, 8))
    elem = st.one_of(st.just(0.0), st.floats(1e-6, 1.0))
    ws = [
        draw(arrays(np.float64, k, elements=elem).filter(lambda w: w.sum() > 0))
        for _ in range(3)
    ]
    return [w / w.sum() for w in ws]


@given(three_pmfs())
def test_hellinger_triangle_inequality(pqr):
    """H is a metric: H(p, r) <= H(p, q) + H(q, r)."""
    p, q, r = pqr
    assert hellinger_distance(p, r) <= (
        hellinger_distance(p, q) + hellinger_distance(q, r) + 1e-12
    )


@given(two_pmfs())
def test_hellinger_tv_bounds(pq):
    """H^2 <= TV <= H sqrt(2 - H^2) (Le Cam; Tsybakov lemma 2.3)."""
    p, q = pq
    h = hellinger_distance(p, q)
    tv = total_variation(p, q)
    assert h * h <= tv + 1e-12
    assert tv <= h * math.sqrt(2 - h * h) + 1e-12


def test_chi2_mpmath_value():
    assert_allclose(chi2_divergence(P5, Q5), CHI2_5, rtol=1e-14)


def test_chi2_by_hand():
    """chi^2([.5, .5] || [.75, .25]) = .0625/.75 + .0625/.25 = 1/3."""
    assert_allclose(chi2_divergence([0.5, 0.5], [0.75, 0.25]), 1 / 3, rtol=1e-15)


def test_chi2_infinity_rules():
    """q = 0 < p gives inf; q = p = 0 contributes nothing; p = 0 < q is finite."""
    assert chi2_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert chi2_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0
    assert_allclose(chi2_divergence([1.0, 0.0], [0.5, 0.5]), 1.0, rtol=1e-15)


def test_chi2_tiny_entries_do_not_underflow():
    """Entries below 1e-154, whose squares underflow to 0.

    q = 0 < p = 1e-200 is still an infinite term (the square 0 over 0 was NaN,
    and the NaN sum came out as 0). With q = 1e-300 the term is
    (1e-200 - 1e-300)^2 / 1e-300: mpmath at 30 digits from the floats gives
    9.9999999999999993914e-101 (the other category contributes 0).
    """
    assert chi2_divergence([1e-200, 1.0, 0.0], [0.0, 0.5, 0.5]) == math.inf
    assert chi2_divergence([1e-200, 1.0], [0.0, 1.0]) == math.inf
    value = chi2_divergence([1e-200, 1.0], [1e-300, 1.0])
    assert_allclose(value, 9.9999999999999993914e-101, rtol=1e-14)


@given(two_pmfs())
def test_renyi_two_is_log_one_plus_chi2(pq):
    """D_2 = log(1 + chi^2), both possibly infinite; KL <= D_2."""
    p, q = pq
    chi2 = chi2_divergence(p, q)
    d2 = renyi_divergence(p, q, 2)
    if math.isinf(chi2):
        assert d2 == math.inf
    else:
        assert_allclose(d2, math.log1p(chi2), rtol=1e-9, atol=1e-15)
        assert kl_divergence(p, q) <= d2 * (1 + 1e-9) + 1e-15


def test_hellinger_and_chi2_batches():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(5), size=(2, 3))
    q = rng.dirichlet(np.ones(5), size=3)
    for f in (hellinger_distance, chi2_divergence):
        out = f(p, q)
        assert out.shape == (2, 3)
        assert_allclose(out[1, 2], f(p[1, 2], q[2]), rtol=1e-14)
        assert f(p, q, keepdims=True).shape == (2, 3, 1)
        assert_allclose(f(np.moveaxis(p, -1, 0), q.T[:, None, :], axis=0), out)


# --- errors -------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [-0.5, math.nan])
def test_renyi_rejects_bad_alpha_values(alpha):
    with pytest.raises(
        ValueError, match=r"`alpha` must be a real number in \[0, inf\]"
    ):
        renyi_divergence(P5, Q5, alpha)


@pytest.mark.parametrize("alpha", ["2", None, True])
def test_renyi_rejects_non_numeric_alpha(alpha):
    with pytest.raises(TypeError, match="`alpha` must be a real number"):
        renyi_divergence(P5, Q5, alpha)


@pytest.mark.parametrize(
    "f",
    [
        lambda p, q, **kw: renyi_divergence(p, q, 2, **kw),
        lambda p, q, **kw: renyi_divergence(p, q, 0.5, **kw),
        hellinger_distance,
        chi2_divergence,
    ],
)
def test_shared_validation(f):
    """Same messages as the discrete functions."""
    with pytest.raises(ValueError, match="`p` must sum to 1"):
        f([0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="`q` contains negative entries"):
        f([0.5, 0.5], [1.5, -0.5])
    with pytest.raises(ValueError, match="`q` contains NaN"):
        f([0.5, 0.5], [math.nan, 0.5])
    with pytest.raises(ValueError, match="shapes do not broadcast"):
        f([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="`p` must have at least one dimension"):
        f(1.0, [1.0])
    with pytest.raises(ValueError, match="all zero"):
        f([0.0, 0.0], [0.5, 0.5], normalize=True)
    with pytest.raises(TypeError, match="`axis` must be an integer"):
        f([0.5, 0.5], [0.5, 0.5], axis=0.5)


def test_renyi_rejects_bad_base():
    with pytest.raises(
        ValueError, match="`base` must be None or a number greater than 1"
    ):
        renyi_divergence(P5, Q5, 2, base=1)


def test_renyi_order_zero_with_q_mass_outside_supp_p():
    """alpha = 0 is -log q(supp p): q puts 0.2 where p is 0, so -log 0.8 (hand value)."""
    got = renyi_divergence([0.5, 0.5, 0.0], [0.4, 0.4, 0.2], 0.0)
    assert_allclose(got, -math.log(0.8), rtol=1e-15)
