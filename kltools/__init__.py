"""kltools: exact, fast helpers for the Kullback-Leibler divergence.

Discrete distributions (`kltools._discrete`):
    entropy, cross_entropy, kl_divergence, js_divergence, total_variation
Closed forms for normal distributions (`kltools._closed_form`):
    kl_normal, kl_mvnormal, entropy_normal, cross_entropy_normal
scipy.stats distributions, frozen or new-infrastructure (`kltools._registry`;
closed forms in `kltools._pairs`, numerics in `kltools._numeric`, SciPy's
private API in `kltools._scipy_adapter`):
    kl_between, register_kl, distribution_parameters
Densities tabulated on a grid (`kltools._grid`):
    kl_on_grid
Estimates from samples (`kltools._estimators`):
    kl_monte_carlo (returns a MonteCarloResult), kl_knn, kl_histogram
Bootstrap confidence intervals for estimates (`kltools._bootstrap`):
    bootstrap_ci (returns a BootstrapResult)
Simulation (`kltools._simulate`):
    sample_pmf, count_outcomes, empirical_pmf
Fitting a normal by gradient descent, with the ``tf`` extra (`kltools._fitting`):
    fit_gaussian (returns a GaussianFit)
Plotting, with the ``plot`` extra (`kltools._plotting`):
    plot_pmfs, plot_densities, plot_heatmaps
"""

from . import _pairs  # noqa: F401  (registers the closed forms)
from ._bootstrap import BootstrapResult, bootstrap_ci
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
from ._estimators import MonteCarloResult, kl_histogram, kl_knn, kl_monte_carlo
from ._fitting import GaussianFit, fit_gaussian
from ._grid import kl_on_grid
from ._plotting import plot_densities, plot_heatmaps, plot_pmfs
from ._registry import distribution_parameters, kl_between, register_kl
from ._simulate import count_outcomes, empirical_pmf, sample_pmf

__all__ = [
    "BootstrapResult",
    "GaussianFit",
    "MonteCarloResult",
    "bootstrap_ci",
    "count_outcomes",
    "cross_entropy",
    "cross_entropy_normal",
    "distribution_parameters",
    "empirical_pmf",
    "entropy",
    "entropy_normal",
    "fit_gaussian",
    "js_divergence",
    "kl_between",
    "kl_divergence",
    "kl_histogram",
    "kl_knn",
    "kl_monte_carlo",
    "kl_mvnormal",
    "kl_normal",
    "kl_on_grid",
    "plot_densities",
    "plot_heatmaps",
    "plot_pmfs",
    "register_kl",
    "sample_pmf",
    "total_variation",
]

__version__ = "0.1.0"
