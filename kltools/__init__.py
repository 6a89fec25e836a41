"""kltools: exact, fast helpers for the Kullback-Leibler divergence.

Discrete distributions (`kltools._discrete`):
    entropy, cross_entropy, kl_divergence, js_divergence, total_variation
Closed forms for normal distributions (`kltools._closed_form`):
    kl_normal, kl_mvnormal, entropy_normal, cross_entropy_normal
scipy.stats distributions, frozen or new-infrastructure (`kltools._registry`):
    kl_between, register_kl, distribution_parameters (closed forms in
    `kltools._pairs`, the numerical fallback in `kltools._fallback`, SciPy's
    private API in `kltools._scipy_adapter`)
Densities tabulated on a grid (`kltools._grid`):
    kl_on_grid
Estimates from samples (`kltools._estimators`):
    kl_monte_carlo (returns a MonteCarloResult), kl_knn, kl_histogram
Gaussian mixtures (`kltools._mixtures`):
    kl_gmm (estimates, approximations, bounds, exact in 1-D)
Bootstrap confidence intervals for estimates (`kltools._bootstrap`):
    bootstrap_ci (returns a BootstrapResult)
Simulation (`kltools._simulate`):
    sample_pmf, count_outcomes, empirical_pmf
Fitting a normal by gradient descent, with the ``tf`` extra (`kltools._fitting`):
    fit_gaussian (returns a GaussianFit), fit_variational (returns a
    VariationalFit)
Relatives of KL for pmfs (`kltools._divergences`):
    renyi_divergence, hellinger_distance, chi2_divergence
Rényi divergence of normals in closed form (`kltools._renyi_normal`):
    renyi_normal
Mutual information (`kltools._information`):
    mutual_information, mi_knn
Discretising a distribution onto the integers (`kltools._discretize`):
    discretize
Enumerating multinomial count vectors (`kltools._multinomial`):
    count_vectors
The G-test (`kltools._gtest`):
    g_test (returns a GTestResult)
Exact Neyman-Pearson errors and Stein's exponent (`kltools._neyman_pearson`):
    neyman_pearson_beta, stein_exponent
Chernoff information and the Bayes test (`kltools._chernoff`):
    chernoff_information, bayes_error
KL from log-probabilities and logits (`kltools._logprobs`):
    kl_from_log_probs (k1, k2, k3; returns a MonteCarloResult), kl_from_logits
Plotting, with the ``plot`` extra (`kltools._plotting`):
    plot_pmfs, plot_densities, plot_heatmaps
"""

from . import _pairs  # noqa: F401  (registers the closed forms)
from ._bootstrap import BootstrapResult, bootstrap_ci
from ._chernoff import bayes_error, chernoff_information
from ._closed_form import (
    cross_entropy_normal,
    entropy_normal,
    kl_mvnormal,
    kl_normal,
)
from ._discrete import (
    cross_entropy,
    entropy,
    js_divergence,
    kl_divergence,
    total_variation,
)
from ._discretize import discretize
from ._divergences import chi2_divergence, hellinger_distance, renyi_divergence
from ._estimators import MonteCarloResult, kl_histogram, kl_knn, kl_monte_carlo
from ._fitting import GaussianFit, VariationalFit, fit_gaussian, fit_variational
from ._grid import kl_on_grid
from ._gtest import GTestResult, g_test
from ._information import mi_knn, mutual_information
from ._logprobs import kl_from_log_probs, kl_from_logits
from ._mixtures import kl_gmm
from ._multinomial import count_vectors
from ._neyman_pearson import neyman_pearson_beta, stein_exponent
from ._plotting import plot_densities, plot_heatmaps, plot_pmfs
from ._registry import distribution_parameters, kl_between, register_kl
from ._renyi_normal import renyi_normal
from ._simulate import count_outcomes, empirical_pmf, sample_pmf

__all__ = [
    "BootstrapResult",
    "GTestResult",
    "GaussianFit",
    "MonteCarloResult",
    "VariationalFit",
    "bayes_error",
    "bootstrap_ci",
    "chernoff_information",
    "chi2_divergence",
    "count_outcomes",
    "count_vectors",
    "cross_entropy",
    "cross_entropy_normal",
    "discretize",
    "distribution_parameters",
    "empirical_pmf",
    "entropy",
    "entropy_normal",
    "fit_gaussian",
    "fit_variational",
    "g_test",
    "hellinger_distance",
    "js_divergence",
    "kl_between",
    "kl_divergence",
    "kl_from_log_probs",
    "kl_from_logits",
    "kl_gmm",
    "kl_histogram",
    "kl_knn",
    "kl_monte_carlo",
    "kl_mvnormal",
    "kl_normal",
    "kl_on_grid",
    "mi_knn",
    "mutual_information",
    "neyman_pearson_beta",
    "plot_densities",
    "plot_heatmaps",
    "plot_pmfs",
    "register_kl",
    "renyi_divergence",
    "renyi_normal",
    "sample_pmf",
    "stein_exponent",
    "total_variation",
]

__version__ = "0.1.0"
