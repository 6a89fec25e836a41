"""Package-level checks: lazy heavy imports, a complete public API."""

import inspect
import re
import subprocess
import sys

import pytest

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


# numpydoc checks every public name passes. Left out: ES01 (an extended
# summary is optional), SA03/SA04 (See Also entries follow SciPy's style,
# lower-case or no descriptions). Result classes are dataclasses documented by
# their Attributes, so PR01/SA01/EX01 do not apply to them.
SKIPPED_CHECKS = {"ES01", "SA03", "SA04"}
SKIPPED_FOR_CLASSES = {"PR01", "SA01", "EX01"}


def test_public_docstrings_pass_numpydoc_validation():
    """Every name in __all__ passes numpydoc's docstring validation."""
    validate = pytest.importorskip("numpydoc.validate").validate
    assert kltools.__all__ == sorted(kltools.__all__)
    problems = []
    for name in kltools.__all__:
        obj = getattr(kltools, name)
        skipped = SKIPPED_CHECKS | (
            SKIPPED_FOR_CLASSES if inspect.isclass(obj) else set()
        )
        for code, message in validate(f"kltools.{name}")["errors"]:
            if code not in skipped:
                problems.append(f"{name}: {code} {message}")
        if inspect.isclass(obj):
            assert "Attributes\n----------" in (inspect.getdoc(obj) or ""), name
    assert problems == []


def test_package_docstring_is_valid_restructuredtext():
    """The module map in `kltools.__doc__` renders on the API page without warnings.

    A heading that wraps onto a second line breaks the definition list and
    fails the `-W` book build; this catches it without building the book.
    """
    docutils_core = pytest.importorskip("docutils.core")
    import io

    stream = io.StringIO()
    docutils_core.publish_doctree(
        kltools.__doc__,
        settings_overrides={"warning_stream": stream, "report_level": 2},
    )
    assert stream.getvalue() == ""


def test_readme_module_table_matches_the_package():
    """README's module table lists every module of kltools, no stale one, and
    each public function under the module that defines it."""
    from pathlib import Path

    root = Path(kltools.__file__).resolve().parent
    readme = root.parent / "README.md"
    if not readme.is_file():  # an unpacked sdist ships PACKAGE.md instead
        pytest.skip("README.md is not shipped with the package")
    rows = {}
    for line in readme.read_text().splitlines():
        cells = line.split("|")
        if len(cells) > 3 and re.fullmatch(r" `_[a-z_]+` ", cells[1]):
            rows[cells[1].strip().strip("`")] = cells[2]
    modules = {p.stem for p in root.glob("_*.py") if p.stem != "__init__"}
    assert set(rows) == modules
    listed = {}
    for mod, cell in rows.items():
        if cell.strip().startswith("("):  # private: "(used by `kl_between`)"
            continue
        for name in cell.split("`")[1::2]:
            listed[name] = mod
    for name in kltools.__all__:
        obj = getattr(kltools, name)
        if inspect.isfunction(obj):
            assert listed.get(name) == obj.__module__.removeprefix("kltools."), name
    for name, mod in listed.items():
        assert getattr(kltools, name).__module__ == f"kltools.{mod}", name
