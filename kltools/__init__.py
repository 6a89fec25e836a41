"""kltools: exact, fast helpers for the Kullback-Leibler divergence.

Discrete distributions (`kltools._discrete`):
    entropy, cross_entropy, kl_divergence, js_divergence, total_variation
Simulation (`kltools._simulate`):
    sample_pmf, count_outcomes, empirical_pmf
Plotting, with the ``plot`` extra (`kltools._plotting`):
    plot_pmfs
Closed forms for normal distributions (`kltools._closed_form`):
    kl_normal, kl_mvnormal
Frozen scipy.stats distributions (`kltools._between`):
    kl_between, register_kl
"""

from ._between import kl_between, register_kl
from ._closed_form import kl_mvnormal, kl_normal
from ._discrete import (
    cross_entropy,
    entropy,
    js_divergence,
    kl_divergence,
    total_variation,
)
from ._plotting import plot_pmfs
from ._simulate import count_outcomes, empirical_pmf, sample_pmf

__all__ = [
    "count_outcomes",
    "cross_entropy",
    "empirical_pmf",
    "entropy",
    "js_divergence",
    "kl_between",
    "kl_divergence",
    "kl_mvnormal",
    "kl_normal",
    "plot_pmfs",
    "register_kl",
    "sample_pmf",
    "total_variation",
]

__version__ = "0.1.0"
