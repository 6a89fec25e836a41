"""Fitting a Gaussian to a tabulated density by minimising a KL divergence.

TensorFlow (the ``tf`` extra) is imported inside `fit_gaussian`, so
``import kltools`` stays fast and works without it.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    check_count,
    check_grid,
    check_grid_density,
    check_real,
    trapezoid_weights,
)

__all__ = ["GaussianFit", "fit_gaussian"]

_DIVERGENCES = ("forward", "reverse")
_OPTIMIZERS = ("adam", "sgd")

#: Adam's decay rates and epsilon: the defaults of ``tf.keras.optimizers.Adam``.
_ADAM_BETA_1 = 0.9
_ADAM_BETA_2 = 0.999
_ADAM_EPSILON = 1e-7

#: How far the trapezoid integral of the target may be from 1. Loose enough
#: for a grid of step 0.01 across a jump of height 1 (error up to a step),
#: tight enough to catch a missing normalising constant or a grid that cuts
#: off more than 1% of the target's mass.
_MASS_TOLERANCE = 1e-2

# One compiled trainer per (divergence, optimizer), built on first use. Each
# is traced once (its input signature fixes dtypes and leaves the grid length
# open), so repeated fits neither retrace nor trigger TensorFlow's retracing
# warning. The trainers own their variables, hence the lock.
_TRAINERS: dict[tuple[str, str], Any] = {}
_TRAINERS_LOCK = threading.Lock()


@dataclass(frozen=True)
class GaussianFit:
    """A Gaussian fitted by `fit_gaussian`, and the path that led to it.

    Attributes
    ----------
    mu : float
        The fitted mean.
    sigma : float
        The fitted standard deviation (not the variance).
    loss : float
        The divergence minimised, in nats, at ``(mu, sigma)``; possibly
        ``inf`` (see `fit_gaussian`).
    history : dict of str to ndarray
        Read-only arrays ``"mu"``, ``"sigma"`` and ``"loss"`` of length
        ``steps + 1``: entry ``i`` holds the parameters after ``i`` steps and
        the loss there, so entry 0 is the start and entry ``-1`` the result.
    """

    mu: float
    sigma: float
    loss: float
    history: dict[str, np.ndarray]


def _import_tf() -> Any:
    try:
        import tensorflow as tf
    except ImportError:
        raise ImportError(
            "fit_gaussian needs TensorFlow: pip install 'kltools[tf]'"
        ) from None
    return tf


class _Trainer:
    """Variables and a compiled gradient-descent loop for one configuration."""

    def __init__(self, tf: Any, divergence: str, optimizer: str) -> None:
        self.tf = tf
        self.divergence = divergence
        self.optimizer = optimizer
        f64 = tf.float64
        self.mu = tf.Variable(0.0, dtype=f64, name="mu")
        # sigma = exp(log_sigma): any real log_sigma gives a positive sigma.
        self.log_sigma = tf.Variable(0.0, dtype=f64, name="log_sigma")
        self.params = [self.mu, self.log_sigma]
        # Adam's first and second moment estimates, one per parameter.
        self.m = [tf.Variable(0.0, dtype=f64) for _ in self.params]
        self.v = [tf.Variable(0.0, dtype=f64) for _ in self.params]
        grid = tf.TensorSpec([None], f64)
        scalar = tf.TensorSpec([], f64)
        self.run = tf.function(
            self._run,
            input_signature=[
                grid,  # x
                grid,  # log of the trapezoid weights
                grid,  # target density p
                grid,  # log p where p > 0, else 0
                tf.TensorSpec([None], tf.bool),  # p > 0
                scalar,  # constant term of the loss
                tf.TensorSpec([], tf.int32),  # steps
                scalar,  # learning rate
            ],
        )

    def reset(self, mu0: float, sigma0: float) -> None:
        self.mu.assign(mu0)
        self.log_sigma.assign(math.log(sigma0))
        for slot in self.m + self.v:
            slot.assign(0.0)

    def _loss(self, x, log_w, p, log_p, support, constant):  # type: ignore[no-untyped-def]
        tf = self.tf
        z = (x - self.mu) / tf.exp(self.log_sigma)
        # The normal's log density restricted to the grid and normalised there:
        # log q = -z^2/2 - log(sum_i w_i exp(-z_i^2/2)). The constant
        # -log(sigma) - log(2 pi)/2 cancels. Computed from its formula with a
        # log-sum-exp, never as log(q): finite even where q underflows.
        log_q = -0.5 * z * z - tf.reduce_logsumexp(log_w - 0.5 * z * z)
        w = tf.exp(log_w)
        if self.divergence == "forward":
            # KL(p || q) = sum w p log p - sum w p log q, the first sum being in
            # `constant`. Where p = 0 the term p * log_q is 0 * (finite), so it
            # contributes 0 with gradient 0.
            return constant - tf.reduce_sum(w * p * log_q)
        # KL(q || p) = sum w q (log q - log p). `log_p` is 0 where p = 0 (the
        # inner "where", done once in numpy), so the branch computed for those
        # points is finite; the outer where replaces it by +inf if q > 0 there
        # (mass where the target has none) and by 0 if q underflowed. The
        # replaced branch gets a zero gradient, so no inf or NaN leaks into it.
        q = tf.exp(log_q)
        inside = q * (log_q - log_p)
        inf = tf.constant(math.inf, tf.float64)
        zero = tf.constant(0.0, tf.float64)
        outside = tf.where(q > 0.0, inf, zero)
        return tf.reduce_sum(w * tf.where(support, inside, outside)) + constant

    def _update(self, grads, learning_rate, t):  # type: ignore[no-untyped-def]
        tf = self.tf
        if self.optimizer == "sgd":
            for param, g in zip(self.params, grads, strict=True):
                param.assign_sub(learning_rate * g)
            return
        # Adam (Kingma and Ba 2015) in the form tf.keras.optimizers.Adam uses.
        alpha = learning_rate * tf.sqrt(1.0 - _ADAM_BETA_2**t) / (1.0 - _ADAM_BETA_1**t)
        for param, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m.assign_add((g - m) * (1.0 - _ADAM_BETA_1))
            v.assign_add((g * g - v) * (1.0 - _ADAM_BETA_2))
            param.assign_sub(alpha * m / (tf.sqrt(v) + _ADAM_EPSILON))

    def _run(self, x, log_w, p, log_p, support, constant, steps, learning_rate):  # type: ignore[no-untyped-def]
        tf = self.tf
        data = (x, log_w, p, log_p, support, constant)
        mus = tf.TensorArray(tf.float64, size=steps + 1)
        sigmas = tf.TensorArray(tf.float64, size=steps + 1)
        losses = tf.TensorArray(tf.float64, size=steps + 1)
        for i in tf.range(steps):
            with tf.GradientTape() as tape:
                loss = self._loss(*data)
            grads = tape.gradient(loss, self.params)
            mus = mus.write(i, self.mu.read_value())
            sigmas = sigmas.write(i, tf.exp(self.log_sigma))
            losses = losses.write(i, loss)
            self._update(grads, learning_rate, tf.cast(i + 1, tf.float64))
        mus = mus.write(steps, self.mu.read_value())
        sigmas = sigmas.write(steps, tf.exp(self.log_sigma))
        losses = losses.write(steps, self._loss(*data))
        return mus.stack(), sigmas.stack(), losses.stack()


def fit_gaussian(
    x: ArrayLike,
    target_density: ArrayLike,
    *,
    divergence: str = "forward",
    mu0: float = 0.0,
    sigma0: float = 1.0,
    steps: int = 500,
    learning_rate: float = 0.05,
    optimizer: str = "adam",
) -> GaussianFit:
    r"""Fit a normal distribution to a tabulated density by gradient descent on KL.

    Minimises a Kullback-Leibler divergence between the target density and
    :math:`q = \mathcal{N}(\mu, \sigma^2)` over :math:`\mu` and
    :math:`\sigma`, with TensorFlow 2 computing the gradients.

    Parameters
    ----------
    x : array_like
        The grid: a one-dimensional, strictly increasing array of at least two
        finite points, evenly spaced or not. It should cover where the target
        and the fitted normal have their mass.
    target_density : array_like
        The target probability density :math:`p` at the points `x`: finite,
        non-negative, integrating to 1 over the grid (trapezoid rule) within
        0.01. It may be exactly 0 at some points.
    divergence : {"forward", "reverse"}, optional
        ``"forward"`` (default) minimises :math:`D_{\mathrm{KL}}(p \| q)`, as
        maximum likelihood does; ``"reverse"`` minimises
        :math:`D_{\mathrm{KL}}(q \| p)`, as variational inference does.
    mu0 : float, optional
        Starting mean (default 0).
    sigma0 : float, optional
        Starting standard deviation, positive (default 1).
    steps : int, optional
        Number of gradient steps, at least 1 (default 500).
    learning_rate : float, optional
        Step size, positive (default 0.05).
    optimizer : {"adam", "sgd"}, optional
        ``"adam"`` (default) or plain gradient descent ``"sgd"``.

    Returns
    -------
    GaussianFit
        ``.mu`` and ``.sigma`` (floats) after the last step, ``.loss`` the
        divergence there in nats, and ``.history``, a dict of arrays
        ``"mu"``, ``"sigma"`` and ``"loss"`` holding the start and the value
        after each step (length ``steps + 1``).

    Raises
    ------
    ImportError
        If TensorFlow is not installed (``pip install 'kltools[tf]'``).
    ValueError
        If `x` is not a finite, strictly increasing 1-D grid of at least two
        points; if `target_density` does not have one value per grid point,
        has negative, NaN or infinite values, or does not integrate to 1
        within 0.01; if `divergence` or `optimizer` is unknown; if `mu0` is
        not finite, `sigma0` or `learning_rate` is not a positive finite
        number, or `steps` is smaller than 1.
    TypeError
        If `steps` is not an integer, or `mu0`, `sigma0` or `learning_rate`
        is not a real number.
    FloatingPointError
        If the iteration diverges (a parameter or the loss becomes NaN, or
        :math:`\sigma` reaches 0 or infinity), as a too large
        `learning_rate` or a start far from the target can cause; the
        message names the step.

    See Also
    --------
    kl_on_grid : the divergence between two tabulated densities.

    Notes
    -----
    With :math:`\sigma = e^{s}`, the parameters optimised are :math:`\mu` and
    the unconstrained :math:`s`, so every step leaves :math:`\sigma > 0`. On
    the grid :math:`x_0 < \dots < x_{N-1}` with trapezoid weights
    :math:`w_i` (the grid step is part of every weight), the model is the
    normal density restricted to the grid and normalised there,
    :math:`q(x_i) = \phi_i / \sum_j w_j \phi_j` with
    :math:`\phi_i = \exp(-(x_i - \mu)^2 / (2\sigma^2))`. With
    :math:`p_i = p(x_i)` and :math:`q_i = q(x_i)` the losses are the
    trapezoid rule, as in `kl_on_grid`, applied to

    .. math::

       D_{\mathrm{KL}}(p \| q) \approx \sum_i w_i
           \Bigl[p_i \log \frac{p_i}{q_i} - p_i + q_i\Bigr], \qquad
       D_{\mathrm{KL}}(q \| p) \approx \sum_i w_i
           \Bigl[q_i \log \frac{q_i}{p_i} - q_i + p_i\Bigr].

    As :math:`\sum_i w_i q_i = 1`, the added terms sum to :math:`1 - m`
    and :math:`m - 1`, where :math:`m = \sum_i w_i p_i` is the target's
    integral over the grid: zero for a target of mass 1, which is then fitted
    by the plain KL divergence. Otherwise they make every bracket
    non-negative (this is the extended divergence between non-negative
    measures), so the loss is never negative and tends to 0 at a perfect
    fit; without them a target whose tails the grid cuts off (mass
    :math:`m < 1`) would leave an offset of about :math:`-(1 - m)` and
    :math:`1 - m` at the optimum. The added terms do not depend on
    :math:`\mu` or :math:`\sigma` and leave the gradients unchanged.

    When the grid covers the normal's mass, as it should, :math:`q` is the
    :math:`\mathcal{N}(\mu, \sigma^2)` density to within rounding. The
    normalisation matters when it does not: the reverse loss of an
    unnormalised normal ignores the mass it puts outside the grid, so it can
    be made negative by spreading the normal far beyond the grid, and
    gradient descent from a wide start then drives :math:`\sigma` to
    infinity. :math:`\log q` is evaluated from its formula with a
    log-sum-exp, so it stays finite where :math:`q` underflows to 0.

    Zeros of the target follow the conventions of `kl_divergence`. In the
    forward loss a point with :math:`p = 0` contributes 0. In the reverse
    loss it contributes 0 if :math:`q` underflows there and :math:`+\infty`
    otherwise: a normal density is positive everywhere, so its reverse KL to
    a target that vanishes inside the grid is infinite, and the loss reported
    is ``inf``. Those terms are selected with a double ``tf.where`` (the
    logarithm only ever sees positive values, the infinite branch is a
    constant), so values and gradients are never NaN; the gradient is then
    that of the finite terms. A loss that rounding makes slightly negative is
    reported as 0.

    The forward optimum matches moments: :math:`\mu` and :math:`\sigma^2`
    are the mean and variance of :math:`p` (up to the grid's truncation of
    the normal), covering every mode. The reverse loss is mode-seeking [2]_:
    on a target with well separated modes it has a minimum at each mode,
    and which one is found depends on the start. It can have other local
    minima too: for :math:`\tfrac12 \mathcal{N}(-2, 0.5^2) + \tfrac12
    \mathcal{N}(2, 0.5^2)` there is a symmetric one at :math:`\mu = 0`,
    :math:`\sigma \approx 1.74` (reverse KL 1.87 nats, against 0.69 at either
    mode), which starts near :math:`\mu = 0` converge to.

    Adam [1]_ uses the update and defaults of
    ``tf.keras.optimizers.Adam`` (:math:`\beta_1 = 0.9`,
    :math:`\beta_2 = 0.999`, :math:`\epsilon = 10^{-7}`), written out here
    in float64 so that all of the computation is float64 and one compiled
    loop serves every call. The loop over steps runs as a single
    ``tf.function`` graph; no initialisation is random, so equal inputs give
    equal results.

    References
    ----------
    .. [1] D. P. Kingma and J. Ba, "Adam: A method for stochastic
       optimization", ICLR 2015, arXiv:1412.6980.
    .. [2] C. M. Bishop, *Pattern Recognition and Machine Learning*,
       Springer, 2006, section 10.1.2 (forward against reverse KL).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import norm
    >>> from kltools import fit_gaussian
    >>> x = np.linspace(-10, 10, 2001)
    >>> fit = fit_gaussian(x, norm.pdf(x, 0, 2), mu0=7.0, sigma0=5.0)
    >>> round(abs(fit.mu), 4), round(fit.sigma, 4)  # the target N(0, 2^2)
    (0.0, 2.0)
    >>> len(fit.history["loss"])  # the start and 500 steps
    501

    On a two-mode target, forward KL covers both modes (the mixture's
    standard deviation is sqrt(0.5**2 + 2**2) = 2.0616) while reverse KL
    settles on the mode nearest the start:

    >>> p = 0.5 * norm.pdf(x, -2, 0.5) + 0.5 * norm.pdf(x, 2, 0.5)
    >>> fit = fit_gaussian(x, p, mu0=0.5)
    >>> round(abs(fit.mu), 4), round(fit.sigma, 4)
    (0.0, 2.0616)
    >>> fit = fit_gaussian(x, p, divergence="reverse", mu0=0.5)
    >>> round(fit.mu, 2), round(fit.sigma, 2)
    (2.0, 0.5)
    """
    x = check_grid(x, "x")
    p = check_grid_density(target_density, "target_density", x.size)
    if p.ndim != 1:
        raise ValueError(
            f"`target_density` must be one-dimensional, got shape {p.shape}"
        )
    if divergence not in _DIVERGENCES:
        raise ValueError(
            f"`divergence` must be 'forward' or 'reverse', got {divergence!r}"
        )
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"`optimizer` must be 'adam' or 'sgd', got {optimizer!r}")
    mu0 = check_real(mu0, "mu0")
    sigma0 = check_real(sigma0, "sigma0", positive=True)
    learning_rate = check_real(learning_rate, "learning_rate", positive=True)
    steps = check_count(steps, "steps", 1)

    w = trapezoid_weights(x)
    mass = float(w @ p)
    if not abs(mass - 1.0) <= _MASS_TOLERANCE:
        raise ValueError(
            f"`target_density` integrates to {mass:.6g} over the grid `x` "
            "(trapezoid rule), not 1: widen the grid to cover the target's "
            "mass, or divide the density by its integral"
        )
    support = p > 0.0
    log_p = np.zeros_like(p)
    np.log(p, out=log_p, where=support)
    # The constant terms: sum w p log p (forward), and the mass correction
    # of the extended divergence (see Notes), 0 when the target's mass is 1.
    if divergence == "forward":
        constant = float(w @ (p * log_p)) + (1.0 - mass)
    else:
        constant = mass - 1.0

    tf = _import_tf()
    with _TRAINERS_LOCK:
        trainer = _TRAINERS.get((divergence, optimizer))
        if trainer is None:
            trainer = _Trainer(tf, divergence, optimizer)
            _TRAINERS[divergence, optimizer] = trainer
        trainer.reset(mu0, sigma0)
        mus, sigmas, losses = (
            t.numpy()
            for t in trainer.run(
                tf.constant(x),
                tf.constant(np.log(w)),
                tf.constant(p),
                tf.constant(log_p),
                tf.constant(support),
                tf.constant(constant, tf.float64),
                tf.constant(steps, tf.int32),
                tf.constant(learning_rate, tf.float64),
            )
        )

    bad = ~np.isfinite(mus) | ~(np.isfinite(sigmas) & (sigmas > 0.0)) | np.isnan(losses)
    if bad.any():
        i = int(np.argmax(bad))
        raise FloatingPointError(
            f"the fit diverged at step {i} (mu = {mus[i]:.6g}, "
            f"sigma = {sigmas[i]:.6g}, loss = {losses[i]:.6g}); lower "
            "`learning_rate` or start nearer the target (`mu0`, `sigma0`)"
        )
    # Rounding can leave a loss a hair below 0; this also maps -0.0 to 0.0.
    losses = np.where(losses > 0.0, losses, 0.0)
    history = {"mu": mus, "sigma": sigmas, "loss": losses}
    for arr in history.values():
        arr.flags.writeable = False
    return GaussianFit(
        mu=float(mus[-1]),
        sigma=float(sigmas[-1]),
        loss=float(losses[-1]),
        history=history,
    )
