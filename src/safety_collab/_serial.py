"""The private half of :mod:`safety_collab.io`, shared by every reader and writer of files.

One strict :data:`CONVERTER` (a private :class:`cattrs.Converter`: unknown
keys refused, no silent conversions), the text formats (JSON, TOML and, with
the ``yaml`` extra, YAML) with their size and depth limits, schema migration,
and the rules that turn every failure into one
:class:`~safety_collab.errors.DataError` naming the source and each field
path. :mod:`safety_collab.io` (collaboratives) and
:mod:`safety_collab.exchange` (exchange files) build on it; the names are
public so that they can be shared, but the module is not part of the API.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import json
import math
import os
import re
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

from safety_collab._validate import check_path, described, short
from safety_collab.errors import (
    MAX_PROBLEMS,
    DataError,
    MissingDependencyError,
    ModelError,
    Problem,
    closest,
)

__all__ = [
    "CONVERTER",
    "FORMATS",
    "MAX_BYTES",
    "MAX_DEPTH",
    "Format",
    "Migration",
    "check_format",
    "decode",
    "file_format",
    "format_for_path",
    "migrate_schema",
    "parse",
    "read_path",
    "serialise",
    "structure_as",
    "type_name",
]

T = TypeVar("T")
Format = Literal["json", "toml", "yaml"]

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


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$"
)

# ------------------------------------------------------------------ the converter


def type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _structure_str(obj: object, _t: object) -> str:
    if not isinstance(obj, str):
        msg = f"expected text, got {described(obj)}"
        raise TypeError(msg)
    return obj


def _structure_int(obj: object, _t: object) -> int:
    if isinstance(obj, bool) or not isinstance(obj, int):
        msg = f"expected an integer, got {described(obj)}"
        raise TypeError(msg)
    return obj


def _structure_float(obj: object, _t: object) -> float:
    if isinstance(obj, bool) or not isinstance(obj, int | float):
        msg = f"expected a number, got {described(obj)}"
        raise TypeError(msg)
    try:
        value = float(obj)
    except OverflowError:
        msg = f"number {short(obj, 60)} is too large"
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
        msg = f"expected true or false, got {described(obj)}"
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
    msg = f"expected an ISO 8601 date (YYYY-MM-DD), got {described(obj)}"
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
            f"(YYYY-MM-DDTHH:MM:SS+00:00), got {described(obj)}"
        )
        raise TypeError(msg)
    if value.utcoffset() is None:
        msg = f"date and time {short(obj, 60)} has no UTC offset; add one, e.g. +00:00 or Z"
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
            msg = f"expected one of {allowed}; got {short(obj, 60)}"
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
                msg = f"expected a list, got {described(obj)}"
                raise TypeError(msg)
            out: list[Any] = []
            errors: list[Exception] = []
            for i, item in enumerate(obj):
                if len(errors) >= MAX_PROBLEMS:
                    # enough to show: checking the rest would cost time and memory in
                    # proportion to a file that is already refused
                    errors.append(_Unchecked(len(obj) - i))
                    break
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
                msg = f"expected a table of fields for {cl.__name__}, got {described(obj)}"
                raise TypeError(msg)
            return inner(obj, cl)

        return hook

    conv.register_structure_hook_factory(attrs.has, class_hook)
    return conv


CONVERTER = _make_converter()

# ------------------------------------------------------------------ errors → problems


_UNCHECKED = f"not checked: {MAX_PROBLEMS:,} entries before them were already bad"


class _Unchecked(Exception):  # noqa: N818 - a marker, not an error raised to anyone
    """The entries of a list left unchecked once it had :data:`MAX_PROBLEMS` bad ones."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


def _problems(exc: BaseException, path: str) -> list[Problem]:
    """Flatten a (possibly nested) structuring failure into located problems."""
    out: list[Problem] = []
    if isinstance(exc, _Unchecked):
        msg = f"{exc.count:,} more entries {_UNCHECKED}"
        out.append(Problem(path, msg))
    elif isinstance(exc, IterableValidationError):
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
        # Only the first few are named (and looked up for a near miss): the message
        # and the work stay bounded however many there are.
        keys = sorted(exc.extra_fields, key=repr)
        extra = ", ".join(_unknown_key(k, names) for k in keys[:_SHOWN_KEYS])
        if len(keys) > _SHOWN_KEYS:
            extra += f" and {len(keys) - _SHOWN_KEYS:,} more"
        out.append(Problem(path, f"unknown field(s) {extra}; allowed: {', '.join(names)}"))
    elif isinstance(exc, KeyError):
        out.append(Problem(path, "required field missing"))
    elif isinstance(exc, TypeError | ValueError):
        out.append(Problem(path, str(exc)))
    else:
        out.append(Problem(path, f"{type(exc).__name__}: {exc}"))
    return out


_SHOWN_KEYS = 20
"""Most unknown keys of one table a message names."""


def _unknown_key(key: object, names: list[str]) -> str:
    hit = closest(key, names, n=1) if isinstance(key, str) else []
    return f"{short(key, 60)} (did you mean {hit[0]!r}?)" if hit else short(key, 60)


# ------------------------------------------------------------------ data ↔ model


def migrate_schema(
    fields: dict[str, Any], source: str, *, newest: int, migrations: Mapping[int, Migration]
) -> dict[str, Any]:
    """Pop ``schema_version`` from ``fields`` and migrate them up to schema ``newest``."""
    version = fields.pop("schema_version", None)
    if version is None:
        msg = f"required field missing (this version writes schema_version = {newest})"
        raise DataError(source, [Problem("$.schema_version", msg)])
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        msg = f"expected a positive integer, got {short(version, 60)}"
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


def structure_as(fields: object, cls: type[T], source: str) -> T:
    """Structure plain data into ``cls`` with the strict converter; problems become a DataError."""
    try:
        return CONVERTER.structure(fields, cls)
    except (ClassValidationError, IterableValidationError, ModelError) as exc:
        problems = _problems(exc, "$")
        # a list cut short says so among the problems shown, not among those omitted
        cut = [p for p in problems if p.message.endswith(_UNCHECKED)]
        if cut:
            rest = [p for p in problems if not p.message.endswith(_UNCHECKED)]
            shown = rest[: MAX_PROBLEMS - len(cut)]
            raise DataError(source, [*shown, *cut], omitted=len(rest) - len(shown)) from None
        problems += _whole_checks(fields, cls, problems)
    except RecursionError:
        problems = [Problem("$", "data is nested too deeply")]
    # Raised outside the handler, so that it carries no context: the converter's
    # errors cannot be unpickled, and a DataError must cross process boundaries
    # (Dask pickles an exception's context and traceback too).
    raise DataError(source, problems)


def _whole_checks(fields: object, cls: type, found: list[Problem]) -> list[Problem]:
    """The problems of the whole (references between parts) despite parts that failed.

    "Every problem at once": a file with a bad tier rank *and* a member naming
    an unknown tier reports both. The parts that failed are rebuilt from their
    raw data without their own checks (those problems are already found), the
    whole is built as usual so that its checks run, and the problems it finds
    inside a failed part are dropped (they repeat, or follow from, what was
    found). If the whole cannot be built even so, nothing is added.
    """
    if not isinstance(fields, Mapping) or not attrs.has(cls) or not found:
        return []
    failed = {p.path for p in found}
    try:
        attrs.resolve_types(cls)
        kwargs = {}
        for f in attrs.fields(cls):
            if f.init and f.name in fields:
                kwargs[f.alias] = _lenient(fields[f.name], f.type, f"$.{f.name}")
        cls(**kwargs)
    except ModelError as exc:
        extra = [p.under("$") for p in exc.problems]
    except Exception:  # noqa: BLE001 - best effort: the parts' own problems stand alone
        return []
    else:
        return []
    inside = tuple(f"{path}." for path in failed) + tuple(f"{path}[" for path in failed)
    return [
        p
        for p in extra
        if p.path not in failed and not p.path.startswith(inside) and p not in found
    ]


def _lenient(value: object, t: Any, path: str) -> Any:
    """``value`` structured as ``t``; a part that fails is built without its own checks."""
    try:
        return CONVERTER.structure(value, t)
    except Exception:  # noqa: BLE001 - this part's problems are already reported
        pass
    origin = get_origin(t)
    args = get_args(t)
    if origin in (tuple, list, frozenset) and args and isinstance(value, list | tuple):
        return origin(_lenient(v, args[0], f"{path}[{i}]") for i, v in enumerate(value))
    if attrs.has(t) and isinstance(value, Mapping):
        attrs.resolve_types(t)
        obj = object.__new__(t)
        for f in attrs.fields(t):
            raw = value.get(f.name, f.default if f.default is not attrs.NOTHING else None)
            if isinstance(raw, attrs.Factory):  # type: ignore[arg-type]
                raw = raw.factory()
            part = _lenient(raw, f.type, f"{path}.{f.name}") if f.name in value else raw
            if f.converter is not None and part is not None:
                with contextlib.suppress(Exception):
                    part = f.converter(part)
            object.__setattr__(obj, f.name, part)
        return obj
    return value


# ------------------------------------------------------------------ text ↔ data


_EXPECTED_TOP = {"json": "a JSON object", "toml": "TOML key/value pairs", "yaml": "a YAML mapping"}


class _TooDeepError(Exception):
    """A YAML document nests deeper than :data:`MAX_DEPTH` (at ``line``)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def parse(text: str, fmt: Format, source: str) -> object:
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
    numbers = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")

    def resolver(tag: str, regex: re.Pattern[str]) -> tuple[str, re.Pattern[str]]:
        if tag in numbers:
            # YAML 1.1's base-60 numbers (``rank: 1:00`` is 60) stay text, as in YAML 1.2
            regex = re.compile(r"(?!.*:)(?:" + regex.pattern + ")", regex.flags)
        return tag, regex

    resolvers = {
        first: [resolver(tag, regex) for tag, regex in pairs if tag != timestamp]
        for first, pairs in base.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        # a key given twice is refused, as TOML refuses it (YAML would keep the last)
        seen: dict[object, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:  # an unhashable key: the base constructor says so
                break
            if first is not key_node:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found the key {short(key, 60)} twice "
                    f"(first at line {first.start_mark.line + 1})",
                    key_node.start_mark,
                )
        return base.construct_mapping(self, node, deep=deep)  # type: ignore[no-any-return]

    return type(
        "_SafeLoader",
        (base,),
        {"yaml_implicit_resolvers": resolvers, "construct_mapping": construct_mapping},
    )


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


def serialise(data: dict[str, Any], fmt: Format) -> str:
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


def check_format(fmt: str, source: str) -> Format:
    if fmt in ("json", "toml", "yaml"):
        return fmt  # type: ignore[return-value]
    msg = f"unknown format {fmt!r}; expected one of json, toml, yaml"
    raise DataError(source, [Problem("", msg)])


def file_format(path: str | os.PathLike[str], format: str | None) -> Format:
    """The format given for a file, checked, or else the one its suffix implies."""
    name = check_path("path", path)
    return format_for_path(name) if format is None else check_format(format, name)


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
    suffix = Path(check_path("path", path)).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(FORMATS)
        msg = f"cannot tell the format from the suffix {suffix or '(none)'!r}; use one of {known}"
        raise DataError(str(path), [Problem("", msg)]) from None


def decode(text: object, source: str) -> str:
    """The text of a document: size-checked, decoded from UTF-8 if bytes, without NULs."""
    if isinstance(text, memoryview):
        text = text.tobytes()
    if not isinstance(text, str | bytes | bytearray):
        msg = f"expected the document as text or bytes, got {described(text)}"
        raise DataError(source, [Problem("", msg)])
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


def read_path(path: str | os.PathLike[str], source: str) -> bytes:
    """The bytes of a file, at most :data:`MAX_BYTES` of them; failures become a DataError."""
    check_path("path", path)
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
