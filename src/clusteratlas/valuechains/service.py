"""Value-chain services: the steps behind ``clusteratlas valuechain`` and ``metacluster``.

They hold the orchestration (load the chain, build the map of the source, measure stage
strength, optimise) and no presentation.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from clusteratlas._validation import check_in, suggest
from clusteratlas.errors import ParameterError, UnknownCodeError
from clusteratlas.mapping.pipeline import build_map
from clusteratlas.mapping.rulesets import load_ruleset
from clusteratlas.mapping.service import make_map
from clusteratlas.mapping.sources import get_source, load_observations, region_names
from clusteratlas.store import Store
from clusteratlas.valuechains.chains import ValueChain, load_chain
from clusteratlas.valuechains.coverage import resolution_notes, stage_strength
from clusteratlas.valuechains.metacluster import MetaclusterResult, ScoreWeights, build_metacluster

SILICON_EUROPE = Path("reference") / "silicon_europe.csv"


def _chain(chain: str | Path | ValueChain) -> ValueChain:
    return chain if isinstance(chain, ValueChain) else load_chain(chain)


def _us_frame(
    value_chain: ValueChain, *, year: int, rules: str | None, store: Store | None
) -> pd.DataFrame:
    """Return an industry-level (6-digit NAICS) map of the chain's industries from CBP."""
    spec = get_source("us-cbp")
    observations = load_observations(spec, store=store)
    present = set(observations["industry"].unique())
    codes = {code for stage in value_chain.stages for code in stage.naics}
    industries = sorted({i for i in present for code in codes if i.startswith(code)})
    definitions = pd.DataFrame(
        {
            "industry": industries,
            "category": industries,
            "category_label": industries,
            "category_type": "",
            "subcategory": "",
            "status": "CONFIRMED",
        }
    )
    return build_map(
        observations,
        definitions,
        year=year,
        ruleset=load_ruleset(rules) if rules else None,
        totals_by_type=False,
        absent_is_zero=spec.absent_is_zero,
        region_names=region_names(spec),
    )


def valuechain_table(
    chain: str | Path | ValueChain,
    *,
    source: str = "eu-sbs",
    year: int = 2014,
    rules: str | None = "eco2007",
    region: str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Return each region's strength in each stage of a value chain.

    Parameters
    ----------
    chain : str, pathlib.Path or ValueChain
        A built-in chain name, a TOML file or a chain.
    source : {"eu-sbs", "us-cbp"}
        ``eu-sbs``: NUTS-2 × NACE divisions (stages at division resolution);
        ``us-cbp``: CBSA × 6-digit NAICS (the chain's industries are rated one by one).
    year : int
        Year mapped (2008–2015 for eu-sbs, 2019 for us-cbp).
    rules : str, optional
        Rating rule-set (``eco2007`` for the EU, ``uscmp`` for the US), or ``None``.
    region : str, optional
        Keep only this region.
    store : Store, optional
        Cache of parsed observations.

    Returns
    -------
    pandas.DataFrame
        The :func:`~clusteratlas.valuechains.coverage.stage_strength` frame; its
        ``attrs["notes"]`` holds the resolution caveats.

    Raises
    ------
    UnknownCodeError
        When ``region`` is not in the data.
    """
    check_in(source, ("eu-sbs", "us-cbp"), name="source")
    value_chain = _chain(chain)
    if source == "eu-sbs":
        frame = make_map(source, year=year, rules=rules, categories="divisions", store=store).frame
        strength = stage_strength(value_chain, frame, classification="nace")
    else:
        frame = _us_frame(value_chain, year=year, rules=rules, store=store)
        strength = stage_strength(value_chain, frame, classification="naics")
    notes = resolution_notes(strength)
    if region is not None:
        if region not in set(strength["region"]):
            hint = suggest(region, sorted(set(strength["region"])))
            raise UnknownCodeError(
                f"Region {region!r} is not in the {source} data for {year}.{hint}"
            )
        strength = strength[strength["region"] == region].reset_index(drop=True)
    strength.attrs["notes"] = notes
    strength.attrs["attribution"] = get_source(source).attribution()
    return strength


def metacluster(
    chain: str | Path | ValueChain = "microelectronics",
    *,
    source: str = "eu-sbs",
    year: int = 2014,
    rules: str | None = "eco2007",
    size: int = 12,
    seed_region: str | None = None,
    max_per_country: int | None = None,
    weights: ScoreWeights | None = None,
    store: Store | None = None,
) -> MetaclusterResult:
    """Build the meta-cluster of a value chain from a source's regional statistics.

    Parameters
    ----------
    chain, source, year, rules, store
        As in :func:`valuechain_table`.
    size, seed_region, max_per_country, weights
        As in :func:`~clusteratlas.valuechains.metacluster.build_metacluster`; for the US,
        ``max_per_country`` makes no sense (CBSA codes carry no country) and is refused.

    Returns
    -------
    MetaclusterResult
        With the data-resolution caveats added to its notes.
    """
    if source == "us-cbp" and max_per_country is not None:
        raise ParameterError(
            "The 'max_per_country' option needs regions of several countries (eu-sbs)."
        )
    value_chain = _chain(chain)
    strength = valuechain_table(value_chain, source=source, year=year, rules=rules, store=store)
    result = build_metacluster(
        value_chain,
        strength,
        size=size,
        seed_region=seed_region,
        weights=weights,
        max_per_country=max_per_country,
    )
    result.notes.extend(strength.attrs.get("notes", []))
    result.frame.attrs["attribution"] = strength.attrs["attribution"]
    return result


def silicon_europe_regions(path: str | Path | None = None) -> list[str]:
    """Return the NUTS-2 2013 regions of the Silicon Europe members (national members omitted).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The reference file; default: the catalog data set ``silicon_europe`` (the user's
        data directory, else the copy shipped inside the package).

    Returns
    -------
    list of str
        Distinct non-empty ``nuts2_2013`` codes, in file order.

    Raises
    ------
    DataNotFoundError
        When the file cannot be found.
    """
    if path is None:
        from clusteratlas.data.catalog import resolve

        path = resolve("silicon_europe")
    with Path(path).open(encoding="utf-8", newline="") as handle:
        codes = [row["nuts2_2013"].strip() for row in csv.DictReader(handle)]
    return list(dict.fromkeys(code for code in codes if code))


__all__ = ["metacluster", "silicon_europe_regions", "valuechain_table"]
