"""Deprived-areas reach for safety_collab: expected reach, weighted towards deprived areas.

A proposal-scoring plugin (hook ``safety_collab_score_proposal``) adding the
criterion ``deprived-areas-reach``: the spread from the proposer is simulated
on the collaboration graph (as for the built-in ``reach`` criterion), and each
member's chance of adopting is weighted by the deprivation of its area:

    value = sum(w_i * p_i) / sum(w_i)   over the members i

where ``p_i`` is the share of runs in which member ``i`` adopted and
``w_i = (11 - d_i) / 10`` for its deprivation decile ``d_i`` (1 = most
deprived: weight 1.0; 10 = least deprived: weight 0.1). With equal deciles
everywhere the value is the plain expected reach (mean final size over the
number of members).

Deciles come from a table by integrated care system. The bundled one
(``deprivation.toml``) is **illustrative**, not official statistics; set
``SAFETY_COLLAB_DEPRIVATION_TABLE`` to a TOML file of the same shape to use
your own.

Examples
--------
>>> import safety_collab as sc
>>> table = DeprivationTable({"Black Country": 1, "Herefordshire and Worcestershire": 10})
>>> table.weight("Black Country"), table.weight("Herefordshire and Worcestershire")
(1.0, 0.1)
>>> table.weight(None)  # not listed: the default decile, 5.5
0.55
"""

from __future__ import annotations

import math
import os
import threading
import tomllib
import weakref
from collections.abc import Hashable, Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

import safety_collab
from safety_collab import Criterion
from safety_collab.errors import DataError, ParameterError, Problem
from safety_collab.exchange import Proposal, ReachSettings
from safety_collab.model import Collaborative

__all__ = [
    "CRITERION",
    "TABLE_VARIABLE",
    "DeprivationTable",
    "DeprivedAreasReach",
    "safety_collab_score_proposal",
]

CRITERION = "deprived-areas-reach"
"""The name of the criterion this plugin scores."""

TABLE_VARIABLE = "SAFETY_COLLAB_DEPRIVATION_TABLE"
"""Environment variable naming a TOML deprivation table to use instead of the bundled one."""


def _decile(where: str, value: object) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value <= 10
    if not ok:
        msg = f"{where}: must be a decile from 1 (most deprived) to 10, got {value!r}"
        raise ParameterError(msg)
    return float(value)  # type: ignore[arg-type]


def _deciles(value: object) -> Mapping[str, float]:
    if not isinstance(value, Mapping):
        msg = f"deciles: expected a table of ICS name to decile, got {type(value).__name__}"
        raise ParameterError(msg)
    return MappingProxyType({str(k): _decile(f"deciles[{k!r}]", v) for k, v in value.items()})


@attrs.frozen
class DeprivationTable:
    """Deprivation deciles by integrated care system (1 = most deprived, 10 = least).

    Parameters
    ----------
    deciles
        ICS name (as in ``Organisation.ics``) to decile.
    default_decile
        The decile of organisations whose ICS is not listed or that have none.

    Raises
    ------
    ParameterError
        If a decile is not a number from 1 to 10.

    Examples
    --------
    >>> DeprivationTable({"Black Country": 0})
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: deciles['Black Country']: must be a decile from 1
    (most deprived) to 10, got 0
    """

    deciles: Mapping[str, float] = attrs.field(converter=_deciles)
    default_decile: float = attrs.field(default=5.5)

    def __attrs_post_init__(self) -> None:
        _decile("default_decile", self.default_decile)

    def weight(self, ics: str | None) -> float:
        """The weight of an organisation in this ICS: ``(11 - decile) / 10``, from 0.1 to 1."""
        decile = self.deciles.get(ics, self.default_decile) if ics is not None else None
        return (11 - (self.default_decile if decile is None else decile)) / 10

    @classmethod
    def from_text(cls, text: str, *, source: str = "<string>") -> DeprivationTable:
        r"""Read a table from TOML: ``default_decile = 5.5`` and a ``[deciles]`` table.

        Raises
        ------
        DataError
            If the text is not such a table.

        Examples
        --------
        >>> DeprivationTable.from_text('[deciles]\n"Black Country" = 2').weight("Black Country")
        0.9
        """
        try:
            data = tomllib.loads(text)
            extra = sorted(set(data) - {"deciles", "default_decile"})
            if extra:
                msg = f"unknown key(s) {', '.join(extra)}; expected deciles and default_decile"
                raise ParameterError(msg)
            return cls(data.get("deciles", {}), data.get("default_decile", 5.5))
        except (tomllib.TOMLDecodeError, ParameterError) as exc:
            raise DataError(source, [Problem("", str(exc))]) from None

    @classmethod
    def bundled(cls) -> DeprivationTable:
        """The illustrative table shipped with the plugin (see ``deprivation.toml``).

        Examples
        --------
        >>> DeprivationTable.bundled().deciles["Black Country"]
        2.0
        """
        text = resources.files(__package__).joinpath("deprivation.toml").read_text("utf-8")
        return cls.from_text(text, source="deprivation.toml")

    @classmethod
    def configured(cls) -> DeprivationTable:
        """The table named by ``SAFETY_COLLAB_DEPRIVATION_TABLE``, else the bundled one.

        Examples
        --------
        >>> DeprivationTable.configured() == DeprivationTable.bundled()  # variable unset
        True
        """
        path = os.environ.get(TABLE_VARIABLE)
        if not path:
            return cls.bundled()
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise DataError(path, [Problem("", f"cannot read: {exc.strerror}")]) from None
        return cls.from_text(text, source=path)


def _table(value: object) -> DeprivationTable:
    if value is None:
        return DeprivationTable.configured()
    if not isinstance(value, DeprivationTable):
        msg = f"table: expected a DeprivationTable, got {type(value).__name__}"
        raise ParameterError(msg)
    return value


def _weight(_inst: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0:  # type: ignore[operator]
        msg = f"weight: must be a finite number >= 0 (got {value!r})"
        raise ParameterError(msg)


@attrs.frozen(eq=False)
class DeprivedAreasReach:
    """The ``deprived-areas-reach`` criterion as a plugin.

    Parameters
    ----------
    table
        Deprivation deciles; by default :meth:`DeprivationTable.configured`.
    settings
        How the spread is simulated (as for the built-in reach criterion).
    weight
        The criterion's weight when scores are combined.

    Examples
    --------
    >>> import safety_collab as sc
    >>> p = Proposal("p1", "Idea", "TAJ", priorities=[], theme="patient-safety",
    ...              safety_area="falls", evidence=sc.EvidenceLevel.CASE_SERIES, investment=0)
    >>> c = DeprivedAreasReach().criterion(p, sc.west_midlands())
    >>> c.name, 0 < c.value <= 1
    ('deprived-areas-reach', True)
    """

    table: DeprivationTable = attrs.field(default=None, converter=_table)
    settings: ReachSettings = attrs.field(factory=ReachSettings)
    weight: float = attrs.field(default=1.0, validator=_weight)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)
    _cache: dict[int, tuple[weakref.ref[Collaborative], Any, dict[str, dict[Hashable, float]]]] = (
        attrs.field(factory=dict, init=False, repr=False)
    )

    def adoption(self, collab: Collaborative, organisation: str) -> dict[Hashable, float]:
        """Each member's chance of adopting when the spread starts at ``organisation`` (cached)."""
        with self._lock:
            slot = self._cache.get(id(collab))
            if slot is None or slot[0]() is not collab:
                G = safety_collab.graphs.collaboration_graph(collab)
                probability = safety_collab.spread.tie_probability(self.settings.scale)
                compiled = safety_collab.spread.compile_graph(G, probability=probability)
                slot = (weakref.ref(collab), compiled, {})
                self._cache[id(collab)] = slot
            _, compiled, found = slot
            if organisation not in found:
                if organisation not in compiled.index:
                    found[organisation] = {}
                else:
                    s = self.settings
                    result = safety_collab.spread.simulate(
                        compiled,
                        [organisation],
                        model=s.model,
                        runs=s.runs,
                        steps=s.steps,
                        rng=s.rng,
                    )
                    found[organisation] = result.adoption_probability()
            return found[organisation]

    def criterion(self, proposal: Proposal, collab: Collaborative) -> Criterion:
        """Score one proposal."""
        adopted = self.adoption(collab, proposal.organisation)
        members = [m.organisation for m in collab.members]
        weights = [self.table.weight(collab.organisation(m).ics) for m in members]
        total = math.fsum(weights)
        if not adopted or total == 0:
            why = f"{proposal.organisation!r} is not in the collaboration graph"
            return Criterion(CRITERION, 0.0, self.weight, why)
        value = math.fsum(w * adopted.get(m, 0.0) for m, w in zip(members, weights, strict=True))
        value = min(1.0, max(0.0, value / total))
        deprived = sum(w >= 0.9 for w in weights)
        reason = (
            f"weighted reach {value:.0%}: members' chances of adopting, weighted by the "
            f"deprivation of their ICS ({deprived} of {len(members)} members in deciles 1-2; "
            "illustrative deciles unless SAFETY_COLLAB_DEPRIVATION_TABLE is set)"
        )
        return Criterion(CRITERION, value, self.weight, reason)

    @safety_collab.hookimpl
    def safety_collab_score_proposal(
        self, proposal: object, collaborative: Collaborative
    ) -> Criterion | None:
        """Score proposals of the innovation exchange (anything else: no criterion)."""
        if not isinstance(proposal, Proposal):
            return None
        return self.criterion(proposal, collaborative)


_DEFAULT: list[DeprivedAreasReach] = []
_DEFAULT_LOCK = threading.Lock()


def _default() -> DeprivedAreasReach:
    with _DEFAULT_LOCK:
        if not _DEFAULT:
            _DEFAULT.append(DeprivedAreasReach())
        return _DEFAULT[0]


@safety_collab.hookimpl
def safety_collab_score_proposal(
    proposal: object, collaborative: Collaborative
) -> Criterion | None:
    """The entry-point hook: score with the default :class:`DeprivedAreasReach`."""
    if not isinstance(proposal, Proposal):
        return None
    return _default().criterion(proposal, collaborative)
