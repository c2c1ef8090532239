"""safety_collab: model, analyse and simulate regional patient-safety collaboratives.

A regional collaborative runs a membership scheme: member organisations hold a
tier, enabling themes deliver regional priorities through networks (and, for
higher tiers, services), programmes spread proven safety interventions, and
members propose solutions to an innovation exchange. This package models all of
that with frozen, validated classes (:mod:`safety_collab.model`), says what each
member is entitled to (:mod:`safety_collab.access`), and reads and writes it
(:mod:`safety_collab.io`). The embedded default is the West Midlands one.
Plugins add spread models, seeding strategies, proposal scores and
collaboration ties through the hooks of :mod:`safety_collab.hookspecs`,
marking their implementations with :data:`hookimpl`
(:mod:`safety_collab.plugins` manages them).

Examples
--------
>>> import safety_collab as sc
>>> collab = sc.west_midlands()
>>> collab.name
'West Midlands Patient Safety Collaborative'
>>> sc.entitlements(collab, "RRK").tier
'enhanced'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from safety_collab import adoption as adoption
from safety_collab import datasets as datasets
from safety_collab import exchange as exchange
from safety_collab import graphs as graphs
from safety_collab import io as io
from safety_collab import plugins as plugins
from safety_collab import spc as spc
from safety_collab import spread as spread
from safety_collab._resources import memory_limit, set_memory_limit
from safety_collab.access import INNOVATION_EXCHANGE, Entitlements, can_access, entitlements
from safety_collab.datasets import west_midlands
from safety_collab.errors import (
    DataError,
    MissingDependencyError,
    ModelError,
    PluginError,
    Problem,
    ResourceLimitError,
    SafetyCollabError,
    UnknownIdError,
)
from safety_collab.hookspecs import Criterion, Tie, hookimpl
from safety_collab.io import dump, dumps, load, loads
from safety_collab.model import (
    Collaborative,
    EvidenceLevel,
    Intervention,
    Location,
    Member,
    NationalProgramme,
    Network,
    NetworkKind,
    Organisation,
    OrgKind,
    Priority,
    Programme,
    ProgrammeStatus,
    Provenance,
    Role,
    Service,
    Theme,
    Tier,
    is_ods_code,
)

try:
    __version__ = version("safety-collab")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "INNOVATION_EXCHANGE",
    "Collaborative",
    "Criterion",
    "DataError",
    "Entitlements",
    "EvidenceLevel",
    "Intervention",
    "Location",
    "Member",
    "MissingDependencyError",
    "ModelError",
    "NationalProgramme",
    "Network",
    "NetworkKind",
    "OrgKind",
    "Organisation",
    "PluginError",
    "Priority",
    "Problem",
    "Programme",
    "ProgrammeStatus",
    "Provenance",
    "ResourceLimitError",
    "Role",
    "SafetyCollabError",
    "Service",
    "Theme",
    "Tie",
    "Tier",
    "UnknownIdError",
    "__version__",
    "can_access",
    "dump",
    "dumps",
    "entitlements",
    "hookimpl",
    "is_ods_code",
    "load",
    "loads",
    "memory_limit",
    "set_memory_limit",
    "west_midlands",
]
