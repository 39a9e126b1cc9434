"""Import the registry from the real sources, keeping each field's source and status.

Sources (catalog data sets, see :data:`SOURCES`; found in the user's data directory, else the
copies shipped inside the package, as every catalog data set):

* ``clusters/us_cluster_organisations.csv``: 145 U.S. organisations × benchmark cluster
  names; country ``US``; the file gives no region, so ``region`` stays ``None``;
* ``reference/poles_competitivite_phase5.csv``: phase-V pôles de compétitivité, a label
  ``pôle de compétitivité`` / ``phase V`` with the duration from the file. ``region_name`` is the
  French région named; ``region`` (NUTS-2 2013) is set only where a post-2016 région is one
  NUTS-2 2013 region (:data:`UNAMBIGUOUS_NUTS2`), never for merged régions (Occitanie = FR62 +
  FR81 …). The three "candidate" rows stay UNCONFIRMED;
* ``reference/silicon_europe.csv``: the partnership ``Silicon Europe`` and its members, with
  NUTS-2 2013 codes from the file;
* ``reference/eu_clusters_named.csv``: named EU clusters, ``ESCA`` / ``Gold`` labels where the
  file says GOLD, and programme recognitions (Polish "National Key Cluster");
* the training providers of the skills partnerships seed (the packaged
  ``clusteratlas/skills/files/training_providers.csv``, :func:`clusteratlas.skills.training.\
read_providers`, also when ``data_dir`` is given): organisations of ``kind``
  ``"training provider"`` with the key ``provider:<provider_id>`` (:func:`provider_key`), the
  one link from a programme's or a partnership's ``provider_id`` to its organisation. The
  name is CONFIRMED as the seed names it; the seed gives no country, and these are French
  organisations named in partnerships with French pôles, so ``country`` is ``FR`` marked
  UNCONFIRMED with that reason (:data:`PROVIDER_COUNTRY_NOTE`); other details stay empty
  until sourced;
* the partnerships and programmes of the same seed (``partnerships.csv``, ``programmes.csv``)
  as rows of ``training_partnership`` and ``training_programme``
  (:func:`seed_training_offer`), each table only while it has never held a row, so that
  the records people create, edit and delete are never overwritten nor brought back; the
  seed's wording is each row's ``source``, a programme's details UNCONFIRMED.

Country codes are converted to ISO 3166-1 alpha-2 (``UK`` → ``GB``, ``EL`` → ``GR``).
``field_sources`` maps each field to ``{"source", "status"}`` with status ``CONFIRMED``,
``CONFIRMED-derived`` (a code we derived from a place named in the source) or ``UNCONFIRMED``.

Idempotent: natural keys (``us:<org_id>``, ``<iso2>:<slug of name>``, with :data:`ALIASES` for
the same organisation named differently, ``provider:<provider_id>``) and upserts. A field is written when it is empty or
was written by the same source; the first source keeps it otherwise. Re-importing changes
nothing and records no audit entry.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clusteratlas.data.catalog import get_dataset, resolve
from clusteratlas.errors import DataNotFoundError
from clusteratlas.registry.audit import record
from clusteratlas.registry.exchange import export_registry, import_registry
from clusteratlas.registry.models import (
    CONFIRMED,
    UNCONFIRMED,
    AuditEntry,
    Label,
    Organisation,
    Partnership,
    PartnershipMember,
    SupportProgramme,
    Tag,
)

DERIVED = "CONFIRMED-derived"
SOURCES = {
    "us": "clusters/us_cluster_organisations.csv",
    "poles": "reference/poles_competitivite_phase5.csv",
    "silicon_europe": "reference/silicon_europe.csv",
    "eu_named": "reference/eu_clusters_named.csv",
}
#: Seed source → its catalog data set (which says where the file is found).
DATASETS = {
    "us": "us_cluster_organisations",
    "poles": "poles_competitivite_phase5",
    "silicon_europe": "silicon_europe",
    "eu_named": "eu_clusters_named",
}
ISO2 = {"UK": "GB", "EL": "GR"}
UNAMBIGUOUS_NUTS2 = {
    "Île-de-France": "FR10",
    "Centre-Val de Loire": "FR24",
    "Bretagne": "FR52",
    "Pays de la Loire": "FR51",
    "Provence-Alpes-Côte d'Azur": "FR82",
    "Corse": "FR83",
}
"""Post-2016 French régions that are exactly one NUTS-2 2013 region."""
ALIASES = {"fr:minalogic": "fr:minalogic-auvergne-rhone-alpes"}
"""Natural keys of one organisation named differently by two sources."""
POLE = "pôle de compétitivité"
SILICON_EUROPE_DESCRIPTION = (
    "Alliance of European micro- and nanoelectronics clusters, formed to strengthen Europe's "
    "semiconductor industry: chip design, equipment, materials, manufacturing and applications "
    "(silicon-europe.eu, About / History)."
)
"""The alliance's field as its own site states it; its sector (NACE C26) is indexed with it."""
PROVIDERS_FILE = "clusteratlas/skills/files/training_providers.csv"
"""The packaged seed of training providers, as named in ``field_sources`` and the report."""
PROVIDER_KEY_PREFIX = "provider:"
PROVIDER_COUNTRY_NOTE = (
    "The seed gives no country: FR inferred because the provider is named in a partnership "
    "with a French pôle de compétitivité."
)
"""Why a seeded provider's ``country`` is ``FR`` (UNCONFIRMED)."""


@dataclass
class SeedReport:
    """Counts of one import: organisations created, updated and unchanged, per source."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> int:
        """Organisations created or updated."""
        return sum(self.created.values()) + sum(self.updated.values())


def slug(text: str) -> str:
    """Return a lower-case ASCII slug of ``text`` (``"Pôle Mer"`` → ``"pole-mer"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def natural_key(country: str, name: str) -> str:
    """Return the natural key ``<iso2>:<slug>`` (through :data:`ALIASES`)."""
    key = f"{country.lower()}:{slug(name)}"
    return ALIASES.get(key, key)


def provider_key(provider_id: str) -> str:
    """Return the registry key of a training provider of the skills seed.

    ``provider_key("pyla")`` is ``"provider:pyla"``: the organisation of kind
    ``"training provider"`` whose programmes and partnerships carry ``provider_id``.
    """
    return f"{PROVIDER_KEY_PREFIX}{provider_id}"


def _read(folder: Path | None, name: str) -> list[dict[str, str]]:
    dataset = get_dataset(DATASETS[name])
    if folder is None:
        path = resolve(dataset.name, download=False)
    else:
        path = folder / dataset.filename
        if not path.is_file():
            raise DataNotFoundError(
                f"Seed file {path} is missing: 'data_dir' ({folder}) must be laid out like the "
                f"data mirror (with {dataset.filename})."
            )
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


class _Seeder:
    def __init__(self, session: Session, report: SeedReport) -> None:
        self.session = session
        self.report = report

    def organisation(
        self,
        key: str,
        source: str,
        file: str,
        values: dict[str, tuple[Any, str]],
        notes: dict[str, str] | None = None,
    ) -> Organisation:
        """Upsert ``values`` (field → (value, status)) of the organisation ``key``.

        ``notes`` (field → text) adds a ``note`` to a field's source entry (why it is
        UNCONFIRMED).
        """
        found = self.session.scalar(select(Organisation).where(Organisation.key == key))
        created = found is None
        org = found or Organisation(key=key, technologies=[], field_sources={})
        before = {name: getattr(org, name) for name in values} if not created else {}
        sources = dict(org.field_sources or {})
        changed = False
        for name, (value, status) in values.items():
            owner = sources.get(name, {}).get("file")
            if value is None or (getattr(org, name) is not None and owner not in (None, file)):
                continue
            entry = {"source": source, "file": file, "status": status}
            if notes and name in notes:
                entry["note"] = notes[name]
            if getattr(org, name) != value or sources.get(name) != entry:
                setattr(org, name, value)
                sources[name] = entry
                changed = True
        if changed:
            org.field_sources = sources
        if created:
            self.session.add(org)
        self.session.flush()
        after = {name: getattr(org, name) for name in values}
        counter = self.report.created if created else self.report.updated
        if created or changed:
            counter[file] += 1
            action = "import"
            record(
                self.session,
                actor=None,
                entity="organisation",
                entity_id=org.id,
                action=action,
                before=before,
                after=after,
                note=file,
            )
        else:
            self.report.unchanged[file] += 1
        return org

    def child(self, model: type[Any], where: dict[str, Any], values: dict[str, Any]) -> Any:
        """Upsert a row of ``model`` found by ``where``."""
        query = select(model).filter_by(**where)
        row = self.session.scalar(query)
        if row is None:
            row = model(**where, **values)
            self.session.add(row)
        else:
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
        self.session.flush()
        return row


def _status(*flags: bool) -> str:
    return UNCONFIRMED if any(flags) else CONFIRMED


def _seed_us(seeder: _Seeder, rows: list[dict[str, str]]) -> None:
    file = SOURCES["us"]
    source = "U.S. Cluster Mapping Project organisations (" + file + ")"
    for org_id in dict.fromkeys(row["org_id"] for row in rows):
        mine = [row for row in rows if row["org_id"] == org_id]
        values = {"name": (mine[0]["org_title"], CONFIRMED), "country": ("US", DERIVED)}
        org = seeder.organisation(f"us:{org_id}", source, file, values)
        for row in mine:
            seeder.child(
                Tag,
                {"organisation_id": org.id, "kind": "category", "value": row["cluster_name"]},
                {"source": file, "status": CONFIRMED},
            )


def _region_name(text: str) -> str | None:
    name = re.sub(r"\s*\(.*\)\s*$", "", text).strip()
    return None if not name or name.startswith("UNCONFIRMED") else name


def _seed_poles(seeder: _Seeder, rows: list[dict[str, str]]) -> None:
    file = SOURCES["poles"]
    for row in rows:
        status, main, theme = row["status"], row["main_region"], row["theme"]
        candidate = status.startswith("UNCONFIRMED")
        region_unconfirmed = "UNCONFIRMED" in main or bool(
            re.search(r"region\S* UNCONFIRMED", status)
        )
        region_name = _region_name(main)
        nuts = UNAMBIGUOUS_NUTS2.get(region_name or "")
        region_status = _status(region_unconfirmed, candidate)
        theme_status = _status("UNCONFIRMED" in theme, "theme UNCONFIRMED" in status, candidate)
        description = theme if theme and theme != "UNCONFIRMED" else None
        values: dict[str, tuple[Any, str]] = {
            "name": (row["name"], _status(candidate)),
            "country": ("FR", CONFIRMED),
            "region_name": (region_name, region_status),
            "region": (nuts, DERIVED if region_status == CONFIRMED else UNCONFIRMED),
            "description": (description, theme_status),
            "website": (row["website"] or None, CONFIRMED),
        }
        org = seeder.organisation(natural_key("FR", row["name"]), row["source"], file, values)
        note = "; ".join(
            t
            for t in (
                row["other_regions"] and f"other régions: {row['other_regions']}",
                row["note"],
            )
            if t
        )
        seeder.child(
            Label,
            {"organisation_id": org.id, "scheme": POLE, "level": "phase V"},
            {
                "duration": row["labelling_duration"],
                "note": note or None,
                "source": row["source"],
                "status": _status(candidate),
            },
        )


def _seed_partnership_members(seeder: _Seeder, rows: list[dict[str, str]]) -> None:
    file = SOURCES["silicon_europe"]
    partnership = seeder.child(
        Partnership,
        {"key": "silicon-europe"},
        {
            "name": "Silicon Europe",
            "kind": "alliance",
            "website": "https://www.silicon-europe.eu",
            "description": SILICON_EUROPE_DESCRIPTION,
            "sectors": ["C26"],
        },
    )
    for row in rows:
        country = ISO2.get(row["country"], row["country"])
        unconfirmed = "UNCONFIRMED" in row["city_or_region"] or "UNCONFIRMED" in row["note"]
        region_status = UNCONFIRMED if unconfirmed else DERIVED
        values: dict[str, tuple[Any, str]] = {
            "name": (row["name"], CONFIRMED),
            "country": (country, CONFIRMED),
            "region": (row["nuts2_2013"] or None, region_status),
            "region_name": (row["nuts2_2013_name"] or None, region_status),
        }
        if "not a cluster" in row["membership"]:
            values["description"] = (
                "Associated member of Silicon Europe (not a cluster organisation).",
                CONFIRMED,
            )
        org = seeder.organisation(natural_key(country, row["name"]), row["source"], file, values)
        seeder.child(
            PartnershipMember,
            {"partnership_id": partnership.id, "organisation_id": org.id},
            {"role": row["membership"], "source": row["source"], "status": CONFIRMED},
        )
        if "not a cluster" not in row["membership"]:
            # Silicon Europe is the micro- and nano-electronics alliance: its clusters' sector
            # is NACE C26 (their value-chain stages are not known). Derived from
            # the alliance's field, not read in each cluster's own profile.
            for kind, value in (("sector", "C26"), ("category", "C26")):
                seeder.child(
                    Tag,
                    {"organisation_id": org.id, "kind": kind, "value": value},
                    {"source": file, "status": DERIVED},
                )


def _seed_eu_named(seeder: _Seeder, rows: list[dict[str, str]]) -> None:
    file = SOURCES["eu_named"]
    for row in rows:
        country = ISO2.get(row["country"], row["country"])
        unconfirmed = (
            "UNCONFIRMED" in row["city_or_region"] or "location UNCONFIRMED" in row["status"]
        )
        region_status = UNCONFIRMED if unconfirmed else DERIVED
        values: dict[str, tuple[Any, str]] = {
            "name": (row["name"], CONFIRMED),
            "country": (country, CONFIRMED),
            "region": (row["nuts2_2013"] or None, region_status),
            "region_name": (row["nuts2_2013_name"] or None, region_status),
        }
        org = seeder.organisation(natural_key(country, row["name"]), row["source"], file, values)
        facts = row["facts"]
        if "GOLD" in facts.upper():
            awarded = "2012-04-18" if "18 April 2012" in facts else None
            seeder.child(
                Label,
                {"organisation_id": org.id, "scheme": "ESCA", "level": "Gold"},
                {"awarded": awarded, "note": facts, "source": row["source"], "status": CONFIRMED},
            )
        if "National Key Cluster" in facts:
            seeder.child(
                SupportProgramme,
                {"organisation_id": org.id, "name": "National Key Cluster (Poland)"},
                {
                    "level": "national",
                    "details": facts,
                    "source": row["source"],
                    "status": CONFIRMED,
                },
            )


def _seed_training_providers(seeder: _Seeder) -> None:
    from clusteratlas.skills.training import read_providers

    for row in read_providers().to_dict("records"):
        details = row["details_status"]
        values: dict[str, tuple[Any, str]] = {
            "name": (row["name"], row["name_status"]),
            "kind": ("training provider", CONFIRMED),
            "country": (row["country"] or "FR", details if row["country"] else UNCONFIRMED),
            "region_name": (row["region_name"] or None, details),
            "website": (row["website"] or None, details),
        }
        notes = {} if row["country"] else {"country": PROVIDER_COUNTRY_NOTE}
        seeder.organisation(
            provider_key(row["provider_id"]), row["source"], PROVIDERS_FILE, values, notes
        )


def seed_training_providers(session: Session) -> SeedReport:
    """Import (or re-import) only the training providers of the skills seed.

    The providers come from the package, so no data mirror is needed; a registry seeded
    before providers were organisations gets them this way (see the module docstring).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller commits.

    Returns
    -------
    SeedReport
        Counted under :data:`PROVIDERS_FILE`.
    """
    report = SeedReport()
    _seed_training_providers(_Seeder(session, report))
    return report


PARTNERSHIPS_FILE = "clusteratlas/skills/files/partnerships.csv"
"""The packaged seed of cluster ↔ provider partnerships (named in the audit notes)."""
PROGRAMMES_FILE = "clusteratlas/skills/files/programmes.csv"
"""The packaged seed of training programmes (named in ``field_sources`` and the audit)."""
PROGRAMME_DETAILS = ("duration_hours", "format", "location", "region", "level", "language")
"""Programme fields the seed leaves UNCONFIRMED unless it gives them (all empty today)."""


def _seed_partnerships(session: Session, report: SeedReport) -> None:
    from clusteratlas.registry.models import TrainingPartnership
    from clusteratlas.skills.training import read_partnerships, read_providers

    providers = read_providers().set_index("provider_id")["name"]
    keys = session.execute(select(Organisation.key, Organisation.id)).all()
    ids = dict(keys)
    for row in read_partnerships().to_dict("records"):
        cluster_id = ids.get(row["cluster_key"])
        provider = ids.get(provider_key(row["provider_id"]))
        partnership = TrainingPartnership(
            cluster_id=cluster_id,
            provider_organisation_id=provider,
            cluster_key=row["cluster_key"],
            cluster_name=row["cluster_name"],
            provider_id=row["provider_id"],
            provider_name=str(providers.get(row["provider_id"], row["provider_id"])),
            purpose=row["purpose"],
            purpose_status=_status(not row["purpose_status"].startswith(CONFIRMED)),
            source=row["source"],
            status="active",
        )
        session.add(partnership)
        session.flush()
        report.created[PARTNERSHIPS_FILE] += 1
        record(session, actor=None, entity="training_partnership", entity_id=partnership.id,
               action="import", after={"cluster_key": row["cluster_key"],
               "provider_id": row["provider_id"], "purpose": row["purpose"]},
               note=PARTNERSHIPS_FILE)  # fmt: skip


def _seed_programmes(session: Session, report: SeedReport) -> None:
    from clusteratlas.registry.models import TrainingProgramme
    from clusteratlas.skills.training import read_programmes

    ids = dict(session.execute(select(Organisation.key, Organisation.id)).all())
    for row in read_programmes().to_dict("records"):
        source = row.get("source") or PROGRAMMES_FILE
        status = row.get("status") or UNCONFIRMED
        sources: dict[str, Any] = {
            "title": {"source": source, "file": PROGRAMMES_FILE,
                      "status": CONFIRMED if status.startswith(CONFIRMED) else UNCONFIRMED},
        }  # fmt: skip
        duration = None if math.isnan(row["duration_hours"]) else float(row["duration_hours"])
        confirmed = status.startswith(CONFIRMED)
        for name in PROGRAMME_DETAILS:
            known = duration is not None if name == "duration_hours" else row[name] != ""
            sources[name] = {
                "source": source,
                "file": PROGRAMMES_FILE,
                "status": CONFIRMED if known and confirmed else UNCONFIRMED,
            }
        programme = TrainingProgramme(
            programme_id=row["programme_id"],
            provider_organisation_id=ids.get(provider_key(row["provider_id"])),
            provider_id=row["provider_id"],
            title=row["title"],
            description=row["description"],
            duration_hours=duration,
            format=row["format"],
            location=row["location"],
            region=row["region"],
            level=row["level"],
            language=row["language"],
            status=status,
            source=source,
            field_sources=sources,
        )
        session.add(programme)
        session.flush()
        report.created[PROGRAMMES_FILE] += 1
        record(session, actor=None, entity="training_programme", entity_id=programme.id,
               action="import", after={"programme_id": row["programme_id"],
               "provider_id": row["provider_id"], "title": row["title"]},
               note=PROGRAMMES_FILE)  # fmt: skip


def seed_training_offer(session: Session) -> SeedReport:
    """Write the skills seed's partnerships and programmes into their tables, once.

    Each table is filled only while it has never held a row: a registry that holds
    partnerships (or programmes), seeded or recorded by people, keeps them as they are, and
    one whose rows were all deleted stays empty (the audit trail shows the table was used),
    so calling this again (every start, every ``registry upgrade``) changes nothing. The
    seed's wording is kept as each row's ``source``; a programme's details are UNCONFIRMED
    unless the seed gives them and confirms the programme. Each row written is audited
    (``import``, actor ``system``). Run after the providers are seeded, so that the rows
    link to the providers' organisations (a cluster the registry lacks is left unlinked,
    its key and name kept).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller commits.

    Returns
    -------
    SeedReport
        Rows created, counted under :data:`PARTNERSHIPS_FILE` and :data:`PROGRAMMES_FILE`.
    """
    from clusteratlas.registry.models import TrainingPartnership, TrainingProgramme

    report = SeedReport()
    if _never_held(session, TrainingPartnership, "training_partnership"):
        _seed_partnerships(session, report)
    if _never_held(session, TrainingProgramme, "training_programme"):
        _seed_programmes(session, report)
    return report


def _never_held(session: Session, model: type[Any], entity: str) -> bool:
    """Whether a table is empty and no audit entry names its rows (never seeded nor used)."""
    if session.scalar(select(func.count()).select_from(model)):
        return False
    audited = select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == entity)
    return not session.scalar(audited)


def seed_registry(session: Session, *, data_dir: str | Path | None = None) -> SeedReport:
    """Import (or re-import) every seed source into the registry.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller commits.
    data_dir : str or pathlib.Path, optional
        A folder laid out like the data mirror; by default each source is found through the
        catalog (the user's data directory, else the copy shipped inside the package).

    Returns
    -------
    SeedReport

    Raises
    ------
    DataNotFoundError
        When one of the :data:`SOURCES` files is missing.
    """
    folder = Path(data_dir) if data_dir is not None else None
    report = SeedReport()
    seeder = _Seeder(session, report)
    _seed_us(seeder, _read(folder, "us"))
    _seed_poles(seeder, _read(folder, "poles"))
    _seed_partnership_members(seeder, _read(folder, "silicon_europe"))
    _seed_eu_named(seeder, _read(folder, "eu_named"))
    _seed_training_providers(seeder)
    seed_training_offer(session)  # counted apart: the report counts organisations
    return report


__all__ = [
    "SOURCES",
    "SeedReport",
    "export_registry",
    "import_registry",
    "natural_key",
    "provider_key",
    "seed_registry",
    "seed_training_offer",
    "seed_training_providers",
    "slug",
]
