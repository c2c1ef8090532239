"""Reading NHS Organisation Data Service (ODS) CSV extracts (exposed as ``io.read_ods_csv``)."""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import os
from collections.abc import Iterator, Mapping
from typing import Literal

import attrs

from safety_collab._serial import read_path
from safety_collab._validate import check_path
from safety_collab.errors import DataError, ModelError, ParameterError, Problem
from safety_collab.model import Organisation, OrgKind, is_ods_code

__all__ = ["EXTRACTS", "OdsExtract", "read_ods_csv"]

Extract = Literal["etr", "epraccur", "eccg", "icb"]
EXTRACTS: tuple[str, ...] = ("etr", "epraccur", "eccg", "icb")
"""Extract layouts understood: NHS trusts, GP practices, and CCG/ICB (and sub-ICB) extracts."""

N_COLUMNS = 27

# 1-based column numbers of the published (headerless) layouts
_CODE, _NAME, _GROUPING, _GEOGRAPHY, _POSTCODE, _OPEN, _CLOSE = 1, 2, 3, 4, 10, 11, 12
_STATUS, _SUBTYPE, _COMMISSIONER, _SETTING = 13, 14, 15, 26
_COLUMN_NAMES = {
    _CODE: "Organisation Code",
    _NAME: "Name",
    _GEOGRAPHY: "High Level Health Geography",
    _OPEN: "Open Date",
    _CLOSE: "Close Date",
    _STATUS: "Status Code",
    _COMMISSIONER: "Commissioner",
    _SETTING: "Prescribing Setting",
}
_SETTING_KIND = {4: OrgKind.GP_PRACTICE, 14: OrgKind.CARE_HOME}
_DEFAULT_KIND = {
    "etr": OrgKind.OTHER,
    "epraccur": OrgKind.GP_PRACTICE,
    "eccg": OrgKind.ICB,
    "icb": OrgKind.ICB,
}


@attrs.frozen
class OdsExtract:
    """What :func:`read_ods_csv` read from one extract.

    Iterating gives the organisations; ``len`` counts them.

    Attributes
    ----------
    source
        The file read.
    organisations
        The organisations kept, in file order.
    parents
        Organisation code -> parent code, where the extract gives one (GP
        practices: the commissioner; trusts and ICBs: the high-level health
        geography).
    skipped
        With ``on_error="skip"``, one problem per malformed row, located by line
        and column.
    closed
        How many rows were left out as closed (or dormant/proposed practices).

    Examples
    --------
    >>> OdsExtract("x.csv", (), {}, (), 0).n_skipped
    0
    """

    source: str
    organisations: tuple[Organisation, ...]
    parents: Mapping[str, str]
    skipped: tuple[Problem, ...]
    closed: int

    @property
    def n_skipped(self) -> int:
        """How many malformed rows were skipped."""
        return len(self.skipped)

    def __iter__(self) -> Iterator[Organisation]:
        return iter(self.organisations)

    def __len__(self) -> int:
        return len(self.organisations)


def _where(line: int, col: int) -> str:
    if col == 0:
        return f"line {line}"
    name = _COLUMN_NAMES.get(col)
    return f"line {line}, column {col}" + (f" ({name})" if name else "")


def _date(text: str, line: int, col: int) -> dt.date | None:
    if not text:
        return None
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        msg = f"expected a date as CCYYMMDD, got {text!r}"
        raise _RowError(_where(line, col), msg)
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        msg = f"{text!r} is not a real date"
        raise _RowError(_where(line, col), msg) from None


class _RowError(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(where, message)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_ods_csv(
    path: str | os.PathLike[str],
    kind: str,
    *,
    include_closed: bool = False,
    on_error: Literal["raise", "skip"] = "raise",
    org_kind: OrgKind | Mapping[str, OrgKind] | None = None,
    ics_names: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> OdsExtract:
    r"""Read an NHS Organisation Data Service CSV extract into organisations.

    The extracts are headerless CSV files with 27 fixed columns (see the ODS
    documentation): ``etr.csv`` (NHS trusts), ``epraccur.csv`` (GP practices
    and other prescribing cost centres) and ``eccg.csv`` (CCGs; the ICB and
    sub-ICB extracts keep its layout). Take a file you already have: nothing
    is downloaded.

    Parameters
    ----------
    path
        The extract.
    kind
        Its layout: ``"etr"``, ``"epraccur"``, ``"eccg"`` or ``"icb"``.
    include_closed
        Keep closed organisations (a close date on or before ``today``; for
        practices also status C closed, D dormant, P proposed).
    on_error
        ``"raise"`` (default): the first malformed row raises a
        :class:`~safety_collab.errors.DataError` naming the file, line and
        column. ``"skip"``: malformed rows are left out and listed in
        :attr:`OdsExtract.skipped`.
    org_kind
        The :class:`~safety_collab.model.OrgKind` for the rows, or a mapping
        code -> kind. By default: trusts ``other`` (the trust extract does not
        say acute, mental health, ...), ICB extracts ``icb``, and practices by
        their prescribing setting (4 GP practice, 14 care home, else other).
    ics_names
        Parent code -> integrated care system name, to fill
        :attr:`~safety_collab.model.Organisation.ics`; without it the parent
        code is used.
    today
        The date against which close dates are judged (default: today).

    Returns
    -------
    OdsExtract

    Raises
    ------
    DataError
        For a missing file, an unknown layout, or (with ``on_error="raise"``) a
        malformed row: wrong number of columns, a code that is not an ODS code,
        an empty name, a bad date, a bad status or prescribing setting, or a
        duplicate code.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> row = ["RRK", "UNIVERSITY HOSPITALS BIRMINGHAM NHS FOUNDATION TRUST", "Y60", "QHL",
    ...        "", "", "", "", "", "B15 2GW", "19960401", ""] + [""] * 15
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "etr.csv"
    >>> _ = p.write_text(",".join(row) + "\n")
    >>> got = read_ods_csv(p, "etr", ics_names={"QHL": "Birmingham and Solihull"})
    >>> [(o.id, o.ics) for o in got], got.parents["RRK"]
    ([('RRK', 'Birmingham and Solihull')], 'QHL')
    """
    source = check_path("path", path)
    if kind not in EXTRACTS:
        msg = f"unknown extract layout {kind!r}; expected one of {', '.join(EXTRACTS)}"
        raise DataError(source, [Problem("", msg)])
    if on_error not in ("raise", "skip"):
        msg = f"on_error: expected 'raise' or 'skip', got {on_error!r}"
        raise ParameterError(msg)
    when = today if today is not None else dt.date.today()
    raw = read_path(path, source)  # at most MAX_BYTES, failures as DataError
    if b"\x00" in raw:
        raise DataError(source, [Problem("", "contains NUL bytes; is it a binary file?")])

    orgs: list[Organisation] = []
    parents: dict[str, str] = {}
    skipped: list[Problem] = []
    closed = 0
    seen: dict[str, int] = {}
    reader = csv.reader(_io.StringIO(_decode(raw), newline=""))
    try:
        for line, row in enumerate(reader, start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            try:
                org, parent, is_open = _row(
                    row, line, kind, org_kind=org_kind, ics_names=ics_names, today=when
                )
                if org.id in seen:
                    msg = f"duplicate code {org.id!r} (first on line {seen[org.id]})"
                    raise _RowError(_where(line, _CODE), msg)
            except _RowError as err:
                if on_error == "raise":
                    raise DataError(source, [err.problem]) from None
                skipped.append(err.problem)
                continue
            seen[org.id] = line
            if not is_open and not include_closed:
                closed += 1
                continue
            orgs.append(org)
            if parent:
                parents[org.id] = parent
    except csv.Error as exc:
        msg = f"is not a valid CSV file: {exc} (line {reader.line_num})"
        raise DataError(source, [Problem("", msg)]) from None
    return OdsExtract(source, tuple(orgs), parents, tuple(skipped), closed)


def _row(
    row: list[str],
    line: int,
    kind: str,
    *,
    org_kind: OrgKind | Mapping[str, OrgKind] | None,
    ics_names: Mapping[str, str] | None,
    today: dt.date,
) -> tuple[Organisation, str, bool]:
    if len(row) != N_COLUMNS:
        msg = f"expected {N_COLUMNS} columns, found {len(row)}"
        raise _RowError(_where(line, 0), msg)
    cell = [c.strip() for c in row]
    code, name = cell[_CODE - 1], cell[_NAME - 1]
    if not is_ods_code(code):
        msg = f"{code!r} is not an ODS code (3 to 6 upper-case letters and digits)"
        raise _RowError(_where(line, _CODE), msg)
    if not name:
        raise _RowError(_where(line, _NAME), "the name is empty")
    _date(cell[_OPEN - 1], line, _OPEN)
    close = _date(cell[_CLOSE - 1], line, _CLOSE)
    is_open = close is None or close > today
    kind_here = _DEFAULT_KIND[kind]
    if kind == "epraccur":
        status = cell[_STATUS - 1]
        if status not in ("A", "C", "D", "P"):
            msg = f"expected A, C, D or P, got {status!r}"
            raise _RowError(_where(line, _STATUS), msg)
        is_open = is_open and status == "A"
        setting = cell[_SETTING - 1]
        if setting:
            if not (setting.isascii() and setting.isdigit()):
                msg = f"expected a number, got {setting!r}"
                raise _RowError(_where(line, _SETTING), msg)
            kind_here = _SETTING_KIND.get(int(setting), OrgKind.OTHER)
        parent = cell[_COMMISSIONER - 1]
    else:
        parent = cell[_GEOGRAPHY - 1]
    if isinstance(org_kind, OrgKind):
        kind_here = org_kind
    elif org_kind is not None:
        kind_here = org_kind.get(code, kind_here)
    ics = (ics_names or {}).get(parent, parent) if parent else None
    try:
        # Names in the extracts are upper case; keep them as published.
        org = Organisation(code, name, kind_here, ics=ics or None)
    except ModelError as exc:
        raise _RowError(_where(line, 0), str(exc.problems[0])) from None
    return org, parent, is_open
