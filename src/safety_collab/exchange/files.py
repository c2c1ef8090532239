"""Exchange files: :func:`dump`, :func:`load`, :func:`dumps`, :func:`loads`.

The exchange as JSON, TOML (or YAML), with a ``schema_version``, strict on input.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from safety_collab._atomic import atomic_write_bytes
from safety_collab._serial import (
    CONVERTER,
    Migration,
    check_format,
    decode,
    file_format,
    migrate_schema,
    parse,
    read_path,
    serialise,
    structure_as,
)
from safety_collab._validate import check_instance, check_path
from safety_collab.errors import DataError, Problem
from safety_collab.exchange.workflow import Exchange

__all__ = [
    "EXAMPLE_FILE",
    "SCHEMA_VERSION",
    "dump",
    "dumps",
    "example_exchange",
    "from_data",
    "load",
    "loads",
    "to_data",
]

SCHEMA_VERSION = 1
"""The schema version of exchange files this library writes (and the newest it reads)."""

_MIGRATIONS: dict[int, Migration] = {}
"""``{n: f}``: ``f`` turns exchange data of schema ``n`` into that of schema ``n + 1``."""


# ------------------------------------------------------------------ files


def to_data(exchange: Exchange) -> dict[str, Any]:
    """The plain-data form of an exchange (what its files hold), with its schema version.

    Examples
    --------
    >>> to_data(Exchange("west-midlands"))
    {'schema_version': 1, 'collaborative': 'west-midlands'}
    """
    check_instance("exchange", exchange, Exchange)
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    data.update(CONVERTER.unstructure(exchange))
    return data


def from_data(data: object, *, source: str = "<data>") -> Exchange:
    """Build an exchange from plain data, migrating older schema versions.

    Raises
    ------
    DataError
        Listing every problem, each with its field path (``$.history[2].when``).

    Examples
    --------
    >>> from_data({"schema_version": 1, "collaborative": "demo", "history": [{"who": "x"}]})
    Traceback (most recent call last):
    ...
    safety_collab.errors.DataError: <data>: 3 problems:
      $.history[0].proposal: required field missing
      $.history[0].to_state: required field missing
      $.history[0].when: required field missing
    """
    if not isinstance(data, Mapping):
        got = "null" if data is None else type(data).__name__
        raise DataError(source, [Problem("$", f"expected a table of fields, got {got}")])
    fields = migrate_schema(dict(data), source, newest=SCHEMA_VERSION, migrations=_MIGRATIONS)
    return structure_as(fields, Exchange, source)


def dumps(exchange: Exchange, format: str = "json") -> str:
    """The exchange as text in ``format`` (``json``, ``toml`` or, with the extra, ``yaml``).

    Examples
    --------
    >>> print(dumps(Exchange("demo"), "toml"), end="")
    schema_version = 1
    collaborative = "demo"
    """
    check_instance("exchange", exchange, Exchange)
    fmt = check_format(format, "<string>")
    return serialise(to_data(exchange), fmt)


def loads(text: str | bytes, format: str = "json", *, source: str = "<string>") -> Exchange:
    """Read an exchange from text in ``format``.

    Raises
    ------
    DataError
        If the text cannot be parsed or does not describe a valid exchange;
        the message names ``source`` and every field path at fault.

    Examples
    --------
    >>> loads('{"schema_version": 1, "collaborative": "demo"}') == Exchange("demo")
    True
    """
    fmt = check_format(format, source)
    return from_data(parse(decode(text, source), fmt, source), source=source)


def dump(exchange: Exchange, path: str | os.PathLike[str], *, format: str | None = None) -> Path:
    """Write an exchange to a file atomically (a failed save leaves the old file as it was).

    The format comes from the suffix (``.json``, ``.toml``, ``.yaml``) unless given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "exchange.toml"
    >>> load(dump(Exchange("demo"), p)) == Exchange("demo")
    True
    """
    check_instance("exchange", exchange, Exchange)
    fmt = file_format(path, format)
    source = check_path("path", path)
    # a file that would not read back never replaces a good one
    return atomic_write_bytes(
        path,
        dumps(exchange, fmt).encode("utf-8"),
        verify=lambda tmp: loads(tmp.read_bytes(), fmt, source=source),
    )


def load(path: str | os.PathLike[str], *, format: str | None = None) -> Exchange:
    """Read an exchange from a file; the format comes from the suffix unless given.

    Raises
    ------
    DataError
        If the file cannot be read or is not a valid exchange.

    Examples
    --------
    >>> load("no/such/exchange.json")
    Traceback (most recent call last):
    ...
    safety_collab.errors.DataError: no/such/exchange.json: no such file
    """
    source = check_path("path", path)
    fmt = file_format(path, format)
    return loads(read_path(path, source), fmt, source=source)


EXAMPLE_FILE = "west_midlands_exchange.toml"
"""The example exchange packaged with :mod:`safety_collab.datasets`."""


def example_exchange() -> Exchange:
    """A small, illustrative exchange of the embedded West Midlands collaborative.

    Its proposals are invented to show the workflow and ranking (they are
    not real submissions); it is what ``safety-collab rank`` uses when given
    no file.

    Examples
    --------
    >>> ex = example_exchange()
    >>> ex.collaborative, len(ex.proposals) >= 8
    ('west-midlands', True)
    """
    source = f"safety_collab.datasets/{EXAMPLE_FILE}"
    text = resources.files("safety_collab.datasets").joinpath(EXAMPLE_FILE).read_text("utf-8")
    return loads(text, "toml", source=source)
