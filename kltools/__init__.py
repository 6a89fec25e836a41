"""kltools: exact, fast helpers for the Kullback-Leibler divergence.

Discrete distributions (`kltools._discrete`):
    entropy, cross_entropy, kl_divergence, js_divergence, total_variation
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

__all__ = [
    "cross_entropy",
    "entropy",
    "js_divergence",
    "kl_between",
    "kl_divergence",
    "kl_mvnormal",
    "kl_normal",
    "register_kl",
    "total_variation",
]

__version__ = "0.1.0"
