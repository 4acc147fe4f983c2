"""The bilan's weekly sums (per UTC hour first, then truncated to the week) and its charts
(SVG written directly)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conformance.bilan.charts import rate_bars, stacked_bars, week_lines
from conformance.bilan.compute import _WEEKS
from conformance.bilan.traces import connect

# around the week boundary (Monday 00:00 Paris), both daylight-saving changes, and before 1912
# (Paris mean time, +00:09:21: an hour there may straddle two weeks)
TIMES = [
    "2025-11-02 23:59:59+01", "2025-11-03 00:00:00+01", "2025-11-02 23:30:00+00",
    "2025-03-30 01:59:59+01", "2025-03-30 03:00:00+02", "2025-03-31 00:00:00+02",
    "2025-03-30 23:59:59+02", "2025-10-26 02:30:00+02", "2025-10-26 02:30:00+01",
    "2025-10-27 00:00:00+01", "1905-01-01 23:55:00+00", "1905-01-02 00:05:00+00",
    "1905-01-01 23:50:39+00", "1905-01-01 23:50:38+00",
]


def test_weeks_summed_by_hour_are_the_weeks_of_each_event() -> None:
    with connect() as con:
        con.execute("SET TimeZone = 'Europe/Paris'")
        con.execute("CREATE TEMP TABLE rx (rpps VARCHAR, situation VARCHAR, ts TIMESTAMPTZ, "
                    "in_denominator BOOLEAN, numerique BOOLEAN)")
        con.executemany("INSERT INTO rx VALUES (?, ?, ?::TIMESTAMPTZ, ?, ?)",
                        [(f"1000000000{i // len(TIMES) % 2}", "liberal", ts, i % 3 != 0, i % 2 == 0)
                         for i, ts in enumerate(TIMES * 3)])
        fast = con.execute(_WEEKS).fetchall()
        naive = con.execute("SELECT rpps, situation, date_trunc('week', ts)::DATE, "
                            "sum(in_denominator::INT), sum(numerique::INT) FROM rx "
                            "GROUP BY ALL ORDER BY 3").fetchall()
    assert sorted(fast) == sorted(naive)
    assert len({row[2] for row in naive}) >= 6  # the times do fall in several weeks


def test_charts_are_svg_with_every_input_text_escaped() -> None:
    hostile = '<script>alert(1)</script>"&'
    charts = [rate_bars([hostile, "10000000001\nliberal"], [30.0, 80.0], 50),
              week_lines(["2025-W45", "2025-W46"], [(hostile, {"2025-W45": 40.0, "2025-W46": 60.0})],
                         50, "semaine"),
              stacked_bars(["EP4", "EP3"], [(hostile, "#c62828", [3, 0]), ("env", "#f9a825", [1, 2])],
                           "appels")]
    for svg in charts:
        root = ET.fromstring(svg)  # well-formed: every text escaped
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "<script" not in svg
        assert hostile in "".join(root.itertext())
    bars = ET.fromstring(charts[0]).findall("{http://www.w3.org/2000/svg}rect")
    assert [b.get("fill") for b in bars] == ["#c62828", "#2e7d32"]  # red below the threshold
