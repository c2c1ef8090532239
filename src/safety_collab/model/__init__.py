"""The domain model: frozen, validated value classes for a patient-safety collaborative.

A regional collaborative runs a membership scheme. Member organisations hold a
:class:`Tier`; enabling :class:`Theme` objects serve regional :class:`Priority`
objects; every theme has :class:`Network` objects and some add :class:`Service`
objects for higher tiers; :class:`Programme` objects deliver
:class:`Intervention` objects; :class:`Role` objects name the people who run a
theme. :class:`Collaborative` is the aggregate: it checks referential integrity
and the scheme's rules on construction and reports every problem at once in a
single :class:`~safety_collab.errors.ModelError`.

Every class is frozen and slotted; "changing" one means building a new one with
:func:`attrs.evolve`. Identifiers are strings: an NHS ODS code for an
organisation that has one, otherwise a slug such as ``"patient-safety"``.

Examples
--------
>>> from safety_collab.model import Tier, Organisation, OrgKind
>>> Tier("enhanced", "Enhanced member", rank=1)
Tier(id='enhanced', name='Enhanced member', rank=1, description='')
>>> Organisation("RRK", "University Hospitals Birmingham", OrgKind.ACUTE_TRUST).kind.value
'acute_trust'
>>> Tier("gold", "Gold", rank=-1)
Traceback (most recent call last):
...
safety_collab.errors.ModelError: 1 problem in the model:
  rank: must be >= 0 (got -1)
"""

from __future__ import annotations

from safety_collab._validate import MAX_TEXT
from safety_collab.model.adoption import Adoption, AdoptionStatus, Target, check_history
from safety_collab.model.collaborative import Collaborative
from safety_collab.model.kinds import (
    MAX_RANK,
    EvidenceLevel,
    NetworkKind,
    OrgKind,
    ProgrammeStatus,
    Provenance,
    is_ods_code,
)
from safety_collab.model.measures import Measure, MeasureKind
from safety_collab.model.parts import (
    PERSONAL_FIELDS,
    Intervention,
    Location,
    Member,
    NationalProgramme,
    Network,
    Organisation,
    Priority,
    Programme,
    Role,
    Service,
    Theme,
    Tier,
)

__all__ = [
    "MAX_RANK",
    "MAX_TEXT",
    "PERSONAL_FIELDS",
    "Adoption",
    "AdoptionStatus",
    "Collaborative",
    "EvidenceLevel",
    "Intervention",
    "Location",
    "Measure",
    "MeasureKind",
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
    "Target",
    "Theme",
    "Tier",
    "check_history",
    "is_ods_code",
]
