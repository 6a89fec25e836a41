"""The Kullback-Leibler divergence from log-probabilities and from logits.

`kl_from_log_probs` estimates KL by Monte Carlo from the log-probabilities of
samples under both distributions (the k1, k2 and k3 estimators used for the
KL penalty of reinforcement-learning fine-tuning); `kl_from_logits` computes
KL exactly between the softmax distributions of two logit arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import log_softmax

from ._closed_form import expm1mx
from ._estimators import MonteCarloResult
from ._validation import (
    as_real_array,
    broadcast_named,
    check_axis,
    check_real,
    finish_nats,
    log_base,
)

__all__ = ["kl_from_log_probs", "kl_from_logits"]

_ESTIMATORS = ("k1", "k2", "k3")


def kl_from_log_probs(
    log_p: ArrayLike,
    log_q: ArrayLike,
    *,
    estimator: str = "k1",
    base: float | None = None,
) -> MonteCarloResult:
    r"""Estimate KL(p || q) from log-probabilities of samples drawn from `p`.

    Parameters
    ----------
    log_p, log_q : array_like
        One-dimensional, of equal length :math:`n \ge 2`: ``log_p[i]`` and
        ``log_q[i]`` are the log-probabilities (or log-densities) under
        :math:`p` and under :math:`q` of the i-th sample, the samples being
        drawn independently from :math:`p`. `log_p` must be finite;
        `log_q` may be ``-inf`` (:math:`q = 0` at a sample).
    estimator : {"k1", "k2", "k3"}, optional
        Which average of the log ratio to take (see Notes); default
        ``"k1"``.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1.

    Returns
    -------
    MonteCarloResult
        ``value``, the mean of the per-sample terms; ``stderr``, their sample
        standard deviation divided by :math:`\sqrt n`; and ``n``. Both in
        the chosen base. If some ``log_q`` is ``-inf`` the value is ``inf``
        (and the standard error 0), as :math:`D_{\mathrm{KL}}(p \| q)` is then
        infinite.

    Raises
    ------
    ValueError
        If `log_p` or `log_q` is not one-dimensional, their lengths differ,
        there are fewer than 2 samples, `log_p` has a NaN or infinite entry,
        `log_q` has a NaN or ``+inf`` entry, `estimator` is unknown, or
        `base` is invalid.

    See Also
    --------
    kl_monte_carlo : draws the samples itself from frozen scipy distributions.
    kl_from_logits : the exact KL between two softmax distributions.

    Notes
    -----
    With :math:`x_i \sim p` and :math:`r_i = q(x_i) / p(x_i)`, written
    :math:`\ell_i = \log r_i` = ``log_q[i] - log_p[i]``, the estimators are
    the means of [1]_

    .. math::

       k_1 = -\ell, \qquad k_2 = \tfrac12 \ell^2, \qquad
       k_3 = (r - 1) - \log r = e^{\ell} - 1 - \ell .

    *k1* is unbiased, :math:`\mathbb{E}_p[-\log r] = D_{\mathrm{KL}}(p \| q)`,
    but single terms are often negative and its variance
    :math:`\operatorname{Var}_p(\log r)/n` is large when :math:`p \approx q`
    relative to the divergence (its standard deviation is of order
    :math:`\sqrt{2 D}` per sample while the mean is :math:`D`).

    *k2* is biased: writing :math:`r = 1 + \delta`,
    :math:`\mathbb{E}[k_2] = D_{\mathrm{KL}}(p \| q) - \tfrac16
    \mathbb{E}[\delta^3] + O(\delta^4)`, so it agrees with the divergence to
    second order in :math:`\delta` (both are half the :math:`\chi^2`
    divergence to that order) and its terms are never negative. For
    :math:`p = \mathcal{N}(0, 1)`, :math:`q = \mathcal{N}(\mu, 1)` the bias
    is exactly :math:`\mu^4 / 8`.

    *k3* adds :math:`r - 1`, whose mean :math:`\mathbb{E}_p[r] - 1 =
    Q(\{p > 0\}) - 1` is zero when :math:`q` puts no mass where
    :math:`p = 0` (:math:`q \ll p`). Under that condition k3 is unbiased;
    otherwise it underestimates by :math:`Q(\{p = 0\})`. Every term is
    non-negative, as :math:`e^{\ell} \ge 1 + \ell`. Its variance needs
    :math:`\mathbb{E}_p[r^2] = \int q^2 / p < \infty`, which fails when
    :math:`q` has heavier tails than :math:`p`: for
    :math:`p = \mathcal{N}(0, 1)`, :math:`q = \mathcal{N}(0, s^2)`,
    :math:`\mathbb{E}_p[r^2] = s^{-2} (2/s^2 - 1)^{-1/2}` is finite only for
    :math:`s < \sqrt 2`; beyond it the standard error reported is itself
    unreliable, dominated by rare huge ratios.

    The k3 terms are computed from :math:`\ell` as ``exp(l) - 1 - l``, by
    its Taylor series for :math:`|\ell| < 1/2`, so ratios near 1 keep full
    relative precision. Forming :math:`r = e^{\ell}` first rounds it by up
    to :math:`1.1 \times 10^{-16}`, and ``(r - 1) - log(r)`` then has a
    relative error of about :math:`10^{-16} / |\ell|` (:math:`10^{-7}` at
    :math:`|\ell| = 10^{-9}`).

    References
    ----------
    .. [1] J. Schulman, "Approximating KL divergence", 2020,
       http://joschu.net/blog/kl-approx.html

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import norm
    >>> from kltools import kl_from_log_probs
    >>> p, q = norm(0, 1), norm(0.5, 1)  # KL(p || q) = 0.5**2 / 2 = 0.125
    >>> x = p.rvs(size=100_000, random_state=np.random.default_rng(0))
    >>> for k in ["k1", "k2", "k3"]:
    ...     res = kl_from_log_probs(p.logpdf(x), q.logpdf(x), estimator=k)
    ...     print(k, round(res.value, 4), round(res.stderr, 4))
    k1 0.1255 0.0016
    k2 0.1329 0.0006
    k3 0.125 0.0006

    k2 is high by about 0.5**4 / 8 = 0.0078. A sample where q is 0 makes
    the divergence infinite:

    >>> kl_from_log_probs([-1.0, -2.0], [-1.5, -np.inf])
    MonteCarloResult(value=inf, stderr=0.0, n=2)
    """
    divisor = log_base(base)
    if estimator not in _ESTIMATORS:
        raise ValueError(f"`estimator` must be 'k1', 'k2' or 'k3', got {estimator!r}")
    lp = as_real_array(log_p, "log_p")
    lq = as_real_array(log_q, "log_q")
    for arr, name in ((lp, "log_p"), (lq, "log_q")):
        if arr.ndim != 1:
            raise ValueError(
                f"`{name}` must be one-dimensional (one entry per sample), "
                f"got shape {arr.shape}"
            )
    if lp.shape != lq.shape:
        raise ValueError(
            f"`log_p` and `log_q` must have the same length (one entry per "
            f"sample), got {lp.size} and {lq.size}"
        )
    n = lp.size
    if n < 2:
        raise ValueError(f"`log_p` and `log_q` need at least 2 samples, got {n}")
    if not np.isfinite(lp).all():
        raise ValueError(
            "`log_p` contains NaN or infinite entries; the log-probability of a "
            "sample under the distribution it was drawn from must be finite"
        )
    if np.isnan(lq).any() or (lq == np.inf).any():
        raise ValueError("`log_q` contains NaN or +inf entries")
    if (lq == -np.inf).any():
        return MonteCarloResult(math.inf, 0.0, n)
    ell = lq - lp
    if estimator == "k1":
        terms = -ell
    elif estimator == "k2":
        terms = 0.5 * ell * ell
    else:
        terms = expm1mx(ell)
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(terms.mean())
        stderr = float(terms.std(ddof=1)) / math.sqrt(n)
    return MonteCarloResult(value / divisor, stderr / divisor, n)


def _check_logits(x: ArrayLike, name: str) -> np.ndarray:
    arr = as_real_array(x, name)
    if arr.ndim == 0:
        raise ValueError(f"`{name}` must have at least one dimension")
    if np.isnan(arr).any() or (arr == np.inf).any():
        raise ValueError(
            f"`{name}` contains NaN or +inf entries; logits must be finite or -inf"
        )
    return arr


def kl_from_logits(
    logits_p: ArrayLike,
    logits_q: ArrayLike,
    *,
    axis: int = -1,
    temperature: float = 1.0,
    base: float | None = None,
) -> float | np.ndarray:
    r"""Compute KL(softmax(logits_p / T) || softmax(logits_q / T)) in log space.

    Parameters
    ----------
    logits_p, logits_q : array_like
        Unnormalised log-probabilities (logits) of the distribution `p` and
        the reference `q`. Each distribution lies along `axis`; the other
        axes broadcast by numpy's rules (one teacher row against a batch of
        students, say). Entries are finite or ``-inf`` (probability 0); every
        distribution needs at least one finite logit.
    axis : int, optional
        Axis of the classes, counted in the broadcast shape (default: last).
    temperature : float, optional
        :math:`T > 0`: both arrays of logits are divided by :math:`T` before
        the softmax (default 1). :math:`T > 1` flattens both distributions.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1.

    Returns
    -------
    float or ndarray
        :math:`D_{\mathrm{KL}}(p_T \| q_T) \ge 0`: a float for a single
        pair, otherwise an array of the broadcast shape without `axis`.

    Raises
    ------
    ValueError
        If an input is 0-dimensional, holds a NaN or ``+inf``, has a
        distribution whose logits are all ``-inf``, if the shapes do not
        broadcast, if `temperature` is not a positive finite number, or if
        `base` is invalid.
    TypeError
        If `temperature` is not a real number or `axis` is not an integer.

    See Also
    --------
    kl_divergence : the same divergence from probabilities.
    kl_from_log_probs : Monte Carlo estimates from sampled log-probabilities.

    Notes
    -----
    With :math:`a = \operatorname{log\_softmax}(z_p / T)` and
    :math:`b = \operatorname{log\_softmax}(z_q / T)` (computed by
    `scipy.special.log_softmax`, which subtracts the largest logit, so no
    exponential overflows), :math:`d = a - b` and :math:`p = e^a`,
    :math:`q = e^b`,

    .. math::

       D_{\mathrm{KL}}(p \| q) = \sum_k p_k d_k
       = \sum_k \bigl(p_k d_k - p_k + q_k\bigr),

    the second form because both distributions sum to 1. Each term
    :math:`q_k (1 + e^{d_k} (d_k - 1))` is non-negative and is computed as
    :math:`q_k (d_k \operatorname{expm1}(d_k) - \operatorname{expm1mx}(d_k))`
    for :math:`|d_k| < 1`, without cancellation, so nearly equal
    distributions give their small divergence to full relative precision.

    Probabilities that underflow to 0 keep their finite log-probability, so
    extreme logits give the right finite answer: for logits
    :math:`(1000, -1000)` against :math:`(-1000, 1000)` the divergence is
    2000 nats (not NaN or ``inf``, which a softmax followed by a logarithm
    gives). The result is ``inf`` only where it truly is: a ``-inf`` logit in
    `q` (:math:`q_k = 0`) where :math:`p_k > 0`. A ``-inf`` logit in `p`
    contributes 0.

    Knowledge distillation [1]_ minimises this divergence from the
    teacher's softened distribution (`logits_p`) to the student's
    (`logits_q`) and multiplies the loss by :math:`T^2`, so that its
    gradients keep their size as :math:`T` changes. No :math:`T^2` factor
    is applied here: the value is the divergence itself.

    References
    ----------
    .. [1] G. Hinton, O. Vinyals and J. Dean, "Distilling the knowledge in a
       neural network", NIPS Deep Learning Workshop, 2014, arXiv:1503.02531.

    Examples
    --------
    >>> import numpy as np
    >>> from kltools import kl_from_logits
    >>> round(kl_from_logits([2.0, 1.0, 0.0], [0.0, 0.0, 0.0]), 6)  # to uniform
    0.266217
    >>> kl_from_logits([1000.0, -1000.0], [-1000.0, 1000.0])  # e^-2000 is 0.0
    2000.0
    >>> kl_from_logits([0.0, 0.0], [0.0, -np.inf])  # q gives class 1 no mass
    inf
    >>> kl_from_logits([[2.0, 0.0], [0.0, 2.0]], [1.0, 0.0], temperature=2.0)
    array([0.02634459, 0.25740316])
    """
    divisor = log_base(base)
    temperature = check_real(temperature, "temperature", positive=True)
    zp = _check_logits(logits_p, "logits_p")
    zq = _check_logits(logits_q, "logits_q")
    zp, zq = broadcast_named({"logits_p": zp, "logits_q": zq})
    axis = check_axis(axis, zp.ndim)
    for z, name in ((zp, "logits_p"), (zq, "logits_q")):
        if (z == -np.inf).all(axis=axis).any():
            raise ValueError(
                f"`{name}` has a distribution whose logits are all -inf "
                "(no class has positive probability)"
            )
    with np.errstate(all="ignore"):
        a = log_softmax(zp / temperature, axis=axis)
        b = log_softmax(zq / temperature, axis=axis)
        p, q = np.exp(a), np.exp(b)
        d = a - b
        terms = p * (d - 1.0) + q
        # The series only where it is needed (|d| < 1), on those entries alone.
        small = np.abs(d) < 1.0
        ds, qs = d[small], q[small]
        terms[small] = qs * (ds * np.expm1(ds) - expm1mx(ds))
        # a = -inf: p = 0, the term is q (0 if b = -inf too); b = -inf < a: inf.
        minus_inf = np.isneginf(a) | np.isneginf(b)
        if minus_inf.any():
            terms = np.where(np.isneginf(a), q, terms)
            terms = np.where(np.isneginf(b) & ~np.isneginf(a), np.inf, terms)
    return finish_nats(terms.sum(axis=axis), divisor)
