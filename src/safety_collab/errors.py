"""The exception family of :mod:`safety_collab`.

Every error the library raises on purpose derives from :class:`SafetyCollabError`,
and each leaf also derives from the closest builtin (``ValueError``, ``KeyError``,
``RuntimeError``) so that callers who only know the builtins still catch it.

Messages name the thing that was wrong, where it was (a file and a field path
such as ``$.members[3].tier``), what was expected and what was received.

Examples
--------
>>> from safety_collab.errors import ModelError, Problem
>>> err = ModelError([Problem("members[3].tier", "unknown tier 'gold'")])
>>> print(err)
1 problem in the model:
  members[3].tier: unknown tier 'gold'
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import attrs

from safety_collab._format import format_bytes

__all__ = [
    "MAX_PROBLEMS",
    "ConflictError",
    "DataError",
    "EntitlementError",
    "MissingDependencyError",
    "ModelError",
    "ParameterError",
    "PluginError",
    "PortfolioError",
    "Problem",
    "ResourceLimitError",
    "SPCError",
    "SafetyCollabError",
    "SaveError",
    "SpreadError",
    "StoreError",
    "UnknownIdError",
    "WorkflowError",
    "closest",
]


class SafetyCollabError(Exception):
    """Root of every exception raised on purpose by :mod:`safety_collab`.

    Examples
    --------
    >>> issubclass(ModelError, SafetyCollabError)
    True
    """


@attrs.frozen
class Problem:
    """One thing wrong, and where: ``path`` is a field path, ``message`` says what.

    Examples
    --------
    >>> str(Problem("tiers[1].rank", "must be >= 0 (got -1)"))
    'tiers[1].rank: must be >= 0 (got -1)'
    >>> str(Problem("", "file is empty"))
    'file is empty'
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def under(self, prefix: str) -> Problem:
        """Return the same problem with ``prefix`` put in front of its path.

        Examples
        --------
        >>> str(Problem("rank", "must be >= 0").under("tiers[1]"))
        'tiers[1].rank: must be >= 0'
        >>> str(Problem("[2]", "duplicate").under("$.members"))
        '$.members[2]: duplicate'
        """
        if not prefix:
            return self
        if not self.path:
            return Problem(prefix, self.message)
        sep = "" if self.path.startswith("[") else "."
        return Problem(f"{prefix}{sep}{self.path}", self.message)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class ModelError(SafetyCollabError, ValueError):
    """The model breaks one or more of its rules; ``problems`` lists every one.

    Raised by the model classes on construction (a bad field value) and by
    :class:`~safety_collab.model.Collaborative`, which checks referential
    integrity and the scheme's rules and reports every problem at once.

    Parameters
    ----------
    problems
        The problems found, each with the path of the field it concerns.

    Examples
    --------
    >>> err = ModelError([Problem("tiers[0].rank", "must be >= 0 (got -1)")])
    >>> err.problems[0].path
    'tiers[0].rank'
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        lines = [f"{_plural(len(self.problems), 'problem')} in the model:"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()

    def __reduce__(self) -> tuple[type[ModelError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))


class DataError(SafetyCollabError, ValueError):
    """Input data (a file or a string) could not be read into the model.

    ``source`` names the file (or ``<string>``); ``problems`` lists the problems
    found, each with a field path such as ``$.members[3].tier``: the first
    :data:`MAX_PROBLEMS` of them, with ``omitted`` counting any more.

    Examples
    --------
    >>> err = DataError("collab.json", [Problem("$.tiers[0].rank", "expected an integer, got 'x'")])
    >>> print(err)
    collab.json: 1 problem:
      $.tiers[0].rank: expected an integer, got 'x'
    """

    def __init__(self, source: str, problems: Iterable[Problem], *, omitted: int = 0) -> None:
        self.source = source
        kept: list[Problem] = []
        extra = 0
        for p in problems:
            if len(kept) < MAX_PROBLEMS:
                kept.append(p)
            else:
                extra += 1
        self.problems: tuple[Problem, ...] = tuple(kept)
        self.omitted: int = omitted + extra
        """How many more problems were found than :attr:`problems` keeps."""
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.problems) == 1 and not self.problems[0].path and not self.omitted:
            return f"{self.source}: {self.problems[0].message}"
        total = len(self.problems) + self.omitted
        shown = f" (the first {len(self.problems)} shown)" if self.omitted else ""
        lines = [f"{self.source}: {_plural(total, 'problem')}{shown}:"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_data_error, (type(self), self.source, self.problems, self.omitted))


MAX_PROBLEMS = 1000
"""Most problems a :class:`DataError` keeps; it counts the rest in ``omitted``.

A broken file can hold millions of bad fields: the message stays readable and
its size bounded.
"""


def _rebuild_data_error(
    cls: type[DataError], source: str, problems: tuple[Problem, ...], omitted: int
) -> DataError:
    return cls(source, problems, omitted=omitted)


def closest(word: object, candidates: Iterable[object], n: int = 3) -> list[str]:
    """Return up to ``n`` of ``candidates`` closest to ``word`` (best first).

    Matching ignores case, so ``"rrk"`` finds ``"RRK"``; equally close
    candidates come in sorted order, so the answer never depends on input order.

    Examples
    --------
    >>> closest("rrk", ["RRK", "RXK", "QHL"])
    ['RRK', 'RXK']
    >>> closest(None, ["RRK"])  # not text: nothing is close
    []
    """
    if not isinstance(word, str):
        return []
    folded: dict[str, str] = {}
    for c in candidates:
        if isinstance(c, str):
            folded.setdefault(c.casefold(), c)
    key = word.casefold()
    scored = []
    for low, original in folded.items():
        matcher = difflib.SequenceMatcher(None, key, low)
        if matcher.real_quick_ratio() >= 0.5 and matcher.quick_ratio() >= 0.5:
            ratio = matcher.ratio()
            if ratio >= 0.5:
                scored.append((-ratio, original))
    return [original for _, original in sorted(scored)[:n]]


class UnknownIdError(SafetyCollabError, KeyError):
    """An identifier that the collaborative does not know.

    The message names the kind of thing, the id asked for, and the closest
    known ids, so a typo is easy to fix.

    Examples
    --------
    >>> err = UnknownIdError("organisation", "RRKK", ["RRK", "RXK", "QHL"])
    >>> print(err)
    unknown organisation 'RRKK'; closest known: 'RRK', 'RXK'
    >>> isinstance(err, KeyError)
    True
    """

    def __init__(self, kind: str, id: str, known: Sequence[str]) -> None:
        self.kind = kind
        self.id = id
        self.suggestions = closest(id, known)
        if self.suggestions:
            hint = "closest known: " + ", ".join(repr(s) for s in self.suggestions)
        elif known:
            shown = ", ".join(repr(s) for s in sorted(known)[:8])
            more = f" and {len(known) - 8} more" if len(known) > 8 else ""
            hint = f"known: {shown}{more}"
        else:
            hint = f"no {kind} is defined"
        shown_id = (
            repr(id) if isinstance(id, str) else f"{id!r} (an id is text, got {type(id).__name__})"
        )
        self.message = f"unknown {kind} {shown_id[:200]}; {hint}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[UnknownIdError], tuple[str, str, list[str]]]:
        return (type(self), (self.kind, self.id, self.suggestions))


class PluginError(SafetyCollabError, RuntimeError):
    """A plugin failed: it raised, returned something invalid, or could not load.

    The message names the plugin and the hook; the original exception, if any,
    is chained as ``__cause__``.

    Examples
    --------
    >>> print(PluginError("my-plugin raised in hook safety_collab_score_proposal"))
    my-plugin raised in hook safety_collab_score_proposal
    """


class MissingDependencyError(SafetyCollabError, ImportError):
    """An optional part of the library needs a package that is not installed.

    The message names the extra that brings it in.

    Examples
    --------
    >>> print(MissingDependencyError("yaml", "pyyaml"))
    this needs the optional package 'pyyaml', in the 'yaml' extra:
    pip install -e '.[yaml]' in the source tree
    """

    def __init__(self, extra: str, package: str) -> None:
        self.extra = extra
        self.package = package
        super().__init__(
            # the package is installed from its source tree (it is not on PyPI): say how
            f"this needs the optional package {package!r}, in the {extra!r} extra: "
            f"pip install -e '.[{extra}]' in the source tree"
        )

    def __reduce__(self) -> tuple[type[MissingDependencyError], tuple[str, str]]:
        return (type(self), (self.extra, self.package))


class SPCError(SafetyCollabError, ValueError):
    """Invalid input to a chart; the message names the argument and the position.

    Examples
    --------
    >>> from safety_collab.spc import xmr
    >>> xmr([1.0, float("nan"), 3.0])
    Traceback (most recent call last):
    ...
    safety_collab.errors.SPCError: values[1]: must be a finite number (got nan)
    """


class SaveError(SafetyCollabError, OSError):
    """A file could not be saved; the old file, if any, is left exactly as it was.

    ``path`` is the file that was to be written and ``reason`` says why not, in
    words (a missing folder, no permission, a full disk, a folder in the way, a
    loop of symbolic links, or output that would not read back).

    Examples
    --------
    >>> err = SaveError("/missing/x.json", "the folder /missing does not exist")
    >>> print(err)
    cannot save /missing/x.json: the folder /missing does not exist
    >>> isinstance(err, OSError)
    True
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot save {path}: {reason}")

    def __str__(self) -> str:
        return f"cannot save {self.path}: {self.reason}"

    def __reduce__(self) -> tuple[type[SaveError], tuple[str, str]]:
        return (type(self), (self.path, self.reason))


class ParameterError(SafetyCollabError, ValueError):
    """An argument is of the wrong type or outside its allowed range.

    The message names the parameter, the value received and what is allowed.

    Examples
    --------
    >>> print(ParameterError("scale: must be a positive number (got -1)"))
    scale: must be a positive number (got -1)
    """


class SpreadError(ParameterError):
    """Invalid input to a spread simulation or seeding strategy.

    Names the parameter, the value and the allowed range, e.g.
    ``p: must be between 0 and 1 (got 1.5)``.

    Examples
    --------
    >>> issubclass(SpreadError, ValueError)
    True
    """


class WorkflowError(SafetyCollabError, ValueError):
    """A step the innovation exchange's workflow does not allow.

    Raised for a transition the state machine forbids (the message names the
    proposal, its current state, the state asked for and the states it may go
    to), a second submission of the same proposal id, or an event dated before
    the proposal's previous one. ``proposal``, ``current`` and ``requested``
    hold the proposal id and the two states' values, where they apply.

    Examples
    --------
    >>> err = WorkflowError("proposal 'p1' cannot go from 'submitted' to 'funded'",
    ...                     proposal="p1", current="submitted", requested="funded")
    >>> err.current, err.requested
    ('submitted', 'funded')
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(
        self,
        message: str,
        *,
        proposal: str | None = None,
        current: str | None = None,
        requested: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.proposal = proposal
        self.current = current
        self.requested = requested

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        kwargs = {"proposal": self.proposal, "current": self.current, "requested": self.requested}
        return (_rebuild_workflow_error, (type(self), self.message, kwargs))


def _rebuild_workflow_error(
    cls: type[WorkflowError], message: str, kwargs: dict[str, str | None]
) -> WorkflowError:
    return cls(message, **kwargs)


class EntitlementError(WorkflowError):
    """An organisation tried to use the innovation exchange without being entitled to.

    Only members whose tier reaches the collaborative's ``exchange_min_tier``
    may propose. ``organisation`` is the organisation's id.

    Examples
    --------
    >>> err = EntitlementError("'RRK' may not propose", organisation="RRK")
    >>> err.organisation, isinstance(err, WorkflowError)
    ('RRK', True)
    """

    def __init__(self, message: str, *, organisation: str) -> None:
        super().__init__(message)
        self.organisation = organisation

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_entitlement_error, (type(self), self.message, self.organisation))


def _rebuild_entitlement_error(
    cls: type[EntitlementError], message: str, organisation: str
) -> EntitlementError:
    return cls(message, organisation=organisation)


class ConflictError(WorkflowError):
    """Someone else changed a proposal first: its version is not the one expected.

    The exchange store gives every proposal a ``version`` that each change of
    stage increases; a change made against an older version (two moderators
    moving the same proposal at once) is refused, and the loser gets this
    error. Read the proposal again and decide afresh. ``proposal``,
    ``expected`` and ``actual`` hold the proposal id and both versions.

    Examples
    --------
    >>> err = ConflictError("p1", expected=3, actual=4)
    >>> print(err)
    proposal 'p1' was changed by someone else: expected version 3, it is now at version 4; \
read it again and retry
    >>> err.expected, err.actual, isinstance(err, WorkflowError)
    (3, 4, True)
    """

    def __init__(self, proposal: str, *, expected: int, actual: int) -> None:
        message = (
            f"proposal {proposal!r} was changed by someone else: expected version {expected}, "
            f"it is now at version {actual}; read it again and retry"
        )
        super().__init__(message, proposal=proposal)
        self.expected = expected
        self.actual = actual

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_conflict_error, (type(self), self.proposal, self.expected, self.actual))


def _rebuild_conflict_error(
    cls: type[ConflictError], proposal: str, expected: int, actual: int
) -> ConflictError:
    return cls(proposal, expected=expected, actual=actual)


class StoreError(SafetyCollabError, RuntimeError):
    """The exchange store's database could not do what was asked.

    Raised when the database cannot be reached, stays locked by other writers
    beyond the store's retries, is at an older schema revision than the
    library (the message says to upgrade it), or belongs to another
    collaborative. The message names the database (its URL, password hidden).

    Examples
    --------
    >>> err = StoreError("sqlite:///exchange.sqlite", "the database is at schema revision "
    ...                  "'rev1_exchange'; upgrade it to 'rev2_community'")
    >>> print(err)
    sqlite:///exchange.sqlite: the database is at schema revision 'rev1_exchange'; \
upgrade it to 'rev2_community'
    >>> isinstance(err, RuntimeError)
    True
    """

    def __init__(self, database: str, reason: str) -> None:
        self.database = database
        self.reason = reason
        super().__init__(f"{database}: {reason}")

    def __reduce__(self) -> tuple[type[StoreError], tuple[str, str]]:
        return (type(self), (self.database, self.reason))


class PortfolioError(SafetyCollabError, ValueError):
    """No portfolio meets the conditions asked for, such as covering every priority.

    ``uncovered`` names the priorities that cannot be covered within the budget.

    Examples
    --------
    >>> err = PortfolioError("no proposal addresses priority 'mental-health'",
    ...                      uncovered=("mental-health",))
    >>> err.uncovered
    ('mental-health',)
    """

    def __init__(self, message: str, *, uncovered: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.uncovered = tuple(uncovered)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_portfolio_error, (type(self), self.message, self.uncovered))


def _rebuild_portfolio_error(
    cls: type[PortfolioError], message: str, uncovered: tuple[str, ...]
) -> PortfolioError:
    return cls(message, uncovered=uncovered)


class ResourceLimitError(SafetyCollabError, MemoryError):
    """A computation would need more memory than the configured limit allows.

    Raised before the memory is taken. ``what`` names the computation,
    ``estimate`` and ``limit`` are in bytes; the message says how to proceed
    (smaller input, or a higher limit with
    :func:`safety_collab.set_memory_limit` or the ``SAFETY_COLLAB_MEMORY_LIMIT``
    environment variable).

    Examples
    --------
    >>> err = ResourceLimitError("dense matrix", estimate=8 * 2**30, limit=2**30)
    >>> err.estimate > err.limit, isinstance(err, MemoryError)
    (True, True)
    """

    def __init__(self, what: str, *, estimate: int, limit: int, detail: str = "") -> None:
        self.what = what
        self.estimate = int(estimate)
        self.limit = int(limit)
        self.detail = detail
        super().__init__(self._text())

    def _text(self) -> str:
        text = (
            f"{self.what}: needs about {format_bytes(self.estimate)}, more than the memory "
            f"limit of {format_bytes(self.limit)}"
        )
        if self.detail:
            text += f"; {self.detail}"
        return (
            f"{text}. Reduce the input, or raise the limit with "
            "safety_collab.set_memory_limit() or the SAFETY_COLLAB_MEMORY_LIMIT environment "
            "variable"
        )

    def __str__(self) -> str:
        return self._text()

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_resource_error,
            (type(self), self.what, self.estimate, self.limit, self.detail),
        )


def _rebuild_resource_error(
    cls: type[ResourceLimitError], what: str, estimate: int, limit: int, detail: str
) -> ResourceLimitError:
    return cls(what, estimate=estimate, limit=limit, detail=detail)
