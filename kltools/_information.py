"""Mutual information: exact for a joint pmf, estimated from samples by KSG."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree
from scipy.special import digamma

from ._validation import (
    as_real_array,
    check_count,
    check_entries,
    check_sample,
    check_sums,
    log_base,
    sum_tolerance,
)

__all__ = ["mi_knn", "mutual_information"]

#: Perturbations averaged by ``mi_knn(..., ties="jitter")``, with seeds
#: 0, 1, ..., _N_JITTER - 1.
_N_JITTER = 5
#: Half-width of the jitter as a fraction of a column's resolution (its
#: smallest gap between distinct values).
_JITTER_FRACTION = 1e-3


def mutual_information(
    joint: ArrayLike,
    *,
    base: float | None = None,
    normalize: bool = False,
) -> float | np.ndarray:
    r"""Compute the mutual information of a joint pmf.

    Parameters
    ----------
    joint : array_like, shape (..., K_x, K_y)
        Joint probabilities :math:`p(x, y)`: the last two axes are X and Y,
        any leading axes hold a batch of joint pmfs.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1.
    normalize : bool, optional
        If False (default), each joint pmf must sum to 1 (within
        ``sqrt(eps)`` of the input's dtype). If True, each is divided by its
        sum first, so a contingency table of counts can be passed directly.

    Returns
    -------
    float or ndarray
        :math:`I(X; Y) \ge 0`: a float for one joint pmf, otherwise an array
        of the leading (batch) shape.

    Raises
    ------
    ValueError
        If `joint` is not numeric, has fewer than two dimensions or an empty
        axis, contains negative, NaN or infinite entries, does not sum to 1
        (with ``normalize=False``) or is all zero (with ``normalize=True``);
        or if `base` is invalid.

    See Also
    --------
    kl_divergence : I(X; Y) is the divergence of p(x) p(y) from p(x, y).
    entropy : :math:`I = H(X) + H(Y) - H(X, Y)`.
    mi_knn : an estimate from samples of continuous variables.

    Notes
    -----
    With the marginals :math:`p(x) = \sum_y p(x, y)` and
    :math:`p(y) = \sum_x p(x, y)`,

    .. math::

       I(X; Y) = D_{\mathrm{KL}}\bigl(p(x, y) \,\|\, p(x)\, p(y)\bigr)
               = \sum_{x, y} p(x, y) \log \frac{p(x, y)}{p(x)\, p(y)}.

    A cell with :math:`p(x, y) = 0` contributes 0; a positive cell has
    positive marginals, so the result is always finite, at most
    :math:`\min(\log K_x, \log K_y)`. It is 0 exactly when X and Y are
    independent (up to rounding, which is clamped at 0 so the result is
    never negative). Each cell is divided by its two marginals in place,
    so no product table :math:`p(x) p(y)` is formed, and the logarithm of
    the ratio avoids the cancellation of :math:`H(X) + H(Y) - H(X, Y)`
    when X and Y are nearly independent.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, sec. 2.4.

    Examples
    --------
    >>> from kltools import mutual_information
    >>> mutual_information([[0.5, 0.0], [0.0, 0.5]], base=2)  # Y = X: one bit
    1.0
    >>> mutual_information([[0.25, 0.25], [0.25, 0.25]])  # independent
    0.0
    >>> round(mutual_information([[40, 10], [10, 40]], normalize=True), 6)
    0.192745
    """
    divisor = log_base(base)
    p = as_real_array(joint, "joint")
    if p.ndim < 2:
        raise ValueError(
            "`joint` must have at least two dimensions (X and Y on the last "
            f"two axes), got shape {p.shape}"
        )
    if p.shape[-1] == 0 or p.shape[-2] == 0:
        raise ValueError(f"`joint` has an empty X or Y axis (shape {p.shape})")
    batch = p.shape[:-2]
    rows = p.reshape(-1, p.shape[-2] * p.shape[-1])
    check_entries(rows, "joint")
    sums = rows.sum(axis=1)
    check_sums(sums, "joint", normalize, sum_tolerance(joint))
    if normalize:
        p = p / sums.reshape(*batch, 1, 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        px = p.sum(axis=-1, keepdims=True)
        py = p.sum(axis=-2, keepdims=True)
        ratio = p / px
        ratio /= py
        # p(x, y) / (p(x) p(y)) <= 1 / p(x, y) overflows only for subnormal
        # cells; there the logarithm is taken of the two factors instead.
        over = np.isinf(ratio)
        np.log(ratio, out=ratio)
        if over.any():
            ratio[over] = (np.log(p / px) - np.log(py))[over]
        ratio *= p
    ratio[p == 0.0] = 0.0
    total = ratio.sum(axis=(-2, -1))
    result = np.where(total > 0.0, total, 0.0) / divisor
    if result.ndim == 0:
        return float(result)
    return result


def _count_within_sorted(xs: np.ndarray, x: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Count ``j`` with ``abs(xs[j] - x[i]) <= r[i]``, `xs` sorted, per `i`.

    `numpy.searchsorted` on ``x ± r`` finds the boundaries up to rounding
    (``x + r`` is rounded, ``xs[j] - x`` too); each boundary is then moved
    until the rounded distance itself decides, as a k-d tree compares it.
    The rounded difference is monotone in ``xs[j]``, so stepping is exact.
    """
    n = xs.size
    hi = np.searchsorted(xs, x + r, side="right")  # first j with xs[j] - x > r
    lo = np.searchsorted(xs, x - r, side="left")  # first j with x - xs[j] <= r
    while True:
        changed = False
        # hi: xs[hi - 1] - x <= r and xs[hi] - x > r
        up = hi < n
        up[up] = xs[hi[up]] - x[up] <= r[up]
        down = hi > 0
        down[down] = xs[hi[down] - 1] - x[down] > r[down]
        # lo: x - xs[lo - 1] > r and x - xs[lo] <= r
        lo_down = lo > 0
        lo_down[lo_down] = x[lo_down] - xs[lo[lo_down] - 1] <= r[lo_down]
        lo_up = lo < n
        lo_up[lo_up] = x[lo_up] - xs[lo[lo_up]] > r[lo_up]
        for mask, arr, step in (
            (up, hi, 1),
            (down, hi, -1),
            (lo_down, lo, -1),
            (lo_up, lo, 1),
        ):
            if mask.any():
                arr[mask] += step
                changed = True
        if not changed:
            break
    return hi - lo


def _marginal_counts(z: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Points of `z` within max-norm distance `r` of each point, itself included."""
    if z.shape[1] == 1:
        col = z[:, 0]
        return _count_within_sorted(np.sort(col), col, r)
    tree = cKDTree(z)
    return tree.query_ball_point(z, r, p=np.inf, return_length=True, workers=-1)


def _ksg(x: np.ndarray, y: np.ndarray, k: int) -> float:
    """KSG estimator 1 in nats for tie-free samples (no checks)."""
    n = x.shape[0]
    xy = np.hstack([x, y])
    tree = cKDTree(xy)
    # Querying the points in the tree's leaf order keeps consecutive queries
    # in nearby nodes (about twice as fast); the mean does not depend on order.
    order = tree.indices
    x, y = x[order], y[order]
    dist, _ = tree.query(xy[order], k=k + 1, p=np.inf, workers=-1)
    # Strictly within the k-th neighbour's distance: <= the next float down.
    r = np.nextafter(dist[:, k], 0.0)
    nx = _marginal_counts(x, r) - 1
    ny = _marginal_counts(y, r) - 1
    return float(
        digamma(k) + digamma(n) - digamma(nx + 1.0).mean() - digamma(ny + 1.0).mean()
    )


def _resolution(col: np.ndarray) -> float:
    """Smallest positive gap between distinct values of a sorted column."""
    gaps = np.diff(col)
    return float(gaps[gaps > 0.0].min())


def _tied_column(z: np.ndarray) -> int | None:
    """Index of the first column of `z` with a repeated value, or None."""
    for j in range(z.shape[1]):
        col = np.sort(z[:, j])
        if (np.diff(col) == 0.0).any():
            return j
    return None


def _standardized(z: np.ndarray, name: str) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        sd = z.std(axis=0)
    if not np.isfinite(sd).all():
        raise ValueError(f"`{name}` is too large to standardize; rescale it")
    if not (sd > 0.0).all():
        j = int(np.argmin(sd > 0.0))
        raise ValueError(
            f"column {j} of `{name}` is constant: it carries no information "
            "(its mutual information with anything is 0)"
        )
    return z / sd


def mi_knn(
    x: ArrayLike,
    y: ArrayLike,
    *,
    k: int = 3,
    base: float | None = None,
    standardize: bool = True,
    ties: str = "raise",
) -> float:
    r"""Estimate mutual information from samples by nearest neighbours (KSG).

    Parameters
    ----------
    x : array_like, shape (n,) or (n, d_x)
        Sample of X: n points, in one dimension or in d_x.
    y : array_like, shape (n,) or (n, d_y)
        Sample of Y, paired with `x` row by row.
    k : int, optional
        Neighbour used in the joint space, ``1 <= k < n``. Default 3 (as
        ``sklearn.feature_selection.mutual_info_regression``). Larger `k`
        lowers the variance and raises the bias.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1.
    standardize : bool, optional
        If True (default), divide each column by its standard deviation
        first, as scikit-learn does. The max-norm makes the estimate depend
        on the relative scales of the columns; the true I(X; Y) does not.
    ties : {"raise", "jitter"}, optional
        What to do when a column of `x` or `y` repeats a value (rounded or
        discrete data). ``"raise"`` (default) raises a `ValueError`;
        ``"jitter"`` adds a uniform perturbation far below the data's
        resolution and averages the estimates over 5 fixed seeds (see
        Notes), so the result is reproducible.

    Returns
    -------
    float
        The estimate of :math:`I(X; Y)`. It can be slightly negative when
        X and Y are nearly independent: it is not clamped (scikit-learn
        clamps at 0), so that averages of estimates keep their bias small.

    Raises
    ------
    ValueError
        If `x` or `y` is empty, not numeric, not of shape (n,) or (n, d), or
        contains NaN or infinite values; if they have different numbers of
        points; if `k` is out of range; if a column is constant (with
        ``standardize=True``); if a column has repeated values and
        ``ties="raise"``, or `ties` is not one of its options; or if `base`
        is invalid.
    TypeError
        If `k` is not an integer.

    See Also
    --------
    mutual_information : exact, for a joint pmf.
    kl_knn : the nearest-neighbour estimator of KL between two samples.

    Notes
    -----
    Estimator 1 of Kraskov, Stögbauer and Grassberger [1]_: with
    :math:`\varepsilon_i` the max-norm distance from :math:`(x_i, y_i)` to
    its k-th nearest neighbour in the joint sample, and :math:`n_x(i)`,
    :math:`n_y(i)` the numbers of other points whose `x` (resp. `y`) lies
    *strictly* within :math:`\varepsilon_i` of :math:`x_i` (resp.
    :math:`y_i`), in the max-norm,

    .. math::

       \hat I = \psi(k) + \psi(n)
               - \frac1n \sum_{i=1}^n \bigl[\psi(n_x(i) + 1)
               + \psi(n_y(i) + 1)\bigr],

    with :math:`\psi` the digamma function. It is consistent for
    continuous distributions and nearly unbiased for independent X and Y.
    The joint neighbours come from a k-d tree (`scipy.spatial.cKDTree`,
    every core); one-dimensional marginal counts come from a sorted copy by
    binary search, corrected so that the rounded distance decides exactly
    as in the tree; higher-dimensional ones from k-d trees.

    *Ties.* The estimator assumes continuous data. A repeated point gives
    :math:`\varepsilon_i = 0`, and repeated marginal values make the counts
    depend on whether ties sit exactly at distance :math:`\varepsilon_i`.
    Skipping copies, as `kl_knn` does, is not an option here: on rounded
    data it makes every count include a whole block of copies and drives
    the estimate towards a value set by the rounding. So ties are refused
    by default. With ``ties="jitter"``, every column is first perturbed by
    independent uniform noise on :math:`[-h, h]`, with
    :math:`h = 10^{-3}` times the column's resolution (its smallest gap
    between distinct values, after standardising): distinct values keep
    their order and nearly their distances, and copies become distinct
    points very close together. The estimate is averaged over perturbations
    drawn with seeds 0 to 4, so it is deterministic. This estimates the
    mutual information of the perturbed variables, which for discrete data
    approaches that of the discrete variables; for purely discrete data
    prefer `mutual_information` on a contingency table. scikit-learn
    instead adds Gaussian noise of standard deviation
    :math:`10^{-10}` (times the mean absolute value, if above 1) with a
    random state.

    References
    ----------
    .. [1] A. Kraskov, H. Stögbauer and P. Grassberger, "Estimating mutual
       information", *Phys. Rev. E* 69, 066138, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from kltools import mi_knn
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=20_000)
    >>> y = 0.6 * x + 0.8 * rng.normal(size=20_000)  # correlation 0.6
    >>> round(mi_knn(x, y), 3)  # exact: -log(1 - 0.36) / 2 = 0.223
    0.227

    Rounded data repeat values and must be jittered explicitly:

    >>> round(mi_knn(np.round(x, 1), y, ties="jitter"), 3)
    0.218
    """
    divisor = log_base(base)
    x = check_sample(x, "x", as_matrix=True)
    y = check_sample(y, "y", as_matrix=True)
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(
            f"`x` and `y` must hold the same number of points (paired rows): "
            f"`x` has {n}, `y` has {y.shape[0]}"
        )
    k = check_count(k, "k", 1)
    if k >= n:
        raise ValueError(
            f"`k` must be smaller than the number of points ({n}), got {k}"
        )
    if ties not in ("raise", "jitter"):
        raise ValueError(f'`ties` must be "raise" or "jitter", got {ties!r}')
    if standardize:
        x = _standardized(x, "x")
        y = _standardized(y, "y")
    tied = {name: _tied_column(z) for name, z in (("x", x), ("y", y))}
    if all(j is None for j in tied.values()):
        return _ksg(x, y, k) / divisor
    if ties == "raise":
        name, j = next((nm, j) for nm, j in tied.items() if j is not None)
        raise ValueError(
            f"column {j} of `{name}` has repeated values (ties), which the KSG "
            'estimator cannot handle; pass ties="jitter" to break them with a '
            "perturbation far below the data's resolution (see the Notes), or "
            "use mutual_information on a contingency table for discrete data"
        )
    half_widths = []
    for name, z in (("x", x), ("y", y)):
        widths = []
        for j in range(z.shape[1]):
            col = np.sort(z[:, j])
            if col[0] == col[-1]:
                raise ValueError(
                    f"column {j} of `{name}` is constant: it carries no "
                    "information (its mutual information with anything is 0)"
                )
            widths.append(_JITTER_FRACTION * _resolution(col))
        half_widths.append(np.array(widths))
    estimates = []
    for seed in range(_N_JITTER):
        rng = np.random.default_rng(seed)
        xj = x + rng.uniform(-1.0, 1.0, x.shape) * half_widths[0]
        yj = y + rng.uniform(-1.0, 1.0, y.shape) * half_widths[1]
        if _tied_column(xj) is not None or _tied_column(yj) is not None:
            raise ValueError(
                "ties remain after jittering: the data's resolution is near "
                "floating-point precision; rescale or shift `x` and `y`"
            )
        estimates.append(_ksg(xj, yj, k))
    return math.fsum(estimates) / _N_JITTER / divisor
