"""Built-in collaboration-tie rules: plugins of ``safety_collab_collaboration_ties``.

Four rules are registered by default, each a term of a tie's weight, kept
apart in the collaboration graph's per-rule breakdown (an edge's ``rules``):

``shared-networks`` (:class:`SharedNetworks`)
    Each network a pair takes part in adds ``1 / (n - 1)`` for a network of
    ``n`` participants: a network of 30 says less about two members than a
    network of 4 (a pair in the region-wide collaborative gets 1/29, a pair in
    a four-member deterioration network 1/3).
``same-ics`` (:class:`SameIntegratedCareSystem`)
    Members of the same integrated care system: ``1 / (n - 1)`` for a system
    of ``n`` members (they share commissioners, pathways and patients).
``shared-programmes`` (:class:`SharedProgrammes`)
    Each programme a pair took part in: ``1 / (n - 1)``.
``distance-decay`` (:class:`DistanceDecay`)
    Geography: ``exp(-d / 25 km)`` for two members ``d`` km apart (1 for
    neighbours on one site, 0.37 at 25 km, 0.02 across the region at 100 km);
    members without a location get no such term.

Every rule ties **member** organisations only, never an organisation to
itself, and treats a tie as undirected. The three group rules weigh a tie the
way co-authorship networks do (Newman 2001): a group of ``n`` members (a
network they take part in, an integrated care system, a programme) adds
``weight / (n - 1)`` to the tie of each pair in it, so each member spreads the
same total attention over a group whatever its size, and a pair sharing
several groups sums their shares. To change a term, unregister its built-in
(``unregister(name="distance-decay")``) and register an instance with other
parameters.

References
----------
.. [1] M. E. J. Newman, "Scientific collaboration networks. II. Shortest paths,
   weighted networks, and centrality", Phys. Rev. E 64, 016132 (2001).
   :doi:`10.1103/PhysRevE.64.016132`

Examples
--------
>>> import safety_collab as sc
>>> from safety_collab.plugins import collaboration_ties
>>> ties = collaboration_ties(sc.west_midlands())
>>> sorted(ties["QHL", "RRK"])
['distance-decay', 'same-ics', 'shared-networks', 'shared-programmes']
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from safety_collab._validate import is_finite, is_number, number_in
from safety_collab.errors import ModelError, Problem
from safety_collab.hookspecs import Tie, hookimpl

if TYPE_CHECKING:
    from safety_collab.model import Collaborative, Location

__all__ = [
    "EARTH_RADIUS_KM",
    "DistanceDecay",
    "SameIntegratedCareSystem",
    "SharedNetworks",
    "SharedProgrammes",
    "group_ties",
    "haversine_km",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean radius of the Earth (IUGG), in km."""


def group_ties(
    groups: Iterable[tuple[Sequence[str], int]], weight: float, reason: str
) -> Iterator[Tie]:
    """Tie the members of each group, ``weight * count / (n - 1)`` per pair and group.

    Parameters
    ----------
    groups
        ``(organisation ids, count)`` pairs: a group of ``n`` distinct ids that
        occurs ``count`` times. Groups of fewer than two ids add nothing.
    weight
        What one group adds to the ties of each of its members in total.
    reason
        The reason of every tie.

    Yields
    ------
    Tie
        One tie per pair that shares a group, pairs in sorted order.

    Examples
    --------
    >>> groups = [(["A", "B", "C"], 1), (["A", "B"], 2)]
    >>> [(t.a, t.b, t.weight) for t in group_ties(groups, 1.0, "x")]
    [('A', 'B', 2.5), ('A', 'C', 0.5), ('B', 'C', 0.5)]
    """
    shares: defaultdict[tuple[str, str], list[float]] = defaultdict(list)
    for ids, count in groups:
        members = sorted(set(ids))
        if len(members) < 2:
            continue
        share = weight * count / (len(members) - 1)
        for pair in itertools.combinations(members, 2):
            shares[pair].append(share)
    for (a, b), parts in sorted(shares.items()):
        total = math.fsum(parts)
        if total > 0:
            yield Tie(a, b, total, reason)


def haversine_km(p: Location, q: Location) -> float:
    """Great-circle distance between two locations, in km.

    Examples
    --------
    >>> from safety_collab.model import Location
    >>> round(haversine_km(Location(52.451, -1.942), Location(52.499, -1.954)), 2)
    5.4
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (p.lat, p.lon, q.lat, q.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


_weight = number_in(0.0, math.inf)


def _positive(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    ok = is_number(value) and is_finite(value) and value > 0  # type: ignore[arg-type,operator]
    if not ok:
        msg = f"expected a finite number > 0, got {value!r}"
        raise ModelError([Problem(f"{type(inst).__name__}.{attribute.name}", msg)])


def _optional_positive(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _positive(inst, attribute, value)


@attrs.frozen
class SharedNetworks:
    """Tie members that take part in the same network (built in, as ``shared-networks``).

    The members of a network are its ``participants`` (members whose tier
    grants the network; the model checks that). Each network with ``n``
    participants adds ``weight / (n - 1)`` to the tie of each pair of them. A
    network with no participants recorded ties no one: being entitled to a
    network is not taking part in it.

    Parameters
    ----------
    weight
        What one network adds to each participant's ties in total.

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> ties = {t.pair: t.weight for t in SharedNetworks().safety_collab_collaboration_ties(c)}
    >>> len(c.network("deterioration-black-country").participants)
    6
    >>> ("RNA", "RXK") in ties and ("RNA", "RRK") in ties  # Black Country deterioration network
    True
    >>> ties["RNA", "RXK"] > ties["RNA", "RRK"]
    True
    """

    rule: ClassVar[str] = "shared-networks"
    weight: float = attrs.field(default=1.0, validator=_weight)

    @hookimpl
    def safety_collab_collaboration_ties(self, collaborative: Collaborative) -> Iterator[Tie]:
        """Yield the ties of members taking part in the same networks."""
        groups = Counter(tuple(sorted(n.participants)) for n in collaborative.networks)
        return group_ties(groups.items(), self.weight, self.rule)


@attrs.frozen
class SameIntegratedCareSystem:
    """Tie members in the same integrated care system (built in, as ``same-ics``).

    Each integrated care system (an organisation's ``ics``) with ``n`` members
    adds ``weight / (n - 1)`` to the tie of each pair of them. Members with no
    ``ics`` get no tie from this rule.

    Parameters
    ----------
    weight
        What one system adds to each member's ties in total.

    Examples
    --------
    >>> import safety_collab as sc
    >>> rule = SameIntegratedCareSystem(weight=2.0)
    >>> ties = {t.pair: t.weight for t in rule.safety_collab_collaboration_ties(sc.west_midlands())}
    >>> ties["QHL", "RRK"]  # one of 6 members of Birmingham and Solihull: 2.0 / 5
    0.4
    """

    rule: ClassVar[str] = "same-ics"
    weight: float = attrs.field(default=1.0, validator=_weight)

    @hookimpl
    def safety_collab_collaboration_ties(self, collaborative: Collaborative) -> Iterator[Tie]:
        """Yield the ties of members in the same integrated care system."""
        systems: defaultdict[str, list[str]] = defaultdict(list)
        for org in collaborative.member_ids:
            ics = collaborative.organisation(org).ics
            if ics is not None:
                systems[ics].append(org)
        return group_ties(((ids, 1) for ids in systems.values()), self.weight, self.rule)


@attrs.frozen
class SharedProgrammes:
    """Tie members that take part in the same programme (built in, as ``shared-programmes``).

    Each programme, past or current, with ``n`` participating members adds
    ``weight / (n - 1)`` to the tie of each pair of them. Participants that
    are not members are left out.

    Parameters
    ----------
    weight
        What one programme adds to each participant's ties in total.

    Examples
    --------
    >>> import safety_collab as sc
    >>> ties = list(SharedProgrammes().safety_collab_collaboration_ties(sc.west_midlands()))
    >>> all(t.reason == "shared-programmes" and t.weight > 0 for t in ties)
    True
    """

    rule: ClassVar[str] = "shared-programmes"
    weight: float = attrs.field(default=1.0, validator=_weight)

    @hookimpl
    def safety_collab_collaboration_ties(self, collaborative: Collaborative) -> Iterator[Tie]:
        """Yield the ties of members taking part in the same programmes."""
        members = set(collaborative.member_ids)
        groups = ((p.participants & members, 1) for p in collaborative.programmes)
        return group_ties(((sorted(ids), n) for ids, n in groups), self.weight, self.rule)


@attrs.frozen
class DistanceDecay:
    """Tie members by distance: ``weight * exp(-d / scale_km)`` (built in, as ``distance-decay``).

    Ties every pair of members whose organisations both have a ``location``,
    ``d`` being the great-circle distance between them: organisations close
    together share patients, staff and meetings. Built in with ``scale_km =
    25`` (a tie of 1 on one site, 0.37 at 25 km, 0.14 at 50 km), no cut-off.
    On the West Midlands default the locations are approximate (a main site
    or the town of a headquarters), which is plenty at this scale.

    Parameters
    ----------
    scale_km
        Distance over which a tie weakens by a factor of e (> 0; default 25).
    weight
        The weight of a tie at distance zero.
    max_km
        If given, pairs farther apart than this get no tie.

    Examples
    --------
    >>> import safety_collab as sc
    >>> from safety_collab.plugins import collaboration_ties, temporary_plugin
    >>> round(collaboration_ties(sc.west_midlands())["RRK", "RXK"]["distance-decay"], 3)
    0.806
    >>> round(math.exp(-5.4 / 25), 3)  # the built-in: 5.4 km apart, scale 25 km
    0.806
    >>> DistanceDecay(scale_km=0)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      DistanceDecay.scale_km: expected a finite number > 0, got 0
    """

    rule: ClassVar[str] = "distance-decay"
    scale_km: float = attrs.field(default=25.0, validator=_positive)
    weight: float = attrs.field(default=1.0, validator=_weight, kw_only=True)
    max_km: float | None = attrs.field(default=None, validator=_optional_positive, kw_only=True)

    @hookimpl
    def safety_collab_collaboration_ties(self, collaborative: Collaborative) -> Iterator[Tie]:
        """Yield a tie for each pair of located members, weaker with distance."""
        located = sorted(
            (
                (org.id, org.location)
                for org in map(collaborative.organisation, collaborative.member_ids)
                if org.location is not None
            ),
            key=lambda item: item[0],
        )
        for (a, p), (b, q) in itertools.combinations(located, 2):
            d = haversine_km(p, q)
            if self.max_km is not None and d > self.max_km:
                continue
            w = self.weight * math.exp(-d / self.scale_km)
            if w > 0:
                yield Tie(a, b, w, self.rule)
