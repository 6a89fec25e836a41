"""Estimates of the Kullback-Leibler divergence from samples.

`kl_monte_carlo` samples from a distribution whose densities are known;
`kl_knn` and `kl_histogram` only see samples from both distributions.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree

from . import _scipy_adapter as sa
from ._discrete import kl_divergence
from ._validation import (
    as_generator,
    check_count,
    check_sample,
    log_base,
)

__all__ = ["MonteCarloResult", "kl_histogram", "kl_knn", "kl_monte_carlo"]


@dataclass(frozen=True)
class MonteCarloResult:
    """A Monte Carlo estimate and its standard error.

    Attributes
    ----------
    value : float
        The estimate.
    stderr : float
        Its standard error: the sample standard deviation of the averaged
        terms divided by ``sqrt(n)``.
    n : int
        The number of samples averaged.
    """

    value: float
    stderr: float
    n: int


def _log_density(dist: Any, name: str) -> tuple[Callable[..., Any], Any, str]:
    """Log-density, sampler and kind ("discrete"/"continuous") of a distribution."""
    try:
        kind = sa.kind(dist, name)
    except TypeError:
        # Any object with scipy's sampling and density methods will do.
        if not (
            hasattr(dist, "rvs") and hasattr(dist, "logpdf") | hasattr(dist, "logpmf")
        ):
            raise
        f = dist.logpmf if hasattr(dist, "logpmf") else dist.logpdf
        return (
            f,
            lambda n, gen: dist.rvs(size=n, random_state=gen),
            "discrete" if hasattr(dist, "logpmf") else "continuous",
        )
    if kind == "new":
        batch = sa.check_parameters(dist, name)
    else:
        args, kwds = getattr(dist, "args", ()), getattr(dist, "kwds", {})
        shapes = [np.shape(a) for a in (*args, *kwds.values())]
        try:
            batch = np.broadcast_shapes(*shapes)
        except ValueError:
            batch = None
    if batch != ():
        raise ValueError(
            f"`{name}` has array parameters; use one distribution with scalar "
            "parameters per call"
        )
    discrete = kind != "multivariate" and sa.is_discrete(dist)
    if kind == "multivariate":
        discrete = hasattr(dist, "logpmf")
    return (
        sa.log_density(dist),
        sa.sampler(dist),
        "discrete" if discrete else "continuous",
    )


def kl_monte_carlo(
    p: Any,
    q: Any,
    n: int,
    *,
    rng: int | np.random.Generator | None = None,
    base: float | None = None,
) -> MonteCarloResult:
    r"""Estimate the Kullback-Leibler divergence by sampling from `p`.

    Parameters
    ----------
    p, q : scipy.stats distribution object
        Distributions with fixed scalar parameters, such as
        ``scipy.stats.norm(0, 2)``, ``scipy.stats.poisson(4)``,
        ``scipy.stats.multivariate_normal(mean, cov)``, or of SciPy's new
        infrastructure, ``scipy.stats.Normal(mu=0, sigma=1)`` (shifted,
        scaled) or a ``scipy.stats.Mixture``. Both must be
        continuous (have ``logpdf``) or both discrete (have ``logpmf``).
    n : int
        Number of samples drawn from `p`; at least 2.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness, passed to `numpy.random.default_rng`: ``None``
        for fresh entropy, an int seed for a reproducible result, or a
        Generator, which is used (and advanced) directly.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1 (a base below 1 would make
        divergences negative).

    Returns
    -------
    MonteCarloResult
        ``value``, the estimate of :math:`D_{\mathrm{KL}}(p \| q)`;
        ``stderr``, its standard error; and ``n``. Both are floats in the
        chosen base.

    Raises
    ------
    TypeError
        If `p` or `q` is not a frozen distribution with ``rvs`` and
        ``logpdf``/``logpmf``, if `n` is not an integer, or if `rng` is not
        a seed or Generator.
    ValueError
        If `n` is less than 2; if `rng` is a negative seed; if one
        distribution is discrete and the other continuous; if either has
        array parameters; if `p`'s log-density is not finite at one of its
        own samples, or `q`'s is NaN or ``+inf``; or if `base` is invalid.

    See Also
    --------
    kl_knn : when only samples are available.

    Notes
    -----
    With :math:`x_1, \dots, x_n` drawn from `p`, the estimate and its
    standard error are

    .. math::

       \hat D = \frac1n \sum_{i=1}^n r_i, \quad
       r_i = \log p(x_i) - \log q(x_i), \qquad
       \widehat{\mathrm{se}} = \frac{s_r}{\sqrt n},

    where :math:`s_r` is the sample standard deviation of the :math:`r_i`.
    The estimate is unbiased; it is not clamped at 0, so it can be slightly
    negative when the divergence is small. Log-densities are differenced,
    never divided, so densities that underflow do not matter.

    If :math:`\log q(x_i) = -\infty` at a sample, `p` puts mass where `q` has
    none (a sample from `p` lands in a set of `q`-probability zero only if
    that set has positive `p`-probability), so the divergence is ``inf``
    with certainty: the result is ``value=inf, stderr=0.0``, never NaN. This
    relies on ``q.logpdf`` being ``-inf`` only where the density is zero,
    as it is for scipy's distributions with an analytic ``logpdf``.

    The standard error is meaningful only when :math:`r` has a finite
    variance; for heavy-tailed log-ratios, compare estimates across seeds.

    References
    ----------
    .. [1] C. P. Robert and G. Casella, *Monte Carlo Statistical Methods*,
       2nd ed., Springer, 2004, ch. 3.

    Examples
    --------
    >>> from scipy.stats import norm, uniform
    >>> from kltools import kl_monte_carlo
    >>> res = kl_monte_carlo(norm(0, 2), norm(2, 2), 100_000, rng=1)
    >>> round(res.value, 3), round(res.stderr, 3)  # closed form: 0.5
    (0.505, 0.003)
    >>> kl_monte_carlo(uniform(0, 1), uniform(0, 0.5), 100, rng=1)
    MonteCarloResult(value=inf, stderr=0.0, n=100)
    """
    divisor = log_base(base)
    n = check_count(n, "n", 2)
    logp, sample_p, kind_p = _log_density(p, "p")
    logq, _, kind_q = _log_density(q, "q")
    if kind_p != kind_q:
        raise ValueError(
            f"`p` is {kind_p} but `q` is {kind_q}: both must be continuous "
            "(with `logpdf`) or both discrete (with `logpmf`)"
        )
    gen = as_generator(rng)
    sample = sample_p(n, gen)
    with np.errstate(all="ignore"):
        lp = np.asarray(logp(sample), dtype=np.float64)
        lq = np.asarray(logq(sample), dtype=np.float64)
    if lp.shape != (n,) or lq.shape != (n,):
        raise ValueError(
            f"`p` and `q` must give one log-density per sample (shape ({n},)), "
            f"got shapes {lp.shape} and {lq.shape}: use distributions with "
            "scalar parameters"
        )
    if not np.isfinite(lp).all():
        raise ValueError(
            "the log-density of `p` is not finite at one of its own samples "
            "(a sample rounded onto the edge of its support?)"
        )
    if np.isnan(lq).any() or (lq == np.inf).any():
        raise ValueError("the log-density of `q` is NaN or +inf at a sample from `p`")
    if (lq == -np.inf).any():
        return MonteCarloResult(math.inf, 0.0, n)
    r = lp - lq
    value = float(r.mean()) / divisor
    stderr = float(r.std(ddof=1)) / math.sqrt(n) / divisor
    return MonteCarloResult(value, stderr, n)


def _kth_positive_distance(
    tree: cKDTree, counts: np.ndarray, points: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Distance from each of `points` to its k-th neighbour at positive distance.

    `tree` holds distinct points, the i-th standing for ``counts[i]`` copies.
    Returns the distances and a mask of the points that have k neighbours at
    positive distance. At most one tree point is at distance 0 from a query
    point, so k + 1 neighbours always reach the k-th at positive distance.
    """
    dist, idx = tree.query(points, k=k + 1, workers=-1)
    weight = np.append(counts, 0)[idx]  # idx == tree.n marks "no neighbour"
    weight[dist == 0.0] = 0
    cum = np.cumsum(weight, axis=1)
    found = cum[:, -1] >= k
    col = np.argmax(cum >= k, axis=1)
    return dist[np.arange(len(points)), col], found


def kl_knn(
    x: ArrayLike,
    y: ArrayLike,
    *,
    k: int = 1,
    base: float | None = None,
) -> float:
    r"""Estimate the Kullback-Leibler divergence from samples by nearest neighbours.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, d)
        Sample from `P`: n points, in one dimension or in d.
    y : array_like, shape (m,) or (m, d)
        Sample from `Q`, in the same dimension.
    k : int, optional
        Which neighbour to use: ``1 <= k < n`` and ``k <= m``. Default 1.
        Larger `k` lowers the variance and raises the bias.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1 (a base below 1 would make
        divergences negative).

    Returns
    -------
    float
        The estimate of :math:`D_{\mathrm{KL}}(P \| Q)`. It can be negative
        when the divergence is small: it is not clamped, so that averages of
        estimates stay unbiased.

    Raises
    ------
    ValueError
        If `x` or `y` is empty, not numeric, not of shape (n,) or (n, d), or
        contains NaN or infinite values; if their dimensions differ; if `k`
        is out of range; if a point of `x` has fewer than `k` points of `x`
        (other than its copies) or of `y` at positive distance; or if `base`
        is invalid.
    TypeError
        If `k` is not an integer.

    See Also
    --------
    kl_histogram : a plug-in estimate for one-dimensional samples.
    kl_monte_carlo : when the densities are known.

    Notes
    -----
    With :math:`\rho_k(i)` the Euclidean distance from :math:`x_i` to its
    k-th nearest neighbour among the other points of `x`, and
    :math:`\nu_k(i)` the distance from :math:`x_i` to its k-th nearest
    neighbour in `y`, the estimate of Wang, Kulkarni and Verdú [1]_ (for
    k = 1 also Pérez-Cruz [2]_) is

    .. math::

       \hat D = \frac{d}{n} \sum_{i=1}^n \log\frac{\nu_k(i)}{\rho_k(i)}
              + \log\frac{m}{n - 1}.

    It is consistent for continuous densities as n and m grow with k fixed.
    Both samples go into k-d trees, each queried once for all points with
    every core (`scipy.spatial.cKDTree`).

    *Ties.* Samples from continuous distributions have no repeated points
    with probability one, but rounded or discrete data do, and a zero
    distance would make a term :math:`\pm\infty` and the sum NaN (the
    ``universal-divergence`` package returns ``inf``, ``-inf`` or NaN on
    such data). Here a point's copies are skipped: :math:`\rho_k(i)` and
    :math:`\nu_k(i)` are distances to the k-th neighbour *at positive
    distance*, counting coincident neighbours with their multiplicity
    (universal-divergence skips copies in the same way when it chooses k
    adaptively). The reasoning: a zero distance is a density estimate of
    infinity, an artefact of rounding rather than a property of `P` or `Q`,
    and the nearest points at positive distance still measure the local
    scale of each sample. Without ties this is exactly the estimator above.
    With many ties (heavily rounded or discrete data) the result is biased
    and depends on the rounding; for discrete data, compare pmfs with
    `kl_divergence` instead. A point with fewer than k neighbours at
    positive distance in `x` or in `y` (for example when every point of `x`
    is the same) is a `ValueError`.

    References
    ----------
    .. [1] Q. Wang, S. R. Kulkarni and S. Verdú, "Divergence estimation for
       multidimensional densities via k-nearest-neighbor distances", *IEEE
       Trans. Inf. Theory* 55(5), 2392-2405, 2009.
    .. [2] F. Pérez-Cruz, "Kullback-Leibler divergence estimation of
       continuous distributions", *Proc. IEEE ISIT*, 1666-1670, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from kltools import kl_knn
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(0.0, 1.0, size=(20_000, 2))  # P = N((0, 0), I)
    >>> y = rng.normal(1.0, 1.0, size=(20_000, 2))  # Q = N((1, 1), I)
    >>> round(kl_knn(x, y), 2)  # closed form: |(1, 1)|^2 / 2 = 1
    1.02

    Copies are skipped rather than giving zero distances. Here
    :math:`\rho_1 = (1, 1, 1, 2)` and :math:`\nu_1 = (0.5, 0.5, 0.5, 1)`, so
    the estimate is :math:`\log(1/2) + \log(3/3)`, negative by chance on so
    few points:

    >>> round(kl_knn([0.0, 0.0, 1.0, 3.0], [0.0, 0.5, 2.0]), 6)
    -0.693147
    """
    divisor = log_base(base)
    x = check_sample(x, "x", as_matrix=True)
    y = check_sample(y, "y", as_matrix=True)
    n, d = x.shape
    m = y.shape[0]
    if y.shape[1] != d:
        raise ValueError(
            f"`x` and `y` must have the same dimension: `x` has {d}, "
            f"`y` has {y.shape[1]}"
        )
    k = check_count(k, "k", 1)
    if k >= n:
        raise ValueError(
            f"`k` must be smaller than the number of points in `x` ({n}), got {k}"
        )
    if k > m:
        raise ValueError(
            f"`k` must be at most the number of points in `y` ({m}), got {k}"
        )

    # The estimate does not change when both samples are scaled by the same
    # factor (the d log(nu / rho) terms are ratios). Scaling by a power of
    # two, which is exact, brings the largest coordinate near 1 so that the
    # squared distances the k-d tree compares neither underflow (data near
    # 1e-170 looked like copies) nor overflow (data near 1e170).
    largest = max(float(np.abs(x).max()), float(np.abs(y).max()))
    if largest > 0.0:
        scale = math.ldexp(1.0, -math.frexp(largest)[1])
        x, y = x * scale, y * scale
    tree_x = cKDTree(x)
    # Querying the points in the tree's leaf order keeps consecutive queries
    # in nearby nodes (about 25% faster); the sum does not depend on order.
    xq = x[tree_x.indices]
    rho_all, _ = tree_x.query(xq, k=k + 1, workers=-1)
    nu_all, _ = cKDTree(y).query(xq, k=k, workers=-1)
    nu_all = nu_all.reshape(n, k)
    if (rho_all[:, 1] > 0.0).all() and (nu_all[:, 0] > 0.0).all():
        # No ties: the only zero distance is each point to itself.
        rho, nu, weights = rho_all[:, k], nu_all[:, k - 1], None
    else:
        # Ties: work on distinct points with multiplicities (+ 0.0 maps -0.0
        # to 0.0 so that both count as one point).
        ux, weights = np.unique(x + 0.0, axis=0, return_counts=True)
        uy, cy = np.unique(y + 0.0, axis=0, return_counts=True)
        rho, found_x = _kth_positive_distance(cKDTree(ux), weights, ux, k)
        nu, found_y = _kth_positive_distance(cKDTree(uy), cy, ux, k)
        for found, sample in ((found_x, "`x`"), (found_y, "`y`")):
            if not found.all():
                point = ux[np.argmin(found)]
                raise ValueError(
                    f"the point {point.tolist()} of `x` has fewer than k={k} "
                    f"points of {sample} at positive distance (copies are "
                    "skipped); use a smaller `k` or data with fewer ties"
                )
    terms = np.log(nu) - np.log(rho)
    total = terms.sum() if weights is None else np.dot(weights, terms)
    value = d * float(total) / n + math.log(m / (n - 1))
    return value / divisor


def kl_histogram(
    x: ArrayLike,
    y: ArrayLike,
    *,
    bins: int | str | ArrayLike = "auto",
    pseudocount: float = 0.0,
    base: float | None = None,
) -> float:
    r"""Estimate the Kullback-Leibler divergence from samples by histograms.

    Parameters
    ----------
    x, y : array_like, one-dimensional
        Samples from `P` and from `Q`.
    bins : int, str or array_like, optional
        Bins shared by both samples, as `numpy.histogram_bin_edges` takes
        them: a number of equal-width bins, a rule such as ``"auto"``
        (default) or ``"fd"`` applied to the two samples pooled, or the bin
        edges themselves (which must cover every sample).
    pseudocount : float, optional
        Count added to every bin of both histograms; default 0. See Notes.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1 (a base below 1 would make
        divergences negative).

    Returns
    -------
    float
        :math:`D_{\mathrm{KL}}(\hat P \| \hat Q) \ge 0` between the binned
        empirical distributions, possibly ``inf``.

    Raises
    ------
    ValueError
        If `x` or `y` is empty, not numeric, not one-dimensional or contains
        NaN or infinite values; if numpy rejects `bins` or the given edges
        leave out a sample; if `pseudocount` is negative, NaN or infinite; or
        if `base` is invalid.
    TypeError
        If `pseudocount` is not a real number.

    See Also
    --------
    kl_knn : a consistent estimator that needs no bins.
    kl_divergence : the divergence between the two histograms.

    Notes
    -----
    With edges computed by ``numpy.histogram_bin_edges`` on the pooled
    samples, counts :math:`a_j` of `x` and :math:`b_j` of `y` in bin j and
    pseudocount :math:`\alpha`, the estimate is

    .. math::

       \hat D = \sum_j \hat p_j \log \frac{\hat p_j}{\hat q_j}, \quad
       \hat p_j = \frac{a_j + \alpha}{n + J\alpha}, \quad
       \hat q_j = \frac{b_j + \alpha}{m + J\alpha},

    for J bins, computed by `kl_divergence` with ``normalize=True``. Empty
    bins of `x` contribute 0.

    With ``pseudocount=0`` (the default), a bin holding a sample of `x` but
    none of `y` makes the estimate ``inf``: the data cannot rule out that
    `Q` gives that region no mass. This happens often in the tails when `Q`
    is narrower than `P`.

    A ``pseudocount > 0`` (the posterior mean under a symmetric Dirichlet
    prior) keeps the estimate finite, but it *biases* it: the added counts
    pull both histograms towards uniform, and the answer then depends on the
    pseudocount, on the bins and on the sample sizes, not only on `P` and
    `Q`. Report those choices with the number.

    Binning itself loses information, so for continuous `P` and `Q` the
    divergence between the binned distributions is at most the true one;
    finer bins need more samples. The estimate is consistent when the bins
    shrink more slowly than the samples grow, as the ``"auto"`` rules do.

    Examples
    --------
    >>> import numpy as np
    >>> from kltools import kl_histogram
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(0.0, 1.0, 100_000)  # P = N(0, 1)
    >>> y = rng.normal(0.0, 2.0, 100_000)  # Q = N(0, 2^2), wider than P
    >>> round(kl_histogram(x, y), 2)  # closed form: ln 2 + 1/8 - 1/2 = 0.318
    0.32
    >>> kl_histogram(y, x)  # P wider than Q: tail bins of P with no Q sample
    inf
    >>> round(kl_histogram(y, x, pseudocount=1), 2)  # finite, biased: 0.807
    0.63
    """
    divisor = log_base(base)
    x = check_sample(x, "x", one_d=True)
    y = check_sample(y, "y", one_d=True)
    if isinstance(pseudocount, bool) or not isinstance(pseudocount, numbers.Real):
        raise TypeError(f"`pseudocount` must be a real number, got {pseudocount!r}")
    alpha = float(pseudocount)
    if not (math.isfinite(alpha) and alpha >= 0.0):
        raise ValueError(
            f"`pseudocount` must be a finite non-negative number, got {pseudocount!r}"
        )
    lo, hi = min(x.min(), y.min()), max(x.max(), y.max())
    if not math.isfinite(float(hi) - float(lo)):
        raise ValueError(
            f"the samples span [{lo:.6g}, {hi:.6g}], a range wider than the "
            "largest float (its width overflows); rescale or shift `x` and `y`"
        )
    try:
        edges = np.histogram_bin_edges(np.concatenate([x, y]), bins=bins)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`bins` was rejected by numpy: {exc}") from None
    a, _ = np.histogram(x, edges)
    b, _ = np.histogram(y, edges)
    if a.sum() != x.size or b.sum() != y.size:
        raise ValueError(
            f"the `bins` edges [{edges[0]:.6g}, {edges[-1]:.6g}] leave out some "
            "samples; they must cover both samples"
        )
    return kl_divergence(a + alpha, b + alpha, normalize=True) / divisor
