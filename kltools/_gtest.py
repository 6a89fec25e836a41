"""The G-test of a sample's counts against a hypothesised pmf."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from ._counts_checks import check_counts, check_pmf
from ._discrete import kl_divergence
from ._multinomial import MAX_COUNT_VECTORS, count_vectors, n_count_vectors

__all__ = ["GTestResult", "g_test"]

#: ``exact="auto"`` enumerates the null distribution up to this many types.
AUTO_EXACT_LIMIT = 200_000


@dataclass(frozen=True)
class GTestResult:
    """The result of `g_test`.

    Attributes
    ----------
    statistic : float or ndarray
        :math:`G = 2 n D_{\\mathrm{KL}}(\\hat p \\| p_0)`, in nats.
    dof : int
        Degrees of freedom of the chi-squared approximation, ``K - 1``.
    pvalue : float or ndarray
        :math:`P(\\chi^2_{K-1} \\ge G)`, the large-sample p-value.
    exact_pvalue : float, ndarray or None
        :math:`P_{p_0}(G' \\ge G)` summed over every count vector of the same
        size, or ``None`` when it was not computed.
    """

    statistic: float | np.ndarray
    dof: int
    pvalue: float | np.ndarray
    exact_pvalue: float | np.ndarray | None


def _exact_tail(n: int, p0: np.ndarray, g_obs: np.ndarray) -> np.ndarray:
    """``P(G >= g)`` for each ``g`` in `g_obs`, under multinomial(n, p0)."""
    types = count_vectors(n, p0.size)
    g_all = 2.0 * n * kl_divergence(types, p0, normalize=True) if n else 0.0
    logpmf = (
        special.gammaln(n + 1)
        - special.gammaln(types + 1).sum(axis=-1)
        + special.xlogy(types, p0).sum(axis=-1)
    )
    g_all = np.broadcast_to(g_all, logpmf.shape)
    order = np.argsort(g_all, kind="stable")
    g_sorted = g_all[order]
    tail = np.cumsum(np.exp(logpmf[order])[::-1])[::-1]  # P(G >= g_sorted[i])
    # Types with the same G can differ in the last bits; count them as ties.
    slack = 1e-9 * np.maximum(1.0, np.abs(g_obs))
    idx = np.searchsorted(g_sorted, g_obs - slack, side="left")
    out = np.zeros(g_obs.shape)
    inside = idx < g_sorted.size
    out[inside] = np.minimum(tail[idx[inside]], 1.0)
    return out


def g_test(
    counts: ArrayLike, p0: ArrayLike, *, exact: bool | str = "auto"
) -> GTestResult:
    r"""Test counts against a hypothesised pmf with the G (likelihood-ratio) test.

    Parameters
    ----------
    counts : array_like of int, shape (..., K)
        Observed counts of the `K` outcomes along the last axis; leading
        axes are independent samples (one test each).
    p0 : array_like, shape (K,)
        The pmf under the null hypothesis: every entry positive, summing
        to 1.
    exact : bool or "auto", optional
        Whether to compute exact p-values by summing the multinomial null
        probabilities of every count vector of the same size. ``"auto"``
        (default) does so when there are at most 200,000 count vectors per
        sample size, ``True`` always (up to 1,000,000; beyond, an error),
        ``False`` never.

    Returns
    -------
    GTestResult
        ``statistic``, ``dof``, ``pvalue`` and ``exact_pvalue`` (``None``
        unless computed); floats for one sample, arrays of the leading shape
        of `counts` otherwise.

    Raises
    ------
    ValueError
        If `counts` are not non-negative integers, a sample has no draws,
        `p0` is not a pmf with positive entries, the lengths differ, or
        ``exact=True`` needs more than 1,000,000 count vectors.
    TypeError
        If `exact` is not a bool or ``"auto"``.

    See Also
    --------
    scipy.stats.power_divergence : the same statistic, chi-squared p-value.
    kl_divergence : :math:`D_{\mathrm{KL}}(\hat p \| p_0)` itself.

    Notes
    -----
    With :math:`\hat p = c / n` the empirical pmf of :math:`n = \sum_i c_i`
    draws,

    .. math::

        G = 2 \sum_i c_i \log\frac{c_i}{n p_{0,i}}
          = 2 n\, D_{\mathrm{KL}}(\hat p \,\|\, p_0),

    with :math:`0 \log 0 = 0`. :math:`G` is twice the log of the
    likelihood ratio between the best multinomial and :math:`p_0`. Under
    the null it tends in distribution to :math:`\chi^2_{K-1}` as
    :math:`n \to \infty` (Wilks); for small :math:`n`, or small expected
    counts :math:`n p_{0,i}`, prefer the exact p-value. It equals
    ``scipy.stats.power_divergence(counts, n * p0,
    lambda_="log-likelihood")``. Exact p-values count types whose
    statistic equals the observed one within a relative :math:`10^{-9}`
    as ties (included in the tail).

    References
    ----------
    .. [1] A. Agresti, *Categorical Data Analysis*, 3rd ed., Wiley, 2013,
       section 1.5.
    .. [2] S. S. Wilks, "The large-sample distribution of the likelihood
       ratio for testing composite hypotheses", *Ann. Math. Statist.* 9,
       60-62, 1938.

    Examples
    --------
    >>> from kltools import g_test
    >>> res = g_test([18, 22, 20, 25, 15, 20], [1 / 6] * 6)  # 120 rolls of a die
    >>> round(float(res.statistic), 4), res.dof, round(float(res.pvalue), 4)
    (2.9274, 5, 0.7112)
    """
    if not (isinstance(exact, bool) or exact == "auto"):
        raise TypeError(f'`exact` must be True, False or "auto", got {exact!r}')
    c = check_counts(counts, "counts")
    p = check_pmf(p0, "p0", positive=True)
    if c.shape[-1] != p.size:
        raise ValueError(f"`counts` has {c.shape[-1]} outcomes but `p0` has {p.size}")
    n = c.sum(axis=-1)
    if (n == 0).any():
        raise ValueError("`counts` must have at least one draw in each sample")
    g = 2.0 * n * np.asarray(kl_divergence(c, p, normalize=True))
    dof = p.size - 1
    pval = stats.chi2.sf(g, dof) if dof > 0 else np.ones_like(g)
    exact_p = None
    sizes = np.unique(n)
    if exact is not False:
        largest = max(n_count_vectors(int(s), p.size) for s in sizes)
        limit = MAX_COUNT_VECTORS if exact is True else AUTO_EXACT_LIMIT
        if largest <= limit:
            exact_p = np.empty(g.shape)
            for s in sizes:
                mask = n == s
                exact_p[mask] = _exact_tail(int(s), p, g[mask])
        elif exact is True:
            count_vectors(int(sizes.max()), p.size)  # raises with the numbers
    if g.ndim == 0:
        g, pval = float(g), float(pval)
        exact_p = None if exact_p is None else float(exact_p)  # type: ignore[assignment]
    return GTestResult(statistic=g, dof=dof, pvalue=pval, exact_pvalue=exact_p)
