"""Reading and writing collaboratives: JSON, TOML and (with the ``yaml`` extra) YAML.

All parsing happens here, through one private :class:`cattrs.Converter` that is
strict: unknown keys are refused, strings are not silently turned into numbers,
and every problem in a file is reported at once in one
:class:`~safety_collab.errors.DataError` that names the file and each field path
(``$.members[3].tier``).

Files carry a ``schema_version``. A file from a newer version of the library is
refused with a clear message; an older one is migrated on load.

:func:`dump` writes atomically: a failed save leaves the old file untouched.
Personal data (the ``person``, ``phone`` and ``email`` of roles) is left out of
what :func:`dump` and :func:`dumps` write unless ``include_personal_data=True``.

Examples
--------
>>> import safety_collab as sc
>>> text = sc.dumps(sc.west_midlands(), format="json", include_personal_data=True)
>>> sc.loads(text, format="json") == sc.west_midlands()
True
>>> sc.loads('{"schema_version": 1, "id": "x"}', format="json")
Traceback (most recent call last):
...
safety_collab.errors.DataError: <string>: 4 problems:
  $.name: required field missing
  $.region: required field missing
  $.host: required field missing
  $.national: required field missing
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from safety_collab._atomic import atomic_write_bytes
from safety_collab._ods import OdsExtract, read_ods_csv
from safety_collab._serial import (
    CONVERTER,
    FORMATS,
    MAX_BYTES,  # noqa: F401 - the readers' documented limits, as ever io.MAX_BYTES
    MAX_DEPTH,  # noqa: F401
    Migration,
    check_format,
    decode,
    file_format,
    format_for_path,
    migrate_schema,
    parse,
    read_path,
    serialise,
    structure_as,
    type_name,
)
from safety_collab._validate import check_instance, check_path
from safety_collab.errors import DataError, Problem
from safety_collab.model import PERSONAL_FIELDS, Collaborative

__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "OdsExtract",
    "dump",
    "dumps",
    "format_for_path",
    "from_data",
    "load",
    "loads",
    "read_ods_csv",
    "to_data",
]


SCHEMA_VERSION = 2
"""The schema version this library writes (and the newest it reads).

Version 2 added the observed adoption history (``adoptions``) and dated ``targets``.
"""


def _v1_to_v2(fields: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 adds ``adoptions`` and ``targets`` (both optional): schema-1 data reads as is."""
    return fields


_MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}
"""``{n: f}``: ``f`` turns the data of schema ``n`` into that of schema ``n + 1``."""


# ------------------------------------------------------------------ data ↔ model


def to_data(collab: Collaborative, *, include_personal_data: bool = False) -> dict[str, Any]:
    """Return the plain-data form of ``collab`` (what the files hold), with its schema version.

    Fields at their default value are left out. Unless ``include_personal_data``
    is true, the personal fields of roles (person, phone, email) are left out.

    Examples
    --------
    >>> import safety_collab as sc
    >>> data = to_data(sc.west_midlands())
    >>> data["schema_version"], data["id"]
    (2, 'west-midlands')
    >>> any("phone" in role for role in data["roles"])
    False
    """
    check_instance("collab", collab, Collaborative)
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    data.update(CONVERTER.unstructure(collab))
    if not include_personal_data:
        _strip_personal(data)
    return data


def _strip_personal(data: dict[str, Any]) -> None:
    for cls, fields in PERSONAL_FIELDS.items():
        if cls.__name__ == "Role":
            for role in data.get("roles", ()):
                for f in fields:
                    role.pop(f, None)


def from_data(
    data: object, *, source: str = "<data>", base: Collaborative | None = None
) -> Collaborative:
    """Build a collaborative from plain data, migrating older schema versions.

    Parameters
    ----------
    data
        A mapping as read from a file: a ``schema_version`` and the fields of a
        :class:`~safety_collab.model.Collaborative`.
    source
        What to call the input in error messages (usually the file name).
    base
        If given, ``data`` may be partial: each top-level field it holds
        replaces that field of ``base`` (so a file with only ``members``
        replaces the member list of ``base``).

    Raises
    ------
    DataError
        Listing every problem, each with its field path.

    Examples
    --------
    >>> import safety_collab as sc
    >>> base = sc.west_midlands()
    >>> mine = from_data({"schema_version": 1, "roles": []}, base=base)
    >>> len(mine.roles), mine.members == base.members
    (0, True)
    """
    if not isinstance(data, Mapping):
        raise DataError(
            source, [Problem("$", f"expected a table of fields, got {type_name(data)}")]
        )
    fields = dict(data)
    fields = _migrate(fields, source)
    if base is not None:
        merged = CONVERTER.unstructure(base)
        merged.update(fields)
        fields = merged
    return structure_as(fields, Collaborative, source)


def _migrate(fields: dict[str, Any], source: str) -> dict[str, Any]:
    return migrate_schema(fields, source, newest=SCHEMA_VERSION, migrations=_MIGRATIONS)


def loads(
    text: str | bytes,
    format: str = "json",
    *,
    source: str = "<string>",
    base: Collaborative | None = None,
) -> Collaborative:
    """Read a collaborative from text in ``format`` (``json``, ``toml`` or ``yaml``).

    Parameters
    ----------
    text
        The document; bytes are decoded as UTF-8 (a leading byte-order mark is
        dropped).
    format
        ``"json"``, ``"toml"`` or ``"yaml"`` (the last needs the ``yaml`` extra;
        only safe loading is used).
    source
        What to call the input in error messages.
    base
        Read a partial document over this collaborative (see :func:`from_data`).

    Raises
    ------
    DataError
        If the text cannot be parsed or does not describe a valid collaborative;
        the message names ``source`` and every field path at fault.

    Examples
    --------
    >>> loads("schema_version = 99", format="toml")
    Traceback (most recent call last):
    ...
    safety_collab.errors.DataError: <string>: 1 problem:
      $.schema_version: written by a newer safety_collab (schema version 99); ...
    """
    fmt = check_format(format, source)
    return from_data(parse(decode(text, source), fmt, source), source=source, base=base)


def load(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    base: Collaborative | None = None,
) -> Collaborative:
    """Read a collaborative from a file; the format comes from the suffix unless given.

    Parameters
    ----------
    path
        A ``.json``, ``.toml``, ``.yaml`` or ``.yml`` file.
    format
        Override the format the suffix implies.
    base
        Read a partial file over this collaborative: each top-level field in the
        file replaces that of ``base``. Use it to replace the default's member
        list, say, with your own.

    Raises
    ------
    DataError
        If the file cannot be read or is not a valid collaborative; the message
        names the file and every field path at fault.

    Examples
    --------
    >>> import tempfile, pathlib, safety_collab as sc
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "wm.toml"
    >>> _ = sc.dump(sc.west_midlands(), p)
    >>> sc.load(p).name
    'West Midlands Patient Safety Collaborative'
    """
    source = check_path("path", path)
    fmt = file_format(path, format)
    return loads(read_path(path, source), fmt, source=source, base=base)


def dumps(
    collab: Collaborative,
    format: str = "json",
    *,
    include_personal_data: bool = False,
) -> str:
    """Return ``collab`` as text in ``format`` (``json``, ``toml`` or ``yaml``).

    Personal data (roles' person, phone and email) is left out unless
    ``include_personal_data`` is true.

    Examples
    --------
    >>> import safety_collab as sc
    >>> print(dumps(sc.west_midlands(), "toml").splitlines()[0])
    schema_version = 2
    """
    check_instance("collab", collab, Collaborative)
    fmt = check_format(format, "<string>")
    return serialise(to_data(collab, include_personal_data=include_personal_data), fmt)


def dump(
    collab: Collaborative,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    include_personal_data: bool = False,
) -> Path:
    """Write ``collab`` to a file atomically and return its path.

    The whole text is produced first, then written to a temporary file beside
    ``path`` and moved over it: a failure at any point leaves the old file as it
    was. If ``path`` is a symbolic link, the file it points to is replaced and
    the link kept. Personal data is left out unless ``include_personal_data``
    is true.

    Examples
    --------
    >>> import tempfile, pathlib, safety_collab as sc
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "wm.json"
    >>> sc.dump(sc.west_midlands(), p).suffix
    '.json'
    """
    check_instance("collab", collab, Collaborative)
    fmt = file_format(path, format)
    text = dumps(collab, fmt, include_personal_data=include_personal_data)
    source = check_path("path", path)
    # a file that would not read back never replaces a good one
    return atomic_write_bytes(
        path, text.encode("utf-8"), verify=lambda tmp: loads(tmp.read_bytes(), fmt, source=source)
    )
