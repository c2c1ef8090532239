"""Datasets: the embedded West Midlands default and seeded synthetic collaboratives.

Examples
--------
>>> from safety_collab.datasets import west_midlands
>>> len(west_midlands().themes)
7
"""

from __future__ import annotations

import logging
import os
import threading
from importlib import resources

from safety_collab.datasets.synthetic import synthetic_national, synthetic_region
from safety_collab.io import load, loads
from safety_collab.model import Collaborative

__all__ = ["synthetic_national", "synthetic_region", "west_midlands"]

_DATA_FILE = "west_midlands.toml"


_log = logging.getLogger(__name__)


def _parse_embedded() -> Collaborative:
    text = resources.files(__package__).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return loads(text, "toml", source=f"safety_collab/datasets/{_DATA_FILE}")


class _Embedded:
    """The parsed default, shared, and checked against a copy never handed out.

    The value is frozen, but ``object.__setattr__`` can still change it; a copy
    found changed is replaced by a fresh parse, so no plugin can alter the
    default for the rest of the process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shared: Collaborative | None = None
        self._reference: Collaborative | None = None

    def get(self) -> Collaborative:
        with self._lock:
            if self._reference is None:
                self._reference = _parse_embedded()
            if self._shared is None or self._shared != self._reference:
                if self._shared is not None:
                    _log.warning("the shared West Midlands default was altered; parsed afresh")
                self._shared = _parse_embedded()
            return self._shared


_EMBEDDED = _Embedded()


def _embedded() -> Collaborative:
    return _EMBEDDED.get()


def west_midlands(overrides: str | os.PathLike[str] | None = None) -> Collaborative:
    """Return the embedded default: the West Midlands Patient Safety Collaborative.

    The collaborative of the membership scheme hosted by the West Midlands
    Academic Health Science Network (now Health Innovation West Midlands): two
    tiers (every member, enhanced), seven enabling themes delivering four
    regional priorities, the Patient Safety theme with the regional Patient
    Safety Collaborative and its specialist, innovation and learning networks
    (drug safety among them), three themes with services for enhanced members,
    the national programme launched in July 2014, past and current programmes
    with their interventions and published figures, and the theme's roles.

    **What is fact and what is placeholder.** Each theme, priority, network,
    service, programme and intervention carries a ``provenance``:
    ``verified`` (stated by a public source), ``label`` (seen as a category
    name, role unconfirmed) or ``illustrative`` (a plausible placeholder). Only
    Digital health is a verified priority; Patient Safety is a verified theme,
    Innovation and Adoption and Wealth Creation are labels, the other four are
    illustrative, and so is the choice of the three themes with enhanced
    services. The members are the region's real NHS organisations with their
    ODS codes (every NHS trust and ICB of the six integrated care systems,
    and the regional ambulance trust), but **their tiers are assigned for
    illustration**. Every member has a location, and every location is
    **approximate**: a main site, or, where the source gave none, the town of
    the organisation's headquarters (from memory, unchecked); each
    organisation's ``description`` says which. That is enough for the distance
    term of the tie weights and for the network map, not for navigation.
    Universities and the host are organisations of the region, not members. Programme
    participants are illustrative; dates given as a month or year use its first
    or last day.

    Roles name real people from the scheme's public page: that personal data is
    kept out of ``repr`` and out of exports unless asked for.

    Parameters
    ----------
    overrides
        Optional path to a (partial) file of your own; each top-level field it
        holds (``members``, ``networks``, ...) replaces the default's. It needs a
        ``schema_version`` like any collaborative file.

    Returns
    -------
    Collaborative
        An immutable value; the default is parsed once and then shared.

    Examples
    --------
    >>> import safety_collab as sc
    >>> c = sc.west_midlands()
    >>> len(c.themes), len(c.priorities), sum(t.enhanced_services for t in c.themes)
    (7, 4, 3)
    >>> c.priority("digital-health").provenance.value
    'verified'
    >>> c.national.launched.isoformat()
    '2014-07-01'
    >>> all(c.organisation(m).location is not None for m in c.member_ids)
    True
    >>> "town of its headquarters (Telford)" in c.organisation("QOC").description
    True
    """
    base = _embedded()
    if overrides is None:
        return base
    return load(overrides, base=base)
