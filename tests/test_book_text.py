"""The book's Markdown renders its math: a fast check without a browser.

A formula written in `$...$` that continues on a line starting with `+`, `-`,
`*` or a number and a dot (`1.`) breaks: Markdown reads that line as a new
list item, the formula is cut in two, and the reader sees raw TeX. It happened
in chapter 3's key points and in a collapsed solution of chapter 4. These tests
read every Markdown cell of every notebook in book/ and every Markdown page, so
a new chapter is checked without editing this file:

* `test_no_math_continuation_line_starts_a_list` looks at the source lines;
* `test_parsed_text_holds_no_tex` parses each cell with the same MyST parser
  and extensions the book uses, and fails if TeX is left in plain text, which
  catches this fault and any other way a formula can fall out of math mode.

The browser check (`make check-html`) looks at the rendered pages as well.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# Book tests: they need the book's environment (requirements.txt), not the
# package's test extra, so they skip where it is missing (make test-floor).
nbformat = pytest.importorskip("nbformat")
yaml = pytest.importorskip("yaml")
pytest.importorskip("myst_parser")

BOOK = Path(__file__).resolve().parents[1] / "book"
CONFIG = BOOK.parent / "_config.yml"

# A line that Markdown would read as the start of a list item.
LIST_MARKER = re.compile(r"^\s*(?:[-+*]|\d{1,9}[.)])(?:\s|$)")
# An opening or closing code fence: its marker and its info string.
FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(.*)$")
# TeX a reader must never see: a backslash command or a dollar sign.
TEX_IN_TEXT = re.compile(r"\$|\\[A-Za-z]+")


def markdown_sources() -> list[tuple[str, str]]:
    """(label, Markdown text) for each Markdown cell and page of the book."""
    found = []
    for path in sorted(BOOK.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                found.append((f"{path.name} cell {i}", cell.source))
    for path in sorted(BOOK.glob("*.md")):
        found.append((path.name, path.read_text(encoding="utf-8")))
    return found


SOURCES = markdown_sources()
IDS = [label for label, _ in SOURCES]


def math_continuation_lines(text: str) -> list[tuple[int, str]]:
    """Lines inside a formula that Markdown would read as a list item.

    Inline math (`$...$`) is followed across the lines of a paragraph; display
    math (`$$...$$`) is checked when it is indented, that is inside a list
    item, where the same fault occurs. Code fences are skipped; the bodies of
    directive fences (``{solution}``, ``{exercise}``, ...) are Markdown and are
    checked.
    """
    bad = []
    fences: list[tuple[str, bool]] = []  # open fences: (marker, is code)
    inline_open = False
    display_open = display_indented = False
    for number, line in enumerate(text.splitlines(), start=1):
        fence = FENCE.match(line)
        if fence and not (inline_open or display_open):
            marker, info = fence.groups()
            if fences and fences[-1][0][0] == marker[0]:
                if len(marker) >= len(fences[-1][0]) and not info:
                    fences.pop()
                    continue
            if not (fences and fences[-1][1]):
                is_code = not info.startswith("{") or info.startswith(
                    ("{code", "{math}", "{literalinclude")
                )
                fences.append((marker, is_code))
                continue
        if fences and fences[-1][1]:
            continue  # inside code
        if not line.strip():
            inline_open = False  # a blank line ends a paragraph
            continue
        if LIST_MARKER.match(line) and (
            inline_open or (display_open and display_indented)
        ):
            bad.append((number, line))
        # Follow the dollar signs of this line (backslash escapes skipped).
        stripped = re.sub(r"\\.", "", line)
        for token in re.findall(r"\$\$|\$", stripped):
            if token == "$$":
                if not display_open:
                    display_indented = line[: len(line) - len(line.lstrip())] != ""
                display_open = not display_open
            elif not display_open:
                inline_open = not inline_open
    return bad


@pytest.mark.parametrize(("label", "text"), SOURCES, ids=IDS)
def test_no_math_continuation_line_starts_a_list(label, text):
    """No line inside a formula starts with `+`, `-`, `*` or `N.`."""
    bad = math_continuation_lines(text)
    assert not bad, "\n".join(
        [f"{label}: a formula continues on a line Markdown reads as a list item"]
        + [f"  line {n}: {line!r}" for n, line in bad]
        + ["  keep the formula on one line or start the line with something else"]
    )


def myst_parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    extensions = set(config["parse"]["myst_enable_extensions"])
    return create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)


def visible_text(md, text: str) -> list[str]:
    """Plain-text pieces of `text` as MyST parses it, directive bodies included."""
    pieces = []
    for token in md.parse(text):
        if token.type == "inline":
            pieces += [c.content for c in token.children or [] if c.type == "text"]
        elif token.type in ("fence", "colon_fence") and token.info.startswith("{"):
            name = token.info.split("}")[0] + "}"
            if name.startswith(("{code", "{math}", "{literalinclude")):
                continue
            body = token.content.splitlines()
            while body and re.match(r"^:[\w-]+:", body[0]):
                body.pop(0)  # directive options
            pieces += visible_text(md, "\n".join(body))
    return pieces


def test_tex_check_catches_the_list_fault():
    """The two checks below fail on the fault that reached chapter 3."""
    broken = (
        "- For normals, $D_{\\mathrm{KL}} = \\log(\\sigma_q/\\sigma_p)\n"
        "  + \\frac{\\sigma_p^2}{2\\sigma_q^2} - \\frac12$ nats.\n"
    )
    fixed = broken.replace(")\n  + ", ") +\n  ")
    assert math_continuation_lines(broken) == [
        (2, "  + \\frac{\\sigma_p^2}{2\\sigma_q^2} - \\frac12$ nats.")
    ]
    assert math_continuation_lines(fixed) == []
    md = myst_parser()
    assert any(TEX_IN_TEXT.search(t) for t in visible_text(md, broken))
    assert not any(TEX_IN_TEXT.search(t) for t in visible_text(md, fixed))
    # The same inside a collapsed solution, as in chapter 4.
    solution = f"````{{solution}} ex-x\n:class: dropdown\n\n{broken}````\n"
    assert math_continuation_lines(solution) == [
        (5, "  + \\frac{\\sigma_p^2}{2\\sigma_q^2} - \\frac12$ nats.")
    ]
    assert any(TEX_IN_TEXT.search(t) for t in visible_text(md, solution))
    # An ordered-list marker and a code block: one caught, one left alone.
    assert math_continuation_lines("Sum $a\n1. b$ c.\n") == [(2, "1. b$ c.")]
    assert math_continuation_lines("```python\nx = '$a'\n+ 1\n```\n") == []


@pytest.mark.parametrize(("label", "text"), SOURCES, ids=IDS)
def test_parsed_text_holds_no_tex(label, text):
    """After MyST parses the cell, no `$` or `\\command` is left in plain text."""
    md = myst_parser()
    leaks = [t for t in visible_text(md, text) if TEX_IN_TEXT.search(t)]
    assert not leaks, f"{label}: TeX outside math: {leaks}"


# --- numbers in the prose come from the cells ---------------------------------

NUMBER = re.compile(r"(?<![\w.])\d+\.\d+(?:e[-+]?\d+)?")
# Conventions the prose may state without a cell: the 95% normal quantile and
# the ends of a 95% percentile interval.
CONSTANTS = {"1.96", "2.5", "97.5"}
# A numbered part of a cited work ("theorem 11.8.3", "section 11.9") is a
# reference, not a result.
REFERENCE = re.compile(
    r"(?:theorem|section|chapter|lemma|equation|eq\.|table|figure|example)s?\s*$",
    re.I,
)


def prose_without_math(text: str) -> str:
    """`text` without math, inline code, fences' info lines and link targets."""
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"^\s*(`{3,}|~{3,}).*$", " ", text, flags=re.M)


def printed_numbers(nb) -> list[tuple[float, int]]:
    """Each decimal number in the cells' text outputs, with its decimals.

    A fraction below 1 is also listed as a percentage (0.0139 as 1.39, two
    decimals fewer). Whole numbers are left out: a count such as 155 would
    otherwise "explain" any prose number near it.
    """
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") + out.get("data", {}).get("text/plain", "")
            for m in re.finditer(r"\d+\.(\d+)(?:e[-+]?\d+)?", text):
                value, decimals = float(m.group()), len(m.group(1))
                if "e" in m.group():
                    decimals -= int(m.group().split("e")[1])
                found.append((value, decimals))
                if value < 1 and decimals > 2:
                    found.append((100 * value, decimals - 2))
    return found


def unexplained_numbers(nb) -> list[str]:
    """Decimal numbers in the Markdown that no cell prints (rounded or not)."""
    printed = printed_numbers(nb)
    code = " ".join(c.source for c in nb.cells if c.cell_type == "code")
    bad = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        prose = prose_without_math(cell.source)
        for m in NUMBER.finditer(prose):
            word = m.group()
            if word in CONSTANTS or word in code:
                continue  # an input of a cell, or a convention
            if REFERENCE.search(prose[max(0, m.start() - 12) : m.start()]):
                continue  # a section or theorem number of a cited work
            value = float(word)
            decimals = len(word.split(".")[1].split("e")[0])
            # A rounding of a printed number, allowing for that number's own rounding.
            ok = any(
                abs(value - y) <= 0.5 * 10.0**-decimals + 0.5 * 10.0**-d + 1e-12
                for y, d in printed
                if d >= decimals
            )
            if not ok:
                bad.append(word)
    return bad


NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_prose_numbers_are_printed_by_a_cell(path):
    """Each decimal number in a chapter's text and solutions is printed by a cell.

    A number passes if some cell output rounds to it (also as a percentage) or
    it is an input written in a code cell. A loose net, not a proof: it catches
    a number typed by hand that no cell prints, such as a solution's result.
    """
    nb = nbformat.read(path, as_version=4)
    assert unexplained_numbers(nb) == []


def test_number_check_can_fail():
    """A number that no output rounds to is reported; a rounded one is not."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(3.211483)")
    cell.outputs = [nbformat.v4.new_output("stream", text="3.211483\n")]
    nb.cells = [
        cell,
        nbformat.v4.new_markdown_cell(
            "About 3.2115, not 3.2125 nor 4.1 (see theorem 11.8.3, section 2.7)."
        ),
    ]
    assert unexplained_numbers(nb) == ["3.2125", "4.1"]


# --- text that introduces a cell is followed by that cell ---------------------

HEADING = re.compile(r"^#{1,6}\s")


def colon_before_heading(cells: list[tuple[str, str]]) -> list[str]:
    """Headings that follow a sentence ending with a colon.

    A paragraph that ends with `:` introduces what comes next (a cell's output,
    a formula, a list). When a heading comes next instead, Markdown cells have
    been split or merged in the wrong place and the text introduces a cell that
    now sits in another section (it happened in chapters 1 and 5). `cells` are
    (cell type, source) in notebook order; code fences are skipped.
    """
    bad = []
    last = ""  # the last non-blank line of Markdown seen, "" after a code cell
    for kind, source in cells:
        if kind != "markdown":
            last = ""
            continue
        fence = None
        for line in source.splitlines():
            match = FENCE.match(line)
            if match and (fence is None or match.group(1)[0] == fence[0]):
                fence = match.group(1) if fence is None else None
                last = line
                continue
            if fence is not None or not line.strip():
                continue
            if HEADING.match(line) and last.rstrip().endswith(":"):
                bad.append(f"{line.strip()!r} after {last.strip()!r}")
            last = line
    return bad


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_heading_after_an_introducing_colon(path):
    """No section heading directly follows text that ends with a colon."""
    nb = nbformat.read(path, as_version=4)
    assert colon_before_heading([(c.cell_type, c.source) for c in nb.cells]) == []


def test_colon_check_can_fail():
    """The misplaced section of chapter 1 is caught; a colon before a cell is not."""
    broken = [
        (
            "markdown",
            "So halving it divides the divergence by four:\n\n## Zero terms\n",
        ),
        ("code", "print(1)"),
    ]
    fine = [
        ("markdown", "So halving it divides the divergence by four:"),
        ("code", "print(1)"),
        ("markdown", "## Zero terms\n\nA list:\n\n- item\n"),
        ("markdown", "```python\nx = {1:\n```\n\n# Heading\n"),
    ]
    assert colon_before_heading(broken) == [
        "'## Zero terms' after 'So halving it divides the divergence by four:'"
    ]
    assert colon_before_heading(fine) == []
