"""Fitting Gaussians by minimising a KL divergence with gradient descent.

`fit_gaussian` fits a univariate normal to a density tabulated on a grid
(forward or reverse KL); `fit_variational` fits a multivariate normal to an
unnormalised log-density by maximising the ELBO (reverse KL, variational
inference). Both use the same float64 Adam step in a compiled loop.
TensorFlow (the ``tf`` extra) is imported inside the functions, so
``import kltools`` stays fast and works without it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_generator,
    check_count,
    check_grid,
    check_grid_density,
    check_real,
    trapezoid_weights,
)

__all__ = ["GaussianFit", "VariationalFit", "fit_gaussian", "fit_variational"]

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


def _import_tf(caller: str = "fit_gaussian") -> Any:
    try:
        import tensorflow as tf
    except ImportError:
        raise ImportError(
            f"{caller} needs TensorFlow: pip install 'kltools[tf]'"
        ) from None
    return tf


def _adam_step(tf: Any, param, g, m, v, learning_rate, t):  # type: ignore[no-untyped-def]
    """One Adam step (Kingma and Ba 2015) as ``tf.keras.optimizers.Adam`` does it.

    Returns the new parameter and moment estimates; `t` counts steps from 1.
    Shared by `fit_gaussian` and `fit_variational`.
    """
    alpha = learning_rate * tf.sqrt(1.0 - _ADAM_BETA_2**t) / (1.0 - _ADAM_BETA_1**t)
    m = m + (g - m) * (1.0 - _ADAM_BETA_1)
    v = v + (g * g - v) * (1.0 - _ADAM_BETA_2)
    return param - alpha * m / (tf.sqrt(v) + _ADAM_EPSILON), m, v


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
        if self.optimizer == "sgd":
            for param, g in zip(self.params, grads, strict=True):
                param.assign_sub(learning_rate * g)
            return
        for param, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            new_param, new_m, new_v = _adam_step(
                self.tf, param, g, m, v, learning_rate, t
            )
            param.assign(new_param)
            m.assign(new_m)
            v.assign(new_v)

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


_COVARIANCES = ("full", "diag")


@dataclass(frozen=True)
class VariationalFit:
    """A Gaussian fitted by `fit_variational`, and the path that led to it.

    Attributes
    ----------
    mean : ndarray, shape (d,)
        The fitted mean.
    cov : ndarray, shape (d, d)
        The fitted covariance matrix (diagonal if ``cov="diag"``).
    scale_tril : ndarray, shape (d, d)
        Its lower-triangular Cholesky factor, ``cov = scale_tril @ scale_tril.T``.
    history : dict of str to ndarray
        Read-only arrays of length ``steps + 1``, entry ``i`` after ``i``
        steps: ``"elbo"``, the Monte Carlo ELBO estimate there (from the
        ``n_samples`` draws of that step), ``"mean"`` of shape
        ``(steps + 1, d)`` and ``"scale_tril"`` of shape
        ``(steps + 1, d, d)``.
    """

    mean: np.ndarray
    cov: np.ndarray
    scale_tril: np.ndarray
    history: dict[str, np.ndarray]


def _scale_tril(tf: Any, raw: Any, full: bool) -> Any:
    """Cholesky factor from unconstrained parameters: exp on the diagonal."""
    if full:
        return tf.linalg.set_diag(
            tf.linalg.band_part(raw, -1, 0), tf.exp(tf.linalg.diag_part(raw))
        )
    return tf.linalg.diag(tf.exp(tf.linalg.diag_part(raw)))


def _build_vi_loop(
    tf: Any, log_target: Callable[[Any], Any], d: int, n_samples: int, full: bool
) -> Any:
    f64 = tf.float64
    half_log_2pi = 0.5 * math.log(2.0 * math.pi)
    # The target is called as it is (TensorFlow operations), not rewritten by
    # AutoGraph, which would warn about functions without source code.
    log_target = tf.autograph.experimental.do_not_convert(log_target)

    def elbo_terms(mean, raw, seed):  # type: ignore[no-untyped-def]
        scale = _scale_tril(tf, raw, full)
        eps = tf.random.stateless_normal([n_samples, d], seed=seed, dtype=f64)
        z = mean + tf.matmul(eps, scale, transpose_b=True)
        # log q(z) with the parameters held fixed (path derivative, "sticking
        # the landing"): z still depends on them, log q's own formula does not.
        m0, s0 = tf.stop_gradient(mean), tf.stop_gradient(scale)
        u = tf.linalg.triangular_solve(s0, tf.transpose(z - m0), lower=True)
        log_q = (
            -0.5 * tf.reduce_sum(u * u, axis=0)
            - tf.reduce_sum(tf.math.log(tf.linalg.diag_part(s0)))
            - d * half_log_2pi
        )
        return tf.reduce_mean(tf.reshape(log_target(z), [n_samples]) - log_q)

    def run(mean, raw, seed, steps, learning_rate):  # type: ignore[no-untyped-def]
        elbos = tf.TensorArray(f64, size=steps + 1)
        means = tf.TensorArray(f64, size=steps + 1)
        scales = tf.TensorArray(f64, size=steps + 1)
        m_mean, v_mean = tf.zeros_like(mean), tf.zeros_like(mean)
        m_raw, v_raw = tf.zeros_like(raw), tf.zeros_like(raw)
        n = tf.cast(steps, f64)
        for i in tf.range(steps):
            with tf.GradientTape() as tape:
                tape.watch([mean, raw])
                elbo = elbo_terms(mean, raw, tf.stack([seed, i]))
                loss = -elbo  # inside the tape, or its gradient is None
            g_mean, g_raw = tape.gradient(loss, [mean, raw])
            elbos = elbos.write(i, elbo)
            means = means.write(i, mean)
            scales = scales.write(i, _scale_tril(tf, raw, full))
            t = tf.cast(i + 1, f64)
            # Constant for the first half, then linearly down to 0 at the end.
            rate = learning_rate * tf.minimum(
                tf.constant(1.0, f64), 2.0 * (1.0 - (t - 1.0) / n)
            )
            mean, m_mean, v_mean = _adam_step(tf, mean, g_mean, m_mean, v_mean, rate, t)
            raw, m_raw, v_raw = _adam_step(tf, raw, g_raw, m_raw, v_raw, rate, t)
            if not full:
                raw = tf.linalg.diag(tf.linalg.diag_part(raw))
        elbos = elbos.write(steps, elbo_terms(mean, raw, tf.stack([seed, steps])))
        means = means.write(steps, mean)
        scales = scales.write(steps, _scale_tril(tf, raw, full))
        return elbos.stack(), means.stack(), scales.stack()

    # A concrete function, traced here once: calling it never retraces, so
    # fits of many different targets do not trigger TensorFlow's retracing
    # warning (which counts traces of `run` across closures).
    return tf.function(run).get_concrete_function(
        tf.TensorSpec([d], f64),
        tf.TensorSpec([d, d], f64),
        tf.TensorSpec([], tf.int32),
        tf.TensorSpec([], tf.int32),
        tf.TensorSpec([], f64),
    )


def fit_variational(
    log_target: Callable[[Any], Any],
    mean0: ArrayLike,
    *,
    cov: str = "full",
    scale0: float = 1.0,
    steps: int = 1000,
    learning_rate: float = 0.05,
    n_samples: int = 32,
    rng: int | np.random.Generator | None = None,
) -> VariationalFit:
    r"""Fit a Gaussian to an unnormalised log-density by maximising the ELBO.

    Variational inference: finds :math:`q = \mathcal{N}(m, S)` minimising
    the reverse divergence :math:`D_{\mathrm{KL}}(q \| \pi)` to the
    normalised target :math:`\pi`, which only needs :math:`\log \pi` up to
    an additive constant.

    Parameters
    ----------
    log_target : callable
        ``log_target(z)`` takes a float64 TensorFlow tensor of points, shape
        ``(n, d)``, and returns a tensor of shape ``(n,)``: the log of the
        target density up to a constant (for a posterior, the log joint
        density :math:`\log p(x, z)`). It must use TensorFlow operations, so
        that it can be differentiated and compiled.
    mean0 : array_like, shape (d,)
        Starting mean, finite; its length sets the dimension :math:`d`.
    cov : {"full", "diag"}, optional
        ``"full"`` (default) fits any covariance (through its Cholesky
        factor); ``"diag"`` a diagonal one (mean field).
    scale0 : float, optional
        The start is :math:`\mathcal{N}(m_0, s_0^2 I)` with this
        :math:`s_0 > 0` (default 1).
    steps : int, optional
        Number of Adam steps, at least 1 (default 1000).
    learning_rate : float, optional
        Adam's step size for the first half of the steps, positive (default
        0.05); it then decreases linearly to 0 at the last step.
    n_samples : int, optional
        Draws from :math:`q` per step for the ELBO estimate, at least 1
        (default 32).
    rng : None, int or numpy.random.Generator, optional
        Seed for the draws: ``None`` for fresh entropy, an int for a
        reproducible fit, or a Generator (one integer is drawn from it).

    Returns
    -------
    VariationalFit
        ``.mean``, ``.cov`` and ``.scale_tril`` after the last step, and
        ``.history`` with the ELBO estimate, the mean and the Cholesky
        factor after each step (length ``steps + 1``).

    Raises
    ------
    ImportError
        If TensorFlow is not installed (``pip install 'kltools[tf]'``).
    TypeError
        If `log_target` is not callable, `steps` or `n_samples` is not an
        integer, `scale0` or `learning_rate` is not a real number, or `rng`
        is not a seed or Generator.
    ValueError
        If `mean0` is not a finite one-dimensional array of length at least
        1; if `cov` is unknown; if `scale0` or `learning_rate` is not
        positive and finite, `steps` or `n_samples` is smaller than 1; or if
        `log_target` does not return one value per point (shape ``(n,)``),
        or returns NaN or ``+inf`` at the start.
    FloatingPointError
        If the iteration diverges (the ELBO estimate or a parameter becomes
        NaN or infinite); the message names the step.

    See Also
    --------
    fit_gaussian : one normal fitted to a density on a grid.
    kl_mvnormal : the divergence between the fit and a known Gaussian.

    Notes
    -----
    For any density :math:`q`, with :math:`\pi(z) = \tilde\pi(z) / Z`,

    .. math::

       \log Z = \underbrace{\mathbb{E}_q[\log \tilde\pi(Z) - \log q(Z)]}
       _{\mathrm{ELBO}(q)} + D_{\mathrm{KL}}(q \| \pi),

    so maximising the ELBO minimises the reverse KL without knowing
    :math:`Z` (for a posterior, the evidence :math:`p(x)`) [1]_.

    :math:`q` is parameterised by its mean and the Cholesky factor
    :math:`L` of :math:`S = L L^\top`, whose diagonal is :math:`e^{\rho}`
    for unconstrained :math:`\rho` (positive definite at every step). Each
    step draws :math:`\varepsilon_j \sim \mathcal{N}(0, I)`,
    :math:`z_j = m + L \varepsilon_j` (the reparameterisation trick [2]_),
    estimates the ELBO by the mean of
    :math:`\log \tilde\pi(z_j) - \log q(z_j)` and takes an Adam step (as in
    `fit_gaussian`) along its gradient. The gradient is the *path
    derivative* [3]_: :math:`\log q` is differentiated through
    :math:`z_j` only, not through its parameters (whose expected
    contribution is zero). Its variance vanishes when :math:`q` equals the
    target, so a Gaussian target is recovered exactly by ``cov="full"``,
    not only to within the Monte Carlo noise.

    The learning rate is constant for the first half of the steps and then
    decreases linearly to 0, so the last iterates settle instead of
    wandering by about one step size. The draws are
    ``tf.random.stateless_normal`` with seed ``(seed, step)``, the seed taken
    from `rng`; the loop is one ``tf.function`` graph (traced once per
    call, a second or so). Everything is float64.

    With ``cov="diag"`` on a target with correlations, reverse KL gives a
    mean-field fit whose variances are too small: for a Gaussian target of
    precision :math:`\Lambda` the optimum has variances
    :math:`1 / \Lambda_{ii}`, below the marginal variances
    :math:`(\Lambda^{-1})_{ii}` [1]_.

    References
    ----------
    .. [1] C. M. Bishop, *Pattern Recognition and Machine Learning*,
       Springer, 2006, sections 10.1-10.1.2.
    .. [2] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes",
       ICLR 2014, arXiv:1312.6114.
    .. [3] G. Roeder, Y. Wu and D. Duvenaud, "Sticking the landing: simple,
       lower-variance gradient estimators for variational inference",
       NeurIPS 2017, arXiv:1703.09194.

    Examples
    --------
    A correlated Gaussian target, given by its log-density up to a constant:

    >>> import numpy as np
    >>> import tensorflow as tf
    >>> from kltools import fit_variational
    >>> precision = tf.constant([[2.0, -1.6], [-1.6, 2.0]], tf.float64)
    >>> def log_target(z):  # N((1, -1), precision^-1), unnormalised
    ...     u = z - tf.constant([1.0, -1.0], tf.float64)
    ...     return -0.5 * tf.reduce_sum(u * tf.linalg.matvec(precision, u), axis=1)
    >>> fit = fit_variational(log_target, [0.0, 0.0], steps=500, rng=0)
    >>> np.round(fit.mean, 3) + 0.0, np.round(fit.cov, 3)  # cov = precision^-1
    (array([ 1., -1.]), array([[1.389, 1.111],
           [1.111, 1.389]]))
    >>> fit = fit_variational(log_target, [0.0, 0.0], cov="diag", steps=500, rng=0)
    >>> np.round(np.diag(fit.cov), 2)  # 1 / diag(precision), not 1.389
    array([0.5, 0.5])
    """
    if not callable(log_target):
        raise TypeError(
            f"`log_target` must be callable (a function of a tensor of points), "
            f"got {type(log_target).__name__}"
        )
    try:
        m0 = np.asarray(mean0, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"`mean0` must be a one-dimensional array of real numbers, got {mean0!r}"
        ) from None
    if m0.ndim != 1 or m0.size < 1:
        raise ValueError(
            f"`mean0` must be a one-dimensional array of length at least 1, "
            f"got shape {m0.shape}"
        )
    if not np.isfinite(m0).all():
        raise ValueError("`mean0` contains NaN or infinite entries; it must be finite")
    if cov not in _COVARIANCES:
        raise ValueError(f"`cov` must be 'full' or 'diag', got {cov!r}")
    scale0 = check_real(scale0, "scale0", positive=True)
    learning_rate = check_real(learning_rate, "learning_rate", positive=True)
    steps = check_count(steps, "steps", 1)
    n_samples = check_count(n_samples, "n_samples", 1)
    seed = int(as_generator(rng).integers(2**31 - 1))
    d = m0.size

    tf = _import_tf("fit_variational")
    # One eager call at the start checks the target's shape and values.
    probe = np.asarray(log_target(tf.constant(np.stack([m0, m0]))))
    if probe.shape != (2,):
        raise ValueError(
            "`log_target` must return one value per point: for a tensor of "
            f"shape (2, {d}) it returned shape {probe.shape}"
        )
    if np.isnan(probe).any() or (probe == np.inf).any():
        raise ValueError(
            f"`log_target` is {float(probe[0])} at `mean0`; it must be finite or -inf"
        )
    run = _build_vi_loop(tf, log_target, d, n_samples, cov == "full")
    raw0 = np.diag(np.full(d, math.log(scale0)))
    elbos, means, scales = (
        t.numpy()
        for t in run(
            tf.constant(m0),
            tf.constant(raw0),
            tf.constant(seed, tf.int32),
            tf.constant(steps, tf.int32),
            tf.constant(learning_rate, tf.float64),
        )
    )
    bad = ~np.isfinite(elbos) | ~np.isfinite(means).all(axis=1)
    bad |= ~np.isfinite(scales).all(axis=(1, 2))
    if bad.any():
        i = int(np.argmax(bad))
        raise FloatingPointError(
            f"the fit diverged at step {i} (ELBO estimate {elbos[i]:.6g}); lower "
            "`learning_rate`, start nearer the target, or check that "
            "`log_target` is finite where q puts its mass"
        )
    history = {"elbo": elbos, "mean": means, "scale_tril": scales}
    for arr in history.values():
        arr.flags.writeable = False
    scale = scales[-1].copy()
    return VariationalFit(
        mean=means[-1].copy(),
        cov=scale @ scale.T,
        scale_tril=scale,
        history=history,
    )
