"""Innovator points: what each kind of activity earns, applied to the history.

:class:`PointsRules` says how many points each activity earns; :func:`points`
applies them to a history of :class:`~safety_collab.exchange.Activity`, so
the points are always a function of what happened, never a stored counter.

* ``submit`` — to the submitter, for each proposal submitted;
* ``comment`` — to the author, for each comment **not hidden** by a moderator
  (hiding a comment takes its points back);
* ``vote`` — to the voter, for each vote;
* ``receive_vote`` — to the proposal's Innovation Champion, for each vote it receives;
* ``story`` — to the proposal's champion, when its story enters the warehouse.

The champion of a proposal is its submitter, unless a later ``champion-set``
activity (or the ``champions`` argument) names another person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from safety_collab._validate import check_instance, check_items, fail, int_range
from safety_collab.errors import DataError, ModelError, Problem
from safety_collab.exchange.history import Activity

__all__ = ["MAX_POINTS", "PointsRules", "points"]

MAX_POINTS = 1_000_000
"""The most points one rule may award for one activity."""

_RULES = ("submit", "comment", "vote", "receive_vote", "story")


def _points(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool):
        raise fail(attribute, f"expected a whole number of points, got bool {value!r}")
    int_range(0, MAX_POINTS)(inst, attribute, value)


@attrs.frozen
class PointsRules:
    """How many innovator points each kind of activity earns (0 to :data:`MAX_POINTS`).

    Examples
    --------
    >>> rules = PointsRules(vote=0)
    >>> rules.to_data()
    {'submit': 10, 'comment': 2, 'vote': 0, 'receive_vote': 1, 'story': 25}
    >>> PointsRules.from_data({"submit": 5}) == PointsRules(submit=5)
    True
    >>> PointsRules.from_data({"submitt": 5, "story": -1}, source="points.toml")
    Traceback (most recent call last):
    ...
    safety_collab.errors.DataError: points.toml: 2 problems:
      $.submitt: unknown field 'submitt' (fields: submit, comment, vote, receive_vote, story)
      $.story: must be >= 0 (got -1)
    """

    submit: int = attrs.field(default=10, validator=_points)
    comment: int = attrs.field(default=2, validator=_points)
    vote: int = attrs.field(default=1, validator=_points)
    receive_vote: int = attrs.field(default=1, validator=_points)
    story: int = attrs.field(default=25, validator=_points)

    def to_data(self) -> dict[str, int]:
        """The rules as plain data (every field)."""
        return attrs.asdict(self)

    @classmethod
    def from_data(cls, data: object, *, source: str = "<data>") -> PointsRules:
        """Rules from plain data; a field left out keeps its default.

        Raises
        ------
        DataError
            Listing every unknown field and every bad value, with its path.
        """
        check_instance("source", source, str)
        if not isinstance(data, Mapping):
            got = "null" if data is None else type(data).__name__
            raise DataError(source, [Problem("$", f"expected a table of fields, got {got}")])
        problems: list[Problem] = []
        good: dict[str, object] = {}
        for key, value in data.items():
            if key not in _RULES:
                msg = f"unknown field {key!r} (fields: {', '.join(_RULES)})"
                problems.append(Problem(f"$.{key}", msg))
                continue
            try:
                cls(**{key: value})
            except ModelError as exc:
                problems.extend(p.under("$") for p in exc.problems)
            else:
                good[key] = value
        if problems:
            raise DataError(source, problems)
        return cls(**good)  # type: ignore[arg-type]


def points(
    history: Iterable[Activity],
    rules: PointsRules | None = None,
    *,
    champions: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Each person's innovator points: ``rules`` applied to ``history``.

    Parameters
    ----------
    history
        The activities, oldest first.
    rules
        The points per activity (by default :class:`PointsRules` ``()``).
    champions
        Proposal id → champion person id, overriding what the history says.

    Returns
    -------
    dict
        Person id → points, for every person the history credits, sorted by id.

    Examples
    --------
    >>> import datetime as dt
    >>> t = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    >>> h = [Activity(kind="submitted", person="ann", proposal="p1", when=t),
    ...      Activity(kind="voted", person="bob", proposal="p1", when=t),
    ...      Activity(kind="commented", person="bob", proposal="p1", when=t,
    ...               detail={"comment": "c1"}),
    ...      Activity(kind="comment-hidden", person="mod", proposal="p1", when=t,
    ...               detail={"comment": "c1", "reason": "off topic"})]
    >>> points(h)
    {'ann': 11, 'bob': 1}
    >>> points(h, PointsRules(receive_vote=5), champions={"p1": "cat"})
    {'ann': 10, 'bob': 1, 'cat': 5}
    """
    items = check_items("history", history, Activity)
    rules = PointsRules() if rules is None else check_instance("rules", rules, PointsRules)
    given: Mapping[str, str] = {}
    if champions is not None:
        check_instance("champions", champions, Mapping)
        check_items("champions", list(champions.keys()), str)
        check_items("champions", list(champions.values()), str)
        given = champions
    champion: dict[str, str] = {}
    for a in items:  # the champions the history names, the latest winning
        if a.proposal is None:
            continue
        if a.kind == "submitted":
            champion.setdefault(a.proposal, a.person)
        elif a.kind == "champion-set" and "champion" in a.detail:
            champion[a.proposal] = a.detail["champion"]
    champion.update(given)
    total: dict[str, int] = defaultdict(int)
    authors: dict[str, str] = {}
    hidden: set[str] = set()
    for a in items:
        if a.kind == "submitted":
            total[a.person] += rules.submit
        elif a.kind == "voted":
            total[a.person] += rules.vote
            if a.proposal in champion:
                total[champion[a.proposal]] += rules.receive_vote
        elif a.kind == "commented" and "comment" in a.detail:
            authors.setdefault(a.detail["comment"], a.person)
        elif a.kind == "comment-hidden" and "comment" in a.detail:
            hidden.add(a.detail["comment"])
        elif a.kind == "story-added" and a.proposal in champion:
            total[champion[a.proposal]] += rules.story
    for comment_id, author in authors.items():
        if comment_id not in hidden:
            total[author] += rules.comment
        else:
            total.setdefault(author, 0)
    return dict(sorted(total.items()))
