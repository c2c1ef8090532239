"""The exchange's workflow as data: stages, the steps between them and who may make each.

* :class:`Guard` — a condition on a step: at least N votes, or a score of at least x.
* :class:`Transition` — one allowed step, the roles that may make it, its
  guards, and whether it happens by itself once its guards hold.
* :class:`Workflow` — the stages, the first one, the final ones, the steps,
  and the stages open to votes and comments (and to stories, for the
  implemented ones). :meth:`Workflow.default` is the workflow of
  :data:`~safety_collab.exchange.TRANSITIONS`; :func:`load_workflow` reads one
  from a TOML or JSON file, refusing unknown stages, stages that cannot be
  reached and dead ends, every problem at once.

The default roles, per step (also in ``safety_collab/datasets/default_workflow.toml``):

============================  =====================================
step                          who may make it
============================  =====================================
submitted → screened          moderator, admin
screened → shortlisted        moderator, programme-manager, admin
shortlisted → funded          programme-manager, admin
funded → piloting             programme-manager, admin
piloting → adopted            programme-manager, admin
adopted → spreading           programme-manager, admin
submitted, screened → rejected    moderator, programme-manager, admin
shortlisted … adopted → rejected  programme-manager, admin
any open stage → withdrawn    member (of the proposing organisation), admin
============================  =====================================

Moderators screen; programme managers decide where money goes; the
proposing organisation's own members may withdraw their proposal; an admin
may make every step. Votes and comments are open in submitted, screened
and shortlisted; stories may be added in adopted and spreading.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import attrs

from safety_collab._serial import decode, file_format, parse, read_path
from safety_collab._validate import (
    as_tuple,
    check_instance,
    check_int,
    check_number,
    check_path,
    each_instance,
    fail,
    identifier,
    short,
    type_name,
)
from safety_collab.errors import DataError, ModelError, Problem, WorkflowError
from safety_collab.exchange.people import Role, as_roles
from safety_collab.exchange.proposals import EXITS, MAIN_PATH, ProposalState

__all__ = [
    "DEFAULT_WORKFLOW_FILE",
    "GUARD_KINDS",
    "WORKFLOW_SCHEMA_VERSION",
    "Guard",
    "Transition",
    "Workflow",
    "load_workflow",
]

GUARD_KINDS = ("min-votes", "min-score")
"""The kinds of :class:`Guard`: at least ``value`` votes, or a score of at least ``value``."""

WORKFLOW_SCHEMA_VERSION = 1
"""The schema version of workflow files this library writes (and the newest it reads)."""

DEFAULT_WORKFLOW_FILE = "default_workflow.toml"
"""The default workflow, as a file packaged with :mod:`safety_collab.datasets`."""

_MAX_VALUE = 1e12


def _guard_value(inst: Guard, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(attribute, f"expected a number, got {type_name(value)} {short(value)}")
    if not 0 <= value <= _MAX_VALUE:  # NaN fails this too
        raise fail(attribute, f"must be between 0 and {_MAX_VALUE:g} (got {value!r})")
    if inst.kind == "min-votes" and not float(value).is_integer():
        raise fail(attribute, f"a number of votes must be whole (got {value!r})")


def _guard_kind(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in GUARD_KINDS:
        raise fail(
            attribute, f"unknown guard {short(value)}; expected one of {', '.join(GUARD_KINDS)}"
        )


@attrs.frozen
class Guard:
    """A condition a step needs: ``min-votes`` (at least ``value`` votes) or ``min-score``.

    Examples
    --------
    >>> g = Guard("min-votes", 3)
    >>> g.holds(votes=3, score=None), g.holds(votes=2, score=None)
    (True, False)
    >>> Guard("min-score", 0.6).holds(votes=0, score=None)  # no score yet: not met
    False
    >>> print(Guard("min-score", 0.6))
    score at least 0.6
    """

    kind: str = attrs.field(validator=_guard_kind)
    value: float = attrs.field(validator=_guard_value)

    def holds(self, *, votes: int, score: float | None) -> bool:
        """Whether ``votes`` votes and the score ``score`` (``None``: no score) meet the guard."""
        if self.kind == "min-votes":
            return votes >= self.value
        return score is not None and score >= self.value

    def __str__(self) -> str:
        if self.kind == "min-votes":
            return f"at least {self.value:g} votes"
        return f"score at least {self.value:g}"


def _stage(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    identifier(_inst, attribute, value)


def _roles(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, tuple):
        bad = next(v for v in value if not isinstance(v, Role) and v not in {r.value for r in Role})
        allowed = ", ".join(r.value for r in Role)
        raise fail(attribute, f"unknown role {short(bad)} (roles: {allowed})")
    if not isinstance(value, frozenset):
        raise fail(attribute, f"expected a collection of roles, got {type_name(value)}")


def _flag(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise fail(attribute, f"expected true or false, got {type_name(value)} {short(value)}")


@attrs.frozen
class Transition:
    """One allowed step of a workflow, from ``source`` to ``target``.

    Parameters
    ----------
    source, target
        The stages it joins.
    roles
        The roles that may make it (:class:`Role` members or their spellings).
        ``member`` means a member user of the proposing organisation.
    guards
        The conditions it needs, all of them.
    automatic
        Whether it happens by itself as soon as its guards hold (after a vote
        or a move); an automatic step needs at least one guard.

    Examples
    --------
    >>> t = Transition("submitted", "screened", ["moderator"], guards=[Guard("min-votes", 2)])
    >>> t.allows(votes=1, score=None)
    False
    >>> t.unmet(votes=1, score=None)
    ('at least 2 votes',)
    """

    source: str = attrs.field(validator=_stage)
    target: str = attrs.field(validator=_stage)
    roles: frozenset[Role] = attrs.field(converter=as_roles, validator=_roles)
    guards: tuple[Guard, ...] = attrs.field(
        default=(),
        converter=as_tuple,
        validator=each_instance(Guard),
        kw_only=True,
    )
    automatic: bool = attrs.field(default=False, validator=_flag, kw_only=True)

    def unmet(self, *, votes: int, score: float | None) -> tuple[str, ...]:
        """The guards not met, in words."""
        return tuple(str(g) for g in self.guards if not g.holds(votes=votes, score=score))

    def allows(self, *, votes: int, score: float | None) -> bool:
        """Whether every guard holds."""
        return not self.unmet(votes=votes, score=score)


def _stage_set(value: object) -> object:
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
        return frozenset(value)
    return value


def _each_stage(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple | frozenset):
        raise fail(attribute, f"expected a collection of stage names, got {type_name(value)}")
    for v in value:
        identifier(_inst, attribute, v)


@attrs.frozen
class Workflow:
    """The stages of the exchange and the steps allowed between them.

    Parameters
    ----------
    stages
        Every stage, in display order.
    initial
        The stage a proposal enters on submission.
    final
        The stages no step leaves.
    transitions
        The allowed steps.
    voting
        The stages in which a proposal is open to votes and comments.
    implemented
        The stages in which a proposal counts as implemented, so that a story
        may be added to the warehouse (in the default: adopted and spreading).

    Raises
    ------
    ModelError
        Listing every problem at once: a step or a set naming an unknown stage,
        a stage that cannot be reached from ``initial``, a dead end (a stage
        that is not final yet has no step out, or from which no final stage can
        be reached), a final stage with a step out, a step twice, a step no one
        may make.

    Examples
    --------
    >>> steps = [Transition("draft", "open", ["member"]), Transition("open", "done", ["admin"])]
    >>> w = Workflow(["draft", "open", "done"], "draft", ["done"], steps, voting=["open"])
    >>> w.next_stages("draft")
    ('open',)
    >>> Workflow(["a", "b", "c"], "a", ["c"], [Transition("a", "c", ["admin"])])
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 2 problems in the model:
      stages[1]: stage 'b' cannot be reached from the initial stage 'a'
      stages[1]: stage 'b' is a dead end: it is not final and no step leaves it
    """

    stages: tuple[str, ...] = attrs.field(converter=as_tuple, validator=_each_stage)
    initial: str = attrs.field(validator=identifier)
    final: frozenset[str] = attrs.field(converter=_stage_set, validator=_each_stage)
    transitions: tuple[Transition, ...] = attrs.field(
        converter=as_tuple,
        validator=each_instance(Transition),
    )
    voting: frozenset[str] = attrs.field(
        factory=frozenset,
        converter=_stage_set,
        validator=_each_stage,
        kw_only=True,
    )
    implemented: frozenset[str] = attrs.field(
        factory=frozenset,
        converter=_stage_set,
        validator=_each_stage,
        kw_only=True,
    )
    _steps: Mapping[tuple[str, str], Transition] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ModelError(problems)
        object.__setattr__(self, "_steps", {(t.source, t.target): t for t in self.transitions})

    # ------------------------------------------------------------------ queries

    def next_stages(self, source: str) -> tuple[str, ...]:
        """The stages a proposal in ``source`` may go to next, in the order of the steps.

        Examples
        --------
        >>> Workflow.default().next_stages("funded")
        ('piloting', 'rejected', 'withdrawn')
        """
        self._known("source", source)
        return tuple(t.target for t in self.transitions if t.source == source)

    def transition(self, source: str, target: str) -> Transition:
        """The step from ``source`` to ``target``.

        Raises
        ------
        WorkflowError
            If the workflow has no such step (or either stage is unknown); the
            message lists the stages ``source`` may go to.

        Examples
        --------
        >>> sorted(r.value for r in Workflow.default().transition("shortlisted", "funded").roles)
        ['admin', 'programme-manager']
        >>> Workflow.default().transition("submitted", "funded")
        Traceback (most recent call last):
        ...
        safety_collab.errors.WorkflowError: cannot go from 'submitted' to 'funded'; from 'submitted'
        it may go to: screened, rejected, withdrawn
        """
        self._known("source", source)
        self._known("target", target)
        step = self._steps.get((source, target))
        if step is None:
            nexts = ", ".join(self.next_stages(source)) or "none (it is final)"
            msg = f"cannot go from {source!r} to {target!r}; from {source!r} it may go to: {nexts}"
            raise WorkflowError(msg, current=source, requested=target)
        return step

    def automatic_from(self, source: str, *, votes: int, score: float | None) -> str | None:
        """The stage an automatic step takes a proposal in ``source`` to, if one's guards hold.

        The first automatic step out of ``source`` (in the order of
        :attr:`transitions`) whose guards all hold; ``None`` if there is none.

        Examples
        --------
        >>> w = Workflow.default()
        >>> w.automatic_from("submitted", votes=100, score=1.0) is None  # the default has none
        True
        >>> auto = Transition("a", "b", [], guards=[Guard("min-votes", 2)], automatic=True)
        >>> w2 = Workflow(["a", "b"], "a", ["b"], [auto])
        >>> w2.automatic_from("a", votes=1, score=None), w2.automatic_from("a", votes=2, score=None)
        (None, 'b')
        """
        self._known("source", source)
        votes = check_int("votes", votes, lo=0)
        if score is not None:
            score = check_number("score", score)
        for t in self.transitions:
            if t.source == source and t.automatic and t.allows(votes=votes, score=score):
                return t.target
        return None

    def _known(self, name: str, stage: object) -> None:
        if not isinstance(stage, str) or stage not in self.stages:
            msg = f"{name}: unknown stage {short(stage)} (stages: {', '.join(self.stages)})"
            raise WorkflowError(
                msg,
                current=stage if isinstance(stage, str) else None,
            )

    # ------------------------------------------------------------------ data

    @classmethod
    def default(cls) -> Workflow:
        """Today's workflow (:data:`~safety_collab.exchange.TRANSITIONS`), with default roles.

        The stage names are the :class:`~safety_collab.exchange.ProposalState`
        values; the roles are those in the table of :mod:`.stages`; no guards,
        no automatic steps.

        Examples
        --------
        >>> w = Workflow.default()
        >>> w.initial, sorted(w.final)
        ('submitted', ['rejected', 'spreading', 'withdrawn'])
        >>> from safety_collab.exchange import TRANSITIONS
        >>> all(set(w.next_stages(s.value)) == {t.value for t in TRANSITIONS[s]}
        ...     for s in TRANSITIONS)
        True
        """
        return _DEFAULT

    def to_data(self) -> dict[str, Any]:
        """The plain-data form of the workflow, as its files hold it.

        Examples
        --------
        >>> data = Workflow.default().to_data()
        >>> data["initial"], data["transitions"][0]
        ('submitted', {'from': 'submitted', 'to': 'screened', 'roles': ['admin', 'moderator']})
        >>> Workflow.from_data(data) == Workflow.default()
        True
        """
        order = {s: i for i, s in enumerate(self.stages)}

        def ordered(stages: frozenset[str]) -> list[str]:
            return sorted(stages, key=order.__getitem__)

        steps = []
        for t in self.transitions:
            step: dict[str, Any] = {
                "from": t.source,
                "to": t.target,
                "roles": sorted(r.value for r in t.roles),
            }
            if t.guards:
                step["guards"] = [{"kind": g.kind, "value": g.value} for g in t.guards]
            if t.automatic:
                step["automatic"] = True
            steps.append(step)
        return {
            "schema_version": WORKFLOW_SCHEMA_VERSION,
            "stages": list(self.stages),
            "initial": self.initial,
            "final": ordered(self.final),
            "voting": ordered(self.voting),
            "implemented": ordered(self.implemented),
            "transitions": steps,
        }

    @classmethod
    def from_data(cls, data: object, *, source: str = "<data>") -> Workflow:
        """Build a workflow from plain data (the form :meth:`to_data` gives).

        Raises
        ------
        DataError
            Listing every problem at once, each with its field path
            (``$.transitions[2].to``): wrong types, unknown keys, unknown stages
            or roles, and the checks of :class:`Workflow` (unreachable stages,
            dead ends).

        Examples
        --------
        >>> Workflow.from_data({"stages": ["a", "b", "c"], "initial": "a", "final": ["c"],
        ...     "transitions": [{"from": "a", "to": "c", "roles": ["admin"]},
        ...                     {"from": "a", "to": "z", "roles": ["boss"]}]}, source="w.toml")
        Traceback (most recent call last):
        ...
        safety_collab.errors.DataError: w.toml: 4 problems:
          $.transitions[1].to: unknown stage 'z' (stages: a, b, c)
          $.transitions[1].roles[0]: unknown role 'boss' (roles: member, moderator,
          programme-manager, admin)
          $.stages[1]: stage 'b' cannot be reached from the initial stage 'a'
          $.stages[1]: stage 'b' is a dead end: it is not final and no step leaves it
        """
        source = check_instance("source", source, str)
        return _from_data(data, source)


# ------------------------------------------------------------------ checks


def _problems(w: Workflow) -> list[Problem]:
    """Every rule the workflow breaks, each with the path of the field at fault."""
    problems: list[Problem] = []
    known = set(w.stages)
    listed = ", ".join(w.stages)

    def unknown(stage: str, path: str) -> None:
        problems.append(Problem(path, f"unknown stage {stage!r} (stages: {listed})"))

    if not w.stages:
        problems.append(Problem("stages", "must name at least one stage"))
    seen: set[str] = set()
    for i, s in enumerate(w.stages):
        if s in seen:
            problems.append(Problem(f"stages[{i}]", f"stage {s!r} is listed twice"))
        seen.add(s)
    if w.initial not in known:
        unknown(w.initial, "initial")
    for name in ("final", "voting", "implemented"):
        for s in sorted(getattr(w, name)):
            if s not in known:
                unknown(s, name)
    pairs: set[tuple[str, str]] = set()
    for i, t in enumerate(w.transitions):
        for end, stage in (("source", t.source), ("target", t.target)):
            if stage not in known:
                unknown(stage, f"transitions[{i}].{end}")
        if (t.source, t.target) in pairs:
            problems.append(
                Problem(f"transitions[{i}]", f"the step {t.source} → {t.target} is listed twice")
            )
        pairs.add((t.source, t.target))
        if t.source == t.target:
            problems.append(Problem(f"transitions[{i}]", f"a step from {t.source!r} to itself"))
        if not t.roles and not t.automatic:
            problems.append(
                Problem(
                    f"transitions[{i}].roles", "no role may make this step, and it is not automatic"
                )
            )
        if t.automatic and not t.guards:
            problems.append(
                Problem(f"transitions[{i}].guards", "an automatic step needs at least one guard")
            )
        if t.source in w.final:
            problems.append(
                Problem(
                    f"transitions[{i}].source", f"stage {t.source!r} is final; no step may leave it"
                )
            )
    if problems or not w.stages:
        return problems  # the graph checks need known stages
    return _graph_problems(
        w.stages, w.initial, w.final, [(t.source, t.target) for t in w.transitions]
    )


def _graph_problems(
    stages: tuple[str, ...] | list[str],
    initial: str,
    final: frozenset[str] | set[str],
    steps: list[tuple[str, str]],
    prefix: str = "",
) -> list[Problem]:
    """Stages that cannot be reached, and dead ends: the checks on the shape of the steps."""
    problems: list[Problem] = []
    out: dict[str, set[str]] = {s: set() for s in stages}
    back: dict[str, set[str]] = {s: set() for s in stages}
    for a, b in steps:
        out[a].add(b)
        back[b].add(a)
    reached = _reach(initial, out)
    ends: set[str] = set()
    for f in final:
        ends |= _reach(f, back)
    for i, s in enumerate(stages):
        path = f"{prefix}stages[{i}]"
        if s not in reached:
            msg = f"stage {s!r} cannot be reached from the initial stage {initial!r}"
            problems.append(Problem(path, msg))
        if s not in final and not out[s]:
            msg = f"stage {s!r} is a dead end: it is not final and no step leaves it"
            problems.append(Problem(path, msg))
        elif s not in ends:
            msg = f"stage {s!r} is a dead end: no final stage can be reached from it"
            problems.append(Problem(path, msg))
    return problems


def _reach(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    seen = {start}
    todo = deque([start])
    while todo:
        for nxt in edges[todo.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


# ------------------------------------------------------------------ reading data

_TOP_KEYS = ("schema_version", "stages", "initial", "final", "voting", "implemented", "transitions")
_STEP_KEYS = ("from", "to", "roles", "guards", "automatic")
_GUARD_KEYS = ("kind", "value")


class _Reader:
    """Collects every problem of a workflow's plain data, with its field path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def table(self, value: object, path: str, keys: tuple[str, ...]) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.bad(path, f"expected a table of fields, got {_kind(value)}")
            return None
        for k in value:
            if k not in keys:
                self.bad(
                    f"{path}.{k}" if isinstance(k, str) else path,
                    f"unknown field {short(k)} (fields: {', '.join(keys)})",
                )
        return value

    def text(self, value: object, path: str) -> str | None:
        if not isinstance(value, str):
            self.bad(path, f"expected text, got {_kind(value)}")
            return None
        return value

    def names(self, value: object, path: str) -> list[tuple[str, str]]:
        if not isinstance(value, list):
            self.bad(path, f"expected a list of stage names, got {_kind(value)}")
            return []
        found = []
        for i, v in enumerate(value):
            name = self.text(v, f"{path}[{i}]")
            if name is not None:
                found.append((name, f"{path}[{i}]"))
        return found


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return f"{type_name(value)} {short(value)}"


def _from_data(data: object, source: str) -> Workflow:
    r = _Reader()
    top = r.table(data, "$", _TOP_KEYS)
    if top is None:
        raise DataError(source, r.problems)
    version = top.get("schema_version", WORKFLOW_SCHEMA_VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        r.bad("$.schema_version", f"expected a whole number, got {_kind(version)}")
    elif version != WORKFLOW_SCHEMA_VERSION:
        r.bad(
            "$.schema_version",
            f"schema version {version} is not one this library reads "
            f"(it reads {WORKFLOW_SCHEMA_VERSION})",
        )
    for key in ("stages", "initial", "final", "transitions"):
        if key not in top:
            r.bad(f"$.{key}", "required field missing")
    stage_list = r.names(top.get("stages", []), "$.stages")
    stages = [name for name, _ in stage_list]
    known = set(stages)
    listed = ", ".join(stages)

    def stage(value: object, path: str) -> str | None:
        name = r.text(value, path)
        if name is not None and name not in known and stage_list:
            r.bad(path, f"unknown stage {name!r} (stages: {listed})")
            return None
        return name

    initial = stage(top["initial"], "$.initial") if "initial" in top else None
    sets: dict[str, list[str]] = {}
    for key in ("final", "voting", "implemented"):
        named = r.names(top.get(key, []), f"$.{key}")
        sets[key] = [n for n, p in named if stage(n, p) is not None]
    steps = top.get("transitions", [])
    transitions: list[Transition] = []
    if not isinstance(steps, list):
        r.bad("$.transitions", f"expected a list of tables, got {_kind(steps)}")
        steps = []
    pairs: list[tuple[str, str]] = []
    for i, raw in enumerate(steps):
        t = _step(r, raw, f"$.transitions[{i}]", stage, pairs)
        if t is not None:
            transitions.append(t)
    if r.problems:
        unique = len(set(stages)) == len(stages)
        if stage_list and unique and initial is not None and len(stage_list) == len(stages):
            # the shape of the steps that could be read: reported with the rest, all at once
            r.problems.extend(_graph_problems(stages, initial, set(sets["final"]), pairs, "$."))
        raise DataError(source, r.problems)
    try:
        return Workflow(
            stages,
            initial,  # type: ignore[arg-type]  # checked above
            sets["final"],
            transitions,
            voting=sets["voting"],
            implemented=sets["implemented"],
        )
    except ModelError as exc:
        raise DataError(source, [p.under("$") for p in exc.problems]) from None


def _step(
    r: _Reader, raw: object, path: str, stage: Any, pairs: list[tuple[str, str]]
) -> Transition | None:
    step = r.table(raw, path, _STEP_KEYS)
    if step is None:
        return None
    before = len(r.problems)
    for key in ("from", "to", "roles"):
        if key not in step:
            r.bad(f"{path}.{key}", "required field missing")
    source = stage(step["from"], f"{path}.from") if "from" in step else None
    target = stage(step["to"], f"{path}.to") if "to" in step else None
    if source is not None and target is not None:
        pairs.append((source, target))
    roles: list[Role] = []
    raw_roles = step.get("roles", [])
    if not isinstance(raw_roles, list):
        r.bad(f"{path}.roles", f"expected a list of roles, got {_kind(raw_roles)}")
    else:
        spellings = {x.value: x for x in Role}
        for j, v in enumerate(raw_roles):
            if v in spellings:
                roles.append(spellings[v])
            else:
                allowed = ", ".join(spellings)
                r.bad(f"{path}.roles[{j}]", f"unknown role {short(v)} (roles: {allowed})")
    guards: list[Guard] = []
    raw_guards = step.get("guards", [])
    if not isinstance(raw_guards, list):
        r.bad(f"{path}.guards", f"expected a list of tables, got {_kind(raw_guards)}")
        raw_guards = []
    for j, g in enumerate(raw_guards):
        gpath = f"{path}.guards[{j}]"
        table = r.table(g, gpath, _GUARD_KEYS)
        if table is None:
            continue
        missing = [k for k in _GUARD_KEYS if k not in table]
        for k in missing:
            r.bad(f"{gpath}.{k}", "required field missing")
        if missing:
            continue
        try:
            guards.append(Guard(table["kind"], table["value"]))
        except ModelError as exc:
            r.problems.extend(p.under(gpath) for p in exc.problems)
    automatic = step.get("automatic", False)
    if not isinstance(automatic, bool):
        r.bad(f"{path}.automatic", f"expected true or false, got {_kind(automatic)}")
    if len(r.problems) > before or source is None or target is None:
        return None
    try:
        return Transition(source, target, roles, guards=guards, automatic=automatic)
    except ModelError as exc:
        r.problems.extend(p.under(path) for p in exc.problems)
        return None


def load_workflow(path: str | os.PathLike[str], *, format: str | None = None) -> Workflow:
    """Read a workflow from a TOML or JSON file (the format from the suffix unless given).

    Raises
    ------
    DataError
        If the file cannot be read, or does not describe a valid workflow: every
        problem at once, each with the file and its field path.

    Examples
    --------
    >>> from importlib import resources
    >>> path = resources.files("safety_collab.datasets") / DEFAULT_WORKFLOW_FILE
    >>> load_workflow(str(path)) == Workflow.default()
    True
    >>> load_workflow("no/such/workflow.toml")
    Traceback (most recent call last):
    ...
    safety_collab.errors.DataError: no/such/workflow.toml: no such file
    """
    source = check_path("path", path)
    fmt = file_format(path, format)
    return _from_data(parse(decode(read_path(path, source), source), fmt, source), source)


# ------------------------------------------------------------------ the default


def _default() -> Workflow:
    member, mod, pm, admin = Role.MEMBER, Role.MODERATOR, Role.PROGRAMME_MANAGER, Role.ADMIN
    forward = {
        ProposalState.SUBMITTED: {mod, admin},
        ProposalState.SCREENED: {mod, pm, admin},
    }
    steps: list[Transition] = []
    for a, b in itertools.pairwise(MAIN_PATH):
        steps.append(Transition(a.value, b.value, forward.get(a, {pm, admin})))
        early = a in (ProposalState.SUBMITTED, ProposalState.SCREENED)
        steps.append(
            Transition(
                a.value, ProposalState.REJECTED.value, {mod, pm, admin} if early else {pm, admin}
            )
        )
        steps.append(Transition(a.value, ProposalState.WITHDRAWN.value, {member, admin}))
    return Workflow(
        [s.value for s in ProposalState],
        ProposalState.SUBMITTED.value,
        [ProposalState.SPREADING.value, *(s.value for s in EXITS)],
        steps,
        voting=[s.value for s in MAIN_PATH[:3]],
        implemented=[ProposalState.ADOPTED.value, ProposalState.SPREADING.value],
    )


_DEFAULT = _default()


def default_workflow_text() -> str:
    """The text of the packaged default workflow file."""
    return (
        resources.files("safety_collab.datasets").joinpath(DEFAULT_WORKFLOW_FILE).read_text("utf-8")
    )
