"""The browser check can fail: each check catches a synthetic broken page."""

import base64

import pytest
from htmlcheck import check_page

# A 1x1 transparent PNG, so the good page's image loads without any file.
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
    )
).decode()


def page_html(body: str, head: str = "", title: str = "A page") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"{head}</head><body><main><h1>Heading</h1>{body}</main></body></html>"
    )


@pytest.fixture
def write(tmp_path):
    def write(html: str, name: str = "page.html"):
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        return path

    return write


def problems(browser, path):
    return check_page(browser, path).problems


def test_good_page_has_no_problems(browser, write):
    """A page with a loaded image and plain text passes every check."""
    path = write(page_html(f"<p>Fine.</p><img src='data:image/png;base64,{PIXEL}'>"))
    assert problems(browser, path) == []


def test_broken_image_is_caught(browser, write):
    """An <img> whose file is missing is reported."""
    path = write(page_html("<p>Figure:</p><img src='missing.png' alt='figure'>"))
    found = problems(browser, path)
    assert any(p.startswith("image did not load: missing.png") for p in found), found


@pytest.mark.parametrize(
    "raw",
    [
        "$$D = \\sum_i p_i$$",
        "\\(x^2\\)",
        "\\[ x \\]",
        "\\begin{align} a &= b \\end{align}",
    ],
)
def test_raw_tex_is_caught(browser, write, raw):
    """TeX that no MathJax typeset, left in the visible text, is reported."""
    path = write(page_html(f"<p>The divergence {raw} is positive.</p>"))
    assert any(p.startswith("raw TeX") for p in problems(browser, path))


def test_raw_tex_in_code_is_allowed(browser, write):
    """TeX inside a code block is code, not a rendering failure."""
    path = write(page_html("<pre><code>label = r'$$\\alpha$$ \\begin{x}'</code></pre>"))
    assert problems(browser, path) == []


def test_untypeset_math_element_is_caught(browser, write):
    """A Sphinx math element on a page whose MathJax never ran is reported."""
    path = write(
        page_html(
            "<p><span class='math notranslate nohighlight'>x</span></p>",
            head="<script>window.MathJax = {};</script>"
            "<script defer src='_static/mathjax/missing.js'></script>",
        )
    )
    found = problems(browser, path)
    assert any(
        "MathJax is configured but its script did not run" in p for p in found
    ), found
    assert any(p.startswith("math not typeset") for p in found), found


def test_console_error_is_caught(browser, write):
    """A script error (like a script included twice) is reported."""
    script = "<script>const X = 1;</script><script>const X = 2;</script>"
    found = problems(browser, write(page_html("<p>x</p>", head=script)))
    assert any("already been declared" in p for p in found), found


def test_request_to_another_host_is_caught(browser, write):
    """A script from a CDN is reported (and blocked: no network is used)."""
    head = "<script src='https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js'></script>"
    found = problems(browser, write(page_html("<p>x</p>", head=head)))
    assert any(
        p.startswith("request to another host: https://cdn.jsdelivr.net") for p in found
    )
    assert any(p.startswith("element loads from another host") for p in found)


def test_missing_outline_is_caught(browser, write):
    """A page without a title or an <h1> is reported."""
    html = "<!DOCTYPE html><html><head></head><body><main><p>x</p></main></body></html>"
    found = problems(browser, write(html))
    assert "page has no <title>" in found
    assert "page has no (non-empty) <h1> heading" in found


def test_overflow_at_phone_width_is_caught(browser, write):
    """A table wider than a phone screen that does not scroll is reported."""
    table = "<table><tr>" + "<td>0.123456789</td>" * 20 + "</tr></table>"
    found = problems(browser, write(page_html(table)))
    assert any(p.startswith("at 400 px the page is") for p in found), found
    assert any("runs past the screen" in p for p in found), found


def test_wide_table_in_scrolling_box_is_allowed(browser, write):
    """The same table inside a box that scrolls sideways passes."""
    table = "<div style='overflow-x:auto'><table><tr>" + "<td>0.123456789</td>" * 20
    found = problems(browser, write(page_html(table + "</tr></table></div>")))
    assert found == []


def test_content_cut_off_at_phone_width_is_caught(browser, write):
    """A long formula in a box that hides its overflow is reported as cut off."""
    wide = "<span style='white-space:nowrap'>" + "x + " * 80 + "</span>"
    path = write(page_html(f"<div style='overflow:hidden'><p>Sum: {wide}</p></div>"))
    found = problems(browser, path)
    assert not any(p.startswith("at 400 px the page is") for p in found), found
    assert any("runs past the screen" in p for p in found), found
