"""Tests for bootstrap_ci: known standard errors, coverage, infinities, errors."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from kltools import BootstrapResult, bootstrap_ci, kl_histogram


def mean_difference(x, y):
    """mean(x) - mean(y): its bootstrap distribution is known in closed form."""
    return float(np.mean(x) - np.mean(y))


def test_stderr_of_mean_difference_matches_closed_form():
    """Bootstrap SE of mean(x) - mean(y) is sqrt(var_x / n + var_y / m)."""
    # With resampling from the samples themselves, the bootstrap variance of
    # the mean is the plug-in variance (ddof=0) over n. The SE estimated from
    # B = 2000 replicates has relative sd about 1 / sqrt(2 B) = 1.6%: allow 5%.
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, 400), rng.normal(0, 2, 100)
    res = bootstrap_ci(mean_difference, x, y, n_resamples=2000, rng=1)
    expected = math.sqrt(np.var(x) / 400 + np.var(y) / 100)
    assert_allclose(res.stderr, expected, rtol=0.05)
    assert res.estimate == mean_difference(x, y)


def test_percentile_interval_is_the_quantiles_of_the_replicates():
    """The percentile ends are replicates at ranks ceil(B * 0.025) and ceil(B * 0.975)."""
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=50), rng.normal(size=60)
    res = bootstrap_ci(mean_difference, x, y, n_resamples=400, rng=3)
    ordered = np.sort(res.replicates)
    # inverted_cdf: the smallest value whose empirical cdf reaches the level.
    assert (res.low, res.high) == (ordered[10 - 1], ordered[390 - 1])


def test_normal_interval_is_estimate_plus_minus_z_stderr():
    """The normal interval is estimate -+ 1.959964 * stderr at 95%."""
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=50), rng.normal(size=60)
    res = bootstrap_ci(mean_difference, x, y, method="normal", rng=5)
    assert_allclose(res.stderr, np.std(res.replicates, ddof=1), rtol=1e-12)
    z = 1.959963984540054  # scipy.stats.norm.ppf(0.975)
    assert_allclose(
        [res.low, res.high],
        [res.estimate - z * res.stderr, res.estimate + z * res.stderr],
    )


@pytest.mark.parametrize("method", ["percentile", "normal"])
def test_intervals_for_mean_difference_cover_about_95_percent(method):
    """Over 300 seeded data sets, the 95% intervals cover the true difference 90-99% of the time."""
    # Binomial sd of the coverage over 300 data sets: sqrt(.95 * .05 / 300) =
    # 1.3%; the bootstrap undercovers slightly for n = 40 (about 1-2%).
    rng = np.random.default_rng(6)
    covered = 0
    for _ in range(300):
        x, y = rng.normal(1, 1, 40), rng.normal(0, 1, 40)
        res = bootstrap_ci(
            mean_difference, x, y, n_resamples=200, method=method, rng=rng
        )
        covered += res.low <= 1.0 <= res.high
    assert 0.90 <= covered / 300 <= 0.99


def test_infinite_replicates_give_infinite_ends_not_nan():
    """Histogram replicates that are inf make the upper end and stderr inf."""
    rng = np.random.default_rng(7)
    x, y = rng.normal(0, 2, 30), rng.normal(0, 1, 30)
    res = bootstrap_ci(kl_histogram, x, y, n_resamples=50, rng=8)
    assert np.isposinf(res.replicates).any()
    assert res.high == math.inf and res.stderr == math.inf
    normal = bootstrap_ci(kl_histogram, x, y, n_resamples=50, method="normal", rng=8)
    assert (normal.low, normal.high) == (-math.inf, math.inf)


def test_resamples_keep_the_shape_of_two_dimensional_samples():
    """Rows of (n, d) samples are resampled whole, and the shapes are kept."""
    shapes = []

    def record(x, y):
        shapes.append((x.shape, y.shape))
        return 0.0

    x, y = np.arange(20.0).reshape(10, 2), np.arange(9.0).reshape(3, 3)
    bootstrap_ci(record, x, y, n_resamples=3, rng=0)
    assert shapes == [((10, 2), (3, 3))] * 4


def test_same_seed_same_result():
    """A fixed seed gives identical replicates; the result is a read-only record."""
    x, y = np.arange(10.0), np.arange(5.0)
    a = bootstrap_ci(mean_difference, x, y, n_resamples=20, rng=9)
    b = bootstrap_ci(mean_difference, x, y, n_resamples=20, rng=9)
    assert isinstance(a, BootstrapResult)
    assert_array_equal(a.replicates, b.replicates)
    with pytest.raises(ValueError, match="read-only"):
        a.replicates[0] = 1.0


X = np.arange(10.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"estimator": 1}, TypeError, "`estimator` must be callable"),
        ({"x": []}, ValueError, "`x` is empty"),
        ({"y": np.zeros((2, 2, 2))}, ValueError, r"`y` must have shape \(n,\) or"),
        ({"x": [0.0, np.nan]}, ValueError, "`x` contains NaN"),
        ({"x": ["a", "b"]}, ValueError, "`x` must be an array of real"),
        ({"n_resamples": 1}, ValueError, "`n_resamples` must be at least 2"),
        ({"n_resamples": 2.0}, TypeError, "`n_resamples` must be an integer"),
        ({"confidence": 1.0}, ValueError, "`confidence` must be strictly between"),
        ({"confidence": 0.0}, ValueError, "`confidence` must be strictly between"),
        ({"confidence": "95%"}, TypeError, "`confidence` must be a real number"),
        (
            {"method": "bca"},
            ValueError,
            "`method` must be one of 'percentile', 'normal'",
        ),
        ({"rng": -1}, ValueError, "`rng` is not a valid seed"),
        ({"rng": "seed"}, TypeError, "`rng` must be None, a seed"),
        (
            {"estimator": lambda x, y: math.nan},
            ValueError,
            "the estimator returned NaN",
        ),
    ],
)
def test_bad_arguments_are_rejected(kwargs, error, match):
    """Bad arguments raise ValueError (TypeError for wrong types) naming them."""
    args = {"estimator": mean_difference, "x": X, "y": X, **kwargs}
    with pytest.raises(error, match=match):
        bootstrap_ci(args.pop("estimator"), args.pop("x"), args.pop("y"), **args)


def test_array_returning_estimator_is_a_clear_type_error():
    """An estimator returning an array gave a raw TypeError from numpy."""
    with pytest.raises(
        TypeError, match=r"`estimator` must return a single real number.*shape \(2,\)"
    ):
        bootstrap_ci(
            lambda x, y: np.array([1.0, 2.0]), [1.0, 2.0, 3.0], [1.0, 2.0], rng=0
        )


def _fails_on(indices):
    """An estimator (the mean of x) that raises on the given call numbers."""
    calls = {"n": -1}

    def estimator(x, y):
        calls["n"] += 1
        if calls["n"] in indices:
            raise ValueError("refused this resample")
        return float(np.mean(x))

    return estimator


def test_failed_resamples_are_counted_and_left_out():
    """One refused resample aborted the whole bootstrap; now it is reported."""
    x, y = np.arange(10.0), np.arange(5.0)
    # call 0 is the original sample, so calls 1 and 7 are resamples 0 and 6
    with pytest.warns(RuntimeWarning, match=r"raised ValueError on 2 of 100 resamples"):
        res = bootstrap_ci(_fails_on({1, 7}), x, y, n_resamples=100, rng=0)
    assert np.isnan(res.replicates[[0, 6]]).all()
    assert np.isfinite(np.delete(res.replicates, [0, 6])).all()
    # the interval is that of the 98 kept replicates: the 3rd and 96th of them
    kept = np.sort(res.replicates[~np.isnan(res.replicates)])
    assert (res.low, res.high) == (kept[2], kept[95])
    assert res.stderr == pytest.approx(np.std(kept, ddof=1))


def test_too_many_failed_resamples_abort():
    """More than 5% failures is a ValueError naming the count and the policy."""
    x, y = np.arange(10.0), np.arange(5.0)
    bad = set(range(1, 7))  # 6 of 100 resamples
    with pytest.raises(
        ValueError, match=r"on 6 of 100 resamples \(more than 5%\).*refused"
    ):
        bootstrap_ci(_fails_on(bad), x, y, n_resamples=100, rng=0)
    with pytest.warns(RuntimeWarning, match="on 5 of 100"):
        bootstrap_ci(_fails_on(set(range(1, 6))), x, y, n_resamples=100, rng=0)


def test_resamples_draw_rows_uniformly_from_the_whole_sample():
    """Replicates equal the estimator on rows drawn by rng.integers(0, n, n)."""
    x = np.array([100.0, 1.0, 2.0, 3.0])
    y = np.array([10.0, 20.0, 30.0])
    res = bootstrap_ci(
        lambda a, b: float(a.sum() + b.sum()), x, y, n_resamples=50, rng=3
    )
    gen = np.random.default_rng(3)
    expected = [
        x[gen.integers(0, 4, 4)].sum() + y[gen.integers(0, 3, 3)].sum()
        for _ in range(50)
    ]
    np.testing.assert_array_equal(res.replicates, expected)
