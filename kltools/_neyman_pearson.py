"""Exact error probabilities of the most powerful (Neyman-Pearson) test."""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from ._counts_checks import check_pmf
from ._multinomial import count_vectors

__all__ = ["neyman_pearson_beta", "stein_exponent"]


def _check_alpha(alpha: object) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"`alpha` must be a number in [0, 1], got {alpha!r}")
    a = float(alpha)
    if not 0.0 <= a <= 1.0:
        raise ValueError(f"`alpha` must be in [0, 1], got {alpha!r}")
    return a


def _log_beta(p: np.ndarray, q: np.ndarray, n: int, alpha: float) -> float:
    """``log`` of the type-II error of the level-`alpha` NP test, n draws."""
    if alpha >= 1.0:
        return -math.inf  # always reject: beta = 0
    keep = (p > 0) | (q > 0)  # outcomes impossible under both never occur
    p, q = p[keep], q[keep]
    types = count_vectors(n, p.size)
    log_coef = special.gammaln(n + 1) - special.gammaln(types + 1).sum(axis=-1)
    log_p0 = log_coef + special.xlogy(types, p).sum(axis=-1)
    log_p1 = log_coef + special.xlogy(types, q).sum(axis=-1)
    with np.errstate(invalid="ignore"):  # -inf - -inf where both are 0
        llr = log_p1 - log_p0
    llr = np.where(
        np.isneginf(log_p1), -np.inf, np.where(np.isneginf(log_p0), np.inf, llr)
    )
    # Reject the null p for the largest ratios q/p first. Within a group of
    # equal ratios the order does not change beta: P1 = ratio * P0 there.
    order = np.argsort(-llr, kind="stable")
    p0_sorted = np.exp(log_p0[order])
    log_p1_sorted = log_p1[order]
    cum = np.cumsum(p0_sorted)
    j = int(np.searchsorted(cum, alpha, side="right"))  # first type not fully rejected
    if j >= order.size:
        return -math.inf  # every type rejected: beta = 0
    before = cum[j - 1] if j > 0 else 0.0
    # Randomise on type j so that the size is exactly alpha.
    gamma = (
        0.0
        if p0_sorted[j] == 0.0
        else min(1.0, max(0.0, (alpha - before) / p0_sorted[j]))
    )
    parts = [log_p1_sorted[j + 1 :]]
    if gamma < 1.0:
        parts.append(np.array([math.log1p(-gamma) + log_p1_sorted[j]]))
    return float(special.logsumexp(np.concatenate(parts)))


def _check_n(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"`n` must be a positive integer, got {n!r}")
    if int(n) < 1:
        raise ValueError(f"`n` must be a positive integer, got {n!r}")
    return int(n)


def neyman_pearson_beta(
    p: ArrayLike, q: ArrayLike, n: int, alpha: float, *, log: bool = False
) -> float:
    r"""Return the type-II error of the most powerful test of `p` against `q`.

    The test sees `n` independent draws and must decide between the null
    hypothesis that they come from `p` and the alternative that they come
    from `q`. Among all (randomised) tests that reject the null with
    probability at most `alpha` when it is true, the Neyman-Pearson test
    has the smallest type-II error :math:`\beta_n`, the probability of
    accepting the null when the draws come from `q`.

    Parameters
    ----------
    p, q : array_like, shape (K,)
        The pmfs under the null and under the alternative.
    n : int
        Number of independent draws, ``n >= 1``.
    alpha : float
        The type-I error (size), in ``[0, 1]``.
    log : bool, optional
        Return :math:`\log \beta_n` (nats) instead of :math:`\beta_n`, which
        underflows to 0 for large `n`.

    Returns
    -------
    float
        :math:`\beta_n`, or :math:`\log \beta_n` with ``log=True``
        (``-inf`` when :math:`\beta_n = 0`).

    Raises
    ------
    ValueError
        If `p` or `q` is not a pmf, their lengths differ, ``n < 1``, `alpha`
        is outside ``[0, 1]``, or the enumeration would exceed 1,000,000
        count vectors (see `count_vectors`).
    TypeError
        If `n` is not an integer or `alpha` not a number.

    See Also
    --------
    stein_exponent : :math:`-\frac1n \log\beta_n` for several `n`.

    Notes
    -----
    The log-likelihood ratio of the draws depends on them only through the
    counts :math:`c`: :math:`\Lambda(c) = \sum_i c_i \log(q_i / p_i)`. The
    test rejects the null when :math:`\Lambda` exceeds a threshold and, on
    the threshold, with the probability that makes the size exactly
    `alpha`. Both error probabilities are exact sums of multinomial
    probabilities over every count vector (computed in log space), with
    no simulation.

    Stein's lemma: for fixed :math:`0 < \alpha < 1`,
    :math:`-\frac1n \log\beta_n \to D_{\mathrm{KL}}(p \,\|\, q)` as
    :math:`n \to \infty` (see `stein_exponent`). Outcomes with
    :math:`p_i > 0 = q_i` make :math:`\Lambda = -\infty` (always accept);
    with :math:`q_i > 0 = p_i`, :math:`+\infty` (always reject, at no cost
    in size).

    References
    ----------
    .. [1] J. Neyman and E. S. Pearson, "On the problem of the most
       efficient tests of statistical hypotheses", *Phil. Trans. R. Soc.
       A* 231, 289-337, 1933.
    .. [2] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, section 11.8.

    Examples
    --------
    >>> from kltools import neyman_pearson_beta
    >>> # fair coin (null) against a coin with P(heads) = 1/4, 20 flips, 5% size
    >>> round(neyman_pearson_beta([0.5, 0.5], [0.25, 0.75], 20, 0.05), 4)
    0.2492
    """
    p_ = check_pmf(p, "p")
    q_ = check_pmf(q, "q")
    if p_.size != q_.size:
        raise ValueError(f"`p` has {p_.size} outcomes but `q` has {q_.size}")
    lb = _log_beta(p_, q_, _check_n(n), _check_alpha(alpha))
    return lb if log else math.exp(lb)


def stein_exponent(
    p: ArrayLike, q: ArrayLike, n: ArrayLike, alpha: float
) -> np.ndarray:
    r"""Return :math:`-\frac1n \log\beta_n` of the Neyman-Pearson test for each `n`.

    Parameters
    ----------
    p, q : array_like, shape (K,)
        The pmfs under the null and under the alternative.
    n : array_like of int
        Sample sizes, each ``>= 1``.
    alpha : float
        The type-I error, in ``[0, 1]``.

    Returns
    -------
    ndarray of float, the shape of `n`
        The exponent in nats per draw; ``inf`` where :math:`\beta_n = 0`.

    Raises
    ------
    ValueError, TypeError
        As `neyman_pearson_beta`.

    See Also
    --------
    neyman_pearson_beta : the error itself.
    kl_divergence : the limit :math:`D_{\mathrm{KL}}(p \| q)`.

    Notes
    -----
    Stein's lemma: for :math:`0 < \alpha < 1` the exponent tends to
    :math:`D_{\mathrm{KL}}(p \,\|\, q)`, where `p` is the null. The
    approach is slow, of order :math:`1/\sqrt{n}`: the threshold on the
    average log-likelihood ratio sits about
    :math:`z_{1-\alpha}\sigma/\sqrt{n}` from its mean.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, theorem 11.8.3 (Chernoff-Stein lemma).

    Examples
    --------
    >>> import numpy as np
    >>> from kltools import kl_divergence, stein_exponent
    >>> p, q = [0.5, 0.5], [0.25, 0.75]
    >>> stein_exponent(p, q, [10, 100, 1000], 0.05).round(4)
    array([0.0684, 0.0898, 0.1202])
    >>> round(float(kl_divergence(p, q)), 6)  # the limit, (1/2) log(4/3)
    0.143841
    """
    p_ = check_pmf(p, "p")
    q_ = check_pmf(q, "q")
    if p_.size != q_.size:
        raise ValueError(f"`p` has {p_.size} outcomes but `q` has {q_.size}")
    a = _check_alpha(alpha)
    ns = np.asarray(n)
    if ns.dtype.kind not in "iu":
        raise TypeError(f"`n` must hold integers, got dtype {ns.dtype}")
    if (ns < 1).any():
        raise ValueError("`n` must hold positive integers")
    out = np.empty(ns.shape)
    for idx, size in np.ndenumerate(ns):
        out[idx] = -_log_beta(p_, q_, int(size), a) / int(size)
    return out
