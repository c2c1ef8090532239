"""Observed curves against hand counts on the tiny collaborative (see conftest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from safety_collab.adoption import history, observed_curve, target_population
from safety_collab.errors import ParameterError
from safety_collab.model import Collaborative, OrgKind, Target


def test_monthly_curve_by_ics(tiny: Collaborative) -> None:
    c = observed_curve(history(tiny, "iv"), tiny, step="month", by="ics", end=dt.date(2020, 9, 1))
    assert c.starts[0] == dt.date(2020, 1, 1)
    assert c.starts[-1] == dt.date(2020, 9, 1)
    #            Jan Feb Mar Apr May Jun Jul Aug Sep
    assert c.adopters.tolist() == [1, 1, 3, 3, 4, 4, 4, 4, 4]
    assert c.in_use.tolist() == [1, 1, 3, 3, 4, 4, 4, 3, 3]
    north, n_north = c.groups["North"]
    south, n_south = c.groups["South"]
    assert (north.tolist(), n_north) == ([1, 1, 2, 2, 3, 3, 3, 3, 3], 3)
    assert (south.tolist(), n_south) == ([0, 0, 1, 1, 1, 1, 1, 1, 1], 3)
    np.testing.assert_allclose(c.share, c.adopters / 6)


def test_quarterly_weekly_and_daily_bins(tiny: Collaborative) -> None:
    h = history(tiny, "iv")
    assert observed_curve(h, tiny, step="quarter").adopters.tolist() == [3, 4, 4]
    weekly = observed_curve(h, tiny, step="week", end=dt.date(2020, 3, 31))
    assert weekly.starts[0] == dt.date(2020, 1, 6)  # the Monday of 10 January's week
    assert weekly.adopters[-1] == 3
    assert weekly.adopters[0] == 1
    daily = observed_curve(h, tiny, step="day", end=dt.date(2020, 3, 2))
    assert daily.adopters[-1] == 2
    assert daily.adopters[-2] == 1


def test_target_population_share_and_time_to_target(tiny: Collaborative) -> None:
    t = Target(0.5, dt.date(2021, 3, 31), intervention="iv", kinds=[OrgKind.ACUTE_TRUST])
    assert target_population(tiny, t) == ("a", "b")
    c = observed_curve(history(tiny, "iv"), tiny, step="month", target=t)
    assert c.target_adopters == 1
    assert c.target_met == dt.date(2020, 1, 31)  # a, in January: one of two acute trusts
    t2 = Target(0.75, dt.date(2020, 12, 31), intervention="iv", ics=["North", "South"])
    c2 = observed_curve(history(tiny, "iv"), tiny, target=t2, end=dt.date(2020, 12, 31))
    assert c2.target_adopters == 5
    assert c2.target_met is None
    line = c2.target_line()
    assert line[0] == 1  # December 2020 is period 11
    assert line[11] == pytest.approx(5.0)


def test_to_frame(tiny: Collaborative) -> None:
    pytest.importorskip("pandas")
    c = observed_curve(history(tiny, "iv"), tiny, step="quarter", by="kind")
    df = c.to_frame()
    assert set(df["group"]) == {"all", "acute_trust", "community_trust"}
    acute = df[df["group"] == "acute_trust"]
    assert acute["adopters"].tolist() == [2, 2, 2]
    assert acute["population"].tolist() == [2, 2, 2]


def test_bad_arguments(tiny: Collaborative) -> None:
    h = history(tiny, "iv")
    with pytest.raises(ParameterError, match="by"):
        observed_curve(h, tiny, by="colour")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="before the start"):
        observed_curve(h, tiny, end=dt.date(2019, 1, 1))
    with pytest.raises(ParameterError, match="no adoptions"):
        observed_curve(history(tiny, "iv", records=[]), tiny)


def test_figure_with_target_and_forecast(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    import safety_collab as sc
    from safety_collab import plot
    from safety_collab.adoption import first_adoption_counts, fit_bass, forecast

    c = sc.west_midlands()
    h = history(c, "news2")
    curve = observed_curve(h, c, step="quarter", target=c.targets[0])
    fit = fit_bass(first_adoption_counts(h, step="quarter"), population=len(curve.population))
    fc = forecast(h, c, fit, target=c.targets[0], step="quarter", runs=200, rng=1)
    fig = plot.observed_adoption(curve, fc, title="NEWS2")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["observed", "on track for the target", "target 80% by 2027-03-31",
                      "forecast, 80% band", "forecast median"]  # fmt: skip
    out = plot.save(fig, tmp_path / "uptake.png")
    assert out.stat().st_size > 1000
