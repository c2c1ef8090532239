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
    neighbours on one site, 0.37 at 25 km, 0.02 across the region at 100 km,
    nothing beyond 125 km); members without a location get no such term.

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
import numpy as np
from numpy.typing import NDArray

from safety_collab._exactsum import exact_products, group_fsum
from safety_collab._validate import is_finite, is_number, number_in
from safety_collab.errors import ModelError, Problem
from safety_collab.hookspecs import Tie, hookimpl

if TYPE_CHECKING:
    from collections.abc import Mapping

    from safety_collab.model import Collaborative, Location

TieArrays = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
"""A rule's ties as arrays: ends ``i < j`` (indices of sorted organisation ids) and weights."""

__all__ = [
    "EARTH_RADIUS_KM",
    "RANGE_SCALES",
    "DistanceDecay",
    "SameIntegratedCareSystem",
    "SharedNetworks",
    "SharedProgrammes",
    "group_tie_arrays",
    "group_ties",
    "haversine_km",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean radius of the Earth (IUGG), in km."""

RANGE_SCALES = 5.0
""":class:`DistanceDecay`'s default range, in scale lengths (``max_km = 5 * scale_km``).

Beyond five scale lengths a tie's weight is below ``exp(-5) = 0.0067`` of a
tie on one site (its transmission probability, at the default tie scale,
below 0.07% a step). Without a range, every located member would be tied to
every other: the national synthetic region's 4,289 members, spread over
England, would make 9.2 million ties, most of them too weak to carry
anything.
"""


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


def group_tie_arrays(
    groups: Iterable[tuple[Iterable[str], int]], weight: float, index: Mapping[str, int]
) -> TieArrays | None:
    """:func:`group_ties` as arrays, from sparse incidence matrices, bit for bit the same.

    The groups are sorted by their share ``weight * count / (n - 1)``. For
    each distinct share ``s``, ``B`` is the organisations x groups incidence
    matrix of the groups with that share, and ``B @ B.T`` counts, for every
    pair, the groups of that share it is in. A pair's weight is the exact sum
    over shares of ``count * s`` (each product split so that it is exact),
    rounded once: what :func:`math.fsum` over the pair's shares gives.

    Parameters
    ----------
    groups
        ``(organisation ids, count)`` pairs, as for :func:`group_ties`.
    weight
        What one group adds to the ties of each of its members in total.
    index
        Position of every organisation id in the sorted list of ids.

    Returns
    -------
    tuple or None
        ``(i, j, w)``: pairs ``i < j`` sorted, and their weights (only
        positive ones); ``None`` if a pair shares too many groups (2**26 or
        more) for the exact products.

    Examples
    --------
    >>> groups = [(["A", "B", "C"], 1), (["A", "B"], 2)]
    >>> i, j, w = group_tie_arrays(groups, 1.0, {"A": 0, "B": 1, "C": 2})
    >>> [(int(a), int(b), float(x)) for a, b, x in zip(i, j, w)]
    [(0, 1, 2.5), (0, 2, 0.5), (1, 2, 0.5)]
    """
    import scipy.sparse as sp  # noqa: PLC0415 - scipy loads on first use

    n = len(index)
    by_share: defaultdict[float, list[list[int]]] = defaultdict(list)
    for ids, count in groups:
        members = sorted(set(ids))
        if len(members) < 2:
            continue
        share = weight * count / (len(members) - 1)
        if share > 0:
            by_share[share].append([index[m] for m in members])
    keys: list[NDArray[np.int64]] = []
    values: list[NDArray[np.float64]] = []
    for share, member_lists in by_share.items():
        rows = np.fromiter(itertools.chain.from_iterable(member_lists), dtype=np.int64)
        cols = np.repeat(np.arange(len(member_lists)), [len(m) for m in member_lists])
        incidence = sp.csr_matrix(
            (np.ones(rows.size, dtype=np.int64), (rows, cols)), shape=(n, len(member_lists))
        )
        counts = sp.coo_matrix(sp.triu(incidence @ incidence.T, k=1))
        pair = counts.row.astype(np.int64) * n + counts.col.astype(np.int64)
        shared = counts.data.astype(np.int64)
        single = shared == 1
        keys.append(pair[single])
        values.append(np.full(int(single.sum()), share))
        split = exact_products(shared[~single], share)
        if split is None:
            return None
        keys += [pair[~single], pair[~single]]
        values += list(split)
    if not keys:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), np.empty(0)
    pairs, totals = group_fsum(np.concatenate(keys), np.concatenate(values))
    keep = totals > 0
    pairs = pairs[keep]
    return pairs // n, pairs % n, totals[keep]


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


def _default_range(scale_km: object) -> float | None:
    # A bad scale is reported by its own validator; this only must not fail first.
    if is_number(scale_km) and is_finite(scale_km) and scale_km > 0:  # type: ignore[arg-type,operator]
        return RANGE_SCALES * float(scale_km)  # type: ignore[arg-type]
    return None


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
        return group_ties(self._groups(collaborative), self.weight, self.rule)

    def _groups(self, collaborative: Collaborative) -> list[tuple[tuple[str, ...], int]]:
        return list(Counter(tuple(sorted(n.participants)) for n in collaborative.networks).items())

    def _tie_arrays(
        self, collaborative: Collaborative, index: Mapping[str, int]
    ) -> TieArrays | None:
        return group_tie_arrays(self._groups(collaborative), self.weight, index)


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
        return group_ties(self._groups(collaborative), self.weight, self.rule)

    def _groups(self, collaborative: Collaborative) -> list[tuple[list[str], int]]:
        systems: defaultdict[str, list[str]] = defaultdict(list)
        for org in collaborative.member_ids:
            ics = collaborative.organisation(org).ics
            if ics is not None:
                systems[ics].append(org)
        return [(ids, 1) for ids in systems.values()]

    def _tie_arrays(
        self, collaborative: Collaborative, index: Mapping[str, int]
    ) -> TieArrays | None:
        return group_tie_arrays(self._groups(collaborative), self.weight, index)


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
        return group_ties(self._groups(collaborative), self.weight, self.rule)

    def _groups(self, collaborative: Collaborative) -> list[tuple[list[str], int]]:
        members = set(collaborative.member_ids)
        return [(sorted(p.participants & members), 1) for p in collaborative.programmes]

    def _tie_arrays(
        self, collaborative: Collaborative, index: Mapping[str, int]
    ) -> TieArrays | None:
        return group_tie_arrays(self._groups(collaborative), self.weight, index)


@attrs.frozen
class DistanceDecay:
    """Tie members by distance: ``weight * exp(-d / scale_km)`` (built in, as ``distance-decay``).

    Ties every pair of members whose organisations both have a ``location``,
    ``d`` being the great-circle distance between them: organisations close
    together share patients, staff and meetings. Built in with ``scale_km =
    25`` (a tie of 1 on one site, 0.37 at 25 km, 0.14 at 50 km) and a range
    of five scale lengths (:data:`RANGE_SCALES`: no term beyond 125 km,
    where it would be below 0.0067). On the West Midlands default, whose
    members are at most 120 km apart, the range removes nothing; on a
    national region it keeps the graph sparse.
    On the West Midlands default the locations are approximate (a main site
    or the town of a headquarters), which is plenty at this scale.

    Parameters
    ----------
    scale_km
        Distance over which a tie weakens by a factor of e (> 0; default 25).
    weight
        The weight of a tie at distance zero.
    max_km
        Pairs farther apart than this get no tie; by default
        ``RANGE_SCALES * scale_km``; ``None`` for no limit (every pair of
        located members is tied).

    Examples
    --------
    >>> import safety_collab as sc
    >>> from safety_collab.plugins import collaboration_ties, temporary_plugin
    >>> round(collaboration_ties(sc.west_midlands())["RRK", "RXK"]["distance-decay"], 3)
    0.806
    >>> round(math.exp(-5.4 / 25), 3)  # the built-in: 5.4 km apart, scale 25 km
    0.806
    >>> DistanceDecay().max_km, DistanceDecay(scale_km=10.0).max_km  # five scale lengths
    (125.0, 50.0)
    >>> DistanceDecay(scale_km=0)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ModelError: 1 problem in the model:
      DistanceDecay.scale_km: expected a finite number > 0, got 0
    """

    rule: ClassVar[str] = "distance-decay"
    scale_km: float = attrs.field(default=25.0, validator=_positive)
    weight: float = attrs.field(default=1.0, validator=_weight, kw_only=True)
    max_km: float | None = attrs.field(
        default=attrs.Factory(lambda self: _default_range(self.scale_km), takes_self=True),
        validator=_optional_positive,
        kw_only=True,
    )

    @hookimpl
    def safety_collab_collaboration_ties(self, collaborative: Collaborative) -> Iterator[Tie]:
        """Yield a tie for each pair of located members, weaker with distance."""
        for (a, p), (b, q) in itertools.combinations(self._located(collaborative), 2):
            d = haversine_km(p, q)
            if self.max_km is not None and d > self.max_km:
                continue
            w = self.weight * math.exp(-d / self.scale_km)
            if w > 0:
                yield Tie(a, b, w, self.rule)

    def _located(self, collaborative: Collaborative) -> list[tuple[str, Location]]:
        return sorted(
            (
                (org.id, org.location)
                for org in map(collaborative.organisation, collaborative.member_ids)
                if org.location is not None
            ),
            key=lambda item: item[0],
        )

    def _tie_arrays(self, collaborative: Collaborative, index: Mapping[str, int]) -> TieArrays:
        """The rule's ties as arrays, computed as :func:`haversine_km` computes each one.

        The same operations in the same order, elementwise (``np.power`` for
        ``** 2``, as Python's ``**`` calls the C library's ``pow``), so that
        where numpy's functions are the C library's (as on common x86-64
        builds) the weights are bit-identical to the scalar rule's. Pairs
        are taken in order of latitude, a block at a time, and with a
        ``max_km`` only the pairs whose difference in latitude alone is within
        it are computed (the great-circle distance is at least ``R * |dlat|``).
        The pairs come out unsorted, each once.
        """
        located = self._located(collaborative)
        ids = np.array([index[org] for org, _ in located], dtype=np.int64)
        lat = np.radians(np.array([loc.lat for _, loc in located], dtype=np.float64))
        lon = np.radians(np.array([loc.lon for _, loc in located], dtype=np.float64))
        m = ids.size
        # Candidates: by latitude, each member with those after it within max_km of latitude.
        by_lat = np.argsort(lat, kind="stable")
        sorted_lat = lat[by_lat]
        if self.max_km is None:
            last = np.full(m, m, dtype=np.int64)
        else:
            reach = self.max_km * (1 + 1e-9) / EARTH_RADIUS_KM
            last = np.searchsorted(sorted_lat, sorted_lat + reach, side="right")
        after = np.maximum(last - np.arange(m) - 1, 0)
        parts_i: list[NDArray[np.int64]] = []
        parts_j: list[NDArray[np.int64]] = []
        parts_w: list[NDArray[np.float64]] = []
        ends = np.cumsum(after)
        p0 = 0
        while p0 < m:  # blocks of about a million candidate pairs
            p1 = max(p0 + 1, int(np.searchsorted(ends, (ends[p0 - 1] if p0 else 0) + 2**20)))
            p1 = min(p1, m)
            rows = np.arange(p0, p1)
            c = after[p0:p1]
            first = np.repeat(rows, c)
            second = first + 1 + (np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c))
            p0 = p1
            u, v = by_lat[first], by_lat[second]
            ii, jj = np.minimum(u, v), np.maximum(u, v)  # ii < jj: the ids' order
            lat1, lon1, lat2, lon2 = lat[ii], lon[ii], lat[jj], lon[jj]
            two = np.full(ii.size, 2.0)
            h = np.power(np.sin((lat2 - lat1) / 2), two) + np.cos(lat1) * np.cos(lat2) * np.power(
                np.sin((lon2 - lon1) / 2), two
            )
            d = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
            if self.max_km is not None:
                keep = ~(d > self.max_km)
                ii, jj, d = ii[keep], jj[keep], d[keep]
            w = self.weight * np.exp(-d / self.scale_km)
            keep = w > 0
            parts_i.append(ids[ii[keep]])
            parts_j.append(ids[jj[keep]])
            parts_w.append(w[keep])
        if not parts_i:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty.copy(), np.empty(0)
        return np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_w)
