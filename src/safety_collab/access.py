"""Entitlements: what each organisation may use, by the tier it holds.

A resource (a network, a service, or the innovation exchange) carries the
lowest tier that may use it. A member may use a resource when its tier's rank
is at least that tier's rank, so entitlement is monotone: a higher tier never
has less. An organisation that is not a member may use nothing.

Examples
--------
>>> import safety_collab as sc
>>> c = sc.west_midlands()
>>> ent = sc.entitlements(c, "RRK")
>>> ent.tier, ent.can_propose, "drug-safety" in ent.networks
('enhanced', True, True)
>>> sc.can_access(c, c.host, "drug-safety")
False
"""

from __future__ import annotations

import attrs

from safety_collab._validate import check_instance
from safety_collab.errors import UnknownIdError
from safety_collab.model import Collaborative

__all__ = ["INNOVATION_EXCHANGE", "Entitlements", "can_access", "entitlements", "resource_min_tier"]

INNOVATION_EXCHANGE = "innovation-exchange"
"""The resource id of the innovation exchange, for :func:`can_access`."""


@attrs.frozen
class Entitlements:
    """What one organisation may use.

    Attributes
    ----------
    organisation
        The organisation's id.
    tier
        The id of the tier it holds, or ``None`` if it is not a member.
    networks, services
        Ids of the networks and services it may use, in the collaborative's order.
    can_propose
        Whether it may propose solutions to the innovation exchange.

    Examples
    --------
    >>> Entitlements("RRK", None).is_member
    False
    """

    organisation: str
    tier: str | None
    networks: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    can_propose: bool = False

    @property
    def is_member(self) -> bool:
        """Whether the organisation is a member (holds a tier)."""
        return self.tier is not None

    @property
    def resources(self) -> frozenset[str]:
        """Every resource id it may use, the innovation exchange included.

        Examples
        --------
        >>> sorted(Entitlements("RRK", "standard", networks=("a",), can_propose=True).resources)
        ['a', 'innovation-exchange']
        """
        extra = (INNOVATION_EXCHANGE,) if self.can_propose else ()
        return frozenset((*self.networks, *self.services, *extra))


def entitlements(collab: Collaborative, org_id: str) -> Entitlements:
    """Return what the organisation ``org_id`` may use.

    Parameters
    ----------
    collab
        The collaborative.
    org_id
        An organisation of the collaborative (member or not).

    Returns
    -------
    Entitlements
        Empty for an organisation that is not a member.

    Raises
    ------
    UnknownIdError
        If ``org_id`` is not an organisation of ``collab``; the message lists the
        closest known ids.

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> std = [m.organisation for m in c.members if m.tier == "standard"][0]
    >>> sc.entitlements(c, std).services
    ()
    >>> try:
    ...     sc.entitlements(c, "rrk")
    ... except sc.UnknownIdError as err:
    ...     print(err)
    unknown organisation 'rrk'; closest known: 'RRK', 'RBK', 'RKB'
    """
    check_instance("collab", collab, Collaborative)
    tier = collab.tier_of(org_id)
    if tier is None:
        return Entitlements(org_id, None)
    rank = tier.rank
    ranks = {t.id: t.rank for t in collab.tiers}
    return Entitlements(
        organisation=org_id,
        tier=tier.id,
        networks=tuple(n.id for n in collab.networks if ranks[n.min_tier] <= rank),
        services=tuple(s.id for s in collab.services if ranks[s.min_tier] <= rank),
        can_propose=ranks[collab.exchange_min_tier] <= rank,
    )


def resource_min_tier(collab: Collaborative, resource_id: str) -> str:
    """Return the id of the lowest tier that may use a resource.

    Parameters
    ----------
    resource_id
        A network id, a service id, or :data:`INNOVATION_EXCHANGE`.

    Raises
    ------
    UnknownIdError
        If no resource has that id.

    Examples
    --------
    >>> import safety_collab as sc
    >>> resource_min_tier(sc.west_midlands(), "drug-safety")
    'standard'
    """
    check_instance("collab", collab, Collaborative)
    if resource_id == INNOVATION_EXCHANGE:
        return collab.exchange_min_tier
    for group in (collab.networks, collab.services):
        for r in group:
            if r.id == resource_id:
                return r.min_tier
    known = [
        INNOVATION_EXCHANGE,
        *(n.id for n in collab.networks),
        *(s.id for s in collab.services),
    ]
    raise UnknownIdError("resource", resource_id, known)


def can_access(collab: Collaborative, org_id: str, resource_id: str) -> bool:
    """Whether organisation ``org_id`` may use the resource ``resource_id``.

    Parameters
    ----------
    collab
        The collaborative.
    org_id
        An organisation of the collaborative.
    resource_id
        A network id, a service id, or :data:`INNOVATION_EXCHANGE`.

    Raises
    ------
    UnknownIdError
        If the organisation or the resource is unknown.

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> sc.can_access(c, "RRK", sc.INNOVATION_EXCHANGE)
    True
    """
    check_instance("collab", collab, Collaborative)
    min_tier = resource_min_tier(collab, resource_id)
    tier = collab.tier_of(org_id)
    return tier is not None and tier.rank >= collab.tier(min_tier).rank
