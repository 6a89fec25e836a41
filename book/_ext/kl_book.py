"""Sphinx extension for the book: what readers see beyond the chapters' own text.

- Offline math: MathJax, installed by ``npm ci`` (pinned in
  ``package.json``/``package-lock.json``) into ``node_modules``, reaches
  ``_static/`` through ``html_static_path``; a build where ``mathjax_path`` is
  not one of those files (or is a CDN address) fails.
- ``.. kltools-api-summary::`` (reStructuredText, so inside ``{eval-rst}`` in a
  MyST page): a summary table of every name in ``kltools.__all__``, generated
  at build time, so a new public function
  appears in the API reference without editing the page.
- Links: an inline code literal naming a public function (``kltools.entropy``
  or ``kltools.entropy()``) links to its API entry, and a **bold** term that
  the glossary defines links to the glossary entry.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

_KLTOOLS_LITERAL = re.compile(r"kltools\.([A-Za-z_][A-Za-z0-9_]*)(?:\(\))?")


def _public_names() -> list[str]:
    module = importlib.import_module("kltools")
    return sorted(module.__all__)


# --- offline MathJax --------------------------------------------------------


def check_mathjax_installed(app: Sphinx) -> None:
    """Fail the build early when `mathjax_path` is not a file the book serves.

    `_config.yml` lists ``node_modules`` (where ``npm ci`` installs MathJax)
    in ``html_static_path``, so Sphinx copies MathJax into ``_static/`` and
    `mathjax_path` is a path relative to it; a CDN address is refused.
    """
    if app.builder.format != "html":
        return
    path = app.config.mathjax_path
    served = [Path(app.confdir, d, path) for d in app.config.html_static_path]
    if "://" in path or path.startswith("/"):
        raise ExtensionError(
            f"`mathjax_path` must be a path inside html_static_path (the book "
            f"serves its own MathJax), got {path!r}"
        )
    if not any(f.is_file() for f in served):
        raise ExtensionError(
            f"MathJax is not installed ({path} is in none of html_static_path "
            f"{list(app.config.html_static_path)}): run `npm ci` in "
            f"{app.confdir} (`make book` does), so equations render offline"
        )


# --- API summary --------------------------------------------------------------


class KltoolsApiSummary(SphinxDirective):
    """An autosummary table of every name in ``kltools.__all__``."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        module = importlib.import_module("kltools")
        # Rebuild this page when the public list changes.
        self.env.note_dependency(module.__file__)
        lines = [
            ".. currentmodule:: kltools",
            "",
            ".. autosummary::",
            "   :nosignatures:",
            "",
            *(f"   {name}" for name in _public_names()),
        ]
        return self.parse_text_to_nodes("\n".join(lines))


# --- links from chapters ----------------------------------------------------


def link_kltools_literals(app: Sphinx, doctree: nodes.document) -> None:
    """Turn ``kltools.name`` code literals into links to the API entry."""
    public = set(_public_names())
    for literal in list(doctree.findall(nodes.literal)):
        if isinstance(literal.parent, (nodes.reference, addnodes.pending_xref)):
            continue
        match = _KLTOOLS_LITERAL.fullmatch(literal.astext())
        if match is None or match.group(1) not in public:
            continue
        xref = addnodes.pending_xref(
            "",
            refdomain="py",
            reftype="func",
            reftarget=f"kltools.{match.group(1)}",
            refexplicit=True,
            refwarn=True,
            refdoc=app.env.docname,
        )
        literal.replace_self(xref)
        xref += literal


def _normalise_term(text: str) -> str:
    return " ".join(text.lower().split())


def link_glossary_terms(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Link a **bold** term defined in the glossary to its glossary entry."""
    if app.builder.format != "html":
        return
    terms = {
        _normalise_term(name): (todoc, labelid)
        for (objtype, name), (todoc, labelid) in app.env.get_domain(
            "std"
        ).objects.items()
        if objtype == "term"
    }
    if not terms:
        return
    for strong in list(doctree.findall(nodes.strong)):
        if strong.next_node(nodes.reference) or any(
            isinstance(a, (nodes.reference, nodes.term)) for a in _ancestors(strong)
        ):
            continue
        text = _normalise_term(strong.astext())
        found = terms.get(text) or (text.endswith("s") and terms.get(text[:-1]))
        if not found:
            continue
        todoc, labelid = found
        if todoc == docname:
            continue
        uri = app.builder.get_relative_uri(docname, todoc) + "#" + labelid
        ref = nodes.reference(
            "",
            "",
            internal=True,
            refuri=uri,
            reftitle="Glossary",
            classes=["glossary-link"],
        )
        strong.replace_self(ref)
        ref += strong


def reread_when_glossary_changes(app, env, added, changed, removed) -> list[str]:
    """Re-read every page when the glossary changes, so its links follow."""
    objects = env.get_domain("std").objects
    glossaries = {doc for (kind, _), (doc, _) in objects.items() if kind == "term"}
    if glossaries & (added | changed):
        return sorted(env.found_docs - added - changed)
    return []


def _ancestors(node: nodes.Node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", check_mathjax_installed)
    app.add_directive("kltools-api-summary", KltoolsApiSummary)
    app.connect("doctree-read", link_kltools_literals)
    app.connect("doctree-resolved", link_glossary_terms)
    app.connect("env-get-outdated", reread_when_glossary_changes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
