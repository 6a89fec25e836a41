"""Package-level checks: lazy heavy imports, a complete public API."""

import inspect
import subprocess
import sys

import kltools

HEAVY = (
    "tensorflow",
    "matplotlib",
    "seaborn",
    "sklearn",
    "statsmodels",
    "torch",
    "pandas",
)


def test_import_does_not_pull_in_heavy_modules():
    """`import kltools` stays light: only numpy and scipy, never an extra's library."""
    code = (
        f"import sys, kltools; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_every_public_name_exists_and_is_documented():
    """Functions in __all__ have Parameters and Examples; classes, Attributes."""
    assert kltools.__all__ == sorted(kltools.__all__)
    for name in kltools.__all__:
        obj = getattr(kltools, name)
        doc = inspect.getdoc(obj) or ""
        if inspect.isclass(obj):
            assert "Attributes\n----------" in doc, name
        else:
            assert "Parameters\n----------" in doc, name
            assert "Examples\n--------" in doc, name
