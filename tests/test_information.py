"""Tests for mutual_information (joint pmfs) and mi_knn (the KSG estimator)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose
from scipy.special import digamma

from kltools import entropy, kl_divergence, mi_knn, mutual_information
from kltools._information import _count_within_sorted

# --- mutual_information -----------------------------------------------------


def test_copy_has_mi_equal_to_entropy():
    """Y = X: I(X; Y) = H(X); for a fair coin one bit."""
    assert mutual_information([[0.5, 0.0], [0.0, 0.5]], base=2) == 1.0
    p = np.array([0.2, 0.3, 0.5])
    assert_allclose(mutual_information(np.diag(p)), entropy(p), rtol=1e-15)


def test_independent_dyadic_is_exactly_zero():
    """p(x, y) = p(x) p(y) with dyadic values: every ratio is exactly 1."""
    joint = np.outer([0.25, 0.75], [0.5, 0.125, 0.375])
    assert mutual_information(joint) == 0.0


def test_by_hand_binary_symmetric_channel():
    """X fair, Y = X flipped with probability 0.2: I = log 2 - h(0.2) nats."""
    joint = 0.5 * np.array([[0.8, 0.2], [0.2, 0.8]])
    expected = math.log(2) + 0.8 * math.log(0.8) + 0.2 * math.log(0.2)
    assert_allclose(mutual_information(joint), expected, rtol=1e-14)


def test_counts_with_normalize():
    """A contingency table of counts: [[40, 10], [10, 40]] is the channel above."""
    expected = math.log(2) + 0.8 * math.log(0.8) + 0.2 * math.log(0.2)
    table = [[40, 10], [10, 40]]
    assert_allclose(mutual_information(table, normalize=True), expected, rtol=1e-14)


@st.composite
def joints(draw):
    kx, ky = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    elem = st.one_of(st.just(0.0), st.floats(1e-6, 1.0))
    w = draw(arrays(np.float64, (kx, ky), elements=elem).filter(lambda a: a.sum() > 0))
    return w / w.sum()


@given(joints())
def test_entropy_identity(joint):
    """I = H(X) + H(Y) - H(X, Y) (computed from the entropies)."""
    hx = entropy(joint.sum(axis=1))
    hy = entropy(joint.sum(axis=0))
    hxy = entropy(joint.ravel())
    assert_allclose(mutual_information(joint), hx + hy - hxy, atol=1e-12)


@given(joints())
def test_is_kl_from_product_of_marginals(joint):
    """I = D(p(x, y) || p(x) p(y)) via kl_divergence on the flattened tables."""
    product = np.outer(joint.sum(axis=1), joint.sum(axis=0))
    expected = kl_divergence(joint.ravel(), product.ravel() / product.sum())
    assert_allclose(mutual_information(joint), expected, rtol=1e-9, atol=1e-14)
    assert (
        mutual_information(joint)
        <= min(np.log(joint.shape[0]), np.log(joint.shape[1])) + 1e-12
    )


@given(joints(), joints())
def test_chain_rule_of_kl(p, q):
    """D(p(x,y) || q(x,y)) = D(p(x) || q(x)) + sum_x p(x) D(p(y|x) || q(y|x))."""
    if p.shape != q.shape:
        q = np.full(p.shape, 1.0 / p.size)
    q = 0.5 * q + 0.5 / q.size  # q > 0 everywhere: every term finite
    px, qx = p.sum(axis=1), q.sum(axis=1)
    keep = px > 0
    conditional = kl_divergence(p[keep] / px[keep, None], q[keep] / qx[keep, None])
    rhs = kl_divergence(px, qx) + np.dot(px[keep], np.atleast_1d(conditional))
    assert_allclose(kl_divergence(p.ravel(), q.ravel()), rhs, rtol=1e-9, atol=1e-13)


def test_batch_of_joints():
    joint = np.stack([np.diag([0.5, 0.5]), np.full((2, 2), 0.25)])
    assert_allclose(mutual_information(joint), [math.log(2), 0.0])
    assert mutual_information(joint[None]).shape == (1, 2)


def test_batch_of_count_tables_with_normalize():
    """Each table of a batch is normalized by its own total.

    Kills a batch shape taken from the wrong axes (``shape[:-3]``), which
    cannot broadcast the per-table sums back onto a batch of two.
    """
    counts = np.stack([np.diag([3.0, 3.0]), np.full((2, 2), 7.0)])
    assert_allclose(mutual_information(counts, normalize=True), [math.log(2), 0.0])
    batch = np.stack([counts, 2.0 * counts])  # shape (2, 2, 2, 2)
    assert_allclose(mutual_information(batch, normalize=True), [[math.log(2), 0.0]] * 2)


def test_never_negative_near_independence():
    """Rounding in nearly independent tables is clamped, not reported below 0."""
    rng = np.random.default_rng(3)
    joint = np.outer(rng.dirichlet(np.ones(7)), rng.dirichlet(np.ones(5)))
    joint /= joint.sum()
    value = mutual_information(joint)
    assert 0.0 <= value < 1e-15


def test_subnormal_cell_stays_finite():
    """A cell of 1e-310 over marginals 1e-310 and 1e-310: the ratio overflows.

    By hand, the only nonzero term is 1e-310 * log(1e-310 / 1e-310**2)
    = -1e-310 * log(1e-310) (the other cell is 1 over marginals 1 and 1).
    """
    value = mutual_information([[1e-310, 0.0], [0.0, 1.0]])
    assert_allclose(value, -1e-310 * math.log(1e-310), rtol=1e-12)
    batch = mutual_information([[[1e-310, 0.0], [0.0, 1.0]], np.full((2, 2), 0.25)])
    assert_allclose(batch, [-1e-310 * math.log(1e-310), 0.0], rtol=1e-12)


def test_mutual_information_errors():
    with pytest.raises(ValueError, match="`joint` must have at least two dimensions"):
        mutual_information([0.5, 0.5])
    with pytest.raises(ValueError, match="`joint` has an empty X or Y axis"):
        mutual_information(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="`joint` contains negative entries"):
        mutual_information([[0.5, 0.6], [0.0, -0.1]])
    with pytest.raises(ValueError, match="`joint` must sum to 1"):
        mutual_information([[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="`joint` contains NaN"):
        mutual_information([[0.5, np.nan], [0.0, 0.5]])
    with pytest.raises(ValueError, match="all zero"):
        mutual_information(np.zeros((2, 2)), normalize=True)
    with pytest.raises(ValueError, match="`joint` must be an array of real numbers"):
        mutual_information([["a", "b"], ["c", "d"]])
    with pytest.raises(ValueError, match="`base`"):
        mutual_information(np.full((2, 2), 0.25), base=0)


# --- mi_knn -------------------------------------------------------------------


def ksg_brute_force(x, y, k):
    """KSG estimator 1 by O(n^2) distance matrices, straight from the paper."""
    x = np.asarray(x, float).reshape(len(x), -1)
    y = np.asarray(y, float).reshape(len(y), -1)
    n = len(x)
    dx = np.abs(x[:, None, :] - x[None, :, :]).max(axis=-1)
    dy = np.abs(y[:, None, :] - y[None, :, :]).max(axis=-1)
    d = np.maximum(dx, dy)
    np.fill_diagonal(d, np.inf)
    eps = np.sort(d, axis=1)[:, k - 1]
    np.fill_diagonal(dx, np.inf)
    np.fill_diagonal(dy, np.inf)
    nx = (dx < eps[:, None]).sum(axis=1)
    ny = (dy < eps[:, None]).sum(axis=1)
    return digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))


@pytest.mark.parametrize(
    ("n", "dx", "dy", "k"),
    [(400, 1, 1, 3), (300, 1, 1, 1), (300, 2, 1, 4), (250, 2, 3, 2)],
)
def test_matches_brute_force(n, dx, dy, k):
    rng = np.random.default_rng(n + dx + dy + k)
    x = rng.normal(size=(n, dx))
    y = x[:, :1] ** 2 + rng.normal(size=(n, dy))
    expected = ksg_brute_force(x / x.std(axis=0), y / y.std(axis=0), k)
    assert_allclose(mi_knn(x, y, k=k), expected, rtol=1e-12)
    assert_allclose(
        mi_knn(x, y, k=k, standardize=False), ksg_brute_force(x, y, k), rtol=1e-12
    )


def test_matches_brute_force_on_decimal_grid():
    """Values k/10 make x + r round differently from |x_j - x_i| <= r.

    A plain binary search on x +- r miscounts these boundary points; the
    counts must follow the rounded distance, as the brute force does.
    """
    rng = np.random.default_rng(5)
    x = rng.permutation(600) * 0.1
    y = rng.permutation(600) * 0.3 + 0.01 * rng.normal(size=600)
    expected = ksg_brute_force(x, y, 3)
    assert_allclose(mi_knn(x, y, standardize=False), expected, rtol=1e-12)


def test_counts_follow_rounded_distance():
    """_count_within_sorted against the definition, at radii equal to gaps."""
    rng = np.random.default_rng(6)
    xs = np.sort(rng.permutation(500) * 0.1)
    x = rng.choice(xs, 200)
    r = np.abs(rng.choice(xs, 200) - x)  # radii that are exact rounded distances
    expected = (np.abs(xs[None, :] - x[:, None]) <= r[:, None]).sum(axis=1)
    np.testing.assert_array_equal(_count_within_sorted(xs, x, r), expected)


def test_counts_of_points_outside_the_sorted_range():
    """Centres below the smallest and above the largest point, radii short of them.

    The boundaries then sit at 0 or n, where the stepping must not look at
    xs[-1] (``hi > 0``, ``lo > 0``) or past the end (``hi < n``, ``lo < n``);
    counts against the definition (0 for the short radii, all with a large one).
    """
    xs = np.arange(1.0, 6.0)
    x = np.array([-1.0, 0.0, 7.0, 10.0, 3.0, -1.0, 10.0])
    r = np.array([0.5, 0.9, 1.5, 4.0, 0.25, 100.0, 100.0])
    expected = (np.abs(xs[None, :] - x[:, None]) <= r[:, None]).sum(axis=1)
    np.testing.assert_array_equal(expected, [0, 0, 0, 0, 1, 5, 5])
    np.testing.assert_array_equal(_count_within_sorted(xs, x, r), expected)


def test_bivariate_normal_converges():
    """Mean of 10 seeds within 3 standard errors of -log(1 - rho^2)/2, n = 2000, 20000.

    The standard error is the observed spread over the seeds / sqrt(10).
    """
    rho = 0.6
    truth = -0.5 * math.log(1 - rho**2)
    for n in [2000, 20000]:
        est = []
        for seed in range(10):
            rng = np.random.default_rng(seed)
            x = rng.normal(size=n)
            y = rho * x + math.sqrt(1 - rho**2) * rng.normal(size=n)
            est.append(mi_knn(x, y))
        est = np.array(est)
        se = est.std(ddof=1) / math.sqrt(len(est))
        assert abs(est.mean() - truth) < 3 * se


def test_independent_is_near_zero_and_can_be_negative():
    """Independent samples: centred on 0, not clamped (some estimates < 0)."""
    est = []
    for seed in range(10):
        rng = np.random.default_rng(100 + seed)
        est.append(mi_knn(rng.normal(size=1000), rng.normal(size=1000)))
    est = np.array(est)
    assert abs(est.mean()) < 0.01
    assert (est < 0).any()


def test_agrees_with_scikit_learn():
    """The same estimator as sklearn's, up to the 1e-10 noise it adds."""
    mutual_info_regression = pytest.importorskip(
        "sklearn.feature_selection"
    ).mutual_info_regression

    rng = np.random.default_rng(7)
    x = rng.normal(size=3000)
    y = np.sin(2 * x) + 0.5 * rng.normal(size=3000)
    ours = mi_knn(x, y, k=3)
    theirs = mutual_info_regression(x[:, None], y, n_neighbors=3, random_state=0)[0]
    assert_allclose(ours, theirs, atol=1e-6)


def test_invariant_to_scaling_when_standardized():
    rng = np.random.default_rng(8)
    x = rng.normal(size=500)
    y = x + rng.normal(size=500)
    assert_allclose(mi_knn(1000 * x, y), mi_knn(x, y), rtol=1e-12)


def test_base_two():
    rng = np.random.default_rng(9)
    x = rng.normal(size=500)
    y = x + rng.normal(size=500)
    assert_allclose(mi_knn(x, y, base=2), mi_knn(x, y) / math.log(2), rtol=1e-14)


# --- ties ---------------------------------------------------------------------


def test_ties_raise_by_default():
    rng = np.random.default_rng(10)
    x = np.round(rng.normal(size=500), 1)
    with pytest.raises(
        ValueError, match=r"column 0 of `x` has repeated values.*ties=\"jitter\""
    ):
        mi_knn(x, rng.normal(size=500))
    with pytest.raises(ValueError, match="column 1 of `y` has repeated values"):
        mi_knn(
            rng.normal(size=500),
            np.c_[rng.normal(size=500), np.round(rng.normal(size=500))],
        )


def test_jitter_is_deterministic_and_close_to_continuous():
    """Rounded to 2 decimals, jittered: same value twice, near the unrounded one."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=5000)
    y = 0.6 * x + 0.8 * rng.normal(size=5000)
    xr = np.round(x, 2)
    a = mi_knn(xr, y, ties="jitter")
    assert a == mi_knn(xr, y, ties="jitter")
    assert abs(a - mi_knn(x, y)) < 0.02


def test_jitter_on_discrete_feature_approaches_discrete_mi():
    """X in {0, 1}, Y | X ~ N(2X, 1): jittered KSG near the exact I(X; Y).

    Exact value by quadrature: I = h(Y) - h(Y | X), h(Y|X) = log(2 pi e)/2.
    """
    from scipy import integrate, stats

    def mix(t):
        return 0.5 * stats.norm.pdf(t) + 0.5 * stats.norm.pdf(t, 2)

    h_y = integrate.quad(lambda t: -mix(t) * np.log(mix(t)), -10, 12)[0]
    truth = h_y - 0.5 * math.log(2 * math.pi * math.e)
    rng = np.random.default_rng(12)
    x = rng.integers(0, 2, 20000).astype(float)
    y = 2 * x + rng.normal(size=20000)
    assert abs(mi_knn(x, y, ties="jitter") - truth) < 0.03


def test_jitter_on_heavily_tied_feature():
    """Five values repeated 40 times, Y nearly determines X: finite, near log 5."""
    x = np.repeat(np.arange(5.0), 40)
    y = np.arange(200.0) + 0.5 * np.sin(np.arange(200.0))
    value = mi_knn(x, y, ties="jitter", standardize=False)
    assert math.isfinite(value)
    assert value > 0.5  # Y almost determines X: I close to H(X) = log 5
    assert value <= math.log(5) + 0.2


# --- errors -------------------------------------------------------------------


def test_mi_knn_errors():
    x = np.arange(10.0)
    with pytest.raises(ValueError, match="same number of points"):
        mi_knn(x, np.arange(9.0))
    with pytest.raises(
        ValueError, match="`k` must be smaller than the number of points"
    ):
        mi_knn(x, x, k=10)
    with pytest.raises(ValueError, match="`k` must be at least 1"):
        mi_knn(x, x, k=0)
    with pytest.raises(TypeError, match="`k` must be an integer"):
        mi_knn(x, x, k=2.5)
    with pytest.raises(ValueError, match='`ties` must be "raise" or "jitter"'):
        mi_knn(x, x, ties="noise")
    with pytest.raises(ValueError, match="column 0 of `y` is constant"):
        mi_knn(x, np.ones(10))
    with pytest.raises(ValueError, match="column 0 of `y` is constant"):
        mi_knn(x, np.ones(10), standardize=False, ties="jitter")
    # The first constant column is named, not the first with a small spread
    # (column 0 has sd 0.5 < 1, column 1 is constant).
    two = np.column_stack([np.tile([0.0, 1.0], 5), np.ones(10)])
    with pytest.raises(ValueError, match="column 1 of `y` is constant"):
        mi_knn(x, two)
    with pytest.raises(ValueError, match="`x` contains NaN or infinite"):
        mi_knn(np.r_[x[:-1], np.nan], x)
    with pytest.raises(ValueError, match=r"`y` must have shape \(n,\) or \(n, d\)"):
        mi_knn(x, np.zeros((10, 1, 1)))
    with pytest.raises(ValueError, match="`base`"):
        mi_knn(x, x, base=1)
    with pytest.raises(ValueError, match=r"`x` is empty"):
        mi_knn(np.array([]), x)
    with pytest.raises(ValueError, match="`y` must be an array of real numbers"):
        mi_knn(x, ["a"] * 10)
    with pytest.raises(TypeError, match="`k` must be an integer"):
        mi_knn(x, x, k=True)


def test_jitter_refuses_data_at_float_resolution():
    """Ties one ulp apart cannot be broken by a perturbation below the resolution."""
    x = np.repeat([1.0, np.nextafter(1.0, 2.0)], 50)
    y = np.arange(100.0)
    with pytest.raises(ValueError, match="ties remain after jittering"):
        mi_knn(x, y, ties="jitter", standardize=False)


def test_refuses_to_standardize_overflowing_data():
    x = np.array([1e308, -1e308, 0.0, 5.0])
    with pytest.raises(ValueError, match="`x` is too large to standardize"):
        mi_knn(x, np.arange(4.0), k=1)


def test_jitter_follows_the_documented_recipe():
    """ties="jitter" is the Notes' recipe, written out here: each column
    moved by uniform noise on [-h, h], h = 1e-3 times its smallest gap
    between distinct values (here 1 and 0.5), drawn from default_rng(seed)
    for x then y, seeds 0 to 4, and the tie-free estimates averaged."""
    rng = np.random.default_rng(12)
    x = rng.integers(0, 6, 300).astype(float)
    y = np.round(x + rng.normal(0.0, 1.0, 300) * 2) / 2  # a grid of 0.5
    want = []
    for seed in range(5):
        r = np.random.default_rng(seed)
        xj = x[:, None] + r.uniform(-1.0, 1.0, (300, 1)) * 1e-3
        yj = y[:, None] + r.uniform(-1.0, 1.0, (300, 1)) * 0.5e-3
        want.append(mi_knn(xj, yj, standardize=False))
    got = mi_knn(x, y, ties="jitter", standardize=False)
    assert_allclose(got, math.fsum(want) / 5, rtol=1e-12)
