"""The exchange's proposals and events: fields validated, times in UTC."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from exchange_helpers import T0, proposal

from safety_collab import exchange as ex
from safety_collab.errors import (
    ModelError,
)
from safety_collab.exchange import (
    Event,
    ProposalState,
)

# ------------------------------------------------------------------ proposals


def test_proposal_fields_are_validated_and_name_the_field() -> None:
    with pytest.raises(ModelError, match="investment: expected a whole number"):
        proposal(investment=2.0)  # type: ignore[arg-type]
    with pytest.raises(ModelError, match=r"investment: expected an integer, got float 1\.5"):
        proposal(investment=1.5)  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="investment: must be <= "):
        proposal(investment=ex.MAX_INVESTMENT + 1)
    with pytest.raises(ModelError, match="evidence"):
        attrs.evolve(proposal(), evidence="strong")
    with pytest.raises(ModelError, match="title"):
        attrs.evolve(proposal(), title="   ")
    assert proposal(investment=0).investment == 0


def test_event_times_are_stored_in_utc_and_must_be_aware() -> None:
    plus2 = dt.timezone(dt.timedelta(hours=2))
    e = Event(proposal="p1", to_state=ProposalState.SUBMITTED, who="RRK", when=T0.astimezone(plus2))
    assert e.when == T0
    assert e.when.utcoffset() == dt.timedelta(0)
    with pytest.raises(ModelError, match="when: expected a timezone-aware"):
        Event(
            proposal="p1", to_state=ProposalState.SUBMITTED, who="x", when=dt.datetime(2024, 1, 1)
        )
    with pytest.raises(ModelError, match="who: is 201 characters long"):
        Event(proposal="p1", to_state=ProposalState.SUBMITTED, who="x" * 201, when=T0)
