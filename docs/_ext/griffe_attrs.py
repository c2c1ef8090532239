"""Griffe extension for the docs site: attrs classes get the ``__init__`` attrs writes.

Griffe reads source code, and an ``@attrs.frozen`` class has no ``__init__`` in its
source: attrs generates it at import time. Without one, the API reference would
show ``Tier()`` with no parameters, and griffe would warn that every documented
parameter "does not appear in the function signature". This extension imports
each class, and for an attrs class adds the generated ``__init__`` (names,
kinds, annotations and defaults as ``inspect.signature`` reports them, factory
defaults shown by value) so that signatures and the Parameters tables are right.

Loaded by ``mkdocs.yml`` (``plugins.mkdocstrings.handlers.python.options.extensions``);
it is part of the docs build, not of the library.
"""

from __future__ import annotations

import inspect
from typing import Any

import attrs
import griffe

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: griffe.ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
    inspect.Parameter.VAR_POSITIONAL: griffe.ParameterKind.var_positional,
    inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
    inspect.Parameter.VAR_KEYWORD: griffe.ParameterKind.var_keyword,
}


def _default(param: inspect.Parameter, field: Any) -> str | None:
    """The default as source text; factories are shown by the value they make."""
    if param.default is inspect.Parameter.empty:
        return None
    if field is not None and isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
        factory = field.default
        if not factory.takes_self:
            try:
                text = repr(factory.factory())
            except Exception:  # noqa: BLE001 - a default we cannot show is shown as ...
                return "..."
            return text if len(text) <= 40 else "..."
        return "..."  # computed from the other fields: the docstring says how
    return repr(param.default)


class AttrsInit(griffe.Extension):
    """Give every attrs class the signature of its generated ``__init__``."""

    def on_class_members(self, *, node: Any, cls: griffe.Class, **kwargs: Any) -> None:
        """Add the generated ``__init__`` to ``cls`` if it is an attrs class."""
        if isinstance(node, griffe.ObjectNode) or "__init__" in cls.members:
            return
        try:
            runtime = griffe.dynamic_import(cls.path)
        except ImportError:
            return
        if not (inspect.isclass(runtime) and attrs.has(runtime)):
            return
        fields = {f.alias: f for f in attrs.fields(runtime)}
        init = griffe.Function("__init__", lineno=cls.lineno, endlineno=cls.lineno, returns="None")
        scope = griffe.Docstring("", parent=init)
        params = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
        for param in inspect.signature(runtime).parameters.values():
            annotation = param.annotation
            if annotation is inspect.Parameter.empty:
                annotation = None
            elif not isinstance(annotation, str):
                annotation = inspect.formatannotation(annotation)
            if annotation is not None:
                annotation = griffe.parse_docstring_annotation(annotation, scope)
            params.append(
                griffe.Parameter(
                    param.name,
                    annotation=annotation,
                    kind=_KINDS[param.kind],
                    default=_default(param, fields.get(param.name)),
                )
            )
        init.parameters = griffe.Parameters(*params)
        cls.set_member("__init__", init)
