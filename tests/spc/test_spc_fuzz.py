"""Arbitrary input to the new charts: a result, or the library's error with a message.

Never another exception, never a warning (warnings are errors in the test run).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from safety_collab.errors import DataError, SPCError
from safety_collab.spc import (
    c_chart,
    choose_chart,
    funnel,
    g_chart,
    many,
    run_chart,
    t_chart,
)

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-1000, 1000),
    st.sampled_from([0, 1, 1e-300, 1e150, -0.0]),
)
series = st.lists(numbers, max_size=30)


def refused_or_ok(call: Any, *allowed: type[BaseException]) -> None:
    refused: BaseException | None = None
    try:
        call()
    except allowed as exc:
        refused = exc
    assert refused is None or str(refused).strip(), "a refusal with an empty message"


@given(series, st.sampled_from(["anhoej", "ihi"]), st.lists(st.integers(-2, 35), max_size=3))
def test_run_chart(values: list[float], rules: str, phases: list[int]) -> None:
    refused_or_ok(lambda: run_chart(values, rules=rules, phases=phases), SPCError)


@given(series, st.sampled_from([c_chart, g_chart, t_chart]))
def test_rare_and_count_charts(values: list[float], chart: Any) -> None:
    refused_or_ok(lambda: chart(values), SPCError)


@given(series, series, st.sampled_from(["proportion", "rate", "ratio"]),
       st.sampled_from(["exact", "normal"]),
       st.sampled_from(["none", "multiplicative", "additive"]))  # fmt: skip
def test_funnel(num: list[float], den: list[float], kind: str, method: str, od: str) -> None:
    refused_or_ok(lambda: funnel(num, den, kind=kind, method=method, overdispersion=od), SPCError)


@given(series, st.one_of(st.none(), series))
def test_choose_chart(values: list[float], den: list[float] | None) -> None:
    refused_or_ok(lambda: choose_chart(values, den), SPCError)


cells = st.one_of(st.none(), st.text(max_size=5), numbers, st.dates(dt.date(2020, 1, 1)))
rows = st.lists(st.tuples(st.sampled_from(["A", "B", "", None]), cells, cells, cells), max_size=20)


@given(rows, st.sampled_from(["run", "xmr", "p", "u", "c", "g", "t"]))
def test_many(data: list[tuple[Any, ...]], chart: str) -> None:
    refused_or_ok(lambda: many(data, chart=chart).summary(), SPCError, DataError)
