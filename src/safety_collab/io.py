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

import datetime as dt
import enum
import functools
import json
import math
import os
import re
import reprlib
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs
import tomli_w
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from safety_collab._atomic import atomic_write_bytes
from safety_collab._ods import OdsExtract, read_ods_csv
from safety_collab.errors import DataError, MissingDependencyError, ModelError, Problem, closest
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

T = TypeVar("T")
Format = Literal["json", "toml", "yaml"]

SCHEMA_VERSION = 2
"""The schema version this library writes (and the newest it reads).

Version 2 added the observed adoption history (``adoptions``) and dated ``targets``.
"""

FORMATS: Mapping[str, Format] = MappingProxyType(
    {".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
)
"""File suffixes and the format each one means."""

MAX_BYTES = 64 * 2**20
"""Largest input accepted (64 MiB): a bigger file is refused before parsing."""

MAX_DEPTH = 1000
"""Deepest nesting of lists and tables accepted in a YAML document.

libyaml builds the document tree recursively in C, without Python's recursion
limit: a document nested many thousands of levels deep would crash the
interpreter, so the depth is checked on the (flat) event stream first.
"""

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _v1_to_v2(fields: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 adds ``adoptions`` and ``targets`` (both optional): schema-1 data reads as is."""
    return fields


_MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}
"""``{n: f}``: ``f`` turns the data of schema ``n`` into that of schema ``n + 1``."""

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$"
)

# ------------------------------------------------------------------ the converter


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _make_repr() -> reprlib.Repr:
    # Bounded work and output whatever the value: a YAML alias bomb or a deeply
    # nested list must not be expanded in full just to quote it in a message.
    r = reprlib.Repr()
    r.maxlevel = 3
    r.maxtuple = r.maxlist = r.maxarray = r.maxdict = r.maxset = r.maxfrozenset = 6
    r.maxdeque = 6
    r.maxstring = r.maxother = 60
    r.maxlong = 40
    return r


_REPR = _make_repr()


def _shown(value: object) -> str:
    text = _REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _got(value: object) -> str:
    """Describe a received value for a message: its type and a short repr."""
    return "null" if value is None else f"{_type_name(value)} {_shown(value)}"


def _structure_str(obj: object, _t: object) -> str:
    if not isinstance(obj, str):
        msg = f"expected text, got {_got(obj)}"
        raise TypeError(msg)
    return obj


def _structure_int(obj: object, _t: object) -> int:
    if isinstance(obj, bool) or not isinstance(obj, int):
        msg = f"expected an integer, got {_got(obj)}"
        raise TypeError(msg)
    return obj


def _structure_float(obj: object, _t: object) -> float:
    if isinstance(obj, bool) or not isinstance(obj, int | float):
        msg = f"expected a number, got {_got(obj)}"
        raise TypeError(msg)
    try:
        value = float(obj)
    except OverflowError:
        msg = f"number {_shown(obj)} is too large"
        raise ValueError(msg) from None
    if math.isnan(value):
        msg = "must be a finite number, got NaN"
        raise ValueError(msg)
    if math.isinf(value):
        msg = (
            f"must be a finite number, got {value!r} (a number written beyond about "
            "1.8e308, such as 1e400, reads as infinite)"
        )
        raise ValueError(msg)
    return value


def _structure_bool(obj: object, _t: object) -> bool:
    if not isinstance(obj, bool):
        msg = f"expected true or false, got {_got(obj)}"
        raise TypeError(msg)
    return obj


def _structure_date(obj: object, _t: object) -> dt.date:
    if isinstance(obj, dt.date) and not isinstance(obj, dt.datetime):
        return obj
    if isinstance(obj, str) and _DATE_RE.fullmatch(obj):
        try:
            return dt.date.fromisoformat(obj)
        except ValueError as exc:
            msg = f"invalid date {obj!r}: {exc}"
            raise ValueError(msg) from None
    msg = f"expected an ISO 8601 date (YYYY-MM-DD), got {_got(obj)}"
    raise TypeError(msg)


def _structure_datetime(obj: object, _t: object) -> dt.datetime:
    """A date and time with a UTC offset (ISO 8601 text, or a TOML offset date-time), in UTC."""
    if isinstance(obj, dt.datetime):
        value = obj
    elif isinstance(obj, str) and _DATETIME_RE.fullmatch(obj):
        try:
            value = dt.datetime.fromisoformat(obj)
        except ValueError as exc:
            msg = f"invalid date and time {obj!r}: {exc}"
            raise ValueError(msg) from None
    else:
        msg = (
            "expected an ISO 8601 date and time with a UTC offset "
            f"(YYYY-MM-DDTHH:MM:SS+00:00), got {_got(obj)}"
        )
        raise TypeError(msg)
    if value.utcoffset() is None:
        msg = f"date and time {_shown(obj)} has no UTC offset; add one, e.g. +00:00 or Z"
        raise ValueError(msg)
    return value.astimezone(dt.UTC)


def _unstructure_datetime(value: dt.datetime) -> str:
    return value.isoformat()


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, enum.Enum)


def _enum_hook(t: type[enum.Enum]) -> Callable[[object, object], enum.Enum]:
    values = {m.value: m for m in t}
    allowed = ", ".join(repr(v) for v in values)

    def hook(obj: object, _t: object) -> enum.Enum:
        try:
            return values[obj]
        except (KeyError, TypeError):
            msg = f"expected one of {allowed}; got {_shown(obj)}"
            raise ValueError(msg) from None

    return hook


def _is_seq(t: Any) -> bool:
    origin = get_origin(t)
    if origin is frozenset:
        return True
    args = get_args(t)
    return origin is tuple and len(args) == 2 and args[1] is Ellipsis


def _is_frozenset(t: Any) -> bool:
    return t is frozenset or get_origin(t) is frozenset


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True, omit_if_default=True)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    # No field of the collaborative is a date-time; the innovation exchange's history is.
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_unstructure_hook(dt.datetime, _unstructure_datetime)
    conv.register_structure_hook_factory(_is_enum, _enum_hook)

    def seq_hook(t: Any) -> Callable[[object, object], Any]:
        origin = get_origin(t)
        elem_type = get_args(t)[0]
        elem = conv.get_structure_hook(elem_type)

        def hook(obj: object, _t: object) -> Any:
            if not isinstance(obj, list | tuple):
                msg = f"expected a list, got {_got(obj)}"
                raise TypeError(msg)
            out: list[Any] = []
            errors: list[Exception] = []
            for i, item in enumerate(obj):
                try:
                    out.append(elem(item, elem_type))
                except Exception as exc:  # noqa: BLE001 - collected and re-raised as a group
                    exc.add_note(IterableValidationNote(f"Structuring @ index {i}", i, elem_type))
                    errors.append(exc)
            if errors:
                msg = f"While structuring {t!r}"
                raise IterableValidationError(msg, errors, t)
            return origin(out)

        return hook

    conv.register_structure_hook_factory(_is_seq, seq_hook)
    conv.register_unstructure_hook_func(_is_frozenset, sorted)

    def class_hook(cl: type) -> Callable[[object, object], Any]:
        inner: Callable[[Any, Any], Any] = make_dict_structure_fn(
            cl, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True
        )

        def hook(obj: object, _t: object) -> Any:
            if not isinstance(obj, Mapping):
                msg = f"expected a table of fields for {cl.__name__}, got {_got(obj)}"
                raise TypeError(msg)
            return inner(obj, cl)

        return hook

    conv.register_structure_hook_factory(attrs.has, class_hook)
    return conv


_CONVERTER = _make_converter()

# ------------------------------------------------------------------ errors → problems


def _problems(exc: BaseException, path: str) -> list[Problem]:
    """Flatten a (possibly nested) structuring failure into located problems."""
    out: list[Problem] = []
    if isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            out += _problems(sub, f"{path}[{note.index!r}]")
        for sub in without:
            out += _problems(sub, path)
    elif isinstance(exc, ClassValidationError):
        with_notes_c, without_c = exc.group_exceptions()
        for sub, cnote in with_notes_c:
            out += _problems(sub, f"{path}.{cnote.name}")
        for sub in without_c:
            out += _problems(sub, path)
    elif isinstance(exc, ModelError):
        out += [p.under(path) for p in exc.problems]
    elif isinstance(exc, ForbiddenExtraKeysError):
        names = [a.name for a in attrs.fields(exc.cl) if a.init]
        # Keys need not be text (YAML allows `1: x`): sort them by repr, not by value.
        extra = ", ".join(_unknown_key(k, names) for k in sorted(exc.extra_fields, key=repr))
        out.append(Problem(path, f"unknown field(s) {extra}; allowed: {', '.join(names)}"))
    elif isinstance(exc, KeyError):
        out.append(Problem(path, "required field missing"))
    elif isinstance(exc, TypeError | ValueError):
        out.append(Problem(path, str(exc)))
    else:
        out.append(Problem(path, f"{type(exc).__name__}: {exc}"))
    return out


def _unknown_key(key: object, names: list[str]) -> str:
    hit = closest(key, names, n=1) if isinstance(key, str) else []
    return f"{_shown(key)} (did you mean {hit[0]!r}?)" if hit else _shown(key)


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
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    data.update(_CONVERTER.unstructure(collab))
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
            source, [Problem("$", f"expected a table of fields, got {_type_name(data)}")]
        )
    fields = dict(data)
    fields = _migrate(fields, source)
    if base is not None:
        merged = _CONVERTER.unstructure(base)
        merged.update(fields)
        fields = merged
    return _structure_as(fields, Collaborative, source)


def _migrate(fields: dict[str, Any], source: str) -> dict[str, Any]:
    return _migrate_schema(fields, source, newest=SCHEMA_VERSION, migrations=_MIGRATIONS)


def _migrate_schema(
    fields: dict[str, Any], source: str, *, newest: int, migrations: Mapping[int, Migration]
) -> dict[str, Any]:
    """Pop ``schema_version`` from ``fields`` and migrate them up to schema ``newest``."""
    version = fields.pop("schema_version", None)
    if version is None:
        msg = f"required field missing (this version writes schema_version = {newest})"
        raise DataError(source, [Problem("$.schema_version", msg)])
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        msg = f"expected a positive integer, got {_shown(version)}"
        raise DataError(source, [Problem("$.schema_version", msg)])
    if version > newest:
        msg = (
            f"written by a newer safety_collab (schema version {version}); this version reads "
            f"schema versions up to {newest}: upgrade safety_collab to read it"
        )
        raise DataError(source, [Problem("$.schema_version", msg)])
    while version < newest:
        fields = migrations[version](fields)
        version += 1
    return fields


def _structure_as(fields: object, cls: type[T], source: str) -> T:
    """Structure plain data into ``cls`` with the strict converter; problems become a DataError."""
    try:
        return _CONVERTER.structure(fields, cls)
    except (ClassValidationError, IterableValidationError, ModelError) as exc:
        problems = _problems(exc, "$")
    except RecursionError:
        problems = [Problem("$", "data is nested too deeply")]
    # Raised outside the handler, so that it carries no context: the converter's
    # errors cannot be unpickled, and a DataError must cross process boundaries
    # (Dask pickles an exception's context and traceback too).
    raise DataError(source, problems)


# ------------------------------------------------------------------ text ↔ data


_EXPECTED_TOP = {"json": "a JSON object", "toml": "TOML key/value pairs", "yaml": "a YAML mapping"}


class _TooDeepError(Exception):
    """A YAML document nests deeper than :data:`MAX_DEPTH` (at ``line``)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _parse(text: str, fmt: Format, source: str) -> object:
    if not text.strip():
        raise DataError(source, [Problem("", f"is empty; expected {_EXPECTED_TOP[fmt]}")])
    try:
        if fmt == "json":
            # NaN and Infinity are read as numbers so that the field that holds
            # one can be named: the converter refuses non-finite numbers.
            return json.loads(text)
        if fmt == "toml":
            return tomllib.loads(text)
        return _load_yaml(text)
    except json.JSONDecodeError as exc:
        msg = f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    except tomllib.TOMLDecodeError as exc:
        msg = f"is not valid TOML: {exc}"
    except RecursionError:
        msg = "is nested too deeply to read"
    except _TooDeepError as exc:
        msg = f"is nested too deeply to read (more than {MAX_DEPTH} levels at line {exc.line})"
    except ValueError as exc:  # huge integers, odd YAML scalars
        msg = f"is not valid {fmt.upper()}: {exc}"
    except Exception as exc:
        if fmt == "yaml" and type(exc).__module__.startswith("yaml"):
            msg = f"is not valid YAML: {_yaml_problem(exc)}"
        else:
            raise
    raise DataError(source, [Problem("", msg)])


def _yaml_problem(exc: Exception) -> str:
    """The YAML library's complaint with its line and column, without its source excerpt."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if not problem or mark is None:
        return str(exc)
    context = getattr(exc, "context", None)
    what = f"{context}, {problem}" if context else problem
    return f"{what} (line {mark.line + 1}, column {mark.column + 1})"


def _yaml() -> Any:
    try:
        import yaml  # noqa: PLC0415 - optional dependency, imported on use
    except ImportError:
        raise MissingDependencyError("yaml", "pyyaml") from None
    return yaml


@functools.cache
def _yaml_loader() -> Any:
    """The safe YAML loader (libyaml's if present), without implicit timestamps.

    Dates stay text, as in JSON and TOML, so that the converter checks them and
    names the field of an invalid one (``2015-02-30``) instead of the YAML
    library failing with no location.
    """
    yaml = _yaml()
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    timestamp = "tag:yaml.org,2002:timestamp"
    resolvers = {
        first: [(tag, regex) for tag, regex in pairs if tag != timestamp]
        for first, pairs in base.yaml_implicit_resolvers.items()
    }
    return type("_SafeLoader", (base,), {"yaml_implicit_resolvers": resolvers})


def _load_yaml(text: str) -> object:
    yaml = _yaml()
    loader = _yaml_loader()
    # Check the depth on the event stream first (see MAX_DEPTH): libyaml would
    # crash on a deep document, and the same check with the pure-Python loader
    # keeps the message the same whichever loader is installed.
    opening = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    closing = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, opening):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _TooDeepError(event.start_mark.line + 1)
            elif isinstance(event, closing):
                depth -= 1
    except yaml.YAMLError as exc:
        # newer libyaml refuses deep documents itself (at 1000 levels, like ours)
        mark = getattr(exc, "problem_mark", None)
        if "nesting depth" in str(getattr(exc, "problem", "")) and mark is not None:
            raise _TooDeepError(mark.line + 1) from None
        raise
    return yaml.load(text, Loader=loader)


def _serialise(data: dict[str, Any], fmt: Format) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "toml":
        return tomli_w.dumps(data)
    text: str = _yaml().dump(data, Dumper=_yaml_dumper(), sort_keys=False, allow_unicode=True)
    return text


_YAML_BREAKS = frozenset("\x85\u2028\u2029")
"""Characters YAML reads as line breaks: outside double quotes they would not survive."""


@functools.cache
def _yaml_dumper() -> Any:
    """The safe YAML dumper, writing text that holds a YAML line break in double quotes.

    With ``allow_unicode`` the plain dumper writes NEL (U+0085) as it is, inside
    single quotes, where YAML folds it into a space; in double quotes it is
    escaped (as backslash-N) and reads back unchanged.
    """
    yaml = _yaml()

    def represent_str(dumper: Any, value: str) -> Any:
        style = '"' if not _YAML_BREAKS.isdisjoint(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    dumper: Any = type("_SafeDumper", (yaml.SafeDumper,), {})
    dumper.add_representer(str, represent_str)
    return dumper


def _check_format(fmt: str, source: str) -> Format:
    if fmt in ("json", "toml", "yaml"):
        return fmt  # type: ignore[return-value]
    msg = f"unknown format {fmt!r}; expected one of json, toml, yaml"
    raise DataError(source, [Problem("", msg)])


def _file_format(path: str | os.PathLike[str], format: str | None) -> Format:
    """The format given for a file, checked, or else the one its suffix implies."""
    return format_for_path(path) if format is None else _check_format(format, os.fspath(path))


def format_for_path(path: str | os.PathLike[str]) -> Format:
    """Return the format a file name implies, from its suffix.

    Raises
    ------
    DataError
        If the suffix is not one of :data:`FORMATS`.

    Examples
    --------
    >>> format_for_path("collab.toml"), format_for_path("collab.yml")
    ('toml', 'yaml')
    """
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(FORMATS)
        msg = f"cannot tell the format from the suffix {suffix or '(none)'!r}; use one of {known}"
        raise DataError(str(path), [Problem("", msg)]) from None


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
    fmt = _check_format(format, source)
    return from_data(_parse(_decode(text, source), fmt, source), source=source, base=base)


def _decode(text: str | bytes, source: str) -> str:
    """The text of a document: size-checked, decoded from UTF-8 if bytes, without NULs."""
    if isinstance(text, bytes | bytearray):
        raw = bytes(text)
        if len(raw) > MAX_BYTES:
            _too_big(len(raw), source)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            msg = f"is not UTF-8 text (byte {exc.start} is {raw[exc.start]:#04x})"
            raise DataError(source, [Problem("", msg)]) from None
    elif len(text) > MAX_BYTES:
        _too_big(len(text), source)
    if "\x00" in text:
        raise DataError(source, [Problem("", "contains a NUL character; is it a binary file?")])
    return text


def _size(n: int) -> str:
    if n < 2**10:
        return f"{n} bytes"
    if n < 2**20:
        return f"{n / 2**10:.1f} KiB"
    return f"{n / 2**20:.1f} MiB"


def _too_big(n: int, source: str) -> None:
    # The size read may stop one byte past the limit: say "more than" then.
    size = f"more than {_size(MAX_BYTES)}" if n == MAX_BYTES + 1 else _size(n)
    msg = f"is {size}; the limit is {_size(MAX_BYTES)}"
    raise DataError(source, [Problem("", msg)])


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
    source = os.fspath(path)
    fmt = _file_format(path, format)
    return loads(_read_path(path, source), fmt, source=source, base=base)


def _read_path(path: str | os.PathLike[str], source: str) -> bytes:
    """The bytes of a file, at most :data:`MAX_BYTES` of them; failures become a DataError."""
    try:
        size = os.stat(path).st_size
        raw = b""
        if size <= MAX_BYTES:
            # Read no more than the limit allows: a pipe or a device such as
            # /dev/zero reports size 0 and could otherwise be read without end.
            with open(path, "rb") as fh:
                raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DataError(source, [Problem("", "no such file")]) from None
    except IsADirectoryError:
        raise DataError(source, [Problem("", "is a folder, not a file")]) from None
    except PermissionError:
        raise DataError(source, [Problem("", "cannot be read (permission denied)")]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DataError(source, [Problem("", f"cannot be read ({reason})")]) from None
    except ValueError as exc:  # e.g. a NUL character in the path
        raise DataError(source, [Problem("", f"is not a usable path ({exc})")]) from None
    if max(size, len(raw)) > MAX_BYTES:
        _too_big(max(size, len(raw)), source)
    return raw


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
    fmt = _check_format(format, "<string>")
    return _serialise(to_data(collab, include_personal_data=include_personal_data), fmt)


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
    fmt = _file_format(path, format)
    text = dumps(collab, fmt, include_personal_data=include_personal_data)
    return atomic_write_bytes(path, text.encode("utf-8"))
