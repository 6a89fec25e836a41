"""Browser checks: run by `make check-html`, not by `make test`.

They need Debian's Chromium (`apt-get install chromium`), which a developer
may not have, so plain `pytest` (`make test`) does not collect this folder;
`make check-html` sets KL_CHECK_HTML=1 and runs it, and there a missing
Chromium is an error, never a skip.
"""

import os
from pathlib import Path

import pytest

if not os.environ.get("KL_CHECK_HTML"):
    collect_ignore_glob = ["*.py"]

ROOT = Path(__file__).resolve().parents[2]


def pytest_sessionstart(session):
    """Stop before any test when Chromium is missing: an error, not a skip."""
    if os.environ.get("KL_CHECK_HTML"):
        from htmlcheck import chromium_problem

        problem = chromium_problem()
        if problem:
            pytest.exit(problem, returncode=1)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, shared by every test of the session."""
    from htmlcheck import chromium_problem, launch

    problem = chromium_problem()
    if problem:
        pytest.exit(problem, returncode=1)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
