"""The people of the exchange: users working for an organisation, and their roles.

* :class:`Role` — what a person may do beyond taking part as a member user.
* :class:`Person` — one user; their name and email are personal data, kept
  out of ``repr`` (and so out of logs) and out of exports unless asked for,
  as the model does for the contacts of its roles.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from safety_collab._validate import fail, identifier, pattern, short, text, type_name
from safety_collab.model.kinds import EMAIL_RE

__all__ = ["PERSONAL_FIELDS", "Person", "Role", "as_roles"]


class Role(enum.Enum):
    """A role a person holds on the exchange; the values are the file and database spellings.

    * ``member`` — a member user: submits, votes and comments for an entitled
      member organisation.
    * ``moderator`` — screens proposals and hides comments.
    * ``programme-manager`` — shortlists and funds, runs campaigns and adds stories.
    * ``admin`` — may make every step and run everything.

    Examples
    --------
    >>> Role("programme-manager")
    <Role.PROGRAMME_MANAGER: 'programme-manager'>
    >>> sorted(r.value for r in Role)
    ['admin', 'member', 'moderator', 'programme-manager']
    """

    MEMBER = "member"
    MODERATOR = "moderator"
    PROGRAMME_MANAGER = "programme-manager"
    ADMIN = "admin"


_SPELLINGS = frozenset(r.value for r in Role)


def as_roles(value: object) -> object:
    """Roles from :class:`Role` members or their spellings; anything else is left for the check.

    Examples
    --------
    >>> sorted(r.value for r in as_roles(["moderator", Role.ADMIN]))
    ['admin', 'moderator']
    >>> as_roles("admin") == frozenset({Role.ADMIN})
    True
    """
    if isinstance(value, str | Role):
        value = (value,)
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = tuple(value)
        if all(isinstance(v, Role) or v in _SPELLINGS for v in items):
            return frozenset(Role(v) for v in items)
        return items
    return value


def _check_roles(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, tuple):
        bad = next(v for v in value if not (isinstance(v, Role) or v in _SPELLINGS))
        allowed = ", ".join(r.value for r in Role)
        raise fail(attribute, f"unknown role {short(bad)} (roles: {allowed})")
    if not isinstance(value, frozenset):
        raise fail(attribute, f"expected a collection of roles, got {type_name(value)}")
    if not value:
        raise fail(attribute, "must hold at least one role")


_optional_email = pattern(EMAIL_RE, "email address")


def _email(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value != "":
        _optional_email(inst, attribute, value)


@attrs.frozen
class Person:
    """A user of the exchange, working for one organisation of the collaborative.

    Parameters
    ----------
    id
        An identifier slug, unique within the exchange (never the person's name).
    organisation
        Id of the organisation they work for (a member or not; what they may do
        depends on its tier, see :func:`check_can_vote`).
    roles
        Their roles, as :class:`Role` members or their spellings; by default a member user.
    name, email
        Personal data: hidden from ``repr`` and left out of exports unless asked for.

    Examples
    --------
    >>> p = Person("u1", "RRK", roles=["moderator"], name="A. Person", email="a@example.org")
    >>> p
    Person(id='u1', organisation='RRK', roles=frozenset({<Role.MODERATOR: 'moderator'>}))
    >>> p.name
    'A. Person'
    >>> Person("u2", "RRK").roles == frozenset({Role.MEMBER})
    True
    """

    id: str = attrs.field(validator=identifier)
    organisation: str = attrs.field(validator=identifier)
    roles: frozenset[Role] = attrs.field(
        factory=lambda: frozenset({Role.MEMBER}),
        converter=as_roles,
        validator=_check_roles,
    )
    name: str = attrs.field(default="", validator=text(required=False), repr=False, kw_only=True)
    email: str = attrs.field(default="", validator=_email, repr=False, kw_only=True)

    def has(self, *roles: Role) -> bool:
        """Whether the person holds any of ``roles``.

        Examples
        --------
        >>> Person("u1", "RRK").has(Role.MODERATOR, Role.ADMIN)
        False
        """
        return any(r in self.roles for r in roles)


PERSONAL_FIELDS: tuple[str, ...] = ("name", "email")
"""The fields of :class:`Person` that hold personal data."""
