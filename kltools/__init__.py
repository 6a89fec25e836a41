"""kltools: exact, fast helpers for the Kullback-Leibler divergence.

Discrete distributions (`kltools._discrete`):
    entropy, cross_entropy, kl_divergence, js_divergence, total_variation
Plotting, with the ``plot`` extra (`kltools._plotting`):
    plot_pmfs, plot_densities, plot_heatmaps
"""

from ._discrete import (
    cross_entropy,
    entropy,
    js_divergence,
    kl_divergence,
    total_variation,
)
from ._plotting import plot_densities, plot_heatmaps, plot_pmfs

__all__ = [
    "cross_entropy",
    "entropy",
    "js_divergence",
    "kl_divergence",
    "plot_densities",
    "plot_heatmaps",
    "plot_pmfs",
    "total_variation",
]

__version__ = "0.1.0"
