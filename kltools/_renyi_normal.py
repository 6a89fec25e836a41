"""The Rényi divergence between univariate normal distributions, in closed form."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._closed_form import log_ratio, normal_nats
from ._validation import (
    as_real_array,
    broadcast_named,
    finish_nats,
    finite_array,
    log_base,
    positive_array,
)

__all__ = ["renyi_normal"]


def _alpha_array(alpha: ArrayLike) -> np.ndarray:
    arr = as_real_array(alpha, "alpha")
    bad = np.isnan(arr) | (arr < 0.0)
    if bad.any():
        value = float(arr[bad].flat[0])
        raise ValueError(f"`alpha` must be in [0, inf], got {value!r}")
    return arr


def renyi_normal(
    mu_p: ArrayLike,
    sigma_p: ArrayLike,
    mu_q: ArrayLike,
    sigma_q: ArrayLike,
    alpha: ArrayLike,
    *,
    base: float | None = None,
) -> float | np.ndarray:
    r"""Compute the Rényi divergence of order `alpha` between two univariate normals.

    Parameters
    ----------
    mu_p, sigma_p : array_like
        Mean and **standard deviation** of :math:`P = N(\mu_p, \sigma_p^2)`.
    mu_q, sigma_q : array_like
        Mean and **standard deviation** of :math:`Q = N(\mu_q, \sigma_q^2)`.
    alpha : array_like
        Orders in :math:`[0, \infty]` (``np.inf`` allowed); broadcasts with
        the parameters, so one call gives a whole curve over `alpha`.
    base : float, optional
        Base of the logarithm: ``None`` (default) for nats, ``2`` for bits,
        or any number greater than 1.

    Returns
    -------
    float or ndarray
        :math:`D_\alpha(P \| Q) \ge 0`, ``inf`` outside the range of finite
        orders: a float when every input is a scalar, otherwise an array of
        the broadcast shape.

    Raises
    ------
    ValueError
        If a mean is not finite, a standard deviation is not positive and
        finite, `alpha` is negative or NaN, the inputs do not broadcast, or
        `base` is invalid.

    See Also
    --------
    kl_normal : the order 1, which this returns exactly for ``alpha == 1``.
    renyi_divergence : for pmfs.

    Notes
    -----
    With :math:`\sigma_\alpha^2 = \alpha \sigma_q^2 + (1 - \alpha)\sigma_p^2`,

    .. math::

       D_\alpha(P \| Q) = \log\frac{\sigma_q}{\sigma_p}
       + \frac{1}{2(\alpha - 1)} \log\frac{\sigma_q^2}{\sigma_\alpha^2}
       + \frac{\alpha (\mu_p - \mu_q)^2}{2 \sigma_\alpha^2}

    for :math:`\alpha \ne 1` with :math:`\sigma_\alpha^2 > 0` [1]_. The
    integral :math:`\int p^\alpha q^{1-\alpha}` diverges when
    :math:`\sigma_\alpha^2 \le 0`, which happens only for :math:`\alpha > 1`
    and :math:`\sigma_p > \sigma_q`, at
    :math:`\alpha \ge \sigma_p^2 / (\sigma_p^2 - \sigma_q^2)`: the result is
    then ``inf``. So a wider `P` has finite divergences only up to that
    order, while :math:`\sigma_p \le \sigma_q` gives finite values for every
    finite order. The limits: ``alpha = 1`` is `kl_normal`; ``alpha = 0``
    gives 0 (the supports are equal); ``alpha = inf`` gives
    :math:`\log \sup_x p(x)/q(x)`, which is

    .. math::

        \log \frac{\sigma_q}{\sigma_p}
        + \frac{(\mu_p - \mu_q)^2}{2(\sigma_q^2 - \sigma_p^2)}

    for :math:`\sigma_p < \sigma_q`, 0 for equal distributions, and
    ``inf`` otherwise.

    It is computed with :math:`u = \log(\sigma_p/\sigma_q)`,
    :math:`r = \sigma_p^2/\sigma_q^2 - 1 = e^{2u} - 1` and
    :math:`z = (1 - \alpha) r`, as
    :math:`-u + \log(1 + z)/(2(1 - \alpha)) + \alpha d^2/(2(1 + z))` with
    :math:`d = (\mu_p - \mu_q)/\sigma_q`, using ``log1p`` and ``expm1`` so
    orders near 1 do not lose precision.

    References
    ----------
    .. [1] M. Gil, F. Alajaji and T. Linder, "Rényi divergence measures for
       commonly used univariate continuous distributions", *Information
       Sciences* 249, 124-131, 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from kltools import renyi_normal
    >>> round(renyi_normal(0, 1, 1, 1, 1), 6)  # alpha = 1: KL = 1/2
    0.5
    >>> round(renyi_normal(0, 1, 1, 1, 2), 6)  # equal sigmas: alpha d^2 / 2
    1.0
    >>> # P twice as wide as Q: finite only for alpha < 4/3
    >>> renyi_normal(0, 2, 0, 1, [1, 1.25, 1.5]).round(6)
    array([0.806853, 2.079442,      inf])
    """
    divisor = log_base(base)
    mp, sp, mq, sq, a = broadcast_named(
        {
            "mu_p": finite_array(mu_p, "mu_p"),
            "sigma_p": positive_array(sigma_p, "sigma_p"),
            "mu_q": finite_array(mu_q, "mu_q"),
            "sigma_q": positive_array(sigma_q, "sigma_q"),
            "alpha": _alpha_array(alpha),
        }
    )
    u = log_ratio(sp, sq)
    with np.errstate(all="ignore"):
        r = np.expm1(2.0 * u)
        d = (mp - mq) / sq
        d2 = d * d
        finite_a = np.isfinite(a)
        af = np.where(finite_a, a, 2.0)  # placeholder where alpha = inf
        one_minus = 1.0 - af
        z = one_minus * r
        s = 1.0 + z  # sigma_alpha^2 / sigma_q^2
        log_term = np.where(z == 0.0, 0.5 * r, np.log1p(z) / (2.0 * one_minus))
        general = -u + log_term + af * d2 / (2.0 * s)
        general = np.where(s > 0.0, general, np.inf)
        # alpha = 1: the KL closed form (same code as kl_normal).
        general = np.where(af == 1.0, normal_nats(mp, sp, mq, sq), general)
        # alpha = inf: log sup p/q.
        sup = np.where(
            r < 0.0,
            -u + d2 / (-2.0 * r),
            np.where((r == 0.0) & (d2 == 0.0), 0.0, np.inf),
        )
        nats = np.where(finite_a, general, sup)
        nats = np.where(a == 0.0, 0.0, nats)  # exact, not -u + u
    return finish_nats(nats, divisor)
