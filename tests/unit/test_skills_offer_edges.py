"""The skills offer read straight from the packaged seed (no registry) and its refusals.

Without a registry, :func:`clusteratlas.skills.offer.programmes` lists the seed's
programmes with their provider's name from the seed's providers file, read here
independently with the csv module; :func:`match_needs` refuses a ``top`` or a ``format``
outside what it documents before any matching.
"""

from __future__ import annotations

import csv
from importlib.resources import files

import pandas as pd
import pytest

from clusteratlas.errors import ParameterError
from clusteratlas.skills import offer

pytest.importorskip("sklearn")


def _seed(name: str) -> list[dict[str, str]]:
    text = files("clusteratlas.skills").joinpath("files", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_seed_programmes_carry_their_providers_name_and_tags() -> None:
    names = {row["provider_id"]: row["name"] for row in _seed("training_providers.csv")}
    seed = _seed("programmes.csv")
    listed = offer.programmes()
    assert [p["programme_id"] for p in listed] == [row["programme_id"] for row in seed]
    for programme, row in zip(listed, seed, strict=True):
        assert programme["provider_name"] == names[row["provider_id"]]
        # Unknown durations stay unknown (None), never 0.
        expected = float(row["duration_hours"]) if row["duration_hours"] else None
        assert programme["duration_hours"] == expected
        assert programme["tags"], programme["programme_id"]
        assert all(tag["source"] == "auto" for tag in programme["tags"])


@pytest.mark.parametrize("top", [0, 101, True, 2.5])
def test_match_needs_refuses_a_top_outside_1_to_100(top: object) -> None:
    needs = pd.DataFrame({"need_id": ["n1"], "text": ["laser welding"]})
    with pytest.raises(ParameterError, match=r"'top' parameter must be an int in \[1, 100\]"):
        offer.match_needs(needs, top=top)  # type: ignore[arg-type]


def test_match_needs_refuses_an_unknown_format() -> None:
    needs = pd.DataFrame({"need_id": ["n1"], "text": ["laser welding"], "format": ["by post"]})
    with pytest.raises(ParameterError, match=r"'format' parameter must be one of .*'by post'"):
        offer.match_needs(needs)


def test_needs_and_corrections_files_that_cannot_be_read_are_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from clusteratlas.errors import ParseError, SchemaError
    from clusteratlas.skills.matching import read_needs
    from clusteratlas.skills.tagging import read_corrections

    latin1 = tmp_path / "needs.csv"
    latin1.write_bytes("need_id,text\nn1,soudure \xe0 l'arc\n".encode("latin-1"))
    with pytest.raises(ParseError, match=r"Cannot read the needs file .*needs\.csv"):
        read_needs(latin1)
    empty = tmp_path / "corrections.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ParseError, match=r"Cannot read the corrections file .*corrections\.csv"):
        read_corrections(empty)
    blank = tmp_path / "blank.csv"
    blank.write_text("id,skill_id,action\np1,,add\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"row 2, column 'skill_id': the value is empty"):
        read_corrections(blank)


def test_tagging_needs_a_text_column_and_ids() -> None:
    from clusteratlas.errors import SchemaError
    from clusteratlas.skills.tagging import tag_programmes

    frame = pd.DataFrame({"id": ["p1", " "], "text": ["laser welding", "optics"]})
    with pytest.raises(ParameterError, match="'text_columns' parameter must name at least one"):
        # The checks come before the index is used: none is needed to reach them.
        tag_programmes(frame, index=None, id_column="id", text_columns=[])  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"row 3, column 'id': the id is empty"):
        tag_programmes(frame, index=None, id_column="id", text_columns="text")  # type: ignore[arg-type]
