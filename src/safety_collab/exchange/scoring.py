"""Scores: every plugin's criteria of a proposal, weighted and combined into one value.

:func:`score` combines the criteria of every ``safety_collab_score_proposal``
plugin (built in: alignment with the priorities, strength of evidence,
investment per organisation reached and expected reach; see
:class:`~safety_collab.exchange.BuiltinScoring`) into a :class:`Score`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from safety_collab._validate import check_number
from safety_collab.errors import ParameterError, UnknownIdError, closest
from safety_collab.exchange.criteria import BuiltinScoring
from safety_collab.exchange.proposals import (
    Proposal,
    need_proposal,
)
from safety_collab.model import EvidenceLevel  # noqa: F401 - the examples use it
from safety_collab.plugins import resolve_manager, score_criteria

if TYPE_CHECKING:
    from safety_collab.hookspecs import Criterion
    from safety_collab.model import Collaborative
    from safety_collab.plugins import PluginManager

__all__ = [
    "CriterionScore",
    "Score",
    "builtin_scoring",
    "check_weight_names",
    "check_weights",
    "combine",
    "score",
]

# ------------------------------------------------------------------ scoring


@attrs.frozen
class CriterionScore:
    """One criterion of a :class:`Score`, with its weights and share of the total.

    Attributes
    ----------
    name, value, reason
        As the plugin scored it (``value`` in [0, 1]).
    weight
        The plugin's weight.
    user_weight
        The weight given to :func:`score` (1 unless given; 0 drops the criterion).
    share
        Its part of the total weight (``weight * user_weight`` over the sum of
        those products), in [0, 1]; the shares of a score sum to 1 unless
        every criterion was dropped.

    Examples
    --------
    >>> c = CriterionScore("evidence", 0.5, 1.0, 1.0, 0.25, "case series")
    >>> c.contribution
    0.125
    """

    name: str
    value: float
    weight: float
    user_weight: float
    share: float
    reason: str

    @property
    def contribution(self) -> float:
        """What it adds to the score: ``share * value``."""
        return self.share * self.value


@attrs.frozen
class Score:
    """A proposal's score: the weighted mean of its criteria, with the breakdown.

    Attributes
    ----------
    proposal
        The proposal's id.
    value
        The score, in [0, 1]: ``sum(w_i * v_i) / sum(w_i)`` over the criteria,
        ``w_i`` being the plugin's weight times the user's; 0 if every weight is 0.
    criteria
        The breakdown, sorted by criterion name.

    Examples
    --------
    >>> s = Score("p1", 0.6, (CriterionScore("evidence", 0.6, 1.0, 1.0, 1.0, "SPC"),))
    >>> s.criterion("evidence").reason, s.reasons
    ('SPC', {'evidence': 'SPC'})
    """

    proposal: str
    value: float
    criteria: tuple[CriterionScore, ...]

    def criterion(self, name: str) -> CriterionScore:
        """The criterion of that name.

        Raises
        ------
        UnknownIdError
            If the score has no such criterion.

        Examples
        --------
        >>> Score("p1", 0.0, ()).criterion("reach")
        Traceback (most recent call last):
        ...
        safety_collab.errors.UnknownIdError: unknown criterion 'reach'; no criterion is defined
        """
        for c in self.criteria:
            if c.name == name:
                return c
        raise UnknownIdError("criterion", name, [c.name for c in self.criteria])

    @property
    def reasons(self) -> dict[str, str]:
        """The reason for each criterion, by name."""
        return {c.name: c.reason for c in self.criteria}


def check_weights(weights: object) -> dict[str, float]:
    """The user's criterion weights as floats, each checked to be finite and >= 0."""
    if weights is None:
        return {}
    if not isinstance(weights, Mapping):
        msg = (
            f"weights: expected a mapping of criterion name to weight, got {type(weights).__name__}"
        )
        raise ParameterError(msg)
    out: dict[str, float] = {}
    for name, w in weights.items():
        if not isinstance(name, str):
            msg = f"weights: criterion names are text, got {type(name).__name__} {name!r}"
            raise ParameterError(msg)
        out[name] = check_number(f"weights[{name!r}]", w, lo=0.0)
    return out


def check_weight_names(weights: Mapping[str, float], scored: set[str]) -> None:
    """Refuse a weight for a criterion that no plugin scored (naming the closest one)."""
    unknown = sorted(set(weights) - scored)
    if not unknown:
        return
    name = unknown[0]
    near = closest(name, sorted(scored), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    listing = ", ".join(sorted(scored)) or "none"
    msg = f"weights: no criterion named {name!r} was scored{hint} (criteria: {listing})"
    raise ParameterError(msg)


def combine(proposal_id: str, criteria: Sequence[Criterion], user: Mapping[str, float]) -> Score:
    """The weighted mean of ``criteria`` (plugin weight times user weight), with its breakdown."""
    users = [user.get(c.name, 1.0) for c in criteria]
    effective = [c.weight * u for c, u in zip(criteria, users, strict=True)]
    try:
        total = math.fsum(effective)
    except OverflowError:  # the sum of finite weights overflowed: the exact path below
        total = math.inf
    exact = math.isfinite(total) and all(
        e > 0 or c.weight == 0 or u == 0 for e, c, u in zip(effective, criteria, users, strict=True)
    )
    if exact and total > 0:
        # shares first: they sum to 1, so no product underflows even for subnormal weights
        shares = [e / total for e in effective]
        value = math.fsum(s * c.value for s, c in zip(shares, criteria, strict=True))
    elif exact:
        shares = [0.0] * len(criteria)
        value = 0.0
    else:  # a product overflowed or underflowed: do it in exact arithmetic
        fw = [Fraction(c.weight) * Fraction(u) for c, u in zip(criteria, users, strict=True)]
        ftotal = sum(fw, Fraction(0))
        if ftotal:
            shares = [float(w / ftotal) for w in fw]
            value = float(
                sum((w * Fraction(c.value) for w, c in zip(fw, criteria, strict=True)), Fraction(0))
                / ftotal
            )
        else:
            shares, value = [0.0] * len(criteria), 0.0
    breakdown = tuple(
        CriterionScore(c.name, c.value, c.weight, u, min(1.0, max(0.0, s)), c.reason)
        for c, u, s in zip(criteria, users, shares, strict=True)
    )
    return Score(proposal_id, min(1.0, max(0.0, value)), breakdown)


def score(
    proposal: Proposal,
    collab: Collaborative,
    *,
    weights: Mapping[str, float] | None = None,
    manager: PluginManager | None = None,
) -> Score:
    """Score a proposal: every plugin's criteria, combined into one weighted mean.

    Criteria come from every ``safety_collab_score_proposal`` implementation
    (:func:`~safety_collab.plugins.score_criteria`): the built-in ones
    (:class:`BuiltinScoring`) and any plugin's. Each criterion's weight is the
    plugin's weight times ``weights[name]`` (default 1), so a user can reweight
    or drop (weight 0) any criterion without writing a plugin.

    Parameters
    ----------
    proposal
        The proposal.
    collab
        The collaborative it is made to.
    weights
        Criterion name -> weight (finite, >= 0). Naming a criterion that no
        plugin scored is an error (a typo would otherwise go unnoticed).
    manager
        The plugin manager; by default the shared one.

    Returns
    -------
    Score
        In [0, 1], with the per-criterion breakdown and reasons.

    Raises
    ------
    ParameterError
        For a bad weight or an unknown criterion name in ``weights``.
    PluginError
        If a plugin fails or returns something invalid.

    Examples
    --------
    >>> import safety_collab as sc
    >>> collab = sc.west_midlands()
    >>> p = Proposal("p1", "Idea", "RRK", priorities=["digital-health", "mental-health"],
    ...              theme="patient-safety", safety_area="drug-safety",
    ...              evidence=EvidenceLevel.RANDOMISED_TRIAL, investment=100_000)
    >>> s = score(p, collab, weights={"reach": 0, "cost-per-organisation": 0})
    >>> round(s.value, 3), [c.name for c in s.criteria if c.share > 0]
    (0.75, ['alignment', 'evidence'])
    >>> s.criterion("alignment").reason
    'addresses 2 of the 4 priorities: digital-health, mental-health'
    """
    p = need_proposal(proposal)
    user = check_weights(weights)
    criteria = score_criteria(p, collab, manager=manager)
    check_weight_names(user, {c.name for c in criteria})
    return combine(p.id, criteria, user)


def builtin_scoring(*, manager: PluginManager | None = None) -> BuiltinScoring | None:
    """The built-in scoring plugin registered in ``manager`` (for its cache), if any.

    Examples
    --------
    >>> builtin_scoring().reach.runs
    200
    """
    pm = resolve_manager(manager)
    plugin = pm.get_plugin("scoring")
    return plugin if isinstance(plugin, BuiltinScoring) else None
