"""Enumerations and identifier formats of the model (re-exported by :mod:`safety_collab.model`)."""

from __future__ import annotations

import enum
import re

__all__ = [
    "EMAIL_RE",
    "MAX_RANK",
    "PHONE_RE",
    "EvidenceLevel",
    "NetworkKind",
    "OrgKind",
    "ProgrammeStatus",
    "Provenance",
    "is_ods_code",
]


# --------------------------------------------------------------------------- enums


class OrgKind(enum.Enum):
    """What kind of organisation a member is.

    Examples
    --------
    >>> OrgKind("icb") is OrgKind.ICB
    True
    """

    ACUTE_TRUST = "acute_trust"
    MENTAL_HEALTH_TRUST = "mental_health_trust"
    COMMUNITY_TRUST = "community_trust"
    AMBULANCE_TRUST = "ambulance_trust"
    SPECIALIST_TRUST = "specialist_trust"
    ICB = "icb"
    GP_PRACTICE = "gp_practice"
    PCN = "pcn"
    LOCAL_AUTHORITY = "local_authority"
    UNIVERSITY = "university"
    INDUSTRY = "industry"
    CARE_HOME = "care_home"
    THIRD_SECTOR = "third_sector"
    HOST = "host"
    OTHER = "other"


class NetworkKind(enum.Enum):
    """What a network is for.

    ``COLLABORATIVE`` marks a theme's umbrella network (such as the Patient
    Safety Collaborative itself); the others follow the scheme's wording of
    specialist, innovation and learning networks.

    Examples
    --------
    >>> NetworkKind.SPECIALIST.value
    'specialist'
    """

    COLLABORATIVE = "collaborative"
    SPECIALIST = "specialist"
    INNOVATION = "innovation"
    LEARNING = "learning"
    OTHER = "other"


class ProgrammeStatus(enum.Enum):
    """Whether a programme has finished or is running.

    Examples
    --------
    >>> ProgrammeStatus("current").name
    'CURRENT'
    """

    PAST = "past"
    CURRENT = "current"


class Provenance(enum.Enum):
    """How sure a fact in a dataset is.

    ``VERIFIED`` facts were stated by a public source; ``LABEL`` items were
    seen as a category name whose role is not confirmed; ``ILLUSTRATIVE``
    items are plausible placeholders, not facts.

    Examples
    --------
    >>> Provenance.ILLUSTRATIVE.value
    'illustrative'
    """

    VERIFIED = "verified"
    LABEL = "label"
    ILLUSTRATIVE = "illustrative"


class EvidenceLevel(enum.Enum):
    """Strength of the evidence behind an intervention, weakest first.

    The order is that of a plain hierarchy of evidence: expert opinion, case
    series, a before-after comparison with statistical process control, a
    controlled study, a randomised trial. :attr:`rank` gives the position.

    Examples
    --------
    >>> EvidenceLevel.RANDOMISED_TRIAL.rank > EvidenceLevel.CASE_SERIES.rank
    True
    >>> EvidenceLevel.EXPERT_OPINION.rank
    0
    """

    EXPERT_OPINION = "expert_opinion"
    CASE_SERIES = "case_series"
    BEFORE_AFTER_SPC = "before_after_spc"
    CONTROLLED_STUDY = "controlled_study"
    RANDOMISED_TRIAL = "randomised_trial"

    @property
    def rank(self) -> int:
        """Position in the hierarchy, 0 for the weakest."""
        return list(EvidenceLevel).index(self)


# ------------------------------------------------------------------ validation helpers

_ODS_RE = re.compile(r"^(?=[A-Z0-9]*[A-Z])[A-Z0-9]{3,6}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{5,24}$")
MAX_RANK = 1_000


def is_ods_code(code: str) -> bool:
    """Whether ``code`` has the format of an NHS Organisation Data Service code.

    ODS codes are 3 to 6 upper-case letters and digits with at least one letter:
    trusts have three characters (``RRK``, ``R1A``, ``TAJ``), ICBs begin with
    ``Q`` (``QHL``), GP practices are a letter and five digits (``M85001``).
    This checks the format only, not that the code exists.

    Examples
    --------
    >>> [is_ods_code(c) for c in ("RRK", "QHL", "M85001", "R1A")]
    [True, True, True, True]
    >>> [is_ods_code(c) for c in ("rrk", "123", "university-of-birmingham")]
    [False, False, False]
    """
    return isinstance(code, str) and _ODS_RE.fullmatch(code) is not None
