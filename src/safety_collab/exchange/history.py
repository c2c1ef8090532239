"""The unit of the community's append-only history: :class:`Activity`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from safety_collab._validate import fail, short, type_name
from safety_collab.exchange.proposals import check_aware, check_who, to_utc

__all__ = ["ACTIVITY_KINDS", "Activity"]

ACTIVITY_KINDS = (
    "submitted",
    "moved",
    "voted",
    "commented",
    "comment-hidden",
    "campaign-opened",
    "story-added",
    "champion-set",
)
"""Every kind of :class:`Activity`, in the order a proposal's life usually meets them."""


def _kind(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in ACTIVITY_KINDS:
        raise fail(
            attribute,
            f"unknown activity {short(value)}; expected one of {', '.join(ACTIVITY_KINDS)}",
        )


def _optional_who(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_who(inst, attribute, value)


def _frozen_detail(value: object) -> object:
    if isinstance(value, Mapping):
        return MappingProxyType(dict(sorted(value.items(), key=lambda kv: str(kv[0]))))
    return value


def _detail(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise fail(attribute, f"expected a table of text, got {type_name(value)}")
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise fail(attribute, f"[{short(k)}]: keys and values must be text, got {type_name(v)}")
        if len(k) > 64 or len(v) > 10_000:
            raise fail(attribute, f"[{short(k)}]: too long")


@attrs.frozen(kw_only=True)
class Activity:
    """One community event: the unit of the append-only history.

    Parameters
    ----------
    kind
        One of :data:`ACTIVITY_KINDS`.
    person
        Who did it: a person id (for a history imported from an exchange
        file, the file's ``who``).
    when
        When, timezone-aware (stored in UTC).
    proposal
        The proposal it concerns, if any.
    detail
        Text fields that say more: ``{"from": ..., "to": ...}`` for a move,
        ``{"comment": id}`` for a comment, ``{"campaign": id}``, ...

    Examples
    --------
    >>> import datetime as dt
    >>> a = Activity(kind="moved", person="mod-1", proposal="p1",
    ...              when=dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC),
    ...              detail={"to": "screened", "from": "submitted"})
    >>> dict(a.detail)
    {'from': 'submitted', 'to': 'screened'}
    >>> Activity(kind="deleted", person="x", when=a.when)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      kind: unknown activity 'deleted'; expected one of submitted, moved, voted, commented,
      comment-hidden, campaign-opened, story-added, champion-set
    """

    kind: str = attrs.field(validator=_kind)
    person: str = attrs.field(validator=check_who)
    when: dt.datetime = attrs.field(converter=to_utc, validator=check_aware)
    proposal: str | None = attrs.field(default=None, validator=_optional_who)
    detail: Mapping[str, str] = attrs.field(
        factory=lambda: MappingProxyType({}),
        converter=_frozen_detail,
        validator=_detail,
        hash=False,
    )
