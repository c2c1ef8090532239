"""Hypothesis strategies for valid collaboratives and for single corruptions of one.

These strategies are public: the test suite uses them, and plugin authors may use
them to test their own code against collaboratives of every shape and size.

This module imports :mod:`hypothesis` at the top, and Hypothesis is installed only
with the ``test`` extra (``pip install -e '.[test]'`` in the source tree): importing
``safety_collab.testing`` without it raises :class:`ImportError`. Nothing else in
the library imports this module.

Two families of strategies are provided:

* :func:`collaboratives` (built from :func:`organisations`, :func:`tiers`,
  :func:`priorities`, :func:`roles` and smaller parts such as
  :func:`identifiers` and :func:`texts`) draws **valid**
  :class:`~safety_collab.model.Collaborative` objects of any size, with every
  optional part present or absent, text with non-ASCII characters, and personal
  data on some roles.
* :func:`corruptions` draws a :class:`Corruption`: one rule-breaking change to a
  valid collaborative, with the field path that the resulting
  :class:`~safety_collab.errors.ModelError` names.

Examples
--------
>>> import safety_collab as sc
>>> from hypothesis import given, settings
>>> @settings(max_examples=10, deadline=None, database=None)
... @given(collaboratives(max_organisations=4))
... def round_trips(collab):
...     assert sc.loads(sc.dumps(collab, "json", include_personal_data=True), "json") == collab
>>> round_trips()
"""

from __future__ import annotations

from safety_collab.testing.corruptions import (
    CORRUPTION_KINDS,
    Corruption,
    corruptions,
)
from safety_collab.testing.strategies import (
    collaboratives,
    email_addresses,
    identifiers,
    locations,
    national_programmes,
    ods_codes,
    organisations,
    phone_numbers,
    priorities,
    roles,
    texts,
    tiers,
)

__all__ = [
    "CORRUPTION_KINDS",
    "Corruption",
    "collaboratives",
    "corruptions",
    "email_addresses",
    "identifiers",
    "locations",
    "national_programmes",
    "ods_codes",
    "organisations",
    "phone_numbers",
    "priorities",
    "roles",
    "texts",
    "tiers",
]
