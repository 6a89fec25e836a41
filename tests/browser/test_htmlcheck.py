"""The browser check can fail: each check catches a synthetic broken page.

Most pages are written as HTML here. The math pages go through a real
Sphinx + MyST build (the book's parser extensions, sphinx-exercise dropdowns,
the book's offline MathJax), so the failure they show is the one a reader met:
a Markdown list whose formula continues on a line starting with `+`.
"""

import base64
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from htmlcheck import check_page

# The repository root (not imported from conftest: the name `conftest` is
# ambiguous beside the root conftest.py).
ROOT = Path(__file__).resolve().parents[2]

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
        "$D_{\\mathrm{KL}} = 1",
        "\\frac{a}{b}",
        "\\sigma",
        "x^2}$",
    ],
)
def test_raw_tex_is_caught(browser, write, raw):
    """TeX that no MathJax typeset, left in the visible text, is reported."""
    path = write(page_html(f"<p>The divergence {raw} is positive.</p>"))
    assert any(p.startswith("raw TeX") for p in problems(browser, path))


def test_raw_tex_in_code_is_allowed(browser, write):
    """TeX inside a code block or an API signature is code, not a rendering failure."""
    code = "<pre><code>label = r'$$\\alpha$$ \\begin{x} \\frac'</code></pre>"
    sig = "<dl><dt class='sig'><em class='sig-param'>xlabel='$x$'</em></dt></dl>"
    path = write(page_html(code + sig))
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


def test_mathjax_error_attribute_is_caught(browser, write):
    """An element MathJax marked with data-mjx-error is reported."""
    path = write(
        page_html("<p><span data-mjx-error='Missing close brace'>x</span></p>")
    )
    assert any(p.startswith("MathJax error") for p in problems(browser, path))


# --- pages built by Sphinx and MyST, as the book is ---------------------------

CONF = f"""
import sys
sys.path.insert(0, {str(ROOT / "book" / "_ext")!r})
project = "synthetic"
extensions = ["myst_parser", "sphinx_togglebutton", "sphinx_exercise", "kl_book"]
myst_enable_extensions = ["amsmath", "colon_fence", "dollarmath"]
mathjax_path = "mathjax/es5/tex-mml-chtml.js"
html_static_path = ["node_modules"]
"""

# The key point of chapter 3 as it was: the `+` line becomes a nested list item.
BROKEN_LIST = r"""
- For normals, $D_{\mathrm{KL}} = \log(\sigma_q/\sigma_p)
  + \frac{\sigma_p^2 + (\mu_p - \mu_q)^2}{2\sigma_q^2} - \frac12$ nats.
- A second point.
"""
FIXED_LIST = BROKEN_LIST.replace(")\n  + ", ") +\n  ")

EXERCISE = """
```{{exercise}}
:label: ex-{name}

Find the divergence.
```

````{{solution}} ex-{name}
:class: dropdown

{body}
````
"""

MYST_PAGES = {
    "good": "# Good\n" + FIXED_LIST + EXERCISE.format(name="good", body=FIXED_LIST),
    "list_plus": "# Broken list\n" + BROKEN_LIST,
    "solution_plus": "# Broken solution\n\nText.\n"
    + EXERCISE.format(name="sol", body=BROKEN_LIST),
    "math_error": "# Bad TeX\n\nThe value $x^^2$ is wrong.\n",
}


@pytest.fixture(scope="session")
def myst_site(tmp_path_factory):
    """Build MYST_PAGES with Sphinx; return the folder of the HTML pages."""
    src = tmp_path_factory.mktemp("myst_src")
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "node_modules").symlink_to(ROOT / "node_modules")
    toc = "\n".join(MYST_PAGES)
    (src / "index.md").write_text(
        f"# Synthetic pages\n\n```{{toctree}}\n{toc}\n```\n", encoding="utf-8"
    )
    for name, text in MYST_PAGES.items():
        (src / f"{name}.md").write_text(textwrap.dedent(text), encoding="utf-8")
    out = src / "_build"
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(out)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return out


def test_myst_good_page_has_no_problems(browser, myst_site):
    """Math on one line, in a list and in a dropdown solution, passes."""
    assert problems(browser, myst_site / "good.html") == []


def test_myst_list_formula_continued_with_plus_is_caught(browser, myst_site):
    """A list whose formula continues on a `+` line shows raw TeX: reported."""
    found = problems(browser, myst_site / "list_plus.html")
    assert any(p.startswith("raw TeX (TeX command)") and "frac" in p for p in found)
    assert any(p.startswith("raw TeX ($ next to TeX)") for p in found), found


def test_myst_fault_inside_a_collapsed_solution_is_caught(browser, myst_site):
    """The same fault inside a dropdown solution is reported (it is opened first)."""
    html = (myst_site / "solution_plus.html").read_text(encoding="utf-8")
    assert "dropdown" in html  # the solution is collapsed for a reader
    found = problems(browser, myst_site / "solution_plus.html")
    assert any(p.startswith("raw TeX (TeX command)") for p in found), found


def test_myst_tex_that_mathjax_rejects_is_caught(browser, myst_site):
    """TeX with a double exponent is typeset as a MathJax error: reported."""
    found = problems(browser, myst_site / "math_error.html")
    assert any(p.startswith("MathJax error") for p in found), found
