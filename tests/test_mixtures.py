"""Tests for kl_gmm: KL between Gaussian mixtures."""

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import integrate, stats
from scipy.special import logsumexp

from kltools import MonteCarloResult, kl_gmm, kl_mvnormal, kl_normal
from kltools._mixtures import (
    _DV_MAX_NODES,
    _DV_STEPS,
    _SMALL_METHODS,
    _UPPER_STALL,
    _as_mixture,
    _directions,
    _dv_lower,
    _dv_nodes_1,
    _jensen_lower,
    _log_overlap,
    _log_pdf,
    _lower,
    _matched,
    _pair_kl,
    _product,
    _relaxed,
    _sample,
    _small_variational_upper,
    _upper,
    _variational,
    _variational_upper,
)

DETERMINISTIC = ["variational", "product", "matched", "upper", "lower"]
ALL_1D = [*DETERMINISTIC, "exact"]


def mix1d(weights, means, sds):
    """A 1-D mixture as the tuple kl_gmm takes (variances in the covariances)."""
    w = np.asarray(weights, dtype=float)
    m = np.asarray(means, dtype=float).reshape(-1, 1)
    c = (np.asarray(sds, dtype=float) ** 2).reshape(-1, 1, 1)
    return (w, m, c)


def quad_kl(p, q):
    """D(p || q) for 1-D mixtures by scipy.integrate.quad, written here.

    Integrates p (log p - log q), with scalar densities from the math module,
    piecewise between the component means +- 12 standard deviations, with
    infinite tails, to a relative 1e-11 (absolute 1e-14).
    """

    def logpdf(mix, x):
        w, m, c = mix
        terms = [
            math.log(wk) - 0.5 * (x - mk) ** 2 / vk - 0.5 * math.log(2 * math.pi * vk)
            for wk, mk, vk in zip(w, m[:, 0], c[:, 0, 0], strict=True)
            if wk > 0
        ]
        top = max(terms)
        return top + math.log(math.fsum(math.exp(t - top) for t in terms))

    def integrand(x):
        lp = logpdf(p, x)
        return math.exp(lp) * (lp - logpdf(q, x))

    m = np.concatenate([p[1][:, 0], q[1][:, 0]])
    s = np.sqrt(np.concatenate([p[2][:, 0, 0], q[2][:, 0, 0]]))
    cuts = np.unique(np.concatenate([m - 12 * s, m, m + 12 * s]))
    pieces = [(-np.inf, cuts[0]), *itertools.pairwise(cuts)]
    pieces.append((cuts[-1], np.inf))
    with warnings.catch_warnings():
        # quad warns when rounding stops it short of 1e-11; it is still
        # far inside the 1e-8 the tests ask for.
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return math.fsum(
            integrate.quad(integrand, a, b, epsabs=1e-14, epsrel=1e-11, limit=200)[0]
            for a, b in pieces
        )


def random_mixture(rng, k, d, spread):
    w = rng.dirichlet(np.ones(k))
    m = rng.normal(0.0, spread, (k, d))
    a = rng.normal(size=(k, d, d)) / math.sqrt(d)
    c = a @ a.transpose(0, 2, 1) + 0.3 * np.eye(d)
    return (w, m, c)


# --- exact (1-D quadrature) against an independent quadrature -------------

CASES_1D = [
    # two modes against one wide normal
    (mix1d([0.5, 0.5], [-2, 2], [1, 1]), mix1d([1.0], [0.0], [math.sqrt(5)])),
    # overlapping three-component mixtures
    (
        mix1d([0.2, 0.5, 0.3], [-1, 0, 1.5], [0.6, 1, 0.8]),
        mix1d([0.6, 0.4], [0.2, -0.5], [1.2, 0.7]),
    ),
    # far apart, very different scales
    (mix1d([0.9, 0.1], [0, 30], [0.05, 3]), mix1d([0.5, 0.5], [1, -20], [2, 10])),
    # q much narrower than p: a large divergence
    (mix1d([1.0], [0], [5.0]), mix1d([0.5, 0.5], [-1, 1], [0.1, 0.1])),
]


@pytest.mark.parametrize(("p", "q"), CASES_1D)
def test_exact_matches_independent_quadrature(p, q):
    """method='exact' agrees with scipy.integrate.quad to 1e-8 relative."""
    assert_allclose(kl_gmm(p, q, method="exact"), quad_kl(p, q), rtol=1e-8)


@pytest.mark.parametrize(("p", "q"), CASES_1D)
def test_bounds_bracket_quadrature(p, q):
    """lower <= KL <= upper on the fixed 1-D cases."""
    ref = quad_kl(p, q)
    assert kl_gmm(p, q, method="lower") <= ref * (1 + 1e-9)
    assert kl_gmm(p, q, method="upper") >= ref * (1 - 1e-9)


def test_exact_against_mpmath_value():
    """A value pinned with mpmath at 30 digits.

    import mpmath as mp; mp.mp.dps = 30
    n = lambda x, m, s: mp.npdf(x, m, s)
    p = lambda x: (n(x, -2, 1) + n(x, 2, 1)) / 2; q = lambda x: n(x, 0, mp.sqrt(5))
    mp.quad(lambda x: p(x) * mp.log(p(x) / q(x)), [-mp.inf, -2, 0, 2, mp.inf])
    """
    p, q = CASES_1D[0]
    assert_allclose(kl_gmm(p, q, method="exact"), 0.171998762480183, rtol=1e-12)


def test_exact_near_identical_mixtures_stops_at_rounding():
    """p and q that nearly agree: rounding, not the rule, limits the accuracy.

    Regression: the adaptive quadrature once bisected without end (until
    memory ran out), because rounding in log p - log q kept the error
    estimate above 1e-10 of a divergence of 1e-25. References by mpmath:

    import mpmath as mp; mp.mp.dps = 50
    pdf = lambda x, mx: mp.fsum(w * mp.npdf(x, m, s) for w, m, s in mx)
    f = lambda x: pdf(x, p) * mp.log(pdf(x, p) / pdf(x, q))
    mp.quad(f, [-mp.inf, -10, -3, 0, 1, 4, 11, mp.inf])

    with p = [(0.5, 0, 1), (0.5, 1, 1)] and q the same with the second mean
    1 + 1e-9, or with the first mean 1e-12.
    """
    p = mix1d([0.5, 0.5], [0, 1], [1, 1])
    cases = [
        (mix1d([0.5, 0.5], [0, 1 + 1e-9], [1, 1]), 1.4303471357753222822e-19),
        (mix1d([0.5, 0.5], [1e-12, 1], [1, 1]), 1.4303468992260402983e-25),
    ]
    for q, ref in cases:
        # the documented floor, 1e-14 * int |p - q| (below 1e-12 here)
        assert_allclose(kl_gmm(p, q, method="exact"), ref, rtol=1e-10, atol=1e-26)
        assert kl_gmm(p, q, method="upper") >= ref
        assert kl_gmm(p, q, method="lower") <= ref


# --- property tests on random 1-D mixtures ---------------------------------


@st.composite
def mixtures_1d(draw, max_k=3):
    k = draw(st.integers(1, max_k))
    raw = draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k))
    w = np.array(raw) / math.fsum(raw)
    means = draw(st.lists(st.floats(-6, 6), min_size=k, max_size=k))
    sds = draw(st.lists(st.floats(0.2, 4.0), min_size=k, max_size=k))
    return mix1d(w, means, sds)


@settings(max_examples=150, deadline=None)
@given(mixtures_1d(), mixtures_1d())
def test_lower_exact_upper_ordered(p, q):
    """lower <= exact <= upper, against quad; the lower kernel before its clamp."""
    ref = quad_kl(p, q)
    tol = 1e-9 * ref + 1e-12  # the quadrature's own accuracy
    lo_raw = _lower(_as_mixture(p, "p"), _as_mixture(q, "q"))
    up_raw = _upper(_as_mixture(p, "p"), _as_mixture(q, "q"))
    assert lo_raw <= ref + tol
    assert up_raw >= ref - tol
    assert kl_gmm(p, q, method="lower") <= kl_gmm(p, q, method="exact") + tol
    assert kl_gmm(p, q, method="exact") <= kl_gmm(p, q, method="upper") + tol
    assert_allclose(kl_gmm(p, q, method="exact"), ref, rtol=1e-8, atol=1e-12)


@st.composite
def normal_pairs(draw):
    d = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    p = random_mixture(rng, 1, d, 2.0)
    q = random_mixture(rng, 1, d, 2.0)
    return p, q


@settings(max_examples=60, deadline=None)
@given(normal_pairs())
def test_single_components_give_the_closed_form(pair):
    """K = 1 on both sides: variational, matched and the bounds are kl_mvnormal."""
    p, q = pair
    ref = kl_mvnormal(p[1][0], p[2][0], q[1][0], q[2][0])
    methods = ["variational", "matched", "upper", "lower"]
    if p[1].shape[1] == 1:
        methods.append("exact")
    for method in methods:
        assert kl_gmm(p, q, method=method) == ref, method


def test_product_is_not_exact_for_single_normals():
    """D_prod for N(0, 1) against N(mu, 1) is mu^2 / 4, half the divergence."""
    mu = 1.5
    p, q = mix1d([1.0], [0.0], [1.0]), mix1d([1.0], [mu], [1.0])
    assert_allclose(kl_gmm(p, q, method="product"), mu**2 / 4, rtol=1e-14)
    assert_allclose(kl_gmm(p, q, method="exact"), mu**2 / 2, rtol=1e-14)


def test_monte_carlo_single_components_within_error():
    """K = 1: Monte Carlo is within 4 standard errors of the closed form."""
    rng = np.random.default_rng(3)
    p, q = random_mixture(rng, 1, 3, 1.0), random_mixture(rng, 1, 3, 1.0)
    ref = kl_mvnormal(p[1][0], p[2][0], q[1][0], q[2][0])
    res = kl_gmm(p, q, n=200_000, rng=4)
    assert isinstance(res, MonteCarloResult)
    assert abs(res.value - ref) < 4 * res.stderr


@settings(max_examples=40, deadline=None)
@given(mixtures_1d(), st.integers(0, 2**32 - 1))
def test_same_mixture_gives_zero(p, seed):
    """p = q gives 0 for every method, also reordered and with a split component."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(p[0].size)
    q = (p[0][perm], p[1][perm], p[2][perm])
    # split the first component into two halves of the same normal
    split = (
        np.concatenate([q[0][:1] / 2, q[0][:1] / 2, q[0][1:]]),
        np.concatenate([q[1][:1], q[1]]),
        np.concatenate([q[2][:1], q[2]]),
    )
    for other in (p, q, split):
        for method in ALL_1D:
            assert kl_gmm(p, other, method=method) == 0.0, method
    res = kl_gmm(p, q, n=1000, rng=1)
    assert (res.value, res.stderr) == (0.0, 0.0)


@pytest.mark.parametrize(("d", "k"), [(2, 3), (3, 2), (1, 70)])
def test_same_mixture_gives_zero_on_the_array_path(d, k):
    """As above where the array kernels run (d > 1, or more than 64
    components in d = 1): exactly 0, not a rounding margin of 1e-14."""
    rng = np.random.default_rng(d + k)
    p = random_mixture(rng, k, d, 2.0)
    perm = rng.permutation(k)
    q = tuple(a[perm] for a in p)
    for method in ALL_1D if d == 1 else DETERMINISTIC:
        assert kl_gmm(p, q, method=method) == 0.0, method


def test_same_mixture_padded_with_zero_weights_gives_zero():
    """The same 10 components, one side padded with 60 of weight 0: the
    padded one (70 entries) goes through the array path, the other through
    the list path, and they are still recognised as the same mixture."""
    rng = np.random.default_rng(11)
    p = random_mixture(rng, 10, 1, 2.0)
    pad = random_mixture(rng, 60, 1, 2.0)
    padded = (
        np.concatenate([p[0], np.zeros(60)]),
        *(np.concatenate([a, b]) for a, b in zip(p[1:], pad[1:], strict=True)),
    )
    for method in ALL_1D:
        assert kl_gmm(p, padded, method=method) == 0.0, method
        assert kl_gmm(padded, p, method=method) == 0.0, method


def test_monte_carlo_default_sample_size():
    """The documented default, n = 100_000 draws."""
    p, q = OVERLAPPING
    assert kl_gmm(p, q, rng=0).n == 100_000


@settings(max_examples=40, deadline=None)
@given(mixtures_1d(), mixtures_1d(), st.integers(0, 2**32 - 1))
def test_component_order_does_not_matter(p, q, seed):
    """Permuting the components of p and q changes no result, not even MC's."""
    rng = np.random.default_rng(seed)
    pp, qp = (rng.permutation(p[0].size), rng.permutation(q[0].size))
    p2 = tuple(a[pp] for a in p)
    q2 = tuple(a[qp] for a in q)
    for method in ALL_1D:
        assert kl_gmm(p, q, method=method) == kl_gmm(p2, q2, method=method)
    assert kl_gmm(p, q, n=500, rng=7) == kl_gmm(p2, q2, n=500, rng=7)


def test_order_invariance_in_3d():
    rng = np.random.default_rng(5)
    p, q = random_mixture(rng, 4, 3, 1.0), random_mixture(rng, 3, 3, 1.0)
    p2 = tuple(a[::-1] for a in p)
    for method in [*DETERMINISTIC, "monte_carlo"]:
        assert kl_gmm(p, q, method=method, n=1000, rng=2) == kl_gmm(
            p2, q, method=method, n=1000, rng=2
        )


def test_zero_weights_are_ignored():
    """A zero-weight component, however wild, changes nothing."""
    p = mix1d([0.3, 0.7], [0, 2], [1, 0.5])
    q = mix1d([0.4, 0.6], [1, -1], [2, 1])
    p0 = mix1d([0.3, 0.0, 0.7], [0, 1e6, 2], [1, 1e-6, 0.5])
    q0 = mix1d([0.0, 0.4, 0.6], [-1e6, 1, -1], [1e3, 2, 1])
    for method in ALL_1D:
        assert kl_gmm(p0, q0, method=method) == kl_gmm(p, q, method=method)


def test_zero_weights_are_ignored_on_the_array_path():
    """As above in d = 2, where the array kernels run (and Monte Carlo)."""
    rng = np.random.default_rng(5)
    p, q = random_mixture(rng, 2, 2, 1.0), random_mixture(rng, 2, 2, 1.0)
    wild = random_mixture(rng, 1, 2, 1e3)
    p0 = tuple(np.concatenate([a, b]) for a, b in zip(p, wild, strict=True))
    p0 = (np.concatenate([p[0], [0.0]]), *p0[1:])
    for method in DETERMINISTIC:
        assert kl_gmm(p0, q, method=method) == kl_gmm(p, q, method=method)
    assert kl_gmm(p0, q, n=1000, rng=3) == kl_gmm(p, q, n=1000, rng=3)


def test_never_nan_on_extreme_inputs():
    """Far-apart components and very different scales give finite numbers."""
    p = mix1d([0.5, 0.5], [-500, 500], [1e-3, 1e2])
    q = mix1d([0.999, 0.001], [0, 1e4], [1e-2, 1e3])
    values = [kl_gmm(p, q, method=m) for m in ALL_1D]
    assert np.isfinite(values).all(), values
    assert kl_gmm(p, q, method="lower") <= kl_gmm(p, q, method="exact")
    assert kl_gmm(p, q, method="exact") <= kl_gmm(p, q, method="upper")
    assert np.isfinite(kl_gmm(p, q, n=1000, rng=0).value)


def test_base_converts_units():
    p, q = CASES_1D[1]
    for method in ALL_1D:
        assert_allclose(
            kl_gmm(p, q, method=method, base=2),
            kl_gmm(p, q, method=method) / math.log(2),
            rtol=1e-15,
        )


# --- the lower bound by the Donsker-Varadhan formula -----------------------

OVERLAPPING = (  # the overlapping pair of chapter 11
    mix1d([0.4, 0.6], [-0.5, 0.5], [0.7, 1.0]),
    mix1d([0.5, 0.5], [0.0, 1.0], [1.0, 0.8]),
)


def dv_args(p, q):
    """1-D tuples as `_dv_lower` takes them: weights, means, standard deviations."""
    return (
        p[0],
        p[1][:, 0],
        np.sqrt(p[2][:, 0, 0]),
        q[0],
        q[1][:, 0],
        np.sqrt(q[2][:, 0, 0]),
    )


def dv(p, q):
    return _dv_lower(*dv_args(p, q))


@settings(max_examples=150, deadline=None)
@given(mixtures_1d(max_k=4), mixtures_1d(max_k=4))
def test_dv_lower_is_below_quadrature_and_close(p, q):
    """The Donsker-Varadhan bound is <= the truth (quad), and within 5 % of it.

    The second assertion catches a kernel that is valid only because it is
    small (or 0): on 6000 random pairs like these (30 % of them nearly
    equal) the linear interpolant of log(p/q) lost 2e-4 relative at most,
    1e-5 typically. The absolute slack is the kernel's rounding margin for
    p = q (a few eps).
    """
    ref = quad_kl(p, q)
    value = dv(p, q)
    assert value <= ref + 1e-9 * ref + 1e-12
    assert value >= 0.95 * ref - 1e-13


def test_dv_lower_is_the_formula_for_its_test_function():
    """E_p[T] - log E_q[exp T] by scipy.integrate.quad, for the same T.

    T interpolates log(p/q) linearly between the kernel's nodes and is
    constant beyond the end ones; integrated here piece by piece, the
    kernel's closed forms (truncated-normal moments, completed squares)
    must give the same value, less a rounding margin far below 1e-9.
    """
    p, q = OVERLAPPING
    args = dv_args(p, q)
    mu = np.concatenate([args[1], args[4]])[:, None]
    sd = np.concatenate([args[2], args[5]])[:, None]
    logw = np.log(np.concatenate([args[0], args[3]]))[:, None]
    x, _, t, _ = _dv_nodes_1(
        (mu + sd * _DV_STEPS).ravel(), mu, sd, logw, 2, _DV_MAX_NODES
    )
    x, t = x.tolist(), t.tolist()

    def test_fn(y):
        if y <= x[0]:
            return t[0]
        if y >= x[-1]:
            return t[-1]
        i = int(np.searchsorted(x, y)) - 1
        return t[i] + (t[i + 1] - t[i]) / (x[i + 1] - x[i]) * (y - x[i])

    def pdf(mix, y):
        w, m, c = mix
        return float(np.sum(w * stats.norm.pdf(y, m[:, 0], np.sqrt(c[:, 0, 0]))))

    cuts = [(-np.inf, x[0]), *itertools.pairwise(x), (x[-1], np.inf)]
    e_p = math.fsum(
        integrate.quad(lambda y: pdf(p, y) * test_fn(y), a, b, epsabs=1e-15)[0]
        for a, b in cuts
    )
    e_q = math.fsum(
        integrate.quad(lambda y: pdf(q, y) * math.exp(test_fn(y)), a, b, epsabs=1e-15)[
            0
        ]
        for a, b in cuts
    )
    assert_allclose(_dv_lower(*args), e_p - math.log(e_q), rtol=0, atol=1e-9)


def test_dv_lower_batch_matches_one_row_at_a_time():
    """Projections are bounded all at once (rows of means and deviations
    sharing the weights); each row equals the one-row call on the same
    nodes, including a row whose nodes repeat (two components of p that
    project alike): intervals of width 0 there add nothing."""
    rng = np.random.default_rng(21)
    wf, wg = rng.dirichlet(np.ones(2)), rng.dirichlet(np.ones(3))
    mf, sf = rng.normal(0, 2, (3, 2)), rng.uniform(0.5, 2, (3, 2))
    mg, sg = rng.normal(0, 2, (3, 3)), rng.uniform(0.5, 2, (3, 3))
    mf[1], sf[1] = 0.7, 1.3  # row 1: p's two components coincide
    for max_nodes in (64, _DV_MAX_NODES):  # thinned, and not
        batch = _dv_lower(wf, mf, sf, wg, mg, sg, max_nodes, 0)
        assert batch.shape == (3,)
        for i in range(3):
            one = _dv_lower(wf, mf[i], sf[i], wg, mg[i], sg[i], max_nodes, 0)
            if i == 1 and max_nodes == 64:
                continue  # thinning after deduplication picks other nodes
            assert_allclose(batch[i], one, rtol=1e-13)
    with pytest.raises(ValueError, match="cannot be split"):
        _dv_lower(wf, mf, sf, wg, mg, sg, _DV_MAX_NODES, 1)


def test_dv_lower_far_apart_tails_underflow():
    """Where q underflows, the bound is finite, large and below the truth."""
    p, q = mix1d([1.0], [0.0], [1.0]), mix1d([0.5, 0.5], [1000.0, 1001.0], [1.0, 2.0])
    value = dv(p, q)
    ref = quad_kl(p, q)
    assert np.isfinite(value)
    assert 0.99 * ref < value <= ref


def test_lower_is_positive_on_the_overlapping_pair():
    """Regression: the Jensen lower bound is below 0 there; the new one is not."""
    p, q = OVERLAPPING
    f, g = _as_mixture(p, "p"), _as_mixture(q, "q")
    ref = quad_kl(p, q)  # 0.1004
    assert _jensen_lower(f, g) < 0.0
    lower = kl_gmm(p, q, method="lower")
    assert 0.97 * ref <= lower <= ref


@settings(max_examples=60, deadline=None)
@given(mixtures_1d(max_k=4), mixtures_1d(max_k=4))
def test_every_fixed_point_iterate_is_an_upper_bound(p, q):
    """Stopping the over-relaxed iteration at any step gives an upper bound,
    and it ends at least as low as the plain Hershey-Olsen iteration it
    replaced (written here from their paper: from phi = psi = pi omega^T, at
    most 200 steps) under the same stopping rule (two steps in a row that
    lower the bound by less than `_UPPER_STALL` relative)."""
    f, g = _as_mixture(p, "p"), _as_mixture(q, "q")
    kl = _pair_kl(f, g)
    ref = quad_kl(p, q)
    rows = kl.tolist()
    for steps in (1, 2, 3, 5, 8):
        assert _variational_upper(f, g, kl, max_iter=steps) >= ref * (1 - 1e-9) - 1e-12
        small = _small_variational_upper(
            f.weights.tolist(), g.weights.tolist(), rows, steps
        )
        assert small >= ref * (1 - 1e-9) - 1e-12
    pi, om = f.weights, g.weights
    phi = psi = np.outer(pi, om)
    # rows scaled by their largest entry (phi is normalised per row, so
    # this changes nothing but underflow)
    e = np.exp(kl.min(axis=1)[:, None] - kl)
    plain = np.inf
    stalls = 0
    for _ in range(200):
        s = psi * e
        phi = s * (pi / s.sum(axis=1))[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 log 0
            value = float(np.sum(phi * (np.log(phi / psi) + kl), where=phi > 0))
        stalls = 0 if value < plain - _UPPER_STALL * abs(plain) else stalls + 1
        plain = min(plain, value)
        if stalls == 2:
            break
        psi = phi * (om / phi.sum(axis=0))[None]
    fast = _variational_upper(f, g, kl)
    # Both stop where steps lower the bound by under _UPPER_STALL relative,
    # each a few times that above its limit at most (linear convergence);
    # the code also adds a rounding margin of a few eps times the terms.
    assert fast <= plain * (1 + 10 * _UPPER_STALL) + 1e-12


# --- several dimensions: an independent large Monte Carlo ------------------


def reference_monte_carlo(p, q, n, seed):
    """Mean and standard error of log p - log q with scipy's multivariate normal."""
    rng = np.random.default_rng(seed)
    w, m, c = p
    comp = rng.choice(w.size, size=n, p=w)
    x = np.empty((n, m.shape[1]))
    for j in range(w.size):
        idx = comp == j
        x[idx] = rng.multivariate_normal(m[j], c[j], size=idx.sum())

    def logpdf(mix):
        ww, mm, cc = mix
        rows = [
            stats.multivariate_normal(mm[j], cc[j]).logpdf(x) for j in range(ww.size)
        ]
        return logsumexp(np.array(rows), axis=0, b=ww[:, None])

    r = logpdf(p) - logpdf(q)
    return r.mean(), r.std(ddof=1) / math.sqrt(n)


@pytest.mark.parametrize(
    ("d", "kp", "kq", "spread"), [(2, 3, 2, 2.0), (3, 4, 4, 1.0), (5, 2, 3, 0.5)]
)
def test_multivariate_against_reference_monte_carlo(d, kp, kq, spread):
    """MC agrees with an independent MC; the bounds bracket it in 2-5 d."""
    rng = np.random.default_rng(100 + d)
    p, q = random_mixture(rng, kp, d, spread), random_mixture(rng, kq, d, spread)
    ref, ref_se = reference_monte_carlo(p, q, 400_000, seed=d)
    res = kl_gmm(p, q, n=400_000, rng=d + 1)
    assert abs(res.value - ref) < 4 * math.hypot(res.stderr, ref_se)
    assert_allclose(res.stderr, ref_se, rtol=0.05)  # same variance of log-ratio
    assert kl_gmm(p, q, method="lower") <= ref + 4 * ref_se
    assert kl_gmm(p, q, method="upper") >= ref - 4 * ref_se


@st.composite
def mixture_pairs_nd(draw):
    d = draw(st.integers(2, 5))
    kp, kq = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    spread = draw(st.sampled_from([0.3, 1.0, 2.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return random_mixture(rng, kp, d, spread), random_mixture(rng, kq, d, spread)


@settings(max_examples=12, deadline=None)
@given(mixture_pairs_nd())
def test_lower_below_reference_monte_carlo_2_to_5_d(pair):
    """lower <= KL in 2-5 d, against an independent Monte Carlo (4 standard errors)."""
    p, q = pair
    ref, ref_se = reference_monte_carlo(p, q, 100_000, seed=7)
    assert _lower(_as_mixture(p, "p"), _as_mixture(q, "q")) <= ref + 4 * ref_se


@pytest.mark.parametrize(
    ("d", "kp", "kq", "spread"), [(2, 3, 2, 2.0), (3, 4, 4, 1.0), (5, 2, 3, 0.5)]
)
def test_projected_lower_is_informative(d, kp, kq, spread):
    """The projections lift the bound above the Jensen one, and above 0."""
    rng = np.random.default_rng(100 + d)
    p, q = random_mixture(rng, kp, d, spread), random_mixture(rng, kq, d, spread)
    f, g = _as_mixture(p, "p"), _as_mixture(q, "q")
    lower = kl_gmm(p, q, method="lower")
    assert lower > max(_jensen_lower(f, g), 0.0)


def test_directions_include_the_principal_axes_of_the_means():
    """Among the projection directions: the leading principal axis of each
    mixture's component means, as documented. Here p's means lie along u
    and q's along v (d = 3), both centred at 0, and the component
    covariances make both overall covariances 5 I: Fisher's direction is 0
    and the generalised eigenvectors are arbitrary, so only the principal
    axes can give u and v."""
    u = np.array([1.0, 2.0, 2.0]) / 3.0
    v = np.array([2.0, -1.0, 0.0]) / math.sqrt(5.0)
    half = np.array([0.5, 0.5])

    def along(axis):  # means +-2 axis (scatter 4 axis axis^T)
        cov = 5.0 * np.eye(3) - 4.0 * np.outer(axis, axis)
        return (half, np.outer([-2.0, 2.0], axis), np.stack([cov, cov]))

    dirs = _directions(_as_mixture(along(u), "p"), _as_mixture(along(v), "q"))
    assert_allclose(np.linalg.norm(dirs, axis=1), 1.0, rtol=1e-12)
    for axis in (u, v):
        assert np.abs(dirs @ axis).max() == pytest.approx(1.0, abs=1e-12)


def test_projected_lower_with_equal_overall_means():
    """Equal overall means make Fisher's direction zero: it is dropped (a
    zero direction would give NaN). Here y is N(0, 1) under both, apart
    from x, so the divergence is that of the x marginals (1-D quadrature),
    and the projection onto p's axis of means nearly attains it (1 % below:
    projections use the node grid alone, without splitting; the other
    directions give 0, Jensen's bound two thirds of it)."""
    eye = np.eye(2)
    p = (
        np.array([0.5, 0.5]),
        np.array([[-2.0, 0.0], [2.0, 0.0]]),
        np.stack([eye, eye]),
    )
    q = (np.ones(1), np.zeros((1, 2)), np.diag([5.0, 1.0])[None])
    ref = quad_kl(
        mix1d([0.5, 0.5], [-2.0, 2.0], [1.0, 1.0]), mix1d([1.0], [0.0], [5**0.5])
    )
    assert 0.97 * ref <= kl_gmm(p, q, method="lower") <= ref


@pytest.mark.parametrize("d", [1, 3])
def test_log_overlap_matches_scipy(d):
    """log int f_a g_b = log N(mu_a; mu_b, S_a + S_b), from scipy's densities."""
    rng = np.random.default_rng(30 + d)
    p, q = random_mixture(rng, 3, d, 2.0), random_mixture(rng, 2, d, 2.0)
    f, g = _as_mixture(p, "p"), _as_mixture(q, "q")
    want = [
        [
            stats.multivariate_normal(g.means[b], f.covs[a] + g.covs[b]).logpdf(
                f.means[a]
            )
            for b in range(2)
        ]
        for a in range(3)
    ]
    assert_allclose(_log_overlap(f, g), want, rtol=1e-12)


def test_jensen_lower_matches_durrieu_thiran_kelly():
    """The Jensen lower bound, written out here (Durrieu, Thiran and Kelly,
    2012, eq. for L(f||g)) in 3-D: sum_a pi_a [log sum_a' pi_a' exp(-D(f_a ||
    f_a')) - log sum_b omega_b z_ab - H(f_a)], z_ab = int f_a g_b, with
    divergences from kl_mvnormal and z_ab and H from scipy."""
    rng = np.random.default_rng(41)
    p, q = random_mixture(rng, 3, 3, 1.5), random_mixture(rng, 2, 3, 1.5)
    f, g = _as_mixture(p, "p"), _as_mixture(q, "q")
    total = 0.0
    for a in range(3):
        self_term = math.log(
            math.fsum(
                f.weights[j]
                * math.exp(-kl_mvnormal(f.means[a], f.covs[a], f.means[j], f.covs[j]))
                for j in range(3)
            )
        )
        cross = math.log(
            math.fsum(
                g.weights[b]
                * stats.multivariate_normal(g.means[b], f.covs[a] + g.covs[b]).pdf(
                    f.means[a]
                )
                for b in range(2)
            )
        )
        ent = stats.multivariate_normal(f.means[a], f.covs[a]).entropy()
        total += f.weights[a] * (self_term - cross - ent)
    assert_allclose(_jensen_lower(f, g), total, rtol=1e-12)


def test_sample_draws_every_point_from_a_component():
    """Far-apart components: each of a few draws lies near one of the means,
    and each component gets a share of a large sample close to its weight."""
    means = np.array([[1e3, -1e3], [-1e3, 1e3], [0.0, 5e3]])
    f = _as_mixture((np.array([0.2, 0.3, 0.5]), means, np.stack([np.eye(2)] * 3)), "p")
    gen = np.random.default_rng(5)
    for n in (2, 3, 7):
        x = _sample(f, n, gen)
        dist = np.linalg.norm(x[:, None] - f.means[None], axis=-1).min(axis=1)
        assert (dist < 10.0).all(), dist
    x = _sample(f, 30_000, gen)
    nearest = np.linalg.norm(x[:, None] - f.means[None], axis=-1).argmin(axis=1)
    share = np.bincount(nearest, minlength=3) / x.shape[0]
    # 5 standard errors of a multinomial share
    assert_allclose(share, f.weights, atol=5 * math.sqrt(0.25 / 30_000))
    offsets = x - f.means[nearest]
    assert abs(offsets.mean()) < 5 / math.sqrt(2 * 30_000)


def test_lower_projects_on_the_mean_difference():
    """Only Fisher's direction sees the difference: both mixtures have
    isotropic components with one mean, shifted by 1.5 along the second
    axis (so covariance eigenvectors and mean scatter say nothing). The
    lower bound must then be close to the divergence of the two projected
    1-D mixtures, written here with the 1-D code (a shift along e_2 of
    mixtures whose components share a mean: the other axes add nothing
    that a projection could see, and the 1-D value is a lower bound)."""
    covs = np.stack([np.eye(3), 2.0 * np.eye(3)])
    w = np.array([0.5, 0.5])
    p = (w, np.array([[5.0, 0.0, 0.0]] * 2), covs)
    q = (w, np.array([[5.0, 1.5, 0.0]] * 2), covs)
    p1, q1 = (
        mix1d(w, [0, 0], [1, math.sqrt(2)]),
        mix1d(w, [1.5, 1.5], [1, math.sqrt(2)]),
    )
    ref = quad_kl(p1, q1)
    assert kl_gmm(p, q, method="lower") >= 0.98 * ref


def test_log_density_matches_scipy():
    """The log-sum-exp over Cholesky factors equals scipy's densities."""
    rng = np.random.default_rng(8)
    p = random_mixture(rng, 3, 4, 1.0)
    x = rng.normal(size=(50, 4)) * 3
    want = logsumexp(
        [stats.multivariate_normal(p[1][j], p[2][j]).logpdf(x) for j in range(3)],
        axis=0,
        b=p[0][:, None],
    )
    assert_allclose(_log_pdf(_as_mixture(p, "p"), x), want, rtol=1e-12)


# --- adapters ---------------------------------------------------------------


def to_full(gm):
    """Full covariances of a fitted scikit-learn mixture, by the documented shapes."""
    k, d = gm.means_.shape
    cov = gm.covariances_
    if gm.covariance_type == "full":
        full = cov
    elif gm.covariance_type == "tied":
        full = np.stack([cov] * k)
    elif gm.covariance_type == "diag":
        full = np.stack([np.diag(v) for v in cov])
    else:
        full = np.stack([v * np.eye(d) for v in cov])
    return (gm.weights_, gm.means_, full)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_sklearn_adapter(covariance_type):
    """A fitted GaussianMixture gives the same results as its tuple form."""
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.normal(0, 1, (300, 2)), rng.normal(3, 0.5, (200, 2))])
    y = rng.normal(1, 1.5, (400, 2))
    gp = sklearn_mixture.GaussianMixture(
        2, covariance_type=covariance_type, random_state=0
    ).fit(x)
    gq = sklearn_mixture.GaussianMixture(
        3, covariance_type=covariance_type, random_state=0
    ).fit(y)
    tp, tq = to_full(gp), to_full(gq)
    # the tuple is the same density as scikit-learn's own
    pts = rng.normal(1, 2, (20, 2))
    assert_allclose(
        _log_pdf(_as_mixture(tp, "p"), pts), gp.score_samples(pts), rtol=1e-10
    )
    for method in [*DETERMINISTIC, "monte_carlo"]:
        assert kl_gmm(gp, gq, method=method, n=1000, rng=1) == kl_gmm(
            tp, tq, method=method, n=1000, rng=1
        )


def test_sklearn_monte_carlo_agrees_with_score_samples():
    """kl_gmm's MC agrees with the two scikit-learn lines within error."""
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    rng = np.random.default_rng(12)
    gp = sklearn_mixture.BayesianGaussianMixture(
        n_components=2, max_iter=2000, random_state=0
    ).fit(rng.normal(0, 1, (500, 3)))
    gq = sklearn_mixture.GaussianMixture(2, random_state=0).fit(
        rng.normal(0.5, 1.3, (500, 3))
    )
    gp.random_state = 5
    x, _ = gp.sample(200_000)
    r = gp.score_samples(x) - gq.score_samples(x)
    res = kl_gmm(gp, gq, n=200_000, rng=6)
    assert abs(res.value - r.mean()) < 4 * math.hypot(
        res.stderr, r.std() / math.sqrt(r.size)
    )


def test_sklearn_unfitted_is_an_error():
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    p = mix1d([1.0], [0.0], [1.0])
    with pytest.raises(
        ValueError, match=r"`q` is a scikit-learn mixture that has not been fitted"
    ):
        kl_gmm(p, sklearn_mixture.GaussianMixture(2), method="upper")


def test_scipy_mixture_adapter():
    """A scipy.stats.Mixture of Normals gives the same results as its tuple form."""
    if not hasattr(stats, "Mixture"):
        pytest.skip("scipy.stats.Mixture needs SciPy 1.15")
    sp = stats.Mixture(
        [stats.Normal(mu=-1.0, sigma=0.5), stats.Normal(mu=2.0, sigma=1.5)],
        weights=[0.3, 0.7],
    )
    sq = stats.Mixture(
        [stats.Normal(mu=0.0, sigma=2.0), stats.Normal()], weights=[0.5, 0.5]
    )
    tp, tq = mix1d([0.3, 0.7], [-1, 2], [0.5, 1.5]), mix1d([0.5, 0.5], [0, 0], [2, 1])
    for method in ALL_1D:
        assert kl_gmm(sp, sq, method=method) == kl_gmm(tp, tq, method=method)
    # and the tuple is scipy's density
    x = np.linspace(-4, 5, 9)
    assert_allclose(
        _log_pdf(_as_mixture(tp, "p"), x[:, None]), sp.logpdf(x), rtol=1e-12
    )
    with pytest.raises(
        TypeError, match=r"`q` is a scipy.stats.Mixture whose component 1 is a Uniform"
    ):
        kl_gmm(
            sp,
            stats.Mixture([stats.Normal(), stats.Uniform(a=0.0, b=1.0)]),
            method="upper",
        )


# --- bad input --------------------------------------------------------------

GOOD = mix1d([0.5, 0.5], [0, 1], [1, 1])


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (
            mix1d([0.5, 0.4], [0, 1], [1, 1]),
            r"`p` weights must sum to 1, but they sum to 0.9",
        ),
        (mix1d([1.2, -0.2], [0, 1], [1, 1]), r"`p` weights must be non-negative"),
        (
            (np.array([1.0]), np.zeros((1, 1)), -np.ones((1, 1, 1))),
            r"a covariance of `p` is not positive definite",
        ),
        (
            (np.array([1.0]), np.zeros((1, 2)), np.array([[[1.0, 0.5], [0.0, 1.0]]])),
            r"a covariance of `p` must be symmetric",
        ),
        (
            (np.array([1.0]), np.zeros(1), np.ones((1, 1, 1))),
            r"`p` means must have shape \(K, d\)",
        ),
        (
            (np.array([1.0]), np.zeros((1, 1)), np.ones((1, 1))),
            r"`p` covariances must have shape \(K, d, d\)",
        ),
        (
            (np.array([1.0]), np.zeros((1, 0)), np.ones((1, 0, 0))),
            r"`p` means must have shape \(K, d\) = \(1, d\) with d >= 1",
        ),
        (
            (np.array([1.0]), np.array([[np.nan]]), np.ones((1, 1, 1))),
            r"`p` means contain NaN",
        ),
        (
            (np.array([1.0]), np.zeros((1, 1))),
            r"`p` must be a tuple \(weights, means, covariances\)",
        ),
    ],
)
def test_bad_mixture_is_a_value_error(bad, match):
    with pytest.raises(ValueError, match=match):
        kl_gmm(bad, GOOD, method="upper")


def test_bad_arguments():
    q2 = ([1.0], [[0.0, 0.0]], [np.eye(2)])
    with pytest.raises(
        ValueError, match=r"`p` and `q` have different dimensions: 1 and 2"
    ):
        kl_gmm(GOOD, q2, method="lower")
    with pytest.raises(
        ValueError, match=r"`method='exact'` is available for d = 1 only"
    ):
        kl_gmm(q2, q2, method="exact")
    with pytest.raises(ValueError, match=r"`method` must be one of"):
        kl_gmm(GOOD, GOOD, method="quadrature")
    with pytest.raises(
        TypeError,
        match=r"`q` must be a tuple \(weights, means, covariances\), a fitted",
    ):
        kl_gmm(GOOD, stats.norm(0, 1))
    with pytest.raises(ValueError, match=r"`n` must be at least 2"):
        kl_gmm(GOOD, GOOD, n=1)
    with pytest.raises(
        ValueError, match=r"`base` must be None or a number greater than 1"
    ):
        kl_gmm(GOOD, GOOD, method="upper", base=1)


def test_approximations_match_their_published_formulas():
    """D_var, D_prod and the matched value, written out here for a 1-D pair.

    Component divergences from kl_normal, overlaps from scipy.stats.norm.pdf,
    and the formulas of Hershey and Olsen (2007), eqs. for D_var and D_prod,
    and Goldberger et al. (2003) for the matched approximation.
    """
    pw, pm, ps = np.array([0.3, 0.7]), np.array([-1.0, 2.0]), np.array([0.5, 1.2])
    qw, qm, qs = np.array([0.6, 0.4]), np.array([0.0, 2.5]), np.array([1.0, 0.7])
    p, q = mix1d(pw, pm, ps), mix1d(qw, qm, qs)

    def kl(m1, s1, m2, s2):
        return kl_normal(m1, s1, m2, s2)

    var = prod = matched = 0.0
    for a in range(2):
        num_v = sum(pw[j] * math.exp(-kl(pm[a], ps[a], pm[j], ps[j])) for j in range(2))
        den_v = sum(qw[b] * math.exp(-kl(pm[a], ps[a], qm[b], qs[b])) for b in range(2))
        var += pw[a] * math.log(num_v / den_v)
        num_p = sum(
            pw[j] * stats.norm.pdf(pm[a], pm[j], math.hypot(ps[a], ps[j]))
            for j in range(2)
        )
        den_p = sum(
            qw[b] * stats.norm.pdf(pm[a], qm[b], math.hypot(ps[a], qs[b]))
            for b in range(2)
        )
        prod += pw[a] * math.log(num_p / den_p)
        costs = [kl(pm[a], ps[a], qm[b], qs[b]) - math.log(qw[b]) for b in range(2)]
        b = int(np.argmin(costs))
        matched += pw[a] * (kl(pm[a], ps[a], qm[b], qs[b]) + math.log(pw[a] / qw[b]))
    assert_allclose(kl_gmm(p, q, method="variational"), var, rtol=1e-13)
    assert_allclose(kl_gmm(p, q, method="product"), prod, rtol=1e-13)
    assert_allclose(kl_gmm(p, q, method="matched"), matched, rtol=1e-13)


@pytest.mark.parametrize("k", [3, 9])  # 9 pairs: Python floats; 81: numpy
def test_component_divergences_1d_match_kl_normal(k):
    """Both 1-D paths of the pair divergences agree with kl_normal, also
    for nearly equal scales (the series branch)."""
    rng = np.random.default_rng(k)
    sd = np.concatenate([rng.uniform(0.05, 5.0, k - 1), [1.0 + 1e-9]])
    p = mix1d(np.full(k, 1 / k), rng.normal(0, 2, k), sd)
    q = mix1d(np.full(k, 1 / k), rng.normal(0, 2, k), np.concatenate([sd[1:], [1.0]]))
    f, g = _as_mixture(p, "p"), _as_mixture(q, "q")
    ref = kl_normal(
        f.means[:, :1],
        np.sqrt(f.covs[:, 0, :1]),
        g.means[:, 0],
        np.sqrt(g.covs[:, 0, 0]),
    )
    assert_allclose(_pair_kl(f, g), ref, rtol=1e-13, atol=0)


@settings(max_examples=100, deadline=None)
@given(mixtures_1d(max_k=4), mixtures_1d(max_k=4))
def test_scalar_kernels_match_the_array_kernels(p, q):
    """Small 1-D mixtures go through Python-float kernels; the numpy kernels
    (a second implementation of the same formulas) give the same values."""
    f, g = _as_mixture(p, "p"), _as_mixture(q, "q")
    assert f.small is not None
    assert g.small is not None
    for method, kernel in _SMALL_METHODS.items():
        array = {
            "variational": _variational,
            "product": _product,
            "matched": _matched,
            "upper": _upper,
        }[method](f, g)
        assert_allclose(kernel(f, g), array, rtol=1e-10, atol=1e-13)


@settings(max_examples=100, deadline=None)
@given(mixtures_1d(max_k=6), mixtures_1d(max_k=6))
def test_scalar_iteration_matches_the_array_iteration(p, q):
    """The upper bound's fixed-point iteration in floats and in numpy: the
    same steps and stopping rule, so the same value to rounding (compared
    directly: the kernels return the smaller of it and Jensen's bound)."""
    f, g = _as_mixture(p, "p"), _as_mixture(q, "q")
    kl = _pair_kl(f, g)
    for steps in (1, 4, 200):
        scalar = _small_variational_upper(
            f.weights.tolist(), g.weights.tolist(), kl.tolist(), steps
        )
        # atol: near p == q the value is the rounding margin, a few 1e-14,
        # whose last bits depend on the order of the sums
        array = _variational_upper(f, g, kl, steps)
        assert_allclose(scalar, array, rtol=1e-10, atol=1e-13)


def test_relaxed_step_of_one_entry():
    """``old (new / old)^1.8``; 0 for an entry at 0 and where the power or
    the product overflows (numpy's iteration sets those to 0 too)."""
    assert _relaxed(0.5, 0.125) == pytest.approx(0.5 * 0.25**1.8, rel=1e-15)
    assert _relaxed(0.25, 0.5) == pytest.approx(0.25 * 2.0**1.8, rel=1e-15)
    assert _relaxed(0.0, 0.5) == 0.0
    assert _relaxed(-0.0, 0.5) == 0.0
    assert _relaxed(1e-300, 1.0) == 0.0  # (1e300)^1.8 overflows
    assert _relaxed(1e200, 1e290) == 0.0  # 1e200 (1e90)^1.8 overflows
    # a large power that does not overflow is kept
    assert _relaxed(1e-160, 1e-10) == pytest.approx(1e-160 * 1e150**1.8, rel=1e-12)


def test_large_1d_mixtures_use_the_array_kernels():
    """Beyond 8 components the array kernels run; they agree with the scalar
    ones on the same mixtures (the scalar kernels called directly)."""
    rng = np.random.default_rng(7)
    p = mix1d(rng.dirichlet(np.ones(12)), rng.normal(0, 2, 12), rng.uniform(0.5, 2, 12))
    q = mix1d(rng.dirichlet(np.ones(12)), rng.normal(0, 2, 12), rng.uniform(0.5, 2, 12))
    f, g = _as_mixture(p, "p"), _as_mixture(q, "q")
    for method, kernel in _SMALL_METHODS.items():
        assert_allclose(kl_gmm(p, q, method=method), kernel(f, g), rtol=1e-10)


@pytest.mark.parametrize(
    ("sd_p", "mean_p"), [(1e-11, 50.0), (1e-9, 30.0), (1e-6, 5.0), (1e3, 0.0)]
)
def test_dv_lower_single_normals_at_extreme_scales(sd_p, mean_p):
    """Against the closed form (kl_normal) for N(mean_p, sd_p^2) || N(0, 1).

    A narrow p makes log(p/q) span 1e25 across q's grid and the slopes of T
    reach 1e23: anchored at the wrong end, or with the completed square's
    exponents added directly, the terms cancel to garbage (a bound of -1e7).
    """
    one = np.ones(1)
    value = _dv_lower(one, np.array([mean_p]), np.array([sd_p]), one, np.zeros(1), one)
    ref = kl_normal(mean_p, sd_p, 0.0, 1.0)
    assert ref * (1 - 1e-4) <= value <= ref


@pytest.mark.parametrize("swap", [False, True])
def test_lower_is_tight_with_one_component_on_one_side(swap):
    """A single normal against a two-mode mixture (and the reverse): the
    Donsker-Varadhan bound (within 1e-4 relative of 0.0186 and 0.0131),
    not Jensen's (-0.16 and -0.22 here)."""
    p = mix1d([1.0], [0.0], [1.5])
    q = mix1d([0.5, 0.5], [-1.0, 1.0], [1.0, 1.0])
    if swap:
        p, q = q, p
    ref = quad_kl(p, q)
    f, g = _as_mixture(p, "p"), _as_mixture(q, "q")
    assert _jensen_lower(f, g) < 0.0
    assert ref * (1 - 1e-3) <= kl_gmm(p, q, method="lower") <= ref


def test_lower_far_tail_of_p_under_a_narrow_q():
    """Regression: p's small far component ends 8 deviations short of a
    narrow component of q 15 units away. Between them T interpolates a
    log q of curvature 300 on one interval, 2500 too high in the middle;
    p's mass there (1e-16) made the interval look negligible, but q e^T
    there is p e^2500, and the bound was -1e3 (returned as 0). Split where
    p's mass times expm1(error) matters, it is within 1e-6 of quadrature."""
    p = mix1d([0.9977, 0.0023], [-5.23, 19.87], [0.0963, 0.787])
    q = mix1d([0.9655, 0.0345], [-4.26, 34.89], [0.228, 0.0578])
    ref = quad_kl(p, q)  # 22.388
    assert ref * (1 - 1e-6) <= kl_gmm(p, q, method="lower") <= ref


@pytest.mark.parametrize("ratio", [1e2, 1e4, 1e5])
def test_lower_resolves_spike_and_slab(ratio):
    """Components 1e5 times narrower than others are still resolved: nodes
    are rounded on a grid of the smallest deviation (on one of the largest
    deviation, the spike's mass fell between nodes and the bound lost 37 %)."""
    p = mix1d([0.5, 0.5], [0.0, 0.0], [1.0, ratio])
    q = mix1d([0.3, 0.7], [0.5, 0.0], [1.0, 1.2 * ratio])
    ref = quad_kl(p, q)
    assert ref * (1 - 1e-4) <= kl_gmm(p, q, method="lower") <= ref
