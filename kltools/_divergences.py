"""Relatives of KL between discrete distributions: Rényi, Hellinger, chi-squared.

They follow the conventions of `kltools._discrete`: distributions along
`axis`, the same validation and messages, ``inf`` where the divergence is
infinite, never NaN, never negative from rounding.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.typing import ArrayLike

from ._closed_form import log_ratio
from ._discrete import kl_divergence
from ._validation import (
    check_entries,
    check_sums,
    distributions,
    finish,
    log_base,
)

__all__ = ["chi2_divergence", "hellinger_distance", "renyi_divergence"]


def _rows(
    arrays: dict[str, ArrayLike], axis: object, normalize: bool
) -> tuple[list[np.ndarray], tuple[int, ...], int]:
    """Validated distributions as rows ``(n_distributions, k)``, normalised if asked."""
    rows, out_shape, axis_, tol = distributions(arrays, axis)
    out = []
    for a, name in zip(rows, arrays, strict=True):
        check_entries(a, name)
        sums = a.sum(axis=1)
        check_sums(sums, name, normalize, tol)
        out.append(a / sums[:, None] if normalize else a)
    return out, out_shape, axis_


def check_alpha(alpha: object) -> float:
    """Return a Rényi order as a float in [0, inf], or raise."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"`alpha` must be a real number in [0, inf], got {alpha!r}")
    value = float(alpha)
    if math.isnan(value) or value < 0.0:
        raise ValueError(f"`alpha` must be a real number in [0, inf], got {alpha!r}")
    return value


def _renyi_nats(p: np.ndarray, q: np.ndarray, alpha: float) -> np.ndarray:
    """Rényi divergence in nats of rows `p`, `q` (validated), for alpha != 1."""
    pos = p > 0.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if alpha == 0.0:
            # -log q(supp p), written -log1p(-q(p = 0)) to be exact near 0.
            off = np.where(pos, 0.0, q).sum(axis=1)
            on = np.where(pos, q, 0.0).sum(axis=1)
            return np.where(
                on == 0.0,
                np.inf,
                np.where(off < 0.5, -np.log1p(-off), -np.log(on)),
            )
        # log(q/p) on supp p, accurate (log1p) when q is close to p.
        logratio = np.where(pos, log_ratio(q, np.where(pos, p, 1.0)), 0.0)
        if alpha == math.inf:
            return np.where(pos, -logratio, -np.inf).max(axis=1)
        # sum p^a q^(1-a) = sum_{p>0} p exp(t), t = (1 - a) log(q / p).
        t = np.where(pos, (1.0 - alpha) * logratio, -np.inf)
        tmax = t.max(axis=1)
        # Near equality (t small): log1p of sum p expm1(t), without cancellation.
        near = np.where(pos, p * np.expm1(t), 0.0).sum(axis=1)
        log_s_near = np.log1p(near)
        # Otherwise a log-sum-exp, which cannot overflow.
        shifted = np.where(pos, p * np.exp(t - tmax[:, None]), 0.0).sum(axis=1)
        log_s_far = tmax + np.log(shifted)
        # The near form is accurate only while the sum is near 1: for
        # alpha < 1 and nearly disjoint supports the sum is tiny, and 1 plus
        # its expm1 terms rounds to 0 (a finite divergence reported as inf).
        use_near = (~(tmax > 0.5) & ~(np.abs(log_s_far) > 0.5)) | ~np.isfinite(tmax)
        log_s = np.where(use_near, log_s_near, log_s_far)
        # Disjoint supports (alpha < 1): every t is -inf and the sum is 0.
        log_s = np.where(tmax == -np.inf, -np.inf, log_s)
        # alpha < 1: log_s <= 0 and -inf only for disjoint supports;
        # alpha > 1: log_s >= 0 and +inf where q = 0 < p.
        return log_s / (alpha - 1.0)


def renyi_divergence(
    p: ArrayLike,
    q: ArrayLike,
    alpha: float,
    *,
    base: float | None = None,
    axis: int = -1,
    keepdims: bool = False,
    normalize: bool = False,
) -> float | np.ndarray:
    r"""Compute the Rényi divergence of order `alpha` of `q` from `p`.

    Parameters
    ----------
    p, q : array_like
        Probabilities of the distribution `p` and the reference `q`. Each
        distribution lies along `axis`; the other axes broadcast.
    alpha : float
        The order, in :math:`[0, \infty]` (``math.inf`` or ``np.inf`` for
        the max-divergence). ``alpha=1`` is `kl_divergence`, exactly.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1.
    axis : int, optional
        Axis along which each distribution lies, counted in the broadcast
        shape. Default is the last axis.
    keepdims : bool, optional
        If True, the distribution axis is kept with length one.
    normalize : bool, optional
        If False (default), each distribution must sum to 1 (within
        ``sqrt(eps)`` of the input's dtype); if True, each is divided by its
        sum first.

    Returns
    -------
    float or ndarray
        :math:`D_\alpha(p \| q) \ge 0`, possibly ``inf``: a float for
        one-dimensional inputs, otherwise an array of the broadcast shape
        without `axis`.

    Raises
    ------
    ValueError
        For invalid entries, sums, shapes or `base`, as in `kl_divergence`,
        or if `alpha` is negative or NaN.
    TypeError
        If `alpha` is not a real number or `axis` is not an integer.

    See Also
    --------
    kl_divergence : the order 1.
    hellinger_distance : order 1/2 through
        :math:`D_{1/2} = -2 \log(1 - H^2)`.
    chi2_divergence : order 2 through :math:`D_2 = \log(1 + \chi^2)`.
    renyi_normal : the closed form for univariate normals.

    Notes
    -----
    For :math:`0 < \alpha < \infty`, :math:`\alpha \ne 1`,

    .. math::

       D_\alpha(p \| q) = \frac{1}{\alpha - 1}
       \log \sum_i p_i^\alpha q_i^{1 - \alpha},

    and the limits define the other orders:
    :math:`D_1 = D_{\mathrm{KL}}` (`kl_divergence` is called),
    :math:`D_0 = -\log q(\{i : p_i > 0\})` and
    :math:`D_\infty = \log \max_{i: p_i > 0} p_i / q_i`.
    :math:`D_\alpha` is non-decreasing in :math:`\alpha`.

    Infinity rules. For :math:`\alpha \ge 1`, the divergence is ``inf`` as
    soon as some :math:`p_i > 0` has :math:`q_i = 0`, as KL is. For
    :math:`\alpha < 1` such categories only lower the sum, and the
    divergence is finite unless the supports are disjoint
    (:math:`\sum_i p_i^\alpha q_i^{1-\alpha} = 0`). Categories with
    :math:`p_i = 0` contribute nothing (also when :math:`q_i = 0`).

    The sum runs over :math:`p_i > 0` as
    :math:`\sum_i p_i e^{t_i}` with :math:`t_i = (1 - \alpha) \log(q_i/p_i)`:
    near equality as :math:`\log(1 + \sum_i p_i (e^{t_i} - 1))` (no
    cancellation, and exactly 0 for ``p == q``), otherwise as a log-sum-exp
    that cannot overflow, so large orders stay finite where they should.
    Rounding below 0 is clamped to 0.

    References
    ----------
    .. [1] A. Rényi, "On measures of entropy and information", *Proc. Fourth
       Berkeley Symp. Math. Statist. Prob.* 1, 547-561, 1961.
    .. [2] T. van Erven and P. Harremoës, "Rényi divergence and
       Kullback-Leibler divergence", *IEEE Trans. Inf. Theory* 60(7),
       3797-3820, 2014.

    Examples
    --------
    >>> import math
    >>> from kltools import kl_divergence, renyi_divergence
    >>> p, q = [0.5, 0.5], [0.75, 0.25]
    >>> round(renyi_divergence(p, q, 2), 6)  # log(1 + chi^2) = log(4 / 3)
    0.287682
    >>> renyi_divergence(p, q, 1) == kl_divergence(p, q)
    True
    >>> round(renyi_divergence(p, q, math.inf), 6)  # log max p/q = log 2
    0.693147
    >>> round(renyi_divergence([0.5, 0.5], [1.0, 0.0], 0.5), 6)  # finite
    0.693147
    >>> renyi_divergence([0.5, 0.5], [1.0, 0.0], 2)  # alpha >= 1: infinite
    inf
    """
    alpha = check_alpha(alpha)
    divisor = log_base(base)
    if alpha == 1.0:
        return kl_divergence(
            p, q, base=base, axis=axis, keepdims=keepdims, normalize=normalize
        )
    (pr, qr), out_shape, axis_ = _rows({"p": p, "q": q}, axis, normalize)
    nats = _renyi_nats(pr, qr, alpha)
    return finish(np.where(nats > 0.0, nats, 0.0) / divisor, out_shape, axis_, keepdims)


def hellinger_distance(
    p: ArrayLike,
    q: ArrayLike,
    *,
    axis: int = -1,
    keepdims: bool = False,
    normalize: bool = False,
) -> float | np.ndarray:
    r"""Compute the Hellinger distance between `p` and `q`.

    Parameters
    ----------
    p, q : array_like
        Probabilities; each distribution lies along `axis`, the other axes
        broadcast.
    axis : int, optional
        Axis along which each distribution lies, counted in the broadcast
        shape. Default is the last axis.
    keepdims : bool, optional
        If True, the distribution axis is kept with length one.
    normalize : bool, optional
        If False (default), each distribution must sum to 1; if True, each is
        divided by its sum first.

    Returns
    -------
    float or ndarray
        The distance, in :math:`[0, 1]`: 0 for equal distributions, 1 for
        disjoint supports.

    Raises
    ------
    ValueError
        For invalid entries, sums or shapes, as in `kl_divergence`.
    TypeError
        If `axis` is not an integer.

    See Also
    --------
    total_variation : :math:`H^2 \le \delta \le H \sqrt{2 - H^2}`.
    renyi_divergence : :math:`D_{1/2}(p \| q) = -2 \log(1 - H^2)`.

    Notes
    -----
    With the factor :math:`\tfrac12` that makes the maximum 1,

    .. math::

       H(p, q) = \sqrt{\tfrac12 \sum_i (\sqrt{p_i} - \sqrt{q_i})^2}
               = \sqrt{1 - \mathrm{BC}(p, q)},
       \qquad \mathrm{BC}(p, q) = \sum_i \sqrt{p_i q_i},

    the Bhattacharyya coefficient. (Some texts omit the
    :math:`\tfrac12`; their distance is :math:`\sqrt 2` times this one.)
    It is symmetric, a metric, and finite for any supports. The first form
    is used: a sum of squares, with no cancellation for nearly equal
    distributions. :math:`H^2` is the f-divergence with
    :math:`f(t) = (\sqrt t - 1)^2 / 2`.

    References
    ----------
    .. [1] A. B. Tsybakov, *Introduction to Nonparametric Estimation*,
       Springer, 2009, sec. 2.4.

    Examples
    --------
    >>> from kltools import hellinger_distance
    >>> hellinger_distance([1.0, 0.0], [0.0, 1.0])  # disjoint supports
    1.0
    >>> # BC = sqrt(3/8) + sqrt(1/8) = 0.965926, H = sqrt(1 - BC)
    >>> round(hellinger_distance([0.5, 0.5], [0.75, 0.25]), 6)
    0.184592
    """
    (pr, qr), out_shape, axis_ = _rows({"p": p, "q": q}, axis, normalize)
    h2 = 0.5 * ((np.sqrt(pr) - np.sqrt(qr)) ** 2).sum(axis=1)
    return finish(np.sqrt(np.clip(h2, 0.0, 1.0)), out_shape, axis_, keepdims)


def chi2_divergence(
    p: ArrayLike,
    q: ArrayLike,
    *,
    axis: int = -1,
    keepdims: bool = False,
    normalize: bool = False,
) -> float | np.ndarray:
    r"""Compute Pearson's chi-squared divergence of `q` from `p`.

    Parameters
    ----------
    p, q : array_like
        Probabilities of the distribution `p` and the reference `q` (the
        denominator). Each distribution lies along `axis`; the other axes
        broadcast.
    axis : int, optional
        Axis along which each distribution lies, counted in the broadcast
        shape. Default is the last axis.
    keepdims : bool, optional
        If True, the distribution axis is kept with length one.
    normalize : bool, optional
        If False (default), each distribution must sum to 1; if True, each is
        divided by its sum first.

    Returns
    -------
    float or ndarray
        :math:`\chi^2(p \| q) \ge 0`, possibly ``inf``.

    Raises
    ------
    ValueError
        For invalid entries, sums or shapes, as in `kl_divergence`.
    TypeError
        If `axis` is not an integer.

    See Also
    --------
    kl_divergence : :math:`D_{\mathrm{KL}} \le \log(1 + \chi^2) \le \chi^2`.
    renyi_divergence : :math:`D_2(p \| q) = \log(1 + \chi^2(p \| q))`.

    Notes
    -----
    .. math::

       \chi^2(p \| q) = \sum_i \frac{(p_i - q_i)^2}{q_i}
                      = \sum_i \frac{p_i^2}{q_i} - 1,

    the f-divergence with :math:`f(t) = (t - 1)^2`. A category with
    :math:`q_i = 0` contributes 0 if :math:`p_i = 0` and makes the result
    ``inf`` if :math:`p_i > 0`. The first form is used (no cancellation),
    each term as :math:`d_i \cdot (d_i / q_i)` with :math:`d_i = p_i - q_i`,
    so that tiny differences do not underflow when squared.
    For counts, :math:`n \chi^2(\hat p \| q)` is Pearson's goodness-of-fit
    statistic.

    References
    ----------
    .. [1] K. Pearson, "On the criterion that a given system of deviations
       from the probable in the case of a correlated system of variables is
       such that it can be reasonably supposed to have arisen from random
       sampling", *Phil. Mag.* 50(302), 157-175, 1900.

    Examples
    --------
    >>> from kltools import chi2_divergence
    >>> round(chi2_divergence([0.5, 0.5], [0.75, 0.25]), 6)  # 1/12 + 1/4
    0.333333
    >>> chi2_divergence([0.5, 0.5], [1.0, 0.0])  # q rules out an outcome of p
    inf
    """
    (pr, qr), out_shape, axis_ = _rows({"p": p, "q": q}, axis, normalize)
    with np.errstate(divide="ignore", invalid="ignore"):
        # d * (d / q), not d**2 / q: the square of a difference below 1e-154
        # underflows to 0, which made q = 0 < p a NaN term (and the sum 0).
        diff = pr - qr
        terms = diff * (diff / qr)
    terms[(qr == 0.0) & (pr == 0.0)] = 0.0
    total = terms.sum(axis=1)
    return finish(np.where(total > 0.0, total, 0.0), out_shape, axis_, keepdims)
