"""The demo behind ``make demo``: the EU and US atlases from the real data, end to end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from clusteratlas.data.regions import EU27
from clusteratlas.export import atomic_write, write_table
from clusteratlas.mapping.rulesets import load_ruleset
from clusteratlas.mapping.service import calibrate, make_map
from clusteratlas.report.build import AtlasOutput, build_atlas
from clusteratlas.store import Store

EU_VIEWS = (
    ("divisions", "eco2007"),
    ("divisions", "panorama2021"),
    ("ecosystems", "eco2007"),
    ("ecosystems", "panorama2021"),
)
US_VIEWS = (("traded", "uscmp"),)
#: Dresden, home of Silicon Saxony; San Jose, Silicon Valley.
EU_REGION, US_REGION = "DED2", "41940"


@dataclass
class DemoOutput:
    """Files the demo wrote and the figures it reports."""

    atlases: list[AtlasOutput] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def run_demo(
    output: str | Path, *, store: Store | None = None, say: Callable[[str], None] = print
) -> DemoOutput:
    """Build the EU atlas (SBS 2014) and the US atlas (CBP 2019) and calibrate Panorama 2021.

    Parameters
    ----------
    output : str or pathlib.Path
        Directory for the reports, PNG maps and CSV tables (created when missing).
    store : Store, optional
        The embedded store (default: the user's database).
    say : callable
        Receives one line per step, for progress.
    """
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    store = store or Store()
    done = DemoOutput()
    say("EU atlas: Eurostat SBS 2014, NACE divisions and ecosystems, eco2007 and panorama2021 …")
    done.atlases.append(
        build_atlas(
            "eu-sbs",
            year=2014,
            views=EU_VIEWS,
            output=folder / "eu_atlas_2014.html",
            store=store,
            portfolio_region=EU_REGION,
            png_category="C26",
        )
    )
    say("US atlas: County Business Patterns 2019, 51 traded clusters, uscmp …")
    done.atlases.append(
        build_atlas(
            "us-cbp",
            year=2019,
            views=US_VIEWS,
            output=folder / "us_atlas_2019.html",
            store=store,
            portfolio_region=US_REGION,
            png_category="Information Technology and Analytical Instruments",
        )
    )
    for atlas in done.atlases:
        for result in atlas.maps:
            path = folder / f"{result.table_name}.csv"
            done.tables.append(write_table(result.frame, path, attribution=result.attribution))
    say("Panorama 2021 rule-set as shipped, on EU-27 NUTS-2 regions, SBS 2014 …")
    done.lines.extend(_panorama_lines(store))
    say("Detect: Ellison–Glaeser indices of every NAF industry in the Strasbourg 2010 extract …")
    done.lines.extend(_detect_lines(folder))
    say("Connect: the micro-electronics meta-cluster on SBS 2014 …")
    done.lines.extend(_connect_lines(folder, store))
    say("Excel: a label self-assessment and training matches (synthetic examples) …")
    done.lines.extend(_excellence_lines(folder))
    strong = done.atlases[1].maps[0].frame
    done.lines.append(
        f"US: {int(strong['strong'].sum()):,} strong clusters in {strong['region'].nunique()} CBSAs."
    )
    return done


def _panorama_lines(store: Store) -> list[str]:
    """Report the shipped panorama2021 default and what it gives, then the calibration check."""
    ruleset = load_ruleset("panorama2021")
    thresholds = ruleset.thresholds()
    lq, employment = thresholds["specialised.lq"], thresholds["specialised.employment"]
    shipped = make_map(
        "eu-sbs", year=2014, rules="panorama2021", categories="divisions", store=store,
        countries=EU27,
    ).frame  # fmt: skip
    chosen = shipped[shipped["specialised"].fillna(False).astype(bool)]
    share = chosen["employment"].sum() / shipped["employment"].sum()
    lines = [
        f"Panorama 2021 rule-set as shipped ({ruleset.label}, {lq.status}): LQ >= "
        f"{lq.threshold_text} with employment >= {float(employment.value or 0):,.0f} gives "
        f"{len(chosen):,} specialisations (published: 1,501) in {chosen['region'].nunique()} "
        f"EU-27 regions (published: 201), holding {share:.1%} of employment "
        "(published: about 25 %)."
    ]
    calibration, _ = calibrate(
        year=2014, store=store, min_employment_grid=(0, 1000, 2000, 3500, 5000)
    )
    lines.append(
        "Check, not the default: re-calibrating on these data (clusteratlas calibrate) gives, "
        "per minimum employment, the LQ cut-off reproducing 1,501 cells:"
    )
    grid = calibration.grid if calibration.grid is not None else calibration.table.head(0)
    for row in grid.itertuples():
        lines.append(
            f"  employment >= {row.min_employment:>6,.0f}: LQ >= {row.threshold:.4f}, "
            f"{row.count:,} cells in {row.regions} regions, {row.employment_share:.1%} of employment"
        )
    return lines


def _detect_lines(folder: Path) -> list[str]:
    from clusteratlas.data.establishments_io import read_strasbourg_extract
    from clusteratlas.detect import agglomeration_table

    table = agglomeration_table(read_strasbourg_extract(), levels=("iris",), missing="drop")
    reliable = table[(table["n_plants"] >= 20) & (table["H"] <= 0.1)].nlargest(3, "gamma")
    write_table(
        table, folder / "strasbourg_agglomeration.csv", attribution=["Source: INSEE, SIRENE"]
    )
    top = ", ".join(f"{row.industry} (γ = {row.gamma:.2f})" for row in reliable.itertuples())
    return [
        f"Strasbourg 2010, most localised industries across IRIS (≥ 20 plants, H ≤ 0.1): {top}."
    ]


def _connect_lines(folder: Path, store: Store) -> list[str]:
    from clusteratlas.valuechains import compare_with
    from clusteratlas.valuechains.service import metacluster, silicon_europe_regions

    result = metacluster("microelectronics", source="eu-sbs", year=2014, size=12, store=store)
    attribution = list(result.frame.attrs.get("attribution", []))
    write_table(
        result.table(), folder / "metacluster_microelectronics.csv", attribution=attribution
    )
    members = silicon_europe_regions()
    overlap = compare_with(result.selected, members)
    return [
        f"Micro-electronics meta-cluster (12 NUTS-2 regions): {', '.join(result.selected)}; "
        f"Silicon Europe member regions among them: {overlap.n_common} of {len(set(members))}."
    ]


def _excellence_lines(folder: Path) -> list[str]:
    """Readiness of the packaged example answers for ESCA Gold; training for a photonics need.

    Both inputs are SYNTHETIC examples shipped with the package (their files say so); the
    Gold indicators and thresholds are our own (UNCONFIRMED), as the scheme file states.
    """
    from importlib.resources import files

    from clusteratlas.labels import (
        load_scheme,
        new_assessment,
        read_answers,
        readiness_report,
        score_assessment,
    )
    from clusteratlas.skills import service as skills

    scheme = load_scheme("esca-gold")
    answers = Path(str(files("clusteratlas.labels") / "examples" / "example-cluster-esca-gold.csv"))
    assessment = new_assessment(
        scheme, organisation_id="example", answers=read_answers(answers, scheme)
    )
    result = score_assessment(scheme, assessment)
    page = readiness_report(
        scheme, result, assessment, organisation_name="Example cluster (synthetic answers)"
    )
    atomic_write(
        folder / "readiness_example_esca_gold.html",
        lambda path: path.write_text(page, encoding="utf-8"),
        what="readiness report",
    )
    missed = ", ".join(result.missed()["indicator"])
    gap = result.next_level
    needs = Path(str(files("clusteratlas.skills") / "files" / "example_needs.csv"))
    matches = skills.match(skills.prepare(needs), top=3)
    attribution = list(matches.attrs.get("attribution", []))
    write_table(matches, folder / "training_matches_example.csv", attribution=attribution)
    best = "; ".join(
        f"{row.programme_id} ({row.coverage:.0%} of the needed skills)"
        for row in matches.itertuples()
    )
    lines = [
        f"Label readiness (synthetic example answers, esca-gold {scheme.version}, UNCONFIRMED "
        f"indicators): {result.earned:g} of {result.max_points:g} points "
        f"({result.share:.1%}), level reached: {result.level or 'none'}; "
        f"thresholds missed: {missed}."
    ]
    if gap is not None and gap.unmet:
        lines.append(f"  {gap.level} needs: {gap.unmet[0]}.")
    lines.append(f"Training matches for a synthetic photonics need of ALPHA-RLH: {best}.")
    return lines
