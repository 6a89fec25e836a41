"""Chernoff information and the exact error of the Bayes test."""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from ._counts_checks import check_pmf
from ._multinomial import count_vectors
from ._validation import log_base

__all__ = ["bayes_error", "chernoff_information"]


def _pair(p: ArrayLike, q: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    p_ = check_pmf(p, "p")
    q_ = check_pmf(q, "q")
    if p_.size != q_.size:
        raise ValueError(f"`p` has {p_.size} outcomes but `q` has {q_.size}")
    return p_, q_


def chernoff_information(
    p: ArrayLike, q: ArrayLike, *, base: float | None = None
) -> float:
    r"""Compute the Chernoff information between two pmfs.

    Parameters
    ----------
    p, q : array_like, shape (K,)
        Two pmfs on the same outcomes.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits.

    Returns
    -------
    float
        :math:`C(p, q) \ge 0`; ``inf`` when `p` and `q` share no outcome.

    Raises
    ------
    ValueError
        If `p` or `q` is not a pmf, their lengths differ, or `base` is
        invalid.

    See Also
    --------
    bayes_error : the exact error whose exponent this is.
    kl_divergence : the exponents of one error at a time (Stein's lemma).

    Notes
    -----
    .. math::

        C(p, q) = -\min_{0 \le \lambda \le 1}
        \log \sum_i p_i^{\lambda} q_i^{1 - \lambda} .

    The function of :math:`\lambda` is convex, 0 at both ends when `p` and
    `q` have the same support, and is minimised numerically (bounded
    Brent) on the logarithm of the sum, computed with ``logsumexp`` over
    the outcomes where both pmfs are positive (the others contribute 0 for
    :math:`0 < \lambda < 1`). :math:`C` is symmetric, 0 only when
    :math:`p = q`, and at most
    :math:`\min(D_{\mathrm{KL}}(p \| q), D_{\mathrm{KL}}(q \| p))`. It is
    the error exponent of the Bayes test (see `bayes_error`): with any
    fixed prior, the smallest probability of error of a test from
    :math:`n` draws is :math:`e^{-n C(p, q) + o(n)}`.

    References
    ----------
    .. [1] H. Chernoff, "A measure of asymptotic efficiency for tests of a
       hypothesis based on the sum of observations", *Ann. Math. Statist.*
       23, 493-507, 1952.
    .. [2] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, section 11.9.

    Examples
    --------
    >>> from kltools import chernoff_information
    >>> # mirror-image coins: lambda* = 1/2, C = -log(2 sqrt(0.25 * 0.75))
    >>> round(chernoff_information([0.25, 0.75], [0.75, 0.25]), 6)
    0.143841
    """
    p_, q_ = _pair(p, q)
    divisor = log_base(base)
    if np.array_equal(p_, q_):
        return 0.0
    both = (p_ > 0) & (q_ > 0)
    if not both.any():
        return math.inf
    lp, lq = np.log(p_[both]), np.log(q_[both])

    def log_sum(lam: float) -> float:
        return float(special.logsumexp(lam * lp + (1.0 - lam) * lq))

    res = optimize.minimize_scalar(
        log_sum, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-10}
    )
    value = min(res.fun, log_sum(0.0), log_sum(1.0))
    return float(-value) / divisor


def bayes_error(
    p: ArrayLike,
    q: ArrayLike,
    n: int,
    prior: float = 0.5,
    *,
    log: bool = False,
) -> float:
    r"""Return the exact error probability of the Bayes test between two pmfs.

    With prior probability `prior` on `p` and ``1 - prior`` on `q`, the
    test that sees `n` independent draws and picks the hypothesis with the
    larger posterior probability has the smallest probability of error
    among all tests.

    Parameters
    ----------
    p, q : array_like, shape (K,)
        The two pmfs.
    n : int
        Number of independent draws, ``n >= 1``.
    prior : float, optional
        Prior probability of `p`, in ``(0, 1)``; default 0.5.
    log : bool, optional
        Return the logarithm (nats) of the error, which underflows for
        large `n`.

    Returns
    -------
    float
        :math:`P_e = \sum_c \min(\pi P_p(c), (1 - \pi) P_q(c))`, the sum over
        every count vector :math:`c` of `n` draws; its log with ``log=True``.

    Raises
    ------
    ValueError
        If `p` or `q` is not a pmf, their lengths differ, ``n < 1``, `prior`
        is not in ``(0, 1)``, or there are more than 1,000,000 count
        vectors.
    TypeError
        If `n` is not an integer or `prior` not a number.

    See Also
    --------
    chernoff_information : the limit of the exponent.
    neyman_pearson_beta : one error at a fixed level of the other.

    Notes
    -----
    The multinomial probabilities are computed in log space. As
    :math:`n \to \infty`, :math:`-\frac1n \log P_e \to C(p, q)`, the
    Chernoff information, whatever the prior.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, *Elements of Information Theory*,
       2nd ed., Wiley, 2006, theorem 11.9.1.

    Examples
    --------
    >>> from kltools import bayes_error
    >>> round(bayes_error([0.5, 0.5], [0.25, 0.75], 1), 4)  # one flip: 1/2 - TV/2
    0.375
    """
    p_, q_ = _pair(p, q)
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        if isinstance(n, numbers.Integral) and not isinstance(n, bool):
            raise ValueError(f"`n` must be a positive integer, got {n!r}")
        raise TypeError(f"`n` must be a positive integer, got {n!r}")
    if isinstance(prior, bool) or not isinstance(prior, numbers.Real):
        raise TypeError(f"`prior` must be a number in (0, 1), got {prior!r}")
    if not 0.0 < float(prior) < 1.0:
        raise ValueError(f"`prior` must be in (0, 1), got {prior!r}")
    keep = (p_ > 0) | (q_ > 0)
    p_, q_ = p_[keep], q_[keep]
    types = count_vectors(int(n), p_.size)
    log_coef = special.gammaln(n + 1) - special.gammaln(types + 1).sum(axis=-1)
    log_p = math.log(prior) + log_coef + special.xlogy(types, p_).sum(axis=-1)
    log_q = math.log1p(-prior) + log_coef + special.xlogy(types, q_).sum(axis=-1)
    value = float(special.logsumexp(np.minimum(log_p, log_q)))
    return value if log else math.exp(value)
