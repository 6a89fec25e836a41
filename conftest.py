"""Shared pytest configuration: hypothesis without deadlines, derandomized; skip the doctests of
missing extras.

One conftest.py for the package tests (a second one in tests/ would clash with
tests/browser/conftest.py when --doctest-modules imports both as `conftest`).
"""

import importlib.util

from hypothesis import settings

# Property tests check values, not speed: on a loaded machine (2 cores shared
# with other jobs) hypothesis' default 200 ms deadline fails correct code.
# `make test` (and CI) draws the same examples every run, so that a result
# does not depend on the day; `make explore` (`--hypothesis-profile=explore`)
# draws new ones, to look for inputs the fixed ones miss.
settings.register_profile("kltools", deadline=None, derandomize=True, database=None)
settings.register_profile("explore", deadline=None)
settings.load_profile("kltools")

# The doctests of the plotting and fitting helpers need the `plot` and `tf`
# extras; without them (for example in an unpacked sdist) they are skipped,
# as their unit tests are by `pytest.importorskip`.
collect_ignore = [
    path
    for path, module in (
        ("kltools/_plotting.py", "matplotlib"),
        ("kltools/_fitting.py", "tensorflow"),
    )
    if importlib.util.find_spec(module) is None
]
