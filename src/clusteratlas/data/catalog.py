"""The catalog of real public data sets, and where to find each one.

Every data set the project reads is described once here: what it is, its licence, the
attribution text that must accompany any output built from it, its official source, the
file name it has in a data directory (a mirror), whether a copy ships inside the package
and, for a publisher's fixed file, its SHA-256. :func:`resolve` finds a data set in the
user's data directory, then the packaged copy, then the user cache, then downloads it from
its publisher; see :mod:`clusteratlas.data.locations` for the order and the messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from clusteratlas._validation import suggest
from clusteratlas.data.locations import DataSet, Where, locate_dataset, resolve_dataset
from clusteratlas.errors import UnknownCodeError

EUROSTAT_ATTRIBUTION = "Source: Eurostat"
GISCO_ATTRIBUTION = "© EuroGeographics for the administrative boundaries (Eurostat GISCO)"
BEA_ATTRIBUTION = "U.S. Bureau of Economic Analysis, input-output accounts (via USEPA useeior)"
ESCO_ATTRIBUTION = (
    "ESCO – European Skills, Competences, Qualifications and Occupations, © European Union "
    "(CC BY 4.0)"
)
DPS_ATTRIBUTION = (
    "Delgado, Porter & Stern (2016), Defining clusters of related industries, "
    "J. Economic Geography 16(1); U.S. Cluster Mapping Project (clustermapping.us)"
)


def _nuts(level: int) -> DataSet:
    return DataSet(
        name=f"nuts2013_level{level}",
        title=f"NUTS 2013 boundaries, level {level}",
        description=(
            f"Boundaries of the NUTS 2013 level-{level} regions, simplified, WGS84, "
            "with properties NUTS_ID and a name."
        ),
        licence="Eurostat GISCO terms: free reuse with attribution",
        attribution=GISCO_ATTRIBUTION,
        source_url=(
            "https://ec.europa.eu/eurostat/web/gisco/geodata/statistical-units/"
            "territorial-units-statistics"
        ),
        filename=f"eu/nuts2013_level{level}.geojson",
        download_url=(
            "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
            f"NUTS_RG_20M_2013_4326_LEVL_{level}.geojson"
        ),
        download_filename=f"eu/NUTS_RG_20M_2013_4326_LEVL_{level}.geojson",
    )


_DATASETS: tuple[DataSet, ...] = (
    DataSet(
        name="sbs_r_nuts06_r2",
        title="Eurostat regional structural business statistics (NACE Rev. 2)",
        description=(
            "SBS data by NUTS-2 regions and NACE Rev. 2 (2008 onwards): local units, persons "
            "employed, wages and salaries, by section, division and (trade) group; bulk TSV "
            "with flags. Discontinued, superseded by sbs_r_nuts2021."
        ),
        licence="Reuse authorised with acknowledgement (Commission Decision 2011/833/EU)",
        attribution=EUROSTAT_ATTRIBUTION + " (sbs_r_nuts06_r2)",
        source_url="https://ec.europa.eu/eurostat/databrowser/view/sbs_r_nuts06_r2/default/table",
        filename="eu/sbs_r_nuts06_r2.tsv.gz",
        download_url=(
            "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/"
            "sbs_r_nuts06_r2?format=TSV&compressed=true"
        ),
    ),
    DataSet(
        name="cbp2019_cbsa",
        title="County Business Patterns 2019 by metropolitan and micropolitan area (CBSA)",
        description=(
            "Employment and establishments by CBSA and NAICS 2017 (2–6 digits); suppressed "
            "cells are missing. The mirror holds a tidy extract; the official download is "
            "the Census metro-area file (cbp19msa), which the reader also understands."
        ),
        licence="Public domain (U.S. Census Bureau)",
        attribution="Source: U.S. Census Bureau, County Business Patterns 2019",
        source_url="https://www.census.gov/programs-surveys/cbp.html",
        filename="us/cbp2019_cbsa_naics.csv.gz",
        download_url="https://www2.census.gov/programs-surveys/cbp/datasets/2019/cbp19msa.zip",
        download_filename="us/cbp19msa.zip",
    ),
    DataSet(
        name="us_benchmark_clusters",
        title="US benchmark cluster definitions (51 traded, 16 local clusters)",
        description=(
            "6-digit NAICS industries mapped to the benchmark clusters and subclusters of "
            "Delgado, Porter & Stern (2016), with the traded/local split."
        ),
        licence="Published research outputs; cite both references",
        attribution=DPS_ATTRIBUTION,
        source_url="https://clustermapping.us/content/cluster-mapping-methodology",
        filename="clusters/us_benchmark_clusters_naics.csv",
        packaged=True,
    ),
    DataSet(
        name="us_related_clusters",
        title="Related traded clusters (51 × 51 pairs)",
        description=(
            "Between-cluster relatedness (co-location, input-output, occupations, composite) "
            "with percentiles and relatedness flags, from Delgado, Porter & Stern (2016)."
        ),
        licence="Published research outputs; cite both references",
        attribution=DPS_ATTRIBUTION,
        source_url="https://clustermapping.us/content/cluster-mapping-methodology",
        filename="clusters/us_related_clusters_dps2016.csv",
        packaged=True,
    ),
    *(_nuts(level) for level in range(4)),
    DataSet(
        name="us_cbsa_boundaries",
        title="US counties, BEA economic areas and metropolitan areas (2013)",
        description=(
            "TopoJSON with layers counties, eas and msas (keyed by pre-2013 CBSA codes). The site "
            "data have no official download: read from a data directory only (Census geometry)."
        ),
        licence="U.S. Census geometry (public domain), via the U.S. Cluster Mapping Project",
        attribution="U.S. Cluster Mapping Project (Harvard ISC / US EDA); U.S. Census Bureau",
        source_url="https://clustermapping.us",
        filename="us/us_counties_eas_msas_2013.topojson",
    ),
    DataSet(
        name="us_cbsa_crosswalk",
        title="County to core-based statistical area (CBSA) crosswalk, 2017",
        description=(
            "OMB delineation of the metropolitan and micropolitan statistical areas (2013 "
            "series, titles as revised up to 2017): one row per county with cbsacode, "
            "cbsatitle, metropolitanmicropolitanstatis, fipsstatecode, fipscountycode "
            "(not zero-padded)."
        ),
        licence="Public domain (U.S. Census Bureau / OMB delineation files, via NBER)",
        attribution=(
            "U.S. Census Bureau / OMB metropolitan and micropolitan delineation files "
            "(NBER CBSA to FIPS county crosswalk)"
        ),
        source_url="https://www.nber.org/research/data/census-core-based-statistical-area-cbsa-federal-information-processing-series-fips-county-crosswalk",
        filename="us/cbsa2fipsxw_2017.csv.gz",
        packaged=True,
    ),
    DataSet(
        name="us_states",
        title="US states (us-atlas 3.0.1)",
        description="TopoJSON of US states and the nation at 1:10m, from Census boundaries.",
        licence="ISC (us-atlas), Census geometry public domain",
        attribution="us-atlas 3.0.1 by Michael Bostock (ISC); U.S. Census Bureau",
        source_url="https://github.com/topojson/us-atlas",
        filename="us/us_atlas_states_10m.topojson",
        download_url="https://cdn.jsdelivr.net/npm/us-atlas@3.0.1/states-10m.json",
        download_filename="us/states-10m.json",
        sha256="d76b391ccfa8bff601d51e3e3da5d43a89fa46cd5caca72ce731b383be5596d0",
        packaged=True,
    ),
    DataSet(
        name="us_counties",
        title="US counties (us-atlas 3.0.1)",
        description=(
            "TopoJSON of the 3,231 US counties (5-digit FIPS ids), states and the nation at "
            "1:10m, from the Census cartographic boundaries."
        ),
        licence="ISC (us-atlas), Census geometry public domain",
        attribution="us-atlas 3.0.1 by Michael Bostock (ISC); U.S. Census Bureau",
        source_url="https://github.com/topojson/us-atlas",
        filename="us/us_atlas_counties_10m.topojson",
        download_url="https://cdn.jsdelivr.net/npm/us-atlas@3.0.1/counties-10m.json",
        download_filename="us/counties-10m.json",
        sha256="145aaf5d1433352a6a1d8e86b5f149c7c653f9171baf14aaf75ee66575def1b0",
    ),
    DataSet(
        name="nace_sections",
        title="NACE Rev. 2 sections with English and French labels",
        description="The 21 NACE Rev. 2 sections.",
        licence="Licence Ouverte / Etalab 2.0 (INSEE)",
        attribution="Source: INSEE, NAF rév. 2 / NACE Rev. 2",
        source_url="https://www.insee.fr/fr/information/2406147",
        filename="classifications/nace_rev2_sections_en_fr.csv",
        packaged=True,
    ),
    DataSet(
        name="nace_divisions",
        title="NACE Rev. 2 divisions with English and French labels",
        description="The 88 NACE Rev. 2 divisions with their sections.",
        licence="Licence Ouverte / Etalab 2.0 (INSEE)",
        attribution="Source: INSEE, NAF rév. 2 / NACE Rev. 2",
        source_url="https://www.insee.fr/fr/information/2406147",
        filename="classifications/nace_rev2_divisions_en_fr.csv",
        packaged=True,
    ),
    DataSet(
        name="naf_rev2_hierarchy",
        title="NAF rév. 2 hierarchy (INSEE): sub-classes to sections",
        description="The 732 NAF rév. 2 sub-classes with their class, group, division and section.",
        licence="Licence Ouverte / Etalab 2.0 (INSEE)",
        attribution="Source: INSEE, NAF rév. 2 / NACE Rev. 2",
        source_url="https://www.insee.fr/fr/information/2406147",
        filename="classifications/naf_rev2_hierarchy.csv",
        packaged=True,
    ),
    DataSet(
        name="naics2017",
        title="NAICS 2017 codes and titles (2–6 digits)",
        description="North American Industry Classification System 2017, US codes and titles.",
        licence="Public domain (U.S. Census Bureau)",
        attribution="Source: U.S. Census Bureau, NAICS 2017",
        source_url="https://www.census.gov/naics/",
        filename="classifications/naics2017_us.csv",
        packaged=True,
    ),
    DataSet(
        name="eu_ecosystems",
        title="The 14 EU industrial ecosystems and their NACE codes",
        description=(
            "Ecosystems of the EU industrial strategy (2021 update) with candidate NACE codes; "
            "each row says whether it was CONFIRMED in a source or is an UNCONFIRMED candidate."
        ),
        licence="Compiled facts with their sources (see the file)",
        attribution="EU industrial ecosystems: European Commission, Annual Single Market Report 2021",
        source_url="https://single-market-economy.ec.europa.eu/industry/strategy/industrial-ecosystems_en",
        filename="reference/ecosystems_nace.csv",
        packaged=True,
    ),
    DataSet(
        name="sirene_basrhin_2010",
        title="SIRENE establishments of the Strasbourg area (Bas-Rhin), January 2010",
        description=(
            "Real SIRENE establishments located by IRIS (no coordinates): IRIS code, NAF rev. 2 "
            "sub-class and INSEE employee band; 81,921 rows, 253 IRIS, 86 communes. This "
            "extract has no official download; the package ships it (Licence Ouverte)."
        ),
        licence="Licence Ouverte / Etalab 2.0 (INSEE)",
        attribution="Source: INSEE, SIRENE",
        source_url="https://www.sirene.fr/",
        filename="fr/sirene_2010_basrhin_iris.csv.gz",
    ),
    *(
        DataSet(
            name=f"bea_{kind}_{level}_{year}",
            title=f"BEA {level} {kind} table {year} (before redefinitions)",
            description=(
                f"US input-output {kind} table, {level} level, {year}, US$ million"
                + (
                    " (commodities × industries)."
                    if kind == "use"
                    else " (industries × commodities)."
                )
            ),
            licence="Public domain (U.S. Bureau of Economic Analysis); MIT packaging (useeior)",
            attribution=BEA_ATTRIBUTION,
            source_url="https://www.bea.gov/industry/input-output-accounts-data",
            filename=f"io/bea/{level.capitalize()}_{kind.capitalize()}_{year}_"
            + ("PRO_" if kind == "use" else "")
            + "BeforeRedef_17sch.csv",
        )
        for kind in ("use", "make")
        for level, year in (("summary", 2022), ("detail", 2017))
    ),
    DataSet(
        name="bea_crosswalk_2017",
        title="BEA 2017 sector/summary/detail codes and NAICS 2017/2012",
        description="Master crosswalk between BEA input-output industry codes and NAICS.",
        licence="Public domain (U.S. Bureau of Economic Analysis); MIT packaging (useeior)",
        attribution=BEA_ATTRIBUTION,
        source_url="https://www.bea.gov/industry/input-output-accounts-data",
        filename="io/bea/MasterCrosswalk2017.csv",
    ),
    DataSet(
        name="naics_isic_concordance",
        title="NAICS 2017 to ISIC Rev. 4 concordance",
        description=(
            "US Census concordance between NAICS 2017 and ISIC Rev. 4 (= NACE Rev. 2 down to "
            "divisions); '*' marks partial links."
        ),
        licence="Public domain (U.S. Census Bureau)",
        attribution="Source: U.S. Census Bureau, NAICS concordances",
        source_url="https://www.census.gov/naics/?68967",
        filename="classifications/naics2017_to_isic4.csv",
        packaged=True,
    ),
    DataSet(
        name="us_cluster_organisations",
        title="US cluster organisations and the clusters they serve",
        description="145 real US cluster organisations tagged with benchmark cluster names.",
        licence="Public registry of the U.S. Cluster Mapping Project",
        attribution="U.S. Cluster Mapping Project (Harvard ISC / US EDA) organisation registry",
        source_url="https://clustermapping.us",
        filename="clusters/us_cluster_organisations.csv",
        packaged=True,
    ),
    DataSet(
        name="poles_competitivite_phase5",
        title="Pôles de compétitivité labelled for phase V (2023–2026)",
        description=(
            "The 55 pôles labelled on 27 March 2023 (53 identified, 3 candidates) and 2 water "
            "poles of 2024, with duration, région and theme; each row sourced and marked "
            "CONFIRMED or UNCONFIRMED."
        ),
        licence="Compiled facts with their sources (see the file)",
        attribution="Pôles de compétitivité phase V: Direction générale des Entreprises (27 March 2023)",
        source_url="https://entreprises.gouv.fr/la-dge/actualites/labellisation-de-55-poles-de-competitivite-pour-la-phase-v-2023-2026",
        filename="reference/poles_competitivite_phase5.csv",
        packaged=True,
    ),
    DataSet(
        name="esca_indicators",
        title="ESCA/EUCLES cluster-management excellence labels: rules and indicator groups",
        description=(
            "Bronze, Silver and Gold award rules, validity, the 6 Bronze indicator groups, "
            "the Gold 31-indicator and 80 % rules and eligibility; each fact sourced and "
            "marked CONFIRMED or UNCONFIRMED (the facts behind the label schemes)."
        ),
        licence="Compiled facts with their sources (see the file)",
        attribution="ESCA (cluster-analysis.org) and EUCLES (eucles.be), as cited per row",
        source_url="https://www.cluster-analysis.org/benchmarked-clusters",
        filename="reference/esca_indicators.csv",
        packaged=True,
    ),
    DataSet(
        name="silicon_europe",
        title="Members of the Silicon Europe alliance",
        description="12 alliance clusters (October 2015), MESAP and 2 agencies, with NUTS-2 2013.",
        licence="Compiled facts with their sources (see the file)",
        attribution="Silicon Europe alliance (silicon-europe.eu)",
        source_url="https://www.silicon-europe.eu/about/history/",
        filename="reference/silicon_europe.csv",
        packaged=True,
    ),
    DataSet(
        name="eu_clusters_named",
        title="Named EU clusters with labels",
        description="Seven EU clusters (Silicon Saxony, Silesian Aviation Cluster, …) with facts.",
        licence="Compiled facts with their sources (see the file)",
        attribution="European Cluster Collaboration Platform news and cluster websites",
        source_url="https://clustercollaboration.eu",
        filename="reference/eu_clusters_named.csv",
        packaged=True,
    ),
    DataSet(
        name="fr_departements",
        title="French départements (boundaries and names)",
        description="The 96 metropolitan départements, simplified, WGS84; properties code, nom.",
        licence="Licence Ouverte / Etalab 2.0",
        attribution="IGN Admin Express / INSEE COG 2018",
        source_url="https://geoservices.ign.fr/adminexpress",
        filename="fr/departements.geojson",
        packaged=True,
    ),
    DataSet(
        name="sbs_r_nuts2021",
        title="Eurostat regional structural business statistics (NUTS 2021, NACE Rev. 2)",
        description=(
            "SBS by NUTS 2021 regions and NACE Rev. 2 from reference year 2021: local units "
            "(LOC_NR), persons employed in local units (EMP_LOC_NR), wages and salaries "
            "(WAGE_LOC_MEUR), with flags and confidentiality status; SDMX-CSV from the "
            "Eurostat dissemination API. Successor of sbs_r_nuts06_r2."
        ),
        licence="Reuse authorised with acknowledgement (Commission Decision 2011/833/EU)",
        attribution=EUROSTAT_ATTRIBUTION + " (sbs_r_nuts2021)",
        source_url="https://ec.europa.eu/eurostat/databrowser/view/sbs_r_nuts2021/default/table",
        filename="eu/sbs_r_nuts2021.csv.gz",
        download_url=(
            "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/"
            "SBS_R_NUTS2021?format=SDMX-CSV&compressed=true"
        ),
    ),
    *(
        DataSet(
            name=f"nuts2021_level{level}",
            title=f"NUTS 2021 boundaries, level {level}",
            description=(
                f"Boundaries of the NUTS 2021 level-{level} regions, 1:20 million, WGS84, "
                "with properties NUTS_ID, NUTS_NAME, NAME_LATN, CNTR_CODE (Eurostat GISCO)."
            ),
            licence="Eurostat GISCO terms: free reuse with attribution",
            attribution=GISCO_ATTRIBUTION,
            source_url=(
                "https://ec.europa.eu/eurostat/web/gisco/geodata/statistical-units/"
                "territorial-units-statistics"
            ),
            filename=f"eu/NUTS_RG_20M_2021_4326_LEVL_{level}.geojson",
            download_url=(
                "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
                f"NUTS_RG_20M_2021_4326_LEVL_{level}.geojson"
            ),
        )
        for level in range(4)
    ),
    *(
        DataSet(
            name=f"esco_{kind}s_en",
            title=f"ESCO {kind}s (English)",
            description=(
                f"The {count} ESCO v1.2 {kind}s: concept URI and one text (preferred label, "
                "alternative labels, definition). A classification, so it ships like NACE and "
                "NAICS; the official CSV download (any language) is read too."
            ),
            licence="CC BY 4.0 (© European Union)",
            attribution=ESCO_ATTRIBUTION,
            source_url="https://esco.ec.europa.eu/en/use-esco/download",
            filename=f"esco/esco_{kind}s_en.csv.gz",
            packaged=True,
        )
        for kind, count in (("skill", "13,939"), ("occupation", "3,658"))
    ),
    *(
        DataSet(
            name=f"cbp{year}_cbsa",
            title=(f"County Business Patterns {year} by metropolitan and micropolitan area (CBSA)"),
            description=(
                f"Census metro-area file cbp{year % 100:02d}msa: employment (with noise flags), "
                f"annual payroll and establishments by CBSA and NAICS "
                f"{2012 if year <= 2016 else 2017 if year <= 2021 else 2022} (2–6 digits); "
                "withheld cells are missing."
            ),
            licence="Public domain (U.S. Census Bureau)",
            attribution=f"Source: U.S. Census Bureau, County Business Patterns {year}",
            source_url=f"https://www.census.gov/data/datasets/{year}/econ/cbp/{year}-cbp.html",
            filename=f"us/cbp{year % 100:02d}msa.zip",
            download_url=(
                f"https://www2.census.gov/programs-surveys/cbp/datasets/{year}/"
                f"cbp{year % 100:02d}msa.zip"
            ),
        )
        for year in range(2012, 2023)
        if year != 2019
    ),
)

#: Every data set of the catalog by name: source, licence, attribution, official URL and file
#: (see :func:`list_datasets`, :func:`resolve`).
CATALOG: dict[str, DataSet] = {dataset.name: dataset for dataset in _DATASETS}


def get_dataset(name: str) -> DataSet:
    """Return the catalog entry called ``name``.

    Raises
    ------
    UnknownCodeError
        If no data set has that name; the message lists the known names.
    """
    try:
        return CATALOG[name]
    except KeyError:
        raise UnknownCodeError(
            f"Unknown data set {name!r}.{suggest(name, CATALOG)} "
            f"Known data sets: {', '.join(sorted(CATALOG))}."
        ) from None


def locate(name: str) -> tuple[Path | None, Where]:
    """Return where a data set is available now, without downloading.

    Returns
    -------
    (path, where)
        ``where`` is ``"mirror"`` (the user's data directory), ``"packaged"``, ``"cache"``,
        ``"download"`` (not here, but downloadable) or ``"missing"``; ``path`` is ``None``
        unless the file is on disk.
    """
    return locate_dataset(get_dataset(name))


def resolve(name: str, *, download: bool = True, progress: bool = True) -> Path:
    """Return the local path of a data set, downloading it to the cache if needed.

    Parameters
    ----------
    name : str
        Catalog name (see :data:`CATALOG`).
    download : bool
        Whether to download from the official source when the file is in none of the data
        directory, the packaged files and the cache.
    progress : bool
        Whether to show a progress bar while downloading.

    Raises
    ------
    DataNotFoundError
        When the data set cannot be found or fetched; the message says what to set or run.
    """
    return resolve_dataset(get_dataset(name), download=download, progress=progress)


def dataset_path(path: str | Path | None, name: str) -> Path:
    """Return ``path`` when given, else the resolved catalog data set ``name``.

    Readers take an optional explicit path; this is how they fall back on the catalog.
    """
    return Path(path) if path is not None else resolve(name)


def attribution(names: Iterable[str]) -> list[str]:
    """Return the distinct attribution texts of the named data sets, in order."""
    texts: list[str] = []
    for name in names:
        text = get_dataset(name).attribution
        if text not in texts:
            texts.append(text)
    return texts


def list_datasets() -> list[DataSet]:
    """Return every catalog entry, sorted by name."""
    return [CATALOG[name] for name in sorted(CATALOG)]
