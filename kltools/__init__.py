"""kltools: exact, fast helpers for the Kullback-Leibler divergence.

Discrete distributions (`kltools._discrete`):
    entropy, cross_entropy, kl_divergence, js_divergence, total_variation
Densities tabulated on a grid (`kltools._grid`):
    kl_on_grid
Estimates from samples (`kltools._estimators`):
    kl_monte_carlo (returns a MonteCarloResult), kl_knn, kl_histogram
Bootstrap confidence intervals for estimates (`kltools._bootstrap`):
    bootstrap_ci (returns a BootstrapResult)
Fitting a normal by gradient descent, with the ``tf`` extra (`kltools._fitting`):
    fit_gaussian (returns a GaussianFit)
Plotting, with the ``plot`` extra (`kltools._plotting`):
    plot_pmfs
"""

from ._bootstrap import BootstrapResult, bootstrap_ci
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
from ._plotting import plot_pmfs

__all__ = [
    "BootstrapResult",
    "GaussianFit",
    "MonteCarloResult",
    "bootstrap_ci",
    "cross_entropy",
    "entropy",
    "fit_gaussian",
    "js_divergence",
    "kl_divergence",
    "kl_histogram",
    "kl_knn",
    "kl_monte_carlo",
    "kl_on_grid",
    "plot_pmfs",
    "total_variation",
]

__version__ = "0.1.0"
