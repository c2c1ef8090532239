"""A name or an object: how spread models and seeding strategies are looked up and checked.

:func:`simulate` and :func:`choose_seeds` take a model, and a strategy, either
by registered name or as an object; both go through :func:`resolve`, which
looks the name up in the plugin registry and applies parameters to the
object's attrs fields. What a strategy returns is checked here too
(:func:`checked_rows`), for :func:`choose_seeds` and for :func:`simulate`
given a strategy name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from safety_collab.errors import PluginError, SafetyCollabError, SpreadError
from safety_collab.plugins import seed_strategies, spread_models

__all__ = [
    "STRATEGY_STREAM",
    "checked_rows",
    "describe",
    "param_fields",
    "resolve",
    "resolve_model",
    "resolve_strategy",
    "strategy_error",
    "with_params",
]

STRATEGY_STREAM = 2**32 - 1
"""Spawn key of the stream a strategy draws from (the same one :func:`simulate` uses)."""


def describe(obj: object) -> str:
    """A model, strategy or value as messages name it: its repr if attrs, else its name.

    Examples
    --------
    >>> from safety_collab.spread import IndependentCascade
    >>> describe(IndependentCascade(p=0.1)), describe(len), describe(5)
    ('IndependentCascade(p=0.1)', 'len', 'int')
    """
    if attrs.has(type(obj)):
        return repr(obj)
    return getattr(obj, "__name__", type(obj).__name__)


def param_fields(obj: object) -> set[str]:
    """The parameters (attrs ``init`` fields) of a model or strategy object.

    Examples
    --------
    >>> from safety_collab.spread import IndependentCascade
    >>> sorted(param_fields(IndependentCascade())), param_fields(len)
    (['p'], set())
    """
    kind: Any = type(obj)
    return {a.name for a in attrs.fields(kind) if a.init} if attrs.has(kind) else set()


def with_params(kind: str, name: str, obj: Any, params: dict[str, Any]) -> Any:
    """``obj`` with ``params`` applied to its fields; a name it does not take is refused.

    Examples
    --------
    >>> from safety_collab.spread import IndependentCascade
    >>> with_params("model", "ic", IndependentCascade(), {"p": 0.2}).p
    0.2
    >>> with_params("model", "ic", IndependentCascade(), {"q": 1})
    Traceback (most recent call last):
    ...
    safety_collab.errors.SpreadError: model 'ic' has no parameter 'q'; it takes: p
    """
    if not params:
        return obj
    fields = param_fields(obj)
    unknown = sorted(set(params) - fields)
    if unknown:
        allowed = ", ".join(sorted(fields)) or "none"
        names = ", ".join(map(repr, unknown))
        msg = f"{kind} {name!r} has no parameter {names}; it takes: {allowed}"
        raise SpreadError(msg)
    return attrs.evolve(obj, **params)


def resolve(
    kind: str,
    noun: str,
    value: object,
    params: dict[str, Any],
    registry: Callable[[], Mapping[str, Any]],
) -> tuple[str, Any]:
    """``(name, object)`` for a registered name or an object, with ``params`` applied.

    Parameters
    ----------
    kind
        ``"model"`` or ``"strategy"``: the argument's name, as messages give it.
    noun
        What an object must be (``"spread model"``), for the message.
    value
        A name in ``registry()`` or a callable object.
    params
        Parameters for the object's attrs fields.
    registry
        The registry of names (called only for a name).

    Raises
    ------
    SpreadError
        For a value that is neither, or a parameter the object does not take.
    UnknownNameError
        For a name the registry does not have.

    Examples
    --------
    >>> from safety_collab.spread import IndependentCascade
    >>> resolve("model", "spread model", IndependentCascade(), {"p": 0.5}, dict)
    ('IndependentCascade', IndependentCascade(p=0.5))
    >>> resolve("model", "spread model", 5, {}, dict)
    Traceback (most recent call last):
    ...
    safety_collab.errors.SpreadError: model: expected a model name or a spread model, got int
    """
    if isinstance(value, str):
        name, obj = value, registry()[value]
    elif callable(value):
        name, obj = getattr(value, "__name__", type(value).__name__), value
    else:
        msg = f"{kind}: expected a {kind} name or a {noun}, got {describe(value)}"
        raise SpreadError(msg)
    if params and not attrs.has(type(obj)):
        msg = f"{kind} {name!r} takes no parameters (got {', '.join(sorted(params))})"
        raise SpreadError(msg)
    return name, with_params(kind, name, obj, params)


def resolve_model(model: object, params: dict[str, Any]) -> tuple[str, Any]:
    """The model for a name (from the registry) or object, with ``params`` applied.

    Parameters go to the model's fields (``p=0.05`` for the independent
    cascade); a model that is not an attrs class takes none. The name comes
    back with the parameters, as text.

    Examples
    --------
    >>> name, m = resolve_model("independent_cascade", {"p": 0.1})
    >>> name, m.p
    ('independent_cascade (p=0.1)', 0.1)
    """
    name, obj = resolve("model", "spread model", model, params, spread_models)
    desc = name if not attrs.has(type(obj)) else f"{name} {_params_text(obj)}".strip()
    return desc, obj


def resolve_strategy(strategy: object, params: dict[str, Any]) -> tuple[str, Any]:
    """The strategy object for a name (from the registry) or object, with ``params`` applied.

    Parameters go to the strategy's fields (``epsilon=0.1`` for IMM); a
    strategy that is not an attrs class takes none.

    Raises
    ------
    SpreadError
        For a parameter the strategy does not have (listing those it has).
    UnknownNameError
        For a name no plugin registered.

    Examples
    --------
    >>> name, s = resolve_strategy("imm", {"epsilon": 0.2})
    >>> name, s
    ('imm', IMM(epsilon=0.2, l=1.0))
    >>> resolve_strategy("imm", {"p": 0.1})
    Traceback (most recent call last):
    ...
    safety_collab.errors.SpreadError: strategy 'imm' has no parameter 'p'; it takes: epsilon, l
    """
    return resolve("strategy", "seeding strategy", strategy, params, seed_strategies)


def _params_text(obj: Any) -> str:
    parts = []
    for a in attrs.fields(type(obj)):
        value = getattr(obj, a.name)
        if value is None:  # "not set": e.g. p=None takes each edge's own probability
            continue
        if attrs.has(type(value)):
            value = f"{type(value).__name__}({_params_text(value)})"
        parts.append(f"{a.name}={value}")
    return "(" + ", ".join(parts) + ")" if parts else ""


# ------------------------------------------------------------------ what a strategy returns


def strategy_error(name: str, exc: BaseException) -> BaseException:
    """The error to raise when strategy ``name`` raised ``exc``: ours as is, others wrapped.

    Examples
    --------
    >>> strategy_error("mine", ZeroDivisionError("oops"))
    PluginError("seeding strategy 'mine' raised ZeroDivisionError: oops")
    """
    if isinstance(exc, SafetyCollabError):
        return exc
    return PluginError(f"seeding strategy {name!r} raised {type(exc).__name__}: {exc}")


def checked_rows(name: str, out: object, want: int, n: int) -> npt.NDArray[np.int32]:
    """What strategy ``name`` returned, checked to be ``want`` distinct rows of ``0..n-1``.

    Raises
    ------
    PluginError
        For anything else, saying what was wrong.

    Examples
    --------
    >>> checked_rows("mine", [2, 0], 2, 3).tolist()
    [2, 0]
    >>> checked_rows("mine", [2, 2], 2, 3)
    Traceback (most recent call last):
    ...
    safety_collab.errors.PluginError: seeding strategy 'mine' returned a row twice; expected distinct rows
    """  # noqa: E501
    rows = np.asarray(out)
    if rows.ndim != 1 or not (np.issubdtype(rows.dtype, np.integer) or rows.size == 0):
        msg = (
            f"seeding strategy {name!r} returned {rows.dtype} of shape {rows.shape}; "
            f"expected {want} distinct rows (integers)"
        )
        raise PluginError(msg)
    if rows.size != want:
        msg = f"seeding strategy {name!r} returned {rows.size} rows; expected {want}"
        raise PluginError(msg)
    if rows.size and (int(rows.min()) < 0 or int(rows.max()) >= n):
        msg = f"seeding strategy {name!r} returned a row outside 0..{n - 1}"
        raise PluginError(msg)
    if np.unique(rows).size != rows.size:
        msg = f"seeding strategy {name!r} returned a row twice; expected distinct rows"
        raise PluginError(msg)
    return rows.astype(np.int32)
