"""Ranking: every proposal scored, highest first, ties broken by id (:func:`rank`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, overload

import attrs

from safety_collab._validate import check_instance, described
from safety_collab.errors import ParameterError, SafetyCollabError
from safety_collab.exchange.criteria import BuiltinScoring
from safety_collab.exchange.proposals import (
    Proposal,
    check_entitled,
    need_proposal,
)
from safety_collab.exchange.scoring import (
    Score,
    check_weight_names,
    check_weights,
    combine,
)
from safety_collab.model import (
    Collaborative,
    EvidenceLevel,  # noqa: F401 - the examples use it
)
from safety_collab.plugins import resolve_manager, score_criteria

if TYPE_CHECKING:
    from safety_collab.plugins import PluginManager

__all__ = ["Ranked", "Ranking", "rank"]

# ------------------------------------------------------------------ ranking


@attrs.frozen
class Ranked:
    """A proposal with its score and its place in a :class:`Ranking` (1 is the best).

    Examples
    --------
    >>> r = Ranked(1, None, Score("p1", 0.5, ()))
    >>> r.position, r.score.value
    (1, 0.5)
    """

    position: int
    proposal: Proposal
    score: Score


@attrs.frozen
class Ranking(Sequence[Ranked]):
    """Proposals in order of score (highest first, ties by id), as from :func:`rank`.

    A sequence of :class:`Ranked` entries; a slice is a ranking too. It
    remembers the collaborative's priorities, which
    :func:`select_portfolio` uses for its coverage option.

    Attributes
    ----------
    entries
        The ranked proposals, best first.
    priorities
        Ids of the collaborative's priorities.

    Examples
    --------
    >>> Ranking((), ("digital-health",))[:3].priorities
    ('digital-health',)
    """

    entries: tuple[Ranked, ...]
    priorities: tuple[str, ...] = ()

    @overload
    def __getitem__(self, index: int) -> Ranked: ...

    @overload
    def __getitem__(self, index: slice) -> Ranking: ...

    def __getitem__(self, index: int | slice) -> Ranked | Ranking:
        if isinstance(index, slice):
            return Ranking(self.entries[index], self.priorities)
        return self.entries[index]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Ranked]:
        return iter(self.entries)

    @property
    def ids(self) -> tuple[str, ...]:
        """Proposal ids, best first."""
        return tuple(r.proposal.id for r in self.entries)


def rank(
    proposals: Iterable[Proposal],
    collab: Collaborative,
    *,
    weights: Mapping[str, float] | None = None,
    manager: PluginManager | None = None,
) -> Ranking:
    """Score every proposal and rank them: highest score first, ties broken by id.

    The order is stable: the same proposals, collaborative, plugins and
    weights always give the same ranking, whatever the input order. Before
    scoring, the built-in scoring plugin simulates the reach of every distinct
    proposer in one batch (:meth:`~safety_collab.exchange.BuiltinScoring.prefetch`);
    the scores are those of scoring proposal by proposal.

    Parameters
    ----------
    proposals
        The proposals (ids must be distinct), e.g. ``exchange.in_state("shortlisted")``.
    collab
        The collaborative.
    weights
        As for :func:`score`; a name must be scored for at least one proposal.
    manager
        The plugin manager; by default the shared one.

    Raises
    ------
    ParameterError
        For duplicate proposal ids or bad weights.
    PluginError
        If a plugin fails.

    Examples
    --------
    >>> import safety_collab as sc
    >>> collab = sc.west_midlands()
    >>> def proposal(id, evidence):
    ...     return Proposal(id, id.title(), "RRK", priorities=["digital-health"],
    ...                     theme="patient-safety", safety_area="drug-safety",
    ...                     evidence=evidence, investment=20_000)
    >>> ps = [proposal("b", EvidenceLevel.CASE_SERIES),
    ...       proposal("c", EvidenceLevel.RANDOMISED_TRIAL),
    ...       proposal("a", EvidenceLevel.CASE_SERIES)]
    >>> rank(ps, collab).ids
    ('c', 'a', 'b')
    >>> rank(ps, collab, weights={"evidence": 0}).ids  # the rest tie: by id
    ('a', 'b', 'c')
    """
    check_instance("collab", collab, Collaborative)
    if isinstance(proposals, str | bytes) or not hasattr(proposals, "__iter__"):  # type: ignore[unreachable]
        msg = f"proposals: expected an iterable of proposals, got {described(proposals)}"
        raise ParameterError(msg)
    items = [need_proposal(p, "proposals") for p in proposals]
    for p in items:  # where money is decided: a proposal no member may make is not ranked
        check_entitled(collab, p.organisation)
    seen: set[str] = set()
    for p in items:
        if p.id in seen:
            msg = f"proposals: proposal id {p.id!r} appears more than once"
            raise ParameterError(msg)
        seen.add(p.id)
    user = check_weights(weights)
    _prefetch_reach(items, collab, manager)
    found = [score_criteria(p, collab, manager=manager) for p in items]
    if items:  # with nothing to rank, nothing was scored: no name can be checked
        check_weight_names(user, {c.name for criteria in found for c in criteria})
    scores = [combine(p.id, criteria, user) for p, criteria in zip(items, found, strict=True)]
    order = sorted(range(len(items)), key=lambda i: (-scores[i].value, items[i].id))
    entries = tuple(Ranked(k + 1, items[i], scores[i]) for k, i in enumerate(order))
    return Ranking(entries, tuple(p.id for p in collab.priorities))


def _prefetch_reach(
    items: Sequence[Proposal], collab: Collaborative, manager: PluginManager | None
) -> None:
    """Simulate every proposer's reach in one batch, for each built-in scoring plugin that scores.

    Only an optimisation: the scores are the same without it. A failure is left
    to the scoring that follows, which reports it naming the plugin.
    """
    if not items:
        return
    pm = resolve_manager(manager)
    for impl in pm.hook.safety_collab_score_proposal.get_hookimpls():
        if isinstance(impl.plugin, BuiltinScoring):
            with contextlib.suppress(SafetyCollabError):
                impl.plugin.prefetch(items, collab, manager=pm)
