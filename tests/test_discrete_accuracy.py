"""Regression tests for the discrete functions: accuracy on nearly equal pmfs,
float64 computation of narrow dtypes, overflowing sums, masked arrays, flags.

Reference values are computed in the tests with mpmath at 50 digits from the
exact float64 inputs, so they do not come from the code under test.
"""

import math

import mpmath
import numpy as np
import pytest
from numpy.testing import assert_allclose

from kltools import (
    cross_entropy,
    entropy,
    js_divergence,
    kl_divergence,
    kl_on_grid,
    sample_pmf,
    total_variation,
)
from kltools._discrete import ACCURATE_BELOW
from kltools._numerics import js_terms, kl_div

mpmath.mp.dps = 50
ALL = [entropy, cross_entropy, kl_divergence, js_divergence, total_variation]


def _mp_kl(p, q):
    """sum p log(p/q) - p + q at 50 digits (equals KL when both sum to 1)."""
    return float(
        sum(
            mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b)) - a + b
            for a, b in zip(p.tolist(), q.tolist(), strict=True)
            if a > 0
        )
        + sum(b for a, b in zip(p.tolist(), q.tolist(), strict=True) if a == 0)
    )


def _mp_js(p, q):
    total = mpmath.mpf(0)
    for a, b in zip(p.tolist(), q.tolist(), strict=True):
        a, b = mpmath.mpf(a), mpmath.mpf(b)
        m = (a + b) / 2
        if a > 0:
            total += a * mpmath.log(a / m)
        if b > 0:
            total += b * mpmath.log(b / m)
    return float(total / 2)


def _near_pair(eps, k=20, seed=1):
    """Dyadic pmfs p and q = p + d, both summing to exactly 1 in float64.

    Every entry is a multiple of 2**-52, so the additions are exact and the
    true KL of the stored numbers is the mathematical one.
    """
    rng = np.random.default_rng(seed)
    p = rng.integers(1, 2**10, k).astype(float)
    p = np.round(p / p.sum() * 2**30) / 2**30
    p[-1] = 1.0 - p[:-1].sum()
    d = np.round(rng.normal(size=k) * eps * 2**52) / 2**52
    d[-1] = -d[:-1].sum()
    q = p + d
    assert (q - p == d).all() and p.sum() == 1.0 and q.sum() == 1.0
    return p, q


@pytest.mark.parametrize("eps", [1e-9, 1e-8, 1e-6, 1e-4])
def test_near_equal_pmfs_kl_relative_accuracy(eps):
    """KL of pmfs 1e-9 apart has full relative precision (was off by 2.5x)."""
    p, q = _near_pair(eps)
    ref = _mp_kl(p, q)
    assert ref > 0.0
    assert_allclose(kl_divergence(p, q), ref, rtol=1e-12)
    # also when the pmfs come as counts (scaled by 4, exactly)
    assert_allclose(kl_divergence(4 * p, 4 * q, normalize=True), ref, rtol=1e-12)


@pytest.mark.parametrize("eps", [1e-9, 1e-8, 1e-6, 1e-4])
def test_near_equal_pmfs_js_relative_accuracy(eps):
    """JS of pmfs 1e-9 apart has full relative precision (was 826x off)."""
    p, q = _near_pair(eps)
    ref = _mp_js(p, q)
    assert ref > 0.0
    assert_allclose(js_divergence(p, q), ref, rtol=1e-12)


def test_both_sides_of_the_accurate_switch():
    """Results just above and below ACCURATE_BELOW both match mpmath."""
    for target in (0.5 * ACCURATE_BELOW, 2.0 * ACCURATE_BELOW):
        # Bernoulli(0.5) against Bernoulli(0.5 + h): KL ~ 2 h^2.
        h = math.sqrt(target / 2.0)
        p, q = np.array([0.5, 0.5]), np.array([0.5 + h, 0.5 - h])
        assert_allclose(kl_divergence(p, q), _mp_kl(p, q), rtol=1e-13)
        assert_allclose(js_divergence(p, q), _mp_js(p, q), rtol=1e-13)


@pytest.mark.parametrize(
    "t", [-0.5, -0.1001, -0.0999, -1e-5, 1e-5, 0.0999, 0.1001, 3.0]
)
def test_kl_div_kernel_both_sides_of_series_switch(t):
    """x log(x/y) - x + y at |x/y - 1| just below and above 0.1 vs mpmath."""
    y = 0.3
    x = y * (1.0 + t)
    ref = mpmath.mpf(x) * mpmath.log(mpmath.mpf(x) / y) - x + y
    assert_allclose(kl_div(x, y), float(ref), rtol=1e-14)


@pytest.mark.parametrize(
    "t", [-0.9, -0.1001, -0.0999, -1e-6, 1e-6, 0.0999, 0.1001, 0.9]
)
def test_js_kernel_both_sides_of_series_switch(t):
    """p log(2p/(p+q)) + q log(2q/(p+q)) at |p-q|/(p+q) near 0.1 vs mpmath."""
    s = mpmath.mpf(0.4)
    p, q = float(s * (1 + t) / 2), float(s * (1 - t) / 2)
    P, Q = mpmath.mpf(p), mpmath.mpf(q)
    ref = P * mpmath.log(2 * P / (P + Q)) + Q * mpmath.log(2 * Q / (P + Q))
    assert_allclose(js_terms(np.array(p), np.array(q)), float(ref), rtol=1e-14)


def test_js_kernel_zeros():
    """A zero on one side gives x log 2; zeros on both sides give 0."""
    out = js_terms(np.array([0.0, 0.3, 0.0]), np.array([0.2, 0.0, 0.0]))
    assert_allclose(out, [0.2 * math.log(2), 0.3 * math.log(2), 0.0], rtol=1e-15)


def test_float32_pmfs_are_computed_in_float64():
    """float32 pmfs 1.6e-5 apart in TV gave KL = 0.0, violating Pinsker."""
    p = np.array([0.99224806, 0.00775194], np.float32)
    q = np.array([0.99223185, 0.00776818], np.float32)
    ref = _mp_kl(p.astype(np.float64), q.astype(np.float64))
    kl = kl_divergence(p, q)
    assert_allclose(kl, ref, rtol=1e-10)
    assert kl >= 2 * total_variation(p, q) ** 2  # Pinsker


def test_float16_pmfs_are_computed_in_float64():
    """float16 [.485, .485] against [.5, .5] gave 0.0."""
    p = np.array([0.485, 0.485], np.float16)
    q = np.array([0.5, 0.5], np.float16)
    ref = _mp_kl(p.astype(np.float64), q.astype(np.float64))
    assert ref > 4e-4
    assert_allclose(kl_divergence(p, q), ref, rtol=1e-12)


def test_entropy_normalize_sum_overflow():
    """entropy([1e308, 1e308], normalize=True) said the entries were infinite."""
    assert entropy([1e308, 1e308], normalize=True) == pytest.approx(
        math.log(2), rel=1e-15
    )
    assert_allclose(
        kl_divergence([1e308, 1e308, 0.0], [1.0, 3.0, 0.0], normalize=True),
        0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75),
        rtol=1e-14,
    )
    # a row that does not overflow keeps its ordinary sum
    assert_allclose(
        entropy([[1e308, 1e308], [1.0, 3.0]], normalize=True),
        [math.log(2), -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))],
        rtol=1e-15,
    )
    with pytest.raises(ValueError, match="`p` contains infinite entries"):
        entropy([math.inf, 1.0], normalize=True)


@pytest.mark.parametrize("f", [*ALL, sample_pmf])
def test_masked_arrays_are_refused(f):
    """A masked array lost its mask silently; now it is a TypeError."""
    m = np.ma.array([0.5, 0.5, 0.3], mask=[False, False, True])
    if f is sample_pmf:
        with pytest.raises(TypeError, match="`pmf` is a masked array"):
            f(m, 3)
    elif f is entropy:
        with pytest.raises(TypeError, match="`p` is a masked array"):
            f(m)
    else:
        with pytest.raises(TypeError, match="`p` is a masked array"):
            f(m, [0.2, 0.3, 0.5])
        with pytest.raises(TypeError, match="`q` is a masked array"):
            f([0.2, 0.3, 0.5], m)


def test_masked_arrays_refused_on_a_grid():
    x = np.linspace(0.0, 1.0, 3)
    with pytest.raises(TypeError, match="`p` is a masked array"):
        kl_on_grid(np.ma.array([1.0, 1.0, 1.0]), [1.0, 1.0, 1.0], x)


@pytest.mark.parametrize("flag", ["keepdims", "normalize"])
@pytest.mark.parametrize("value", ["no", "yes", 1, 0, None])
@pytest.mark.parametrize("f", ALL)
def test_flags_must_be_bools(f, flag, value):
    """keepdims="no" and normalize="yes" were accepted as True."""
    args = ([0.5, 0.5],) if f is entropy else ([0.5, 0.5], [0.25, 0.75])
    with pytest.raises(TypeError, match=f"`{flag}` must be True or False"):
        f(*args, **{flag: value})


def test_numpy_bools_are_accepted_as_flags():
    out = kl_divergence([0.5, 0.5], [0.25, 0.75], keepdims=np.True_)
    assert out.shape == (1,)
    ref = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    assert_allclose(out, [ref], rtol=1e-15)


# --- the small-input path against the general (batched) path ----------------


def _pmf_cases():
    rng = np.random.default_rng(7)
    cases = [
        ([0.5, 0.5], [0.75, 0.25]),
        ([1.0, 0.0], [0.5, 0.5]),
        ([0.5, 0.5], [1.0, 0.0]),
        ([0.0, 1.0], [1.0, 0.0]),
        ([0.3, 0.7], [0.3, 0.7]),
        ([1, 0], [0, 1]),  # integers
        ((0.5, 0.5), (0.5 + 1e-9, 0.5 - 1e-9)),  # tuples, nearly equal
    ]
    for k in (2, 6, 16):
        cases.append(tuple(rng.dirichlet(np.ones(k), 2)))
    return cases


@pytest.mark.parametrize(("p", "q"), _pmf_cases())
@pytest.mark.parametrize("f", [entropy, cross_entropy, kl_divergence, js_divergence])
def test_small_path_matches_general_path(f, p, q):
    """A 1-D call (small path) equals the same pmfs as a 1-row batch."""
    args = (p,) if f is entropy else (p, q)
    batch = (
        (np.atleast_2d(p),) if f is entropy else (np.atleast_2d(p), np.atleast_2d(q))
    )
    single, general = f(*args, base=2), f(*batch, base=2)
    assert isinstance(single, float)
    assert_allclose(single, general[0], rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize(
    ("p", "message"),
    [
        ([0.5, 0.6], "sums to 1.1"),
        ([-0.5, 1.5], "negative entries"),
        ([math.nan, 1.0], "NaN"),
        ([True, False], "array of real numbers"),
    ],
)
def test_small_path_keeps_every_check(p, message):
    """Invalid short pmfs raise the general path's errors."""
    with pytest.raises(ValueError, match=message):
        kl_divergence(p, [0.5, 0.5])
    with pytest.raises(ValueError, match=message):
        entropy(p)


def test_small_path_huge_ratio_is_repaired():
    """A ratio p/q that overflows takes the general path's repair: finite KL."""
    p = [1.0 - 1e-10, 1e-10]  # 1e-10 / 5e-324 overflows
    q = [1.0 - 5e-324, 5e-324]
    ref = _mp_kl(np.array(p), np.array(q))
    assert_allclose(kl_divergence(p, q), ref, rtol=1e-12)


@pytest.mark.parametrize("path", ["array", "scalar"])
def test_kl_div_kernel_overflowing_ratio(path):
    """x / y overflowing (1e-10 / 5e-324) gave inf instead of the finite term."""
    from kltools._numerics import kl_div_scalar

    x, y = 1e-10, 5e-324
    ref = float(mpmath.mpf(x) * mpmath.log(mpmath.mpf(x) / mpmath.mpf(y)) - x + y)
    out = kl_div(x, y) if path == "array" else kl_div_scalar(x, y)
    assert_allclose(out, ref, rtol=1e-14)


@pytest.mark.parametrize(
    ("p", "q"),
    [
        ([0.5, 0.5], [0.75, 0.25]),
        ([1.0, 0.0], [0.5, 0.5]),
        (np.array([0.2, 0.8]), (0.6, 0.4)),
    ],
)
def test_short_valid_pmfs_take_the_small_path(monkeypatch, p, q):
    """Short valid pmfs (zeros included) never reach the block machinery."""
    import kltools._discrete as discrete

    def fail(*args, **kwargs):
        raise AssertionError("the general path was used")

    monkeypatch.setattr(discrete, "_reduce", fail)
    ref = sum(a * math.log(a / b) for a, b in zip(p, q, strict=True) if a > 0)
    assert kl_divergence(p, q) == pytest.approx(ref, rel=1e-14)
    assert js_divergence(p, q) >= 0.0
    assert entropy(p) == pytest.approx(
        -sum(a * math.log(a) for a in p if a > 0), rel=1e-14
    )


@pytest.mark.parametrize("f", [kl_divergence, js_divergence, total_variation])
def test_sum_tolerance_boundary_is_inclusive(f):
    """A sum off by exactly sqrt(eps) = 2**-26 is accepted; 2**-25 is not."""
    q = np.array([[0.5, 0.5]] * 2)
    ok = np.array([[0.5, 0.5 + 2.0**-26]] * 2)  # 2-D: the general path
    assert abs(ok.sum(axis=1) - 1.0).max() == 2.0**-26
    f(ok, q)
    with pytest.raises(ValueError, match="must sum to 1"):
        f(np.array([[0.5, 0.5 + 2.0**-25]] * 2), q)


@pytest.mark.parametrize("as_batch", [False, True])
def test_small_results_with_a_far_category_match_mpmath(as_batch):
    """JS and KL below 1e-2 where one category is far off (|t| >= 0.1).

    The accurate re-summation then mixes the series and the direct branch
    of its kernels; both the small path (1-D lists) and the general path
    (a 1-row batch) must agree with mpmath.
    """
    p, q = [0.99, 0.01], [0.985, 0.015]
    pa, qa = np.array(p), np.array(q)
    js = js_divergence([p], [q])[0] if as_batch else js_divergence(p, q)
    kl = kl_divergence([p], [q])[0] if as_batch else kl_divergence(p, q)
    assert _mp_js(pa, qa) < 1e-2 and _mp_kl(pa, qa) < 1e-2
    assert_allclose(js, _mp_js(pa, qa), rtol=1e-13)
    assert_allclose(kl, _mp_kl(pa, qa), rtol=1e-13)


@pytest.mark.parametrize("f", ALL)
def test_axis_checked_on_short_one_dimensional_inputs(f):
    """axis=0 and -1 are the same for 1-D pmfs; axis=1 is out of range."""
    args = ([0.25, 0.75],) if f is entropy else ([0.25, 0.75], [0.5, 0.5])
    assert f(*args, axis=0) == f(*args, axis=-1)
    with pytest.raises(ValueError, match="`axis` 1 is out of range"):
        f(*args, axis=1)
