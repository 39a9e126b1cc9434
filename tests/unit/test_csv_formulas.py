# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""CSV exports neutralise spreadsheet formulas and keep numbers; the registry export still
reads back exactly (OWASP "CSV Injection": prefix = + - @ tab CR with an apostrophe)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy.orm import Session

from clusteratlas._csv import neutralise, neutralise_frame
from clusteratlas.registry import (
    create_organisation,
    export_registry,
    import_registry,
    make_engine,
    make_session_factory,
    migrate,
)
from clusteratlas.registry.exchange import dump_tables


def test_neutralise_cells() -> None:
    assert neutralise("=1+2") == "'=1+2"
    assert neutralise("+33 1 23") == "'+33 1 23"
    assert neutralise("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("\r=1") == "'\r=1"
    assert neutralise("Silicon Saxony") == "Silicon Saxony"
    assert neutralise("") == ""
    assert neutralise(-3.5) == -3.5 and neutralise(-2) == -2 and neutralise(None) is None


def test_neutralise_frame_keeps_negative_numbers() -> None:
    frame = pd.DataFrame(
        {
            "region": ["DE11", "=cmd"],
            "change": [-0.25, 1.5],
            "count": [-3, 4],
            "label": ["-minus", "ok"],
            "missing": [np.nan, -1.0],
        }
    )
    out = neutralise_frame(frame)
    text = out.to_csv(index=False)
    rows = list(csv.DictReader(text.splitlines()))
    assert rows[0]["change"] == "-0.25" and rows[0]["count"] == "-3"
    assert rows[1]["missing"] == "-1.0" and rows[0]["missing"] == ""
    assert rows[1]["region"] == "'=cmd" and rows[0]["label"] == "'-minus"
    assert frame.loc[1, "region"] == "=cmd"  # the input is not changed


def test_registry_export_neutralises_and_reads_back(
    session: Session, tmp_path: Path, registry_url: str
) -> None:
    create_organisation(
        session,
        actor=None,
        data={
            "name": '=HYPERLINK("http://evil","x")',
            "country": "DE",
            "acronym": "'quoted",
            "description": "-starts with a minus",
            "founding_year": 1999,
        },
    )
    session.commit()
    original = dump_tables(session)
    folder = export_registry(session, tmp_path / "export")
    text = (folder / "organisation.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    (row,) = rows
    assert row["name"].startswith("'=HYPERLINK")
    assert row["description"] == "'-starts with a minus"
    assert row["acronym"] == "''quoted"  # an apostrophe first is escaped too: reads back
    assert row["founding_year"] == "1999"
    session.close()
    if registry_url.startswith("postgresql"):
        from _registry_support import _reset_postgres

        _reset_postgres(registry_url)
        other = registry_url
    else:
        other = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    migrate(other)
    engine = make_engine(other)
    with make_session_factory(engine)() as copy:
        import_registry(copy, folder)
        copy.commit()
        assert dump_tables(copy) == original
    engine.dispose()


def test_result_tables_written_as_csv_neutralise_formulas(tmp_path: Path) -> None:
    from clusteratlas.export import write_table

    frame = pd.DataFrame(
        {"region": ["FR10", "=HYPERLINK(\"http://x\")"], "name": ["@SUM(A1)", "Paris"],
         "lq": [-1.5, 2.0]}
    )  # fmt: skip
    path = write_table(frame, tmp_path / "t.csv", attribution=["Source: test"])
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["region"] for row in rows] == ["FR10", '\'=HYPERLINK("http://x")']
    assert [row["name"] for row in rows] == ["'@SUM(A1)", "Paris"]
    assert [row["lq"] for row in rows] == ["-1.5", "2.0"]  # numbers stay numbers
    assert rows[0]["attribution"] == "Source: test"
    # The caller's frame is not changed.
    assert frame.loc[1, "region"] == '=HYPERLINK("http://x")'
