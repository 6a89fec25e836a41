"""Check rendered HTML pages in a real browser (Debian's headless Chromium).

`check_page` opens one page from disk (``file://``) and returns a list of the
problems a reader would meet: console errors, images that did not load, math
that MathJax did not typeset, raw TeX left in the text, requests to another
host, a missing title or heading, and content wider than a phone screen. It
also saves full-page screenshots. `tests/browser/test_book_html.py` runs it on
every page of the built book; `tests/browser/test_htmlcheck.py` shows on small
synthetic pages that each check can fail.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = os.environ.get("KL_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 400, "height": 860}
# URL schemes a page may load from: the book itself, and inline data.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
# Milliseconds to wait for a page's load event and for MathJax to finish.
TIMEOUT_MS = 30_000


def chromium_problem() -> str | None:
    """Say why Chromium cannot be used here, or None if it can."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        hint = f" (found {found}: set KL_CHROMIUM)" if found else ""
        return (
            f"Chromium is not installed at {CHROMIUM}{hint}. Install Debian's "
            "package with `apt-get install chromium` (.ci/run does this); the "
            "browser check never downloads a browser of its own."
        )
    return None


def launch(playwright):
    """Launch Debian's Chromium headless through Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True)


# Waits for MathJax (if the page loads it) and returns what the checks need.
_INSPECT_JS = r"""
async () => {
  const imgs = Array.from(document.images);
  for (const img of imgs) img.loading = "eager";
  await Promise.all(imgs.map((img) => img.complete ? null :
    new Promise((r) => { img.addEventListener("load", r); img.addEventListener("error", r); })));
  // Open everything a reader can open: <details> and sphinx-togglebutton's
  // collapsed blocks (dropdown solutions, hidden cells), so that text hidden
  // in them is typeset, looked at and photographed like the rest.
  for (const d of document.querySelectorAll("details")) d.open = true;
  for (const button of document.querySelectorAll("button.toggle-button")) {
    const target = document.getElementById(button.dataset.target || "");
    if (target && target.classList.contains("toggle-hidden")) {
      // An admonition (a solution) opens from its title, anything else from its button.
      (target.querySelector(":scope > .admonition-title") || button).click();
    }
  }
  const stillHidden = document.querySelectorAll(".toggle-hidden").length;
  const mathEls = Array.from(document.querySelectorAll(".math"));
  let mathjax = "absent";
  if (window.MathJax) {
    mathjax = "configured but its script did not run";
    if (MathJax.startup && MathJax.startup.promise) {
      await MathJax.startup.promise;
      mathjax = "finished";
    }
  }
  // Code is not prose: literals, highlighted blocks and API signatures (.sig).
  const skip = "pre, code, script, style, textarea, noscript, mjx-container, .highlight, .sig";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && !node.parentElement.closest(skip)) texts.push(node.nodeValue);
  }
  // The text column (sphinx-book-theme: article.bd-article), not print-only headers.
  const article = document.querySelector("article") || document.querySelector("main") || document.body;
  const external = [];
  const attrs = [["script", "src"], ["img", "src"], ["iframe", "src"], ["source", "src"],
                 ["video", "src"], ["audio", "src"], ["embed", "src"], ["object", "data"],
                 ["link[rel~=stylesheet]", "href"], ["link[rel~=preload]", "href"],
                 ["link[rel~=icon]", "href"], ["link[rel~=modulepreload]", "href"]];
  for (const [sel, attr] of attrs) {
    for (const el of document.querySelectorAll(sel)) {
      const v = el.getAttribute(attr);
      if (v && /^(https?:)?\/\//i.test(v.trim())) external.push(`<${el.tagName.toLowerCase()} ${attr}="${v}">`);
    }
  }
  return {
    title: document.title.trim(),
    h1: Array.from(article.querySelectorAll("h1")).map((h) => h.textContent.trim()),
    emptyHeadings: Array.from(article.querySelectorAll("h1, h2, h3, h4, h5, h6"))
      .filter((h) => !h.textContent.trim()).length,
    brokenImages: imgs.filter((img) => !(img.complete && img.naturalWidth > 0))
      .map((img) => img.getAttribute("src")),
    mathjax: mathjax,
    mathCount: mathEls.length,
    untypeset: mathEls.filter((el) => !el.querySelector("mjx-container"))
      .map((el) => el.textContent.trim().slice(0, 60)),
    mathErrors: Array.from(document.querySelectorAll("mjx-merror, [data-mjx-error]"))
      .map((el) => el.getAttribute("data-mjx-error") || el.textContent.slice(0, 60)),
    text: texts.join(" "),
    external: external,
    stillHidden: stillHidden,
  };
}
"""

_OVERFLOW_JS = r"""
() => {
  // Content wider than the screen must scroll inside a box of its own. Report
  // what instead widens the page, or sticks out past the screen's edge where
  // nothing scrolls (cut off, e.g. by an overflow:hidden page).
  const doc = document.documentElement;
  const W = doc.clientWidth;
  const found = [];
  const name = (el) => el.tagName.toLowerCase() +
    (typeof el.className === "string" && el.className ? "." + el.className.split(" ")[0] : "") +
    " " + JSON.stringify(el.textContent.trim().replace(/\s+/g, " ").slice(0, 50));
  for (const el of document.querySelectorAll("main *")) {
    const r = el.getBoundingClientRect();
    if (!(r.right > W + 1 && r.width > 0 && r.height > 0)) continue;
    if (found.some((f) => f.contains(el))) continue;
    // Closed drawers (the theme's off-canvas sidebars) are not content.
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    let p = el.parentElement, scrolls = false;
    while (p) {
      const s = getComputedStyle(p);
      if ((s.overflowX === "auto" || s.overflowX === "scroll") && p !== doc && p !== document.body
          && p.getBoundingClientRect().right <= W + 1) { scrolls = true; break; }
      p = p.parentElement;
    }
    if (!scrolls) found.push(el);
    if (found.length >= 5) break;
  }
  return {scrollWidth: doc.scrollWidth, clientWidth: W, outside: found.map(name)};
}
"""

# Raw TeX that a reader must never see: display delimiters, \( \) \[ and
# environments that MathJax should have consumed.
RAW_TEX = ("$$", "\\(", "\\)", "\\[", "\\begin{", "\\end{")
# Any backslash command (\frac, \mathrm, \sigma, \log, ...) and a dollar sign
# next to TeX (`$D_{`, `}$`, `$\log`): a formula that fell out of math mode,
# e.g. a Markdown list item that cut an inline formula in two.
TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
DOLLAR_TEX = re.compile(r"\$[\\{}^_A-Za-z(]|[\\{}^_A-Za-z0-9)]\$")


@dataclass
class PageReport:
    """What `check_page` found on one page."""

    url: str
    problems: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    math_count: int = 0


def check_page(
    browser, path: Path, screenshot_stem: Path | None = None, *, phone: bool = True
) -> PageReport:
    """Open `path` in `browser` and return every problem a reader would meet.

    `screenshot_stem` (``dir/name``, no suffix) saves full-page PNGs as
    ``dir/desktop/name.png`` and, with `phone`, ``dir/phone/name.png``.
    """
    url = Path(path).resolve().as_uri()
    report = PageReport(url)
    problems = report.problems
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    page = context.new_page()

    def on_console(msg):
        if msg.type == "error":
            loc = msg.location or {}
            where = (
                f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc else ""
            )
            problems.append(f"console error: {msg.text}{where}")

    def on_request(request):
        if not request.url.startswith(LOCAL_SCHEMES):
            problems.append(f"request to another host: {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"uncaught exception: {exc}"))
    page.on("request", on_request)
    page.on("websocket", lambda ws: problems.append(f"websocket to {ws.url}"))
    # Nothing may leave the machine: a check never depends on a network.
    page.route(lambda u: not u.startswith(LOCAL_SCHEMES), lambda route: route.abort())
    try:
        page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        page.set_default_timeout(TIMEOUT_MS)
        info = page.evaluate(_INSPECT_JS)
        report.math_count = info["mathCount"]

        if not info["title"] or info["title"].startswith("<no title>"):
            problems.append("page has no <title>")
        if not info["h1"] or not all(info["h1"]):
            problems.append("page has no (non-empty) <h1> heading")
        if info["emptyHeadings"]:
            problems.append(f"{info['emptyHeadings']} empty section heading(s)")
        if info["stillHidden"]:
            problems.append(
                f"{info['stillHidden']} collapsed block(s) did not open on a click"
            )
        for src in info["brokenImages"]:
            problems.append(f"image did not load: {src}")
        if info["mathCount"] and info["mathjax"] != "finished":
            problems.append(
                f"{info['mathCount']} math element(s) but MathJax is {info['mathjax']}"
            )
        for tex in info["untypeset"]:
            problems.append(f"math not typeset: {tex!r}")
        for err in info["mathErrors"]:
            problems.append(f"MathJax error: {err!r}")
        text = info["text"]
        for token in RAW_TEX:
            at = text.find(token)
            if at >= 0:
                problems.append(
                    f"raw TeX {token!r} in text: {text[max(0, at - 30) : at + 40]!r}"
                )
        for pattern, what in [
            (TEX_COMMAND, "TeX command"),
            (DOLLAR_TEX, "$ next to TeX"),
        ]:
            for match in list(pattern.finditer(text))[:5]:
                at = match.start()
                problems.append(
                    f"raw TeX ({what}) in text: {text[max(0, at - 30) : at + 40]!r}"
                )
        for tag in info["external"]:
            problems.append(f"element loads from another host: {tag}")

        if screenshot_stem is not None:
            shot = Path(screenshot_stem)
            report.screenshots.append(
                _screenshot(page, shot.parent / "desktop" / f"{shot.name}.png")
            )
        if phone:
            page.set_viewport_size(PHONE)
            page.wait_for_timeout(200)  # kl_book.js refits math 100 ms after a resize
            # The theme's drawers slide shut with CSS transitions when the
            # window narrows; measure once they have finished, not mid-slide.
            page.wait_for_function(
                "() => document.getAnimations().every(a => a.playState !== 'running')"
            )
            width = page.evaluate(_OVERFLOW_JS)
            if width["scrollWidth"] > width["clientWidth"] + 1:
                problems.append(
                    f"at {PHONE['width']} px the page is {width['scrollWidth']} px wide"
                )
            for what in width["outside"]:
                problems.append(
                    f"at {PHONE['width']} px content runs past the screen's edge "
                    f"(not in a box that scrolls): {what}"
                )
            if screenshot_stem is not None:
                report.screenshots.append(
                    _screenshot(page, shot.parent / "phone" / f"{shot.name}.png")
                )
    finally:
        context.close()
    return report


def _screenshot(page, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target
