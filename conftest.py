"""Collection rules for bare `pytest`: skip the doctests of missing extras."""

import importlib.util

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
