"""Tests for fit_gaussian: convergence, gradients, zeros of the target, errors.

TensorFlow is imported once, by the first fit; every fit here is a few
hundred steps of a compiled loop (milliseconds), so the module's cost is the
import plus one trace per (divergence, optimizer) pair.
"""

import math
import os
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import norm

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
tf = pytest.importorskip("tensorflow")

from kltools import GaussianFit, fit_gaussian  # noqa: E402

# Wide, fine grids on which every normal used below has negligible mass
# outside (at least 8 standard deviations to each end) and the trapezoid rule
# is accurate to rounding for smooth, decaying integrands.
X10 = np.linspace(-10.0, 10.0, 2001)
X20 = np.linspace(-20.0, 20.0, 4001)


def kl_normal(m1, s1, m2, s2):
    """Closed form KL(N(m1, s1^2) || N(m2, s2^2)) in nats."""
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


# --- convergence to known optima ---------------------------------------------


@pytest.mark.parametrize("divergence", ["forward", "reverse"])
def test_recovers_normal_target_from_far_start(divergence):
    """N(0, 2^2) from mu0 = 7, sigma0 = 5: mu = 0, sigma = 2 to 1e-3, KL ~ 0."""
    # The grid optimum is exactly (0, 2): the model normalised on the grid
    # then equals the tabulated target up to its mass (1 - 6e-7), so the
    # tolerance only has to cover the optimizer's residual.
    fit = fit_gaussian(
        X10, norm.pdf(X10, 0, 2), divergence=divergence, mu0=7.0, sigma0=5.0, steps=400
    )
    assert_allclose([fit.mu, fit.sigma], [0.0, 2.0], rtol=0, atol=1e-3)
    assert 0.0 <= fit.loss < 1e-6


# SGD is stable below a learning rate of 2 / (largest curvature), here 2 / 2
# (the curvature of forward KL in log sigma at the optimum is 2); 0.5 contracts
# the error in mu by 1 - 0.5 / 2.665 per step, enough for 600 steps.
@pytest.mark.parametrize(("optimizer", "learning_rate"), [("adam", 0.05), ("sgd", 0.5)])
def test_forward_optimum_matches_moments_of_mixture(optimizer, learning_rate):
    """Forward KL fit of 0.3 N(-1, 0.5^2) + 0.7 N(2, 1) is N(1.1, 2.665)."""
    # mean = 0.3 * -1 + 0.7 * 2 = 1.1
    # E[x^2] = 0.3 * (0.25 + 1) + 0.7 * (1 + 4) = 3.875, variance 3.875 - 1.21
    p = 0.3 * norm.pdf(X20, -1, 0.5) + 0.7 * norm.pdf(X20, 2, 1)
    fit = fit_gaussian(
        X20, p, steps=600, optimizer=optimizer, learning_rate=learning_rate
    )
    assert_allclose([fit.mu, fit.sigma], [1.1, math.sqrt(2.665)], rtol=0, atol=1e-6)


def test_forward_fit_of_symmetric_bimodal_target_covers_both_modes():
    """Forward KL fit of 1/2 N(-2, 0.5^2) + 1/2 N(2, 0.5^2): mu = 0, sigma^2 = 4.25."""
    p = 0.5 * norm.pdf(X20, -2, 0.5) + 0.5 * norm.pdf(X20, 2, 0.5)
    fit = fit_gaussian(X20, p, mu0=0.5, sigma0=1.0, steps=600)
    assert_allclose([fit.mu, fit.sigma], [0.0, math.sqrt(4.25)], rtol=0, atol=1e-6)


# Reverse-KL optima on the symmetric bimodal target, computed without the
# grid or TensorFlow by adaptive quadrature and Nelder-Mead:
#   from scipy import integrate, optimize, stats
#   p = lambda x: 0.5*stats.norm.pdf(x,-2,.5) + 0.5*stats.norm.pdf(x,2,.5)
#   def rkl(t):
#       q = stats.norm(t[0], np.exp(t[1])); a = 12*np.exp(t[1])
#       f = lambda x: q.pdf(x)*(q.logpdf(x) - np.log(p(x)))
#       return integrate.quad(f, t[0]-a, t[0]+a, epsabs=1e-14, epsrel=1e-13,
#                             limit=200)[0]
#   optimize.minimize(rkl, [1.5, np.log(.6)], method="Nelder-Mead",
#       options=dict(xatol=1e-10, fatol=1e-15, maxiter=4000))  # mode
#   optimize.minimize_scalar(lambda s: rkl([0.0, s]), bracket=(0, 1),
#       tol=1e-12)                                               # mu = 0
MODE_MU, MODE_SIGMA, MODE_KL = (
    1.9998008639521785,
    0.5003981470321233,
    0.6930529416655933,
)
SADDLE_SIGMA, SADDLE_KL = 1.73636246519202, 1.8711965121688134


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_reverse_fit_locks_onto_the_mode_nearest_the_start(sign):
    """Reverse KL from mu0 = +-1 finds the mode at +-2 (sigma ~ 0.5, KL ~ log 2)."""
    p = 0.5 * norm.pdf(X20, -2, 0.5) + 0.5 * norm.pdf(X20, 2, 0.5)
    fit = fit_gaussian(X20, p, divergence="reverse", mu0=sign, sigma0=1.0, steps=500)
    # Quadrature and Nelder-Mead reference: good to ~1e-9; the optimizer's
    # residual after 500 steps is smaller than 1e-7.
    assert_allclose(
        [fit.mu, fit.sigma], [sign * MODE_MU, MODE_SIGMA], rtol=0, atol=1e-6
    )
    assert_allclose(fit.loss, MODE_KL, rtol=1e-9)


def test_reverse_fit_started_at_zero_stays_on_the_saddle():
    """Reverse KL from mu0 = 0 on a symmetric target keeps mu = 0: a saddle."""
    p = 0.5 * norm.pdf(X20, -2, 0.5) + 0.5 * norm.pdf(X20, 2, 0.5)
    fit = fit_gaussian(X20, p, divergence="reverse", mu0=0.0, sigma0=1.0, steps=500)
    assert abs(fit.mu) < 1e-9
    assert_allclose(fit.sigma, SADDLE_SIGMA, rtol=0, atol=1e-6)
    assert_allclose(fit.loss, SADDLE_KL, rtol=1e-9)
    assert fit.loss > MODE_KL  # higher than at either mode


@settings(max_examples=6, deadline=None, derandomize=True)
@given(
    m=st.floats(-2.0, 2.0),
    tau=st.floats(0.6, 2.0),
    divergence=st.sampled_from(["forward", "reverse"]),
)
def test_recovers_any_normal_target(m, tau, divergence):
    """Both divergences recover a normal target N(m, tau^2) from (0, 1)."""
    fit = fit_gaussian(X20, norm.pdf(X20, m, tau), divergence=divergence, steps=500)
    assert_allclose([fit.mu, fit.sigma], [m, tau], rtol=0, atol=1e-4)


# --- gradients, losses and the optimizer --------------------------------------

# Target N(0.5, 1.5^2), start N(-1, 2^2): the grid holds 9.5 standard
# deviations each way, so grid losses and gradients equal the closed forms to
# rounding.
M, TAU, MU0, SIGMA0 = 0.5, 1.5, -1.0, 2.0


@pytest.mark.parametrize(
    ("divergence", "grad_mu", "grad_s"),
    [
        # d/dmu and d/d(log sigma) of KL(N(m, tau^2) || N(mu, sigma^2))
        ("forward", (MU0 - M) / SIGMA0**2, 1 - (TAU**2 + (M - MU0) ** 2) / SIGMA0**2),
        # ... and of KL(N(mu, sigma^2) || N(m, tau^2))
        ("reverse", (MU0 - M) / TAU**2, -1 + SIGMA0**2 / TAU**2),
    ],
)
def test_one_sgd_step_follows_the_closed_form_gradient(divergence, grad_mu, grad_s):
    """One SGD step of size 1 moves (mu, log sigma) by minus the exact gradient."""
    fit = fit_gaussian(
        X20,
        norm.pdf(X20, M, TAU),
        divergence=divergence,
        mu0=MU0,
        sigma0=SIGMA0,
        steps=1,
        learning_rate=1.0,
        optimizer="sgd",
    )
    assert_allclose(fit.history["mu"], [MU0, MU0 - grad_mu], rtol=1e-12)
    assert_allclose(
        np.log(fit.history["sigma"]),
        [math.log(SIGMA0), math.log(SIGMA0) - grad_s],
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    ("divergence", "expected"),
    [
        ("forward", kl_normal(M, TAU, MU0, SIGMA0)),
        ("reverse", kl_normal(MU0, SIGMA0, M, TAU)),
    ],
)
def test_history_starts_at_the_start_with_its_closed_form_loss(divergence, expected):
    """history[0] is (mu0, sigma0) and the loss there is the closed-form KL."""
    fit = fit_gaussian(
        X20,
        norm.pdf(X20, M, TAU),
        divergence=divergence,
        mu0=MU0,
        sigma0=SIGMA0,
        steps=3,
    )
    assert isinstance(fit, GaussianFit)
    assert all(len(a) == 4 for a in fit.history.values())
    assert (fit.history["mu"][0], fit.history["sigma"][0]) == (MU0, SIGMA0)
    assert_allclose(fit.history["loss"][0], expected, rtol=1e-12)
    assert (fit.mu, fit.sigma, fit.loss) == tuple(
        float(fit.history[k][-1]) for k in ("mu", "sigma", "loss")
    )


def forward_kl_and_gradient(mu, s):
    """Closed-form KL(N(M, TAU^2) || N(mu, e^(2s))) and its gradient in (mu, s)."""
    e = (TAU**2 + (M - mu) ** 2) / math.exp(2 * s)
    return s - math.log(TAU) + e / 2 - 0.5, np.array(
        [(mu - M) / math.exp(2 * s), 1 - e]
    )


@pytest.mark.parametrize("divergence", ["forward", "reverse"])
def test_loss_of_target_cut_off_by_the_grid_has_no_mass_offset(divergence):
    """A target missing mass 6e-7 beyond the grid still gets KL = mu^2 / (2 tau^2)."""
    # N(0, 2^2) on [-10, 10] has mass 1 - 2 Phi(-5) = 1 - 5.7e-7 on the grid.
    # Against N(0.01, 2^2) the KL is 0.01^2 / 8 = 1.25e-5 in both directions;
    # a loss without the mass correction would be off by -5.7e-7 (forward)
    # or +5.7e-7 (reverse), 4.6%. What remains is the truncation of both
    # normals at 5 standard deviations, which shrinks their variance by a
    # relative 10 phi(5) / (1 - 2 Phi(-5)) = 1.49e-5.
    fit = fit_gaussian(
        X10, norm.pdf(X10, 0, 2), divergence=divergence, mu0=0.01, sigma0=2.0, steps=1
    )
    assert_allclose(fit.history["loss"][0], 0.01**2 / 8, rtol=2e-5)


def test_adam_matches_the_algorithm_of_kingma_and_ba():
    """The Adam steps follow Algorithm 1 of Kingma and Ba, in numpy."""
    # Algorithm 1 with the "efficient" step of their section 2 and Keras's
    # epsilon: alpha_t = lr sqrt(1 - b2^t) / (1 - b1^t), step alpha_t m / (sqrt(v) + eps).
    lr, b1, b2, eps, steps = 0.05, 0.9, 0.999, 1e-7, 25
    theta = np.array([MU0, math.log(SIGMA0)])
    m = v = np.zeros(2)
    path = [theta]
    for t in range(1, steps + 1):
        g = forward_kl_and_gradient(*theta)[1]
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        theta = theta - lr * math.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
        path.append(theta)
    path = np.array(path)
    fit = fit_gaussian(X20, norm.pdf(X20, M, TAU), mu0=MU0, sigma0=SIGMA0, steps=steps)
    assert_allclose(fit.history["mu"], path[:, 0], rtol=0, atol=1e-12)
    assert_allclose(np.log(fit.history["sigma"]), path[:, 1], rtol=0, atol=1e-12)


def test_adam_agrees_with_keras_adam():
    """The float64 Adam follows tf.keras.optimizers.Adam to Keras's float32 betas."""
    # Keras raises beta_1 = 0.9 and beta_2 = 0.999 to the power t in float32
    # (0.999 -> 0.99900001), so its bias correction is off by a relative
    # 1.3e-5 / 2 and its steps by up to ~1.5e-5 of lr; over 25 steps of lr =
    # 2**-4 (exact in float32) that is at most 25 * 0.0625 * 1.5e-5 = 2.3e-5.
    lr, steps = 0.0625, 25
    fit = fit_gaussian(
        X20,
        norm.pdf(X20, M, TAU),
        mu0=MU0,
        sigma0=SIGMA0,
        steps=steps,
        learning_rate=lr,
    )
    mu = tf.Variable(MU0, dtype=tf.float64)
    s = tf.Variable(math.log(SIGMA0), dtype=tf.float64)
    opt = tf.keras.optimizers.Adam(lr)
    path = [(MU0, math.log(SIGMA0))]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = s - math.log(TAU) + (TAU**2 + (M - mu) ** 2) / (2 * tf.exp(2 * s))
        opt.apply_gradients(zip(tape.gradient(loss, [mu, s]), [mu, s], strict=True))
        path.append((mu.numpy(), s.numpy()))
    path = np.array(path)
    assert_allclose(fit.history["mu"], path[:, 0], rtol=0, atol=2.3e-5)
    assert_allclose(np.log(fit.history["sigma"]), path[:, 1], rtol=0, atol=2.3e-5)


def test_equal_inputs_give_equal_fits():
    """No random initialisation: two identical calls give identical histories."""
    p = 0.5 * norm.pdf(X10, -2, 0.5) + 0.5 * norm.pdf(X10, 2, 0.5)
    a = fit_gaussian(X10, p, divergence="reverse", mu0=0.3, steps=50)
    b = fit_gaussian(X10, p, divergence="reverse", mu0=0.3, steps=50)
    for key in ("mu", "sigma", "loss"):
        assert_array_equal(a.history[key], b.history[key])


def test_history_is_read_only():
    """The history arrays cannot be modified in place."""
    fit = fit_gaussian(X10, norm.pdf(X10, 0, 1), steps=2)
    with pytest.raises(ValueError, match="read-only"):
        fit.history["mu"][0] = 1.0


# --- targets that are exactly zero somewhere ----------------------------------

# The triangular density 1 - |x| on [-1, 1], zero elsewhere on [-5, 5]. The
# grid step 0.01 puts points on the kinks at -1, 0 and 1.
XT = np.linspace(-5.0, 5.0, 1001)
TRIANGLE = np.maximum(1.0 - np.abs(XT), 0.0)


def test_forward_fit_to_target_with_zeros_matches_its_moments():
    """Forward KL with p = 0 on most of the grid: finite, and moment matching."""
    fit = fit_gaussian(XT, TRIANGLE, mu0=0.5, sigma0=1.0, steps=600)
    assert np.isfinite(fit.history["loss"]).all()
    # On the grid the optimum matches the trapezoid moments of p exactly ...
    var = np.trapezoid(XT**2 * TRIANGLE, XT)
    assert_allclose([fit.mu, fit.sigma**2], [0.0, var], rtol=0, atol=1e-8)
    # ... which are those of the density (variance 1/6) up to the trapezoid
    # rule's error on x^2 (1 - |x|): 2 * h^2 / 12 = 1.7e-5 for h = 0.01.
    assert_allclose(fit.sigma**2, 1 / 6, rtol=0, atol=2e-5)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_reverse_fit_to_target_with_zeros_has_inf_loss_and_finite_path(optimizer):
    """Reverse KL with p = 0 where q > 0 is +inf, yet no gradient is NaN."""
    fit = fit_gaussian(
        XT, TRIANGLE, divergence="reverse", mu0=0.5, steps=20, optimizer=optimizer
    )
    assert np.isposinf(fit.history["loss"]).all()
    assert np.isfinite(fit.history["mu"]).all()
    assert np.isfinite(fit.history["sigma"]).all()
    assert fit.history["mu"][-1] != 0.5  # the finite terms' gradient moved it


def test_reverse_loss_is_finite_where_model_underflows_at_zeros_of_target():
    """p = 0 only where q underflows to 0 too: those terms count 0, not inf."""
    # N(0, 0.1^2) underflows to 0 beyond |x| ~ 3.86; so does the model at the
    # optimum, since it is the same normal.
    x = np.linspace(-5, 5, 2001)
    p = norm.pdf(x, 0, 0.1)
    assert (p == 0).any()
    fit = fit_gaussian(x, p, divergence="reverse", mu0=0.0, sigma0=0.1, steps=1)
    assert_allclose(fit.history["loss"][0], 0.0, atol=1e-12)


# --- errors -------------------------------------------------------------------

GOOD = norm.pdf(X10, 0, 1)


@pytest.mark.parametrize(
    ("x", "density", "match"),
    [
        (X10.reshape(1, -1), GOOD, "`x` must be a one-dimensional grid"),
        ([0.0], [1.0], "`x` must have at least 2 points"),
        (X10[::-1], GOOD, "`x` must be strictly increasing"),
        (np.r_[X10[:-1], np.nan], GOOD, "`x` contains NaN"),
        (X10, GOOD[:-1], "one density value per grid point"),
        (X10, np.stack([GOOD, GOOD]), "`target_density` must be one-dimensional"),
        (X10, np.r_[-1e-3, GOOD[1:]], "`target_density` contains negative"),
        (X10, np.r_[np.nan, GOOD[1:]], "`target_density` contains NaN"),
        (X10, 2 * GOOD, "`target_density` integrates to 2 over the grid"),
        (X10, np.exp(-(X10**2) / 2), r"integrates to 2\.50663"),
        (X10, np.array(["a"] * X10.size), "`target_density` must be an array of real"),
    ],
)
def test_bad_grid_or_density_is_rejected(x, density, match):
    """Grid and density problems raise ValueError naming the argument."""
    with pytest.raises(ValueError, match=match):
        fit_gaussian(x, density)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"divergence": "backward"}, ValueError, "`divergence` must be 'forward' or"),
        ({"optimizer": "rmsprop"}, ValueError, "`optimizer` must be 'adam' or 'sgd'"),
        ({"sigma0": 0.0}, ValueError, "`sigma0` must be a positive finite"),
        ({"sigma0": -1.0}, ValueError, "`sigma0` must be a positive finite"),
        ({"sigma0": math.inf}, ValueError, "`sigma0` must be a positive finite"),
        ({"mu0": math.nan}, ValueError, "`mu0` must be finite"),
        ({"learning_rate": 0.0}, ValueError, "`learning_rate` must be a positive"),
        ({"steps": 0}, ValueError, "`steps` must be at least 1"),
        ({"steps": 2.5}, TypeError, "`steps` must be an integer"),
        ({"steps": True}, TypeError, "`steps` must be an integer"),
        ({"mu0": "0"}, TypeError, "`mu0` must be a real number"),
    ],
)
def test_bad_settings_are_rejected(kwargs, error, match):
    """Bad settings raise ValueError (TypeError for wrong types) naming them."""
    with pytest.raises(error, match=match):
        fit_gaussian(X10, GOOD, **kwargs)


def test_divergent_iteration_raises_instead_of_returning_nan_or_inf():
    """SGD with a huge learning rate sends sigma to inf: FloatingPointError."""
    with pytest.raises(
        FloatingPointError, match=r"diverged at step 1 .*`learning_rate`"
    ):
        fit_gaussian(
            X10,
            norm.pdf(X10, 0, 2),
            mu0=7.0,
            sigma0=5.0,
            optimizer="sgd",
            learning_rate=1e3,
        )


def test_missing_tensorflow_says_which_extra_to_install(monkeypatch):
    """Without TensorFlow the ImportError names the `kltools[tf]` extra."""
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    with pytest.raises(ImportError, match=r"pip install 'kltools\[tf\]'"):
        fit_gaussian(X10, GOOD)


# --- fit_variational ---------------------------------------------------------

from kltools import VariationalFit, fit_variational  # noqa: E402

# A correlated Gaussian target N(MU, inv(LAMBDA)), given unnormalised.
MU = np.array([1.0, -2.0, 0.5])
LAMBDA = np.array([[2.0, -1.2, 0.3], [-1.2, 1.5, 0.0], [0.3, 0.0, 1.0]])


def gaussian_log_target(z):
    u = z - tf.constant(MU)
    return -0.5 * tf.reduce_sum(u * tf.linalg.matvec(tf.constant(LAMBDA), u), axis=1)


def test_full_covariance_recovers_a_gaussian_target():
    fit = fit_variational(gaussian_log_target, np.zeros(3), steps=800, rng=1)
    assert isinstance(fit, VariationalFit)
    assert_allclose(fit.mean, MU, atol=1e-8)
    assert_allclose(fit.cov, np.linalg.inv(LAMBDA), atol=1e-8)
    assert_allclose(fit.scale_tril @ fit.scale_tril.T, fit.cov)
    # ELBO = log Z - KL(q || target): at q = target it is log Z, the log of the
    # normalising constant (2 pi)^(d/2) det(LAMBDA)^(-1/2), for every draw
    # (the path-derivative estimate has zero variance there).
    log_z = 1.5 * math.log(2 * math.pi) - 0.5 * math.log(np.linalg.det(LAMBDA))
    assert_allclose(fit.history["elbo"][-50:], log_z, atol=1e-8)
    # and at the start, N(0, I), the ELBO is below log Z
    assert fit.history["elbo"][0] < log_z
    assert len(fit.history["elbo"]) == 801
    assert fit.history["mean"].shape == (801, 3)
    assert fit.history["scale_tril"].shape == (801, 3, 3)


def test_first_elbo_estimate_is_log_z_minus_the_kl_of_the_start():
    # q0 = N(0, s0^2 I). With z = s0 eps, eps ~ N(0, I), one draw of
    # log target(z) - log q0(z) is -eps'(s0^2 LAMBDA - I) eps / 2
    # + s0 (LAMBDA MU)' eps + const: mean log Z - KL(q0 || target) and
    # variance tr((s0^2 LAMBDA - I)^2) / 2 + s0^2 |LAMBDA MU|^2. The estimate
    # after 0 steps averages n_samples draws; the tolerance is 4 of its
    # standard deviations (0.2 nats here), below the 3 log s0 = -2.1 of a
    # missing log-determinant or the 2.8 of a missing (d/2) log(2 pi).
    s0, n_samples, d = 0.5, 4096, 3
    fit = fit_variational(
        gaussian_log_target,
        np.zeros(d),
        scale0=s0,
        steps=1,
        n_samples=n_samples,
        rng=2,
    )
    log_z = 0.5 * d * math.log(2 * math.pi) - 0.5 * math.log(np.linalg.det(LAMBDA))
    kl_start = 0.5 * (
        s0**2 * np.trace(LAMBDA)
        + MU @ LAMBDA @ MU
        - d
        - math.log(s0 ** (2 * d) * np.linalg.det(LAMBDA))
    )
    a = s0**2 * LAMBDA - np.eye(d)
    var = 0.5 * np.trace(a @ a) + s0**2 * np.sum((LAMBDA @ MU) ** 2)
    tol = 4 * math.sqrt(var / n_samples)
    assert tol < 0.25
    assert abs(fit.history["elbo"][0] - (log_z - kl_start)) < tol
    assert_array_equal(fit.history["mean"][0], np.zeros(d))
    assert_array_equal(fit.history["scale_tril"][0], s0 * np.eye(d))


def test_diagonal_recovers_the_inverse_diagonal_of_the_precision():
    # Mean-field reverse-KL optimum for a Gaussian target: variances
    # 1 / LAMBDA_ii and the target's mean. Eight seeds; the tolerance is
    # 4 standard errors of their average, from the spread of the fits.
    fits = [
        fit_variational(
            gaussian_log_target, np.zeros(3), cov="diag", steps=800, n_samples=64, rng=s
        )
        for s in range(8)
    ]
    var = np.array([np.diag(f.cov) for f in fits])
    mean = np.array([f.mean for f in fits])
    for est, want in [(var, 1 / np.diag(LAMBDA)), (mean, MU)]:
        tol = 4 * est.std(axis=0, ddof=1) / math.sqrt(len(fits))
        assert (np.abs(est.mean(axis=0) - want) < tol).all()
    assert_array_equal(np.array([f.cov for f in fits])[:, [0, 0, 1], [1, 2, 2]], 0.0)
    # the mean-field variances are below the true marginal variances (by 52%,
    # 50% and 9% here)
    marginal = np.diag(np.linalg.inv(LAMBDA))
    assert (var.max(axis=0) < marginal).all()


def test_same_seed_gives_the_same_fit_and_another_seed_does_not():
    a = fit_variational(gaussian_log_target, np.zeros(3), cov="diag", steps=50, rng=4)
    b = fit_variational(gaussian_log_target, np.zeros(3), cov="diag", steps=50, rng=4)
    c = fit_variational(gaussian_log_target, np.zeros(3), cov="diag", steps=50, rng=5)
    assert_array_equal(a.history["elbo"], b.history["elbo"])
    assert not np.array_equal(a.history["elbo"], c.history["elbo"])


def test_fit_variational_errors_name_the_argument():
    with pytest.raises(TypeError, match="`log_target` must be callable"):
        fit_variational(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="`mean0` must be a one-dimensional"):
        fit_variational(gaussian_log_target, np.zeros((3, 1)))
    with pytest.raises(ValueError, match="`mean0` contains NaN"):
        fit_variational(gaussian_log_target, [0.0, np.nan, 0.0])
    with pytest.raises(ValueError, match="`cov` must be 'full' or 'diag'"):
        fit_variational(gaussian_log_target, np.zeros(3), cov="spherical")
    with pytest.raises(ValueError, match="`scale0` must be a positive"):
        fit_variational(gaussian_log_target, np.zeros(3), scale0=0.0)
    with pytest.raises(ValueError, match="`n_samples` must be at least 1"):
        fit_variational(gaussian_log_target, np.zeros(3), n_samples=0)
    with pytest.raises(ValueError, match="`steps` must be at least 1"):
        fit_variational(gaussian_log_target, np.zeros(3), steps=0)
    with pytest.raises(TypeError, match="`steps` must be an integer"):
        fit_variational(gaussian_log_target, np.zeros(3), steps=10.0)
    with pytest.raises(ValueError, match="`learning_rate` must be a positive"):
        fit_variational(gaussian_log_target, np.zeros(3), learning_rate=-0.1)
    with pytest.raises(TypeError, match="`rng`"):
        fit_variational(gaussian_log_target, np.zeros(3), rng="seed")
    with pytest.raises(
        ValueError, match="`log_target` must return one value per point"
    ):
        fit_variational(lambda z: tf.reduce_sum(z), np.zeros(3))
    with pytest.raises(ValueError, match="`log_target` is nan at `mean0`"):
        fit_variational(lambda z: tf.math.log(z[:, 0] - 1.0), np.zeros(3))


def test_fit_variational_diverging_names_the_step():
    # log_target = +|z|^2 has no maximum: the fit runs away until inf.
    with pytest.raises(FloatingPointError, match="diverged at step"):
        fit_variational(
            lambda z: tf.exp(tf.reduce_sum(z * z, axis=1)),
            np.zeros(2),
            steps=400,
            learning_rate=1.0,
            rng=0,
        )
