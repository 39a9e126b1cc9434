"""ESCO reader: both layouts, the schema check's messages, and the packaged catalog copy."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from clusteratlas.data.catalog import ESCO_ATTRIBUTION, get_dataset
from clusteratlas.errors import SchemaError
from clusteratlas.skills.esco import esco_frame, read_esco, short_label, split_names

SKILL = "http://data.europa.eu/esco/skill/"
OCCUPATION = "http://data.europa.eu/esco/occupation/"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_mirror_layout_splits_names_from_the_definition(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "skills.csv",
        "id,description\n"
        f"{SKILL}b,use Java Java programming The techniques of software development.\n"
        f"{SKILL}a,weld metal welding Join metal parts by melting them.\n",
    )
    frame = read_esco("skill", path=file)
    assert frame["id"].tolist() == [f"{SKILL}a", f"{SKILL}b"]  # sorted by URI
    assert frame["label"].tolist() == ["weld metal welding", "use Java Java programming"]
    assert frame["definition"].tolist() == [
        "Join metal parts by melting them.",
        "The techniques of software development.",
    ]
    assert frame["kind"].eq("skill").all()
    assert frame.attrs["attribution"] == [ESCO_ATTRIBUTION]


def test_official_layout_keeps_the_preferred_label_and_alternative_labels() -> None:
    raw = pd.DataFrame(
        {
            "conceptUri": [f"{SKILL}x"],
            "preferredLabel": ["souder des métaux"],
            "altLabels": ["soudage\nassembler par soudure\n"],
            "description": ["Assembler des pièces métalliques."],
        }
    )
    frame = esco_frame(raw, kind="skill")
    row = frame.iloc[0]
    assert row["label"] == "souder des métaux"
    assert row["alt_labels"] == "soudage | assembler par soudure"
    assert row["text"] == (
        "souder des métaux soudage assembler par soudure Assembler des pièces métalliques."
    )


def test_isco_groups_in_the_occupation_file_are_marked(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "occ.csv",
        "id,description\n"
        f"{OCCUPATION}1,welder metal welder Welders join metal parts.\n"
        "http://data.europa.eu/esco/isco/C7212,Welders  Welders and flamecutters weld metal.\n",
    )
    frame = read_esco("occupation", path=file).set_index("id")
    assert frame.loc[f"{OCCUPATION}1", "kind"] == "occupation"
    assert frame.loc["http://data.europa.eu/esco/isco/C7212", "kind"] == "isco_group"
    assert frame.loc["http://data.europa.eu/esco/isco/C7212", "label"] == "Welders"


def test_short_label_cuts_at_a_word() -> None:
    assert short_label("abc def ghi", width=20) == "abc def ghi"
    assert short_label("manage musical staff manage staff", width=25) == "manage musical staff …"
    assert split_names("no definition here") == ("no definition here", "")


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        (f"id,description\n{SKILL}a,x\n{OCCUPATION}b,y\n", ["row 3", "'id'", "ESCO skill URI"]),
        (f"id,description\n{SKILL}a,x\n{SKILL}a,y\n", ["row 3", "appears twice"]),
        (f"id,description\n{SKILL}a,x\n{SKILL}b,\n", ["row 3", "'description'", "empty"]),
        ("uri,text\na,b\n", ["'id', 'description'", "'conceptUri'", "'uri'"]),
    ],
)
def test_schema_errors_name_file_row_and_column(
    tmp_path: Path, body: str, needles: list[str]
) -> None:
    file = _write(tmp_path / "bad.csv", body)
    with pytest.raises(SchemaError) as info:
        read_esco("skill", path=file)
    message = str(info.value)
    assert str(file) in message
    for needle in needles:
        assert needle in message


def test_a_gzip_file_is_read(tmp_path: Path) -> None:
    file = tmp_path / "s.csv.gz"
    with gzip.open(file, "wt", encoding="utf-8") as handle:
        handle.write(f"id,description\n{SKILL}a,weld metal Join parts.\n")
    assert read_esco(path=file)["label"].tolist() == ["weld metal"]


def test_the_catalog_copy_ships_and_holds_every_skill() -> None:
    dataset = get_dataset("esco_skills_en")
    assert dataset.packaged and dataset.attribution == ESCO_ATTRIBUTION
    skills = read_esco("skill")
    # CATALOG.md: 13,939 skills and 3,658 occupation rows (3,039 occupations + 619 ISCO groups
    # counted from the URIs).
    assert len(skills) == 13_939
    occupations = read_esco("occupation")
    assert len(occupations) == 3_658
    assert occupations["kind"].value_counts().to_dict() == {"occupation": 3039, "isco_group": 619}
    photonics = skills.set_index("id").loc[f"{SKILL}1f56f042-27cd-4ef0-8a57-28860af950e7"]
    assert photonics["text"].startswith("photonics ")
