"""Bootstrap confidence intervals for divergence estimates from two samples."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_generator,
    check_count,
    check_option,
    check_real,
    check_sample,
)

__all__ = ["BootstrapResult", "bootstrap_ci"]

_METHODS = ("percentile", "normal")


@dataclass(frozen=True)
class BootstrapResult:
    """A bootstrap confidence interval for an estimate.

    Attributes
    ----------
    estimate : float
        The estimator on the original samples.
    low, high : float
        The ends of the interval.
    stderr : float
        The standard deviation of the finite bootstrap replicates, ``inf`` if
        any replicate is infinite.
    replicates : ndarray
        The estimator on each resample (read-only); NaN for a resample on
        which it raised ValueError.
    """

    estimate: float
    low: float
    high: float
    stderr: float
    replicates: np.ndarray


#: Largest share of resamples on which the estimator may raise ValueError;
#: beyond it `bootstrap_ci` refuses, since the surviving replicates would be
#: a biased selection.
MAX_FAILED_SHARE = 0.05


def _scalar(value: object, where: str) -> float:
    """Return an estimator's result as a float, or say what it returned."""
    arr = np.asarray(value)
    if arr.shape != () or arr.dtype.kind not in "iufb":
        raise TypeError(
            "`estimator` must return a single real number, but "
            f"{where} it returned {type(value).__name__} of shape {arr.shape}; "
            "wrap it to return one number, e.g. lambda x, y: f(x, y)[0]"
        )
    return float(arr)


def bootstrap_ci(
    estimator: Callable[[np.ndarray, np.ndarray], float],
    x: ArrayLike,
    y: ArrayLike,
    *,
    n_resamples: int = 200,
    confidence: float = 0.95,
    method: str = "percentile",
    rng: int | np.random.Generator | None = None,
) -> BootstrapResult:
    r"""Compute a bootstrap confidence interval for an estimate from two samples.

    Parameters
    ----------
    estimator : callable
        ``estimator(x, y)`` returns a float, for example `kl_knn` or
        ``functools.partial(kl_histogram, bins=20, pseudocount=0.5)``.
    x, y : array_like, shape (n,) or (n, d)
        The two samples; each is resampled along its first axis, keeping its
        shape.
    n_resamples : int, optional
        Number of bootstrap resamples, at least 2 (default 200).
    confidence : float, optional
        Coverage of the interval, strictly between 0 and 1 (default 0.95).
    method : {"percentile", "normal"}, optional
        ``"percentile"`` (default): the :math:`(1 \mp c)/2` quantiles of the
        replicates. ``"normal"``: the estimate plus or minus
        :math:`z_{(1 + c)/2}` bootstrap standard errors.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness, passed to `numpy.random.default_rng`.

    Returns
    -------
    BootstrapResult
        ``.estimate``, ``.low``, ``.high``, ``.stderr`` and ``.replicates``.

    Raises
    ------
    ValueError
        If `x` or `y` is empty, not numeric, not of shape (n,) or (n, d), or
        contains NaN or infinite values; if `n_resamples` is smaller than 2;
        if `confidence` is not strictly between 0 and 1; if `method` is
        unknown; if `rng` is a negative seed; if the estimator returns NaN;
        or if it raises ValueError on more than 5% of the resamples.
    TypeError
        If `estimator` is not callable, `n_resamples` is not an integer,
        `confidence` is not a real number, `rng` is of the wrong type, or
        the estimator returns something other than one real number (an
        array, for example).

    Warns
    -----
    RuntimeWarning
        If the estimator raises ValueError on some resamples (at most 5%):
        those are left out of the interval, their replicates are NaN and the
        warning says how many failed.

    See Also
    --------
    kl_knn, kl_histogram : estimators to wrap.

    Notes
    -----
    Each resample draws n rows of `x` and m rows of `y` independently, with
    replacement, and evaluates the estimator on them [1]_. With B replicates
    and :math:`\alpha = (1 - c)/2`, the percentile interval runs from the
    replicate of rank :math:`\lceil B\alpha \rceil` to that of rank
    :math:`\lceil B(1 - \alpha) \rceil` in increasing order (the 10th and
    the 390th of 400 for 95%): no interpolation between replicates, so
    infinite replicates give infinite ends rather than NaN. The normal interval is
    :math:`\hat D \pm z \, \mathrm{se}`; it is infinite if a replicate is.

    The bootstrap describes the spread of an estimator, not its bias: an
    interval around a biased estimate (a histogram with a pseudocount, or
    `kl_knn` in many dimensions) can miss the true divergence however many
    resamples are drawn. Resamples also repeat points. `kl_knn` skips the
    copies, which can shift a data set's replicates away from its estimate
    (over repeated data sets the shift averages close to 0). Their spread is
    still a usable standard error, and the ``"normal"`` interval, which does
    not move with that shift, is the simpler choice for `kl_knn` (the chapter
    on estimating KL compares both over repeated data sets).

    References
    ----------
    .. [1] B. Efron and R. J. Tibshirani, *An Introduction to the
       Bootstrap*, Chapman & Hall, 1993, chapters 6 and 13.

    Examples
    --------
    >>> import numpy as np
    >>> from kltools import bootstrap_ci, kl_knn
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(0, 1, 2000)  # P = N(0, 1)
    >>> y = rng.normal(1, 1, 2000)  # Q = N(1, 1); KL(P || Q) = 0.5
    >>> res = bootstrap_ci(kl_knn, x, y, method="normal", rng=1)
    >>> round(res.estimate, 3), round(res.low, 3), round(res.high, 3)
    (0.521, 0.392, 0.649)
    >>> len(res.replicates)
    200
    """
    if not callable(estimator):
        raise TypeError(f"`estimator` must be callable, got {estimator!r}")
    x = check_sample(x, "x")
    y = check_sample(y, "y")
    n_resamples = check_count(n_resamples, "n_resamples", 2)
    confidence = check_real(confidence, "confidence")
    if not 0.0 < confidence < 1.0:
        raise ValueError(
            f"`confidence` must be strictly between 0 and 1, got {confidence!r}"
        )
    method = check_option(method, "method", _METHODS)
    gen = as_generator(rng)

    estimate = _scalar(estimator(x, y), "on the original samples")
    n, m = x.shape[0], y.shape[0]
    replicates = np.empty(n_resamples)
    failed: list[str] = []
    for i in range(n_resamples):  # one estimator call per resample
        xs, ys = x[gen.integers(0, n, n)], y[gen.integers(0, m, m)]
        try:
            value = estimator(xs, ys)
        except ValueError as exc:  # e.g. kl_knn refusing a resample of copies
            replicates[i] = np.nan
            failed.append(str(exc))
            continue
        replicates[i] = _scalar(value, f"on resample {i}")
    if failed:
        if len(failed) > MAX_FAILED_SHARE * n_resamples:
            raise ValueError(
                f"the estimator raised ValueError on {len(failed)} of "
                f"{n_resamples} resamples (more than {MAX_FAILED_SHARE:.0%}), "
                f"so the interval would not describe it; the first: {failed[0]}"
            )
        warnings.warn(
            f"the estimator raised ValueError on {len(failed)} of {n_resamples} "
            f"resamples, which are left out of the interval (their replicates "
            f"are NaN); the first: {failed[0]}",
            RuntimeWarning,
            stacklevel=2,
        )
    if math.isnan(estimate) or np.isnan(replicates).sum() > len(failed):
        raise ValueError("the estimator returned NaN")
    kept = replicates[~np.isnan(replicates)]

    finite = np.isfinite(kept)
    stderr = float(np.std(kept, ddof=1)) if finite.all() else math.inf
    b = kept.size
    alpha = (1.0 - confidence) / 2.0
    if method == "percentile":
        # Order statistics at ranks ceil(B alpha) and ceil(B (1 - alpha)); the
        # 1e-9 keeps (1 - 0.95) / 2 = 0.025000000000000022 from moving a rank.
        ordered = np.sort(kept)
        ranks = [max(math.ceil(b * a - 1e-9), 1) for a in (alpha, 1 - alpha)]
        low, high = float(ordered[ranks[0] - 1]), float(ordered[ranks[1] - 1])
    else:
        z = NormalDist().inv_cdf(1.0 - alpha)
        low, high = estimate - z * stderr, estimate + z * stderr
        if not math.isfinite(stderr):
            low, high = -math.inf, math.inf
    replicates.flags.writeable = False
    return BootstrapResult(
        estimate=estimate, low=low, high=high, stderr=stderr, replicates=replicates
    )
