"""The readiness report: a printable, self-contained HTML page of one scored assessment.

Scores per group and overall, the level reached and the gap to the next, the thresholds
missed and by how much, missing answers, pre-filled facts with their sources, an optional
peer benchmark, and a radar chart of the groups drawn as inline SVG (no script, no CDN, no
external file: the page prints and opens offline).
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape
from importlib import resources
from typing import Any

import jinja2
import pandas as pd

from clusteratlas.labels.assessment import Assessment
from clusteratlas.labels.benchmark import BenchmarkResult
from clusteratlas.labels.schemes import LabelScheme
from clusteratlas.labels.scoring import ScoreResult

_INK, _ACCENT, _PEER, _RING = "#1a1a1a", "#0b5cad", "#b35900", "#c8c8c8"


def _point(cx: float, cy: float, radius: float, k: int, n: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * k / n
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def radar_svg(
    groups: pd.DataFrame,
    *,
    peers: pd.Series | None = None,
    rings: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8, 1.0),
    marks: tuple[float, ...] = (),
    size: int = 440,
) -> str:
    """Return an SVG radar chart of the groups' score shares (0-1), one axis per group.

    Parameters
    ----------
    groups : pandas.DataFrame
        ``name`` and ``share`` per group (as :attr:`ScoreResult.groups`). With fewer than 3
        groups a radar has no area: horizontal bars are drawn instead.
    peers : pandas.Series, optional
        The peers' median share per group (same order), drawn dashed.
    marks : tuple of float
        Shares drawn as a stronger ring (award cut-offs such as 0.8).
    size : int
        Height of the chart in pixels; its width adds 160 for the group names.
    """
    names = [str(n) for n in groups["name"]]
    shares = [min(max(float(s), 0.0), 1.0) for s in groups["share"]]
    n = len(names)
    title = "Score share per indicator group: " + "; ".join(
        f"{name} {share:.0%}" for name, share in zip(names, shares, strict=True)
    )
    if n < 3:
        return _bars_svg(names, shares, title)
    width = size + 160  # room for the group names left and right
    cx, cy = width / 2, size / 2
    radius = size / 2 - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {size}" '
        f'width="{width}" height="{size}" role="img" class="radar">',
        f"<title>{escape(title)}</title>",
    ]
    for ring in sorted(set(rings) | set(marks)):
        pts = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (_point(cx, cy, radius * ring, k, n) for k in range(n))
        )
        strong = ring in marks
        dash = ' stroke-dasharray="4 3"' if strong else ""
        parts.append(
            f'<polygon points="{pts}" fill="none" stroke="{_INK if strong else _RING}" '
            f'stroke-width="{1.4 if strong else 0.8}"{dash}/>'
        )
        lx, ly = _point(cx, cy, radius * ring, 0, n)
        parts.append(
            f'<text x="{lx + 4:.1f}" y="{ly + 11:.1f}" font-size="9" fill="#4d4d4d">'
            f"{ring:.0%}</text>"
        )
    for k, name in enumerate(names):
        x, y = _point(cx, cy, radius, k, n)
        parts.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="{_RING}" stroke-width="0.8"/>'
        )
        tx, ty = _point(cx, cy, radius + 14, k, n)
        anchor = "middle" if abs(tx - cx) < 1 else ("start" if tx > cx else "end")
        words, lines, line = name.split(), [], ""
        for word in words:  # wrap long group names on about 22 characters
            if line and len(line) + len(word) > 22:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        top = ty - 6 * (len(lines) - 1) + (4 if ty > cy + 1 else 0) - (6 if ty < cy - 1 else 0)
        spans = "".join(
            f'<tspan x="{tx:.1f}" y="{top + 12 * i:.1f}">{escape(text)}</tspan>'
            for i, text in enumerate(lines)
        )
        parts.append(f'<text font-size="11" text-anchor="{anchor}" fill="{_INK}">{spans}</text>')
    if peers is not None:
        values = [min(max(float(v), 0.0), 1.0) for v in peers]
        pts = " ".join(
            f"{x:.1f},{y:.1f}"
            for x, y in (_point(cx, cy, radius * v, k, n) for k, v in enumerate(values))
        )
        parts.append(
            f'<polygon class="peers" points="{pts}" fill="none" stroke="{_PEER}" '
            'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    pts = " ".join(
        f"{x:.1f},{y:.1f}"
        for x, y in (_point(cx, cy, radius * s, k, n) for k, s in enumerate(shares))
    )
    parts.append(
        f'<polygon class="scores" points="{pts}" fill="{_ACCENT}" fill-opacity="0.25" '
        f'stroke="{_ACCENT}" stroke-width="2"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _bars_svg(names: list[str], shares: list[float], title: str) -> str:
    width, row = 420, 28
    height = row * len(names) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="radar">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (name, share) in enumerate(zip(names, shares, strict=True)):
        y = 5 + i * row
        parts.append(f'<text x="0" y="{y + 16}" font-size="11">{escape(name[:28])}</text>')
        parts.append(
            f'<rect x="180" y="{y + 4}" width="{200 * share:.1f}" height="16" fill="{_ACCENT}"/>'
        )
        parts.append(
            f'<text x="{186 + 200 * share:.1f}" y="{y + 16}" font-size="11">{share:.0%}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def readiness_report(
    scheme: LabelScheme,
    result: ScoreResult,
    assessment: Assessment,
    *,
    organisation_name: str | None = None,
    benchmark: BenchmarkResult | None = None,
    generated: dt.date | None = None,
) -> str:
    """Return the readiness report of a scored assessment as a self-contained HTML page."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("clusteratlas.labels", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    peers = None
    if benchmark is not None and benchmark.shown and benchmark.percentiles is not None:
        medians = benchmark.percentiles.set_index("group")
        if "p50" in medians.columns:
            peers = medians["p50"].reindex(result.groups["group"])
    marks = tuple(lv.min_score_share for lv in scheme.levels if lv.min_score_share is not None)
    chart = radar_svg(result.groups, peers=peers, marks=marks)
    css = resources.files("clusteratlas.labels").joinpath("templates", "readiness.css")
    indicators = result.indicators
    context: dict[str, Any] = {
        "scheme": scheme,
        "result": result,
        "assessment": assessment,
        "name": organisation_name or assessment.organisation_id,
        "generated": (generated or dt.date.today()).isoformat(),
        "chart": chart,
        "css": css.read_text(encoding="utf-8"),
        "groups": result.groups.to_dict(orient="records"),
        "missed": result.missed().to_dict(orient="records"),
        "missing": indicators[~indicators["answered"]].to_dict(orient="records"),
        "prefilled": indicators[indicators["origin"] == "prefilled"].to_dict(orient="records"),
        "unconfirmed": int((indicators["status"] == "UNCONFIRMED").sum()),
        "benchmark": benchmark,
        "peer_rows": (
            None
            if benchmark is None or benchmark.percentiles is None
            else benchmark.percentiles.merge(
                result.groups[["group", "name", "share"]], on="group"
            ).to_dict(orient="records")
        ),
    }
    return env.get_template("readiness.html.j2").render(**context)


__all__ = ["radar_svg", "readiness_report"]
