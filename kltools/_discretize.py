"""Put a univariate distribution onto consecutive integers through its CDF."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from . import _scipy_adapter as sa

__all__ = ["discretize"]


def discretize(dist: Any, support: ArrayLike) -> np.ndarray:
    r"""Return the pmf that a distribution gives to consecutive integers.

    Each integer :math:`k` of `support` receives the probability of the cell
    :math:`(k - \tfrac12, k + \tfrac12]` (the values that round to
    :math:`k`), except that the first cell extends down to :math:`-\infty`
    and the last up to :math:`+\infty`. So the pmf sums to 1 and no mass
    is lost: the mass below the support (for a normal fitted to counts, the
    mass below 0) is *folded* into the first integer, and the mass above it
    into the last.

    Parameters
    ----------
    dist : frozen scipy.stats distribution
        Univariate, continuous (``stats.norm(2, 3)``) or integer-valued
        discrete (``stats.poisson(2)``).
    support : array_like of int, shape (K,)
        Consecutive increasing integers, for example ``np.arange(0, 31)``.

    Returns
    -------
    ndarray, shape (K,)
        The pmf on `support`. Its first entry is
        :math:`P(X \le s_0 + \tfrac12)` and its last
        :math:`P(X > s_{K-1} - \tfrac12)`.

    Raises
    ------
    TypeError
        If `dist` is not a frozen univariate scipy.stats distribution.
    ValueError
        If `support` is empty, not 1-D, or not consecutive increasing
        integers; if `dist` has array parameters (one distribution at a
        time) or invalid ones (as scipy checks them); or if a discrete
        `dist` puts mass off the integers (a non-integer ``loc``).

    See Also
    --------
    kl_divergence : compare the pmf with an empirical pmf.

    Notes
    -----
    With :math:`F` the CDF and :math:`S = 1 - F` the survival function,
    the interior cells are :math:`F(k + \tfrac12) - F(k - \tfrac12)`,
    computed as :math:`S(k - \tfrac12) - S(k + \tfrac12)` where
    :math:`F(k - \tfrac12) > \tfrac12`, so that neither tail loses its
    digits to cancellation. For an integer-valued discrete distribution
    the interior cells are its pmf exactly (``dist.pmf`` is used), the
    first :math:`F(s_0)` and the last :math:`S(s_{K-1} - 1)`.

    The density of a continuous distribution evaluated at the integers is
    *not* a pmf: it need not sum to 1 and ignores the mass outside the
    support. A divergence between a pmf and a density is not defined, and
    between an empirical (atomic) distribution and any density it is
    infinite; the discretised pmf is the distribution of the rounded (and
    clipped) variable, and can be compared with count data.

    To keep the tails apart instead of folding them, pass a support one
    integer wider on each side: the end cells then hold only the tails,
    for example ``discretize(dist, np.arange(-1, K + 1))[0]`` is the mass
    below :math:`-\tfrac12`.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from kltools import discretize
    >>> pmf = discretize(stats.norm(1, 2), np.arange(0, 6))  # N(1, 4) rounded
    >>> pmf.round(4)  # P(X <= 0.5) = 0.4013 goes to 0, P(X > 4.5) = 0.0401 to 5
    array([0.4013, 0.1974, 0.1747, 0.121 , 0.0656, 0.0401])
    >>> float(pmf.sum())
    1.0
    """
    if not (hasattr(dist, "dist") and hasattr(dist, "cdf") and hasattr(dist, "sf")):
        raise TypeError(
            "`dist` must be a frozen scipy.stats distribution, got "
            f"{type(dist).__name__}"
        )
    if not isinstance(dist.dist, stats.rv_continuous | stats.rv_discrete):
        raise TypeError(
            "`dist` must be a univariate scipy.stats distribution, got "
            f"{type(dist.dist).__name__}"
        )
    shape = sa.check_parameters(dist, "dist")  # invalid parameters: ValueError
    if shape != ():
        raise ValueError(
            "`dist` must have scalar parameters (one distribution), got "
            f"parameters of shape {shape}"
        )
    s = np.asarray(support)
    if s.ndim != 1 or s.size < 1:
        raise ValueError(
            f"`support` must be a non-empty 1-D array, got shape {s.shape}"
        )
    if s.dtype.kind not in "iu":
        if (
            s.dtype.kind != "f"
            or not np.all(np.isfinite(s))
            or (s != np.round(s)).any()
        ):
            raise ValueError("`support` must hold integers")
    s = s.astype(np.int64)
    if s.size > 1 and (np.diff(s) != 1).any():
        raise ValueError("`support` must be consecutive increasing integers")
    if isinstance(dist.dist, stats.rv_discrete):
        pmf = np.asarray(dist.pmf(s), dtype=float).copy()
        pmf[0] = dist.cdf(s[0])
        pmf[-1] = dist.sf(s[-1] - 1) if s.size > 1 else 1.0
        if abs(pmf.sum() - 1.0) > 1e-9:
            raise ValueError(
                "`dist` puts mass off the integers (its pmf on the support and "
                f"its tails sum to {pmf.sum():.6g}); give it an integer `loc`"
            )
        return pmf
    if s.size == 1:
        return np.ones(1)
    edges = s[:-1] + 0.5  # upper edge of every cell but the last
    cdf, sf = np.asarray(dist.cdf(edges), float), np.asarray(dist.sf(edges), float)
    lower_cdf, lower_sf = cdf[:-1], sf[:-1]
    upper_cdf, upper_sf = cdf[1:], sf[1:]
    interior = np.where(lower_cdf > 0.5, lower_sf - upper_sf, upper_cdf - lower_cdf)
    return np.concatenate([[cdf[0]], interior, [sf[-1]]])
