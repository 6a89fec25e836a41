"""Tests for kl_normal and kl_mvnormal."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from kltools import kl_mvnormal, kl_normal

EPS = np.finfo(np.float64).eps

# Reference values: the published formulas evaluated with mpmath 1.4.1 at
# 50 significant digits, from the float arguments exactly (mp.mpf(float)):
#
#   import mpmath as mp; mp.mp.dps = 50; M = mp.mpf
#   def norm(m1, s1, m2, s2):
#       m1, s1, m2, s2 = map(M, (m1, s1, m2, s2))
#       return mp.log(s2 / s1) + (s1**2 + (m1 - m2)**2) / (2 * s2**2) - M(1) / 2
#   def mvn(m1, S1, m2, S2):
#       m1, m2 = mp.matrix([M(x) for x in m1]), mp.matrix([M(x) for x in m2])
#       S1 = mp.matrix([[M(x) for x in r] for r in S1])
#       S2 = mp.matrix([[M(x) for x in r] for r in S2])
#       k = S1.rows; iS2 = S2**-1; d = m2 - m1
#       tr = sum((iS2 * S1)[i, i] for i in range(k))
#       return (tr + (d.T * iS2 * d)[0] - k
#               + mp.log(mp.det(S2) / mp.det(S1))) / 2
#
# and printed with mp.nstr(value, 17).
NORMAL_CASES = [
    # norm(0.3, 1.2, -1.0, 2.5)
    ((0.3, 1.2, -1.0, 2.5), 0.48436917508020047),
    # norm(0.0, 1.0, 0.0, 0.01): q a hundred times narrower
    ((0.0, 1.0, 0.0, 0.01), 4994.8948298140117),
    # norm(0.0, 2.0, 0.0, 1.0): sigma is a standard deviation (variance 4)
    ((0.0, 2.0, 0.0, 1.0), 0.80685281944005469),
    # norm(-3.0, 0.5, 4.0, 20.0)
    ((-3.0, 0.5, 4.0, 20.0), 3.2504419541139363),
    # norm(0.0, 1e-3, 0.0, 1e3)
    ((0.0, 1e-3, 0.0, 1e3), 13.315510557964774),
    # nearly equal: norm(5.0, 3.0, 5.0, 3.0000003)
    ((5.0, 3.0, 5.0, 3.0000003), 9.999998330207929e-15),
    # nearly equal: norm(1.0, 1.0, 1.0000001, 1.0)
    ((1.0, 1.0, 1.0000001, 1.0), 5.0000000058386718e-15),
    # nearly equal: norm(0.0, 1.0, 1e-8, 1.0 + 1e-9)
    ((0.0, 1.0, 1e-8, 1.0 + 1e-9), 5.1000000063814076e-17),
]

MVN_CASES = [
    # mvn([0.0, 0.0], I, [1.0, 0.0], I)
    (([0.0, 0.0], np.eye(2), [1.0, 0.0], np.eye(2)), 0.5),
    # mvn([0.5, -1.0, 2.0], [[2.0, 0.3, -0.4], [0.3, 1.5, 0.2], [-0.4, 0.2, 1.0]],
    #     [0.0, 0.5, 1.0], [[1.0, -0.2, 0.1], [-0.2, 3.0, 0.5], [0.1, 0.5, 0.8]])
    (
        (
            [0.5, -1.0, 2.0],
            [[2.0, 0.3, -0.4], [0.3, 1.5, 0.2], [-0.4, 0.2, 1.0]],
            [0.0, 0.5, 1.0],
            [[1.0, -0.2, 0.1], [-0.2, 3.0, 0.5], [0.1, 0.5, 0.8]],
        ),
        1.9758772874907174,
    ),
    # mvn([0.0, 0.0], [[1.0, 0.9], [0.9, 1.0]], [0.0, 0.0], I)
    (
        ([0.0, 0.0], [[1.0, 0.9], [0.9, 1.0]], [0.0, 0.0], np.eye(2)),
        0.83036560341082556,
    ),
    # mvn([0.0], [[4.0]], [1.0], [[9.0]])  (= norm(0.0, 2.0, 1.0, 3.0))
    (([0.0], [[4.0]], [1.0], [[9.0]]), 0.18324288588594216),
]


@pytest.mark.parametrize(("args", "expected"), NORMAL_CASES)
def test_kl_normal_matches_mpmath(args, expected):
    """kl_normal agrees with the formula at 50 digits to 1e-12 relative."""
    assert_allclose(kl_normal(*args), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize(("args", "expected"), MVN_CASES)
def test_kl_mvnormal_matches_mpmath(args, expected):
    """kl_mvnormal agrees with the formula at 50 digits to 1e-12 relative."""
    assert_allclose(kl_mvnormal(*args), expected, rtol=1e-12, atol=0)


def test_kl_mvnormal_nearly_equal_covariances():
    """Nearly equal covariances: error within the Cholesky rounding bound."""
    # mvn([1.0, 2.0], [[4.0, 1.0], [1.0, 2.0]],
    #     [1.0, 2.0], [[4.0 * (1 + 1e-8), 1.0], [1.0, 2.0]])
    expected = 3.2653060330023292e-17
    cov_p = [[4.0, 1.0], [1.0, 2.0]]
    cov_q = [[4.0 * (1 + 1e-8), 1.0], [1.0, 2.0]]
    got = kl_mvnormal([1.0, 2.0], cov_p, [1.0, 2.0], cov_q)
    # Each Cholesky diagonal is exact to a few ulps, so log(a_ii) carries an
    # absolute error of a few eps against a size of about sqrt(KL), and
    # KL ~ sum u_i^2 an absolute error of about k * 4 eps * sqrt(KL).
    assert_allclose(got, expected, rtol=0, atol=2 * 4 * EPS * math.sqrt(expected))


def test_kl_normal_bits():
    """base=2 divides the divergence in nats by log(2)."""
    assert_allclose(
        kl_normal(0.3, 1.2, -1.0, 2.5, base=2),
        0.48436917508020047 / math.log(2),
        rtol=1e-15,
    )


def test_kl_normal_scalar_returns_float():
    """Scalar inputs give a Python float, exactly 0.0 for equal parameters."""
    out = kl_normal(1.5, 2.0, 1.5, 2.0)
    assert type(out) is float
    assert out == 0.0
    assert math.copysign(1.0, out) == 1.0


def test_kl_normal_broadcasts():
    """Array inputs broadcast and agree with elementwise scalar calls."""
    mu_p = np.array([[0.0], [1.0], [-2.0]])
    sigma_q = np.array([0.5, 1.0, 2.0, 4.0])
    out = kl_normal(mu_p, 1.5, 0.25, sigma_q)
    assert out.shape == (3, 4)
    expected = [[kl_normal(m, 1.5, 0.25, s) for s in sigma_q] for m in mu_p[:, 0]]
    assert_allclose(out, expected, rtol=0, atol=0)


def test_kl_normal_overflow_is_inf_not_nan():
    """A divergence beyond the largest float is inf, not NaN."""
    assert kl_normal(0.0, 1e200, 0.0, 1e-200) == math.inf
    assert kl_normal(-1e300, 1.0, 1e300, 1e-300) == math.inf


@pytest.mark.parametrize("name", ["sigma_p", "sigma_q"])
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_kl_normal_rejects_bad_sigma(name, bad):
    """A standard deviation <= 0 or non-finite is a ValueError naming it."""
    kwargs = {"mu_p": 0.0, "sigma_p": 1.0, "mu_q": 0.0, "sigma_q": 1.0, name: bad}
    args = [kwargs[k] for k in ("mu_p", "sigma_p", "mu_q", "sigma_q")]
    with pytest.raises(ValueError, match=f"`{name}` must be positive and finite"):
        kl_normal(*args)


def test_kl_normal_rejects_bad_sigma_in_array():
    """One bad entry in an array of standard deviations is rejected."""
    with pytest.raises(ValueError, match="`sigma_q` must be positive"):
        kl_normal(0.0, 1.0, 0.0, [1.0, -2.0])


@pytest.mark.parametrize("name", ["mu_p", "mu_q"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_kl_normal_rejects_non_finite_mean(name, bad):
    """A NaN or infinite mean is a ValueError naming it."""
    kwargs = {"mu_p": 0.0, "sigma_p": 1.0, "mu_q": 0.0, "sigma_q": 1.0, name: bad}
    args = [kwargs[k] for k in ("mu_p", "sigma_p", "mu_q", "sigma_q")]
    with pytest.raises(ValueError, match=f"`{name}` contains NaN or infinite"):
        kl_normal(*args)


def test_kl_normal_rejects_non_numeric():
    """Strings are a ValueError naming the argument."""
    with pytest.raises(ValueError, match="`mu_p` must be an array of real numbers"):
        kl_normal("a", 1.0, 0.0, 1.0)


def test_kl_normal_rejects_shapes_that_do_not_broadcast():
    """Shapes that do not broadcast are a ValueError listing them."""
    with pytest.raises(ValueError, match="shapes do not broadcast"):
        kl_normal([0.0, 1.0], 1.0, [0.0, 1.0, 2.0], 1.0)


@pytest.mark.parametrize("base", [1, 0, -2, "2"])
def test_kl_normal_rejects_bad_base(base):
    """An invalid base is a ValueError naming `base`."""
    with pytest.raises(ValueError, match="`base`"):
        kl_normal(0.0, 1.0, 1.0, 1.0, base=base)


# --- kl_mvnormal: structure and errors ---


def test_kl_mvnormal_diagonal_is_sum_of_univariate():
    """Independent coordinates: KL is the sum of the univariate divergences."""
    mean_p, sd_p = np.array([0.5, -1.0, 3.0]), np.array([1.0, 0.2, 4.0])
    mean_q, sd_q = np.array([0.0, 0.0, 2.0]), np.array([2.0, 0.3, 1.0])
    got = kl_mvnormal(mean_p, np.diag(sd_p**2), mean_q, np.diag(sd_q**2))
    expected = kl_normal(mean_p, sd_p, mean_q, sd_q).sum()
    # sqrt(sd**2) differs from sd by at most an ulp: a few eps relative.
    assert_allclose(got, expected, rtol=16 * EPS)


def test_kl_mvnormal_affine_invariance():
    """KL is unchanged when both distributions go through one affine map."""
    rng = np.random.default_rng(20240501)
    k = 4
    a = rng.normal(size=(k, k)) + 3 * np.eye(k)
    c = rng.normal(size=k)
    x, y = rng.normal(size=(k, k)), rng.normal(size=(k, k))
    cov_p, cov_q = x @ x.T + np.eye(k), y @ y.T + np.eye(k)
    mean_p, mean_q = rng.normal(size=k), rng.normal(size=k)
    before = kl_mvnormal(mean_p, cov_p, mean_q, cov_q)
    mapped_p = (a @ mean_p + c, a @ cov_p @ a.T)
    mapped_q = (a @ mean_q + c, a @ cov_q @ a.T)
    after = kl_mvnormal(*mapped_p, *mapped_q)
    # Rounding error grows like eps times the condition number of the mapped
    # covariances (here below 30, so ~1e-14); a wrong formula is off by O(1).
    assert_allclose(after, before, rtol=1e-12)


def test_kl_mvnormal_batch_broadcasting():
    """Leading dimensions of all four inputs broadcast; each entry is one pair."""
    rng = np.random.default_rng(7)
    k = 3
    x = rng.normal(size=(2, 1, k, k))
    cov_p = x @ np.swapaxes(x, -1, -2) + np.eye(k)  # batch (2, 1)
    y = rng.normal(size=(4, k, k))
    cov_q = y @ np.swapaxes(y, -1, -2) + np.eye(k)  # batch (4,)
    mean_p = rng.normal(size=(k,))  # no batch
    mean_q = rng.normal(size=(2, 4, k))  # batch (2, 4)
    out = kl_mvnormal(mean_p, cov_p, mean_q, cov_q)
    assert out.shape == (2, 4)
    for i in range(2):
        for j in range(4):
            one = kl_mvnormal(mean_p, cov_p[i, 0], mean_q[i, j], cov_q[j])
            assert_allclose(out[i, j], one, rtol=1e-14)


def test_kl_mvnormal_scalar_returns_float_and_bits():
    """A single pair gives a float; base=2 converts to bits."""
    out = kl_mvnormal([0.0, 0.0], np.eye(2), [1.0, 0.0], np.eye(2), base=2)
    assert type(out) is float
    assert_allclose(out, 0.5 / math.log(2), rtol=1e-15)


def test_kl_mvnormal_equal_is_zero():
    """Equal distributions give exactly 0.0."""
    cov = [[2.0, 0.5], [0.5, 1.0]]
    assert kl_mvnormal([1.0, 2.0], cov, [1.0, 2.0], cov) == 0.0


@pytest.mark.parametrize("name", ["cov_p", "cov_q"])
def test_kl_mvnormal_rejects_non_positive_definite(name):
    """An indefinite covariance is a ValueError naming it."""
    bad = [[1.0, 2.0], [2.0, 1.0]]  # eigenvalues 3 and -1
    args = {"cov_p": np.eye(2), "cov_q": np.eye(2), name: bad}
    with pytest.raises(ValueError, match=f"`{name}` is not positive definite"):
        kl_mvnormal([0, 0], args["cov_p"], [0, 0], args["cov_q"])


@pytest.mark.parametrize("name", ["cov_p", "cov_q"])
def test_kl_mvnormal_rejects_singular(name):
    """A singular covariance (no density) is a ValueError naming it."""
    singular = [[1.0, 1.0], [1.0, 1.0]]
    args = {"cov_p": np.eye(2), "cov_q": np.eye(2), name: singular}
    with pytest.raises(ValueError, match=f"`{name}` is not positive definite"):
        kl_mvnormal([0, 0], args["cov_p"], [0, 0], args["cov_q"])


def test_kl_mvnormal_rejects_non_positive_definite_in_batch():
    """One bad matrix in a batch is enough for the ValueError."""
    covs = np.stack([np.eye(2), -np.eye(2)])
    with pytest.raises(ValueError, match="`cov_q` is not positive definite"):
        kl_mvnormal([0, 0], np.eye(2), [0, 0], covs)


@pytest.mark.parametrize("name", ["cov_p", "cov_q"])
def test_kl_mvnormal_rejects_asymmetric(name):
    """A non-symmetric matrix is a ValueError, not silently half-read."""
    asym = [[2.0, 0.5], [0.0, 2.0]]
    args = {"cov_p": np.eye(2), "cov_q": np.eye(2), name: asym}
    with pytest.raises(ValueError, match=f"`{name}` must be symmetric"):
        kl_mvnormal([0, 0], args["cov_p"], [0, 0], args["cov_q"])


def test_kl_mvnormal_rejects_mismatched_dimensions():
    """Means of different lengths are a ValueError naming both."""
    with pytest.raises(ValueError, match="`mean_p` and `mean_q` have different"):
        kl_mvnormal([0, 0], np.eye(2), [0, 0, 0], np.eye(3))


def test_kl_mvnormal_rejects_wrong_covariance_shape():
    """A covariance that does not match the mean is a ValueError naming it."""
    with pytest.raises(ValueError, match=r"`cov_q` must have shape \(\.\.\., 2, 2\)"):
        kl_mvnormal([0, 0], np.eye(2), [0, 0], np.eye(3))
    with pytest.raises(ValueError, match="`cov_p` must have shape"):
        kl_mvnormal([0, 0], [1.0, 1.0], [0, 0], np.eye(2))


def test_kl_mvnormal_rejects_scalar_or_empty_mean():
    """A scalar or empty mean is a ValueError naming it."""
    with pytest.raises(ValueError, match="`mean_p` must have shape"):
        kl_mvnormal(0.0, [[1.0]], [0.0], [[1.0]])
    with pytest.raises(ValueError, match="`mean_q` must have shape"):
        kl_mvnormal([0.0], [[1.0]], np.zeros(0), np.zeros((0, 0)))


def test_kl_mvnormal_rejects_batch_mismatch():
    """Batch shapes that do not broadcast are a ValueError."""
    with pytest.raises(ValueError, match="batch shapes do not broadcast"):
        kl_mvnormal(np.zeros((2, 3)), np.eye(3), np.zeros((4, 3)), np.eye(3))


@pytest.mark.parametrize("name", ["mean_p", "cov_p", "mean_q", "cov_q"])
def test_kl_mvnormal_rejects_non_finite(name):
    """NaN in any input is a ValueError naming it."""
    args = {"mean_p": [0.0, 0.0], "cov_p": np.eye(2), "mean_q": [0.0, 0.0]}
    args["cov_q"] = np.eye(2)
    args[name] = np.full_like(np.asarray(args[name], dtype=float), np.nan)
    with pytest.raises(ValueError, match=f"`{name}` contains NaN or infinite"):
        kl_mvnormal(args["mean_p"], args["cov_p"], args["mean_q"], args["cov_q"])


# --- properties ---

means = st.floats(-10.0, 10.0)
sds = st.floats(0.1, 10.0)


def _rounding_tol(mu_p, sigma_p, mu_q, sigma_q):
    """Absolute tolerance for two evaluations from parameters rounded anew.

    Rounding sigma_p / sigma_q by a few eps moves u = log(sigma_p/sigma_q) by
    a few eps, so the term exp(2u) - 1 - 2u by about |exp(2u) - 1| * eps; the
    shifted means lose eps * (|mu_p| + |mu_q|) in their difference, which
    moves d = (mu_p - mu_q)/sigma_q by delta = eps * spread, and d^2 by
    2 |d| delta + delta^2 (the last term matters when the shift swamps d).
    Near u = 0 the variance term is about 2 u^2, so a rounding change of u
    by 4 eps moves it by up to 2 (4 eps)^2 even when u rounds to 0 (sigmas
    1 ulp apart that become equal after scaling).
    """
    u = math.log(sigma_p / sigma_q)
    d = (mu_p - mu_q) / sigma_q
    spread = (abs(mu_p) + abs(mu_q)) / sigma_q
    first_order = 32 * EPS * (abs(math.expm1(2 * u)) + d * d + abs(d) * spread)
    second_order = (4 * EPS * spread) ** 2 + 2 * (4 * EPS) ** 2
    return first_order + second_order + 1e-300


@settings(max_examples=200, deadline=None)
@given(means, sds, means, sds)
def test_kl_normal_is_non_negative(mu_p, sigma_p, mu_q, sigma_q):
    """kl_normal is never negative (nor -0.0)."""
    out = kl_normal(mu_p, sigma_p, mu_q, sigma_q)
    assert out >= 0.0
    assert math.copysign(1.0, out) == 1.0


@settings(max_examples=200, deadline=None)
@given(means, sds)
def test_kl_normal_zero_at_equal_parameters(mu, sigma):
    """Equal parameters give exactly zero."""
    assert kl_normal(mu, sigma, mu, sigma) == 0.0


@settings(max_examples=200, deadline=None)
@given(means, sds, means, sds, means, st.floats(0.1, 10.0))
def test_kl_normal_shift_and_scale_invariance(mu_p, sigma_p, mu_q, sigma_q, c, a):
    """Shifting by c and scaling by a both normals leaves KL unchanged."""
    before = kl_normal(mu_p, sigma_p, mu_q, sigma_q)
    mp2, sp2, mq2, sq2 = a * mu_p + c, a * sigma_p, a * mu_q + c, a * sigma_q
    after = kl_normal(mp2, sp2, mq2, sq2)
    tol = _rounding_tol(mp2, sp2, mq2, sq2)
    assert abs(after - before) <= tol


@settings(max_examples=200, deadline=None)
@given(means, sds, means, sds)
def test_kl_normal_equals_kl_mvnormal_1x1(mu_p, sigma_p, mu_q, sigma_q):
    """kl_normal equals kl_mvnormal with 1 x 1 covariances [[sigma**2]]."""
    uni = kl_normal(mu_p, sigma_p, mu_q, sigma_q)
    multi = kl_mvnormal([mu_p], [[sigma_p**2]], [mu_q], [[sigma_q**2]])
    # sqrt(fl(sigma**2)) is within an ulp or so of sigma.
    assert abs(multi - uni) <= _rounding_tol(mu_p, sigma_p, mu_q, sigma_q)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4))
def test_kl_mvnormal_non_negative_and_zero_at_equal(seed, k):
    """Random SPD pairs: KL >= 0, and exactly 0 for a distribution with itself."""
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(k, k)), rng.normal(size=(k, k))
    cov_p, cov_q = x @ x.T + 0.1 * np.eye(k), y @ y.T + 0.1 * np.eye(k)
    cov_p = (cov_p + cov_p.T) / 2
    cov_q = (cov_q + cov_q.T) / 2
    mean_p, mean_q = rng.normal(size=k), rng.normal(size=k)
    assert kl_mvnormal(mean_p, cov_p, mean_q, cov_q) >= 0.0
    assert kl_mvnormal(mean_p, cov_p, mean_p, cov_p) == 0.0


def test_ill_conditioned_hilbert_pair_warns():
    """12 x 12 Hilbert (cond 1.6e16) vs 1.0001 x itself: 5.2e-4 for a true 2.3e-5.

    The true KL of the two stored float64 matrices, by mpmath at 60 digits
    (mp.dps = 60; S1, S2 = mp.matrix(h.tolist()), mp.matrix((c * h).tolist());
    (tr(S2**-1 * S1) - 12 + log(det(S2) / det(S1))) / 2), is 2.3025e-5; in
    exact arithmetic the pair would give 12/2 (1/c - 1 + log c) = 3.0e-8: at
    this condition number rounding the entries alone changes the answer.
    """
    import scipy.linalg

    k, c = 12, 1.0001
    h = scipy.linalg.hilbert(k)
    with pytest.warns(
        RuntimeWarning,
        match=r"`cov_p` \(condition number \d\.\d+e\+16.*`cov_q` \(condition number \d\.\d+e\+16",
    ):
        kl_mvnormal(np.zeros(k), h, np.zeros(k), c * h)


def test_condition_number_below_the_bound_does_not_warn():
    """cond = 1e9 < 1e10: no warning, and the value matches the closed form."""
    cov = np.diag([1.0, 1e-9])
    c = 1.0001
    out = kl_mvnormal([0.0, 0.0], cov, [0.0, 0.0], c * cov)  # warnings are errors
    assert out == pytest.approx(0.5 * 2 * (1 / c - 1 + math.log(c)), rel=1e-9)
    with pytest.warns(RuntimeWarning, match="ill-conditioned"):
        kl_mvnormal([0.0, 0.0], np.diag([1.0, 1e-11]), [0.0, 0.0], np.eye(2))


@pytest.mark.parametrize(
    "params",
    [
        (0.0, 1.0, 1.0, 2.0),
        (0, 1, 0, 1),
        (1.0, 2.0, 1.0, 2.0 * (1 + 1e-12)),  # log-ratio series branch
        (0.0, 1.0, 0.0, 1.7),  # |2u| just above the 0.5 switch of expm1mx
        (0.0, 1.0, 0.0, 1.2),  # just below
        (1e300, 1.0, -1e300, 1.0),  # the mean difference overflows: inf
        (0.0, 1e-200, 0.0, 1e200),  # |u| > 350: the general path
    ],
)
def test_kl_normal_scalar_path_matches_array_path(params):
    """Python-number calls (math path) equal the same call with 1-element arrays."""
    scalar = kl_normal(*params)
    array = kl_normal(*(np.array([v], dtype=float) for v in params))
    assert isinstance(scalar, float)
    assert_allclose(scalar, array[0], rtol=1e-14)


def test_kl_normal_scalar_path_keeps_the_checks():
    with pytest.raises(ValueError, match="`sigma_q` must be positive"):
        kl_normal(0.0, 1.0, 0.0, -1.0)
    with pytest.raises(ValueError, match="`mu_p`"):
        kl_normal(math.nan, 1.0, 0.0, 1.0)


def test_condition_number_bound_is_1e10():
    """cond 1.01e10 warns, cond 0.99e10 does not: the stated bound is 1e10."""
    zero = [0.0, 0.0]
    kl_mvnormal(zero, np.diag([1.0, 1 / 0.99e10]), zero, np.eye(2))  # no warning
    with pytest.warns(RuntimeWarning, match=r"condition number 1\.01e\+10"):
        kl_mvnormal(zero, np.diag([1.0, 1 / 1.01e10]), zero, np.eye(2))
