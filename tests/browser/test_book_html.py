"""Every page of the built book, opened in headless Chromium, reads correctly.

Run by `make check-html` after `make book`. Pages are found in _build/html at
collection time, so a new chapter is checked without editing this file. Not
checked: files under _static/ (theme and MathJax assets) and _sources/
(copies of the sources offered for download), which are not pages.
"""

import os
import re
from pathlib import Path

import pytest
from htmlcheck import check_page

# The repository root (not imported from conftest: the name `conftest` is
# ambiguous beside the root conftest.py).
ROOT = Path(__file__).resolve().parents[2]

HTML = Path(os.environ.get("KL_HTML_DIR", ROOT / "_build" / "html"))
SCREENSHOTS = Path(os.environ.get("KL_SCREENSHOT_DIR", ROOT / "_build" / "screenshots"))
NOT_PAGES = {"_static", "_sources", "_images"}


def book_pages() -> list[str]:
    if not HTML.is_dir():
        return []
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not NOT_PAGES.intersection(p.relative_to(HTML).parts)
    )


PAGES = book_pages()


def test_book_is_built():
    """The book has been built (`make book`) with its front page and chapters."""
    assert (HTML / "index.html").is_file(), f"no book in {HTML}: run `make book` first"
    assert len(PAGES) > 3, PAGES


def redirect_target(page: str) -> str | None:
    """The target of a page that only redirects (index.html), else None."""
    text = (HTML / page).read_text(encoding="utf-8")
    match = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', text, re.I)
    return match.group(1) if match else None


@pytest.mark.parametrize("page", PAGES)
def test_page_reads_correctly(browser, page):
    """No console error, broken image, untypeset math, raw TeX, remote request,
    missing outline or phone-width overflow on this page; screenshots saved."""
    target = redirect_target(page)
    if target is not None:
        # A redirect has no content of its own; its target is checked itself.
        assert (HTML / page).parent.joinpath(target).is_file(), target
        return
    stem = SCREENSHOTS / page.removesuffix(".html").replace("/", "__")
    report = check_page(browser, HTML / page, stem)
    assert report.problems == [], "\n".join([report.url, *report.problems])


def test_equations_are_typeset_somewhere():
    """The check saw math: a book with no math element means it looked wrong."""
    text = (HTML / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'class="math notranslate nohighlight"' in text
