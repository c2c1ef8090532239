r"""Griffe extension for the docs site: Sphinx roles in docstrings become cross-references.

The docstrings are numpydoc, and name other objects with Sphinx roles such as
:class:`Tier`, :func:`~safety_collab.spread.simulate` or :math:`\bar x`, which
Markdown would show as they are written. Before the docstrings are parsed, this
extension rewrites:

* ``:class:``, ``:func:``, ``:meth:``, ``:attr:``, ``:data:``, ``:mod:``,
  ``:exc:``, ``:obj:`` and ``:const:`` roles into mkdocs-autorefs references,
  resolving the name in the scope of the documented object (as Sphinx does) and
  following re-exports to the object's canonical path. The references are
  *optional*: a name that is not rendered anywhere on the site (a private helper,
  the standard library, numpy) is shown as code, without a link or a warning.
  ``~`` keeps the last component as the title, and ``title <target>`` is honoured.
* ``:math:`` into ``\( ... \)`` for pymdownx.arithmatex;
* ``:doi:`` into a link to https://doi.org/;
* a paragraph ending in ``::`` before a literal block into one ending in ``:``;
* a doctest outside an ``Examples`` section (which griffe renders itself) into a
  fenced ``pycon`` block, so that Markdown does not read ``>>>`` as a quote.

Loaded by ``mkdocs.yml`` (``plugins.mkdocstrings.handlers.python.options.extensions``);
it is part of the docs build, not of the library.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(class|func|meth|attr|data|mod|exc|obj|const):`([^`]+)`")
_MATH = re.compile(r":math:`([^`]+)`")
_DOI = re.compile(r":doi:`([^`]+)`")
_LITERAL = re.compile(r"(\S)::(\n[ \t]*\n)")
_TITLED = re.compile(r"^(.*?)\s*<([^>]+)>$", re.DOTALL)


def _canonical(obj: griffe.Object | griffe.Alias, dotted: str) -> str | None:
    """The canonical path of ``dotted`` as seen from ``obj``, or None if unknown."""
    head, _, rest = dotted.partition(".")
    try:
        path = obj.resolve(head)
    except (griffe.NameResolutionError, AttributeError, ValueError):
        if not dotted.startswith(obj.package.name + "."):
            return None
        path, rest = dotted, ""
    full = f"{path}.{rest}" if rest else path
    try:
        target = obj.modules_collection[full]
    except (KeyError, ValueError, AttributeError, griffe.AliasResolutionError):
        return full  # outside our package (numpy, attrs, ...): left to autorefs, optional
    try:
        return str(target.canonical_path)
    except griffe.AliasResolutionError:
        return full


def _fence_doctests(text: str) -> str:
    """Fence unindented doctest blocks that are not in an Examples section."""
    lines = text.split("\n")
    out: list[str] = []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        underline = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and underline.strip() and set(underline.strip()) == {"-"}:
            section = line.strip().lower()
        if line.startswith(">>>") and section != "examples":
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            if out and out[-1].strip():
                out.append("")
            out += ["```pycon", *block, "```"]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _rewrite(obj: griffe.Object, text: str) -> str:
    def role(match: re.Match[str]) -> str:
        kind, content = match.group(1), match.group(2).strip()
        titled = _TITLED.match(content)
        if titled:
            title, target = titled.group(1), titled.group(2)
        else:
            target = content.lstrip("~")
            title = target.rsplit(".", 1)[-1] if content.startswith("~") else target
        if kind in {"func", "meth"} and not title.endswith(")"):
            title += "()"
        code = f"<code>{html.escape(title)}</code>"
        identifier = _canonical(obj, target)
        if identifier is None:
            return code
        return f'<autoref identifier="{html.escape(identifier)}" optional>{code}</autoref>'

    text = _ROLE.sub(role, text)
    text = _MATH.sub(lambda m: "\\(" + m.group(1) + "\\)", text)
    text = _DOI.sub(lambda m: f"[doi:{m.group(1)}](https://doi.org/{m.group(1)})", text)
    return _fence_doctests(_LITERAL.sub(r"\1:\2", text))


def _walk(obj: griffe.Object) -> None:
    if obj.docstring is not None:
        obj.docstring.value = _rewrite(obj, obj.docstring.value)
    for member in obj.members.values():
        if not member.is_alias:
            _walk(member)  # type: ignore[arg-type]


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every docstring of the package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite the docstrings of ``pkg`` and everything in it."""
        _walk(pkg)
