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

import importlib
from typing import TYPE_CHECKING, Any

# Scientific Python SPEC 1 (lazy loading): ``import safety_collab`` only binds
# names; each submodule loads when first used, so the command line's ``--help``
# does not pay for numpy, networkx and the rest. Type checkers and readers see
# the real imports below.
if TYPE_CHECKING:
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

_SUBMODULES = frozenset(
    {"adoption", "datasets", "exchange", "graphs", "io", "plugins", "spc", "spread"}
)
_FROM: dict[str, str] = {
    **dict.fromkeys(("memory_limit", "set_memory_limit"), "_resources"),
    **dict.fromkeys(
        ("INNOVATION_EXCHANGE", "Entitlements", "can_access", "entitlements"), "access"
    ),
    "west_midlands": "datasets",
    **dict.fromkeys(
        (
            "DataError",
            "MissingDependencyError",
            "ModelError",
            "PluginError",
            "Problem",
            "ResourceLimitError",
            "SafetyCollabError",
            "UnknownIdError",
        ),
        "errors",
    ),
    **dict.fromkeys(("Criterion", "Tie", "hookimpl"), "hookspecs"),
    **dict.fromkeys(("dump", "dumps", "load", "loads"), "io"),
    **dict.fromkeys(
        (
            "Collaborative",
            "EvidenceLevel",
            "Intervention",
            "Location",
            "Member",
            "NationalProgramme",
            "Network",
            "NetworkKind",
            "OrgKind",
            "Organisation",
            "Priority",
            "Programme",
            "ProgrammeStatus",
            "Provenance",
            "Role",
            "Service",
            "Theme",
            "Tier",
            "is_ods_code",
        ),
        "model",
    ),
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - SPEC 1

    try:
        return version("safety-collab")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def __getattr__(name: str) -> Any:
    """Load a submodule or a public name on first use (SPEC 1)."""
    if name in _SUBMODULES:
        value: Any = importlib.import_module(f"{__name__}.{name}")
    elif name in _FROM:
        value = getattr(importlib.import_module(f"{__name__}.{_FROM[name]}"), name)
    elif name == "__version__":
        value = _version()
    else:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})


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
