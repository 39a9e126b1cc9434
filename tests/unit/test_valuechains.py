"""Value chains as data, their validation, derivation from I-O flows, and stage strength."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import SchemaError
from clusteratlas.valuechains import (
    UnknownChainCodeError,
    ValueChainError,
    derive_chain,
    list_chains,
    load_chain,
    region_gaps,
    stage_industries,
    stage_strength,
    validate_chain,
)
from clusteratlas.valuechains.coverage import resolution_notes

CHAIN = {
    "name": "tiny",
    "version": "1",
    "title": "Tiny chain",
    "sources": [{"title": "NACE Rev. 2"}],
    "stages": [
        {"name": "chips", "title": "Chips", "status": "UNCONFIRMED", "nace": ["26.11"]},
        {
            "name": "kit",
            "title": "Machines and software",
            "status": "CONFIRMED",
            "nace": ["C28", "62"],
        },
    ],
}


def _chain(**changes: object) -> dict:
    data = copy.deepcopy(CHAIN)
    data.update(changes)
    return data


def test_builtin_chains_load_and_are_honest() -> None:
    assert list_chains() == ["aerospace", "automotive", "microelectronics"]
    for name in list_chains():
        chain = load_chain(name)
        assert chain.name == name
        assert len(chain.stages) >= 5
        assert chain.sources
        for stage in chain.stages:
            assert stage.nace and stage.naics
            assert stage.status == "UNCONFIRMED"  # our own assignments
            assert stage.basis
    micro = load_chain("microelectronics")
    assert micro.stage_names == (
        "design",
        "materials",
        "equipment",
        "wafer_fab",
        "assembly",
        "end_use",
    )
    assert micro.stage("wafer_fab").nace == ("C2611",)
    assert micro.stage("equipment").naics == ("333242", "334515")


def test_codes_are_normalised() -> None:
    chain = validate_chain(CHAIN)
    assert chain.stage("chips").nace == ("C2611",)
    assert chain.stage("kit").nace == ("C28", "J62")
    assert set(chain.table()["code"]) == {"C2611", "C28", "J62"}


def test_unknown_division_names_chain_stage_and_code() -> None:
    data = _chain()
    data["stages"][1]["nace"] = ["C28", "C99"]
    with pytest.raises(UnknownChainCodeError, match=r"'tiny'.*stage 'kit'.*'C99'"):
        validate_chain(data)


def test_unknown_class_and_naics_with_the_mirror(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERATLAS_DATA", str(data_dir))
    data = _chain()
    data["stages"][0]["nace"] = ["C2619"]
    data["stages"][0]["naics"] = ["334499"]
    with pytest.raises(UnknownChainCodeError) as info:
        validate_chain(data)
    message = str(info.value)
    assert "stage 'chips'" in message and "'C2619'" in message and "'334499'" in message


def test_typo_key_is_an_error_with_a_suggestion() -> None:
    data = _chain()
    data["stages"][0]["nacee"] = data["stages"][0].pop("nace")
    with pytest.raises(ValueChainError, match=r"stage 'chips'.*nacee.*Did you mean 'nace'"):
        validate_chain(data)
    with pytest.raises(ValueChainError, match="titel"):
        validate_chain(_chain(titel="x"))


def test_structural_errors() -> None:
    data = _chain()
    data["stages"][1]["name"] = "chips"
    with pytest.raises(ValueChainError, match="repeat"):
        validate_chain(data)
    data = _chain()
    data["stages"][0]["status"] = "MAYBE"
    with pytest.raises(ValueChainError, match="status"):
        validate_chain(data)
    data = _chain()
    del data["stages"][0]["nace"]
    with pytest.raises(ValueChainError, match="at least one code"):
        validate_chain(data)


def test_user_toml(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\nversion = "1"\ntitle = "Mine"\nsources = [{ title = "me" }]\n'
        '[[stages]]\nname = "a"\ntitle = "A"\nstatus = "UNCONFIRMED"\nnace = ["C26"]\n',
        encoding="utf-8",
    )
    assert load_chain(path).stage_names == ("a",)
    path.write_text("name = ", encoding="utf-8")
    with pytest.raises(ValueChainError, match="not valid TOML"):
        load_chain(path)
    with pytest.raises(ValueError, match="built-in chain"):
        load_chain("microelectronic")


FLOWS = pd.DataFrame(
    [[0, 10, 0, 0], [0, 0, 30, 0], [5, 0, 0, 40], [0, 20, 10, 0]],
    index=list("ABCD"),
    columns=list("ABCD"),
    dtype="float64",
)


def test_derive_chain_by_hand() -> None:
    # Suppliers of C: B 30/40 = .75, D 10/40 = .25 -> upstream_1 = [B] at threshold .3.
    # Customers of C: D 40/45, A 5/45 -> downstream_1 = [D].
    # Suppliers of B: D 20/30 (placed already), A 10/30 = .333 -> upstream_2 = [A].
    # Customers of D: B, C, both placed -> no downstream_2.
    chain = derive_chain("C", FLOWS, depth=2, threshold=0.3)
    assert chain.stage_names == ("upstream_2", "upstream_1", "core", "downstream_1")
    assert [stage.io for stage in chain.stages] == [("A",), ("B",), ("C",), ("D",)]
    assert all(stage.status == "UNCONFIRMED" for stage in chain.stages)
    higher = derive_chain("C", FLOWS, depth=2, threshold=0.4)
    assert higher.stage_names == ("upstream_1", "core", "downstream_1")
    both = derive_chain("C", FLOWS, depth=1, threshold=0.2, top=2)
    assert both.stage("upstream_1").io == ("B", "D")
    # D is placed upstream first; the other customer, A, is 5/45 < .2: no downstream stage.
    assert both.stage_names == ("upstream_1", "core")


def test_derive_chain_errors() -> None:
    with pytest.raises(ValueError, match="industry"):
        derive_chain("E", FLOWS)
    with pytest.raises(ValueError, match="threshold"):
        derive_chain("C", FLOWS, threshold=0)
    with pytest.raises(ValueError, match="same industry labels"):
        derive_chain("C", FLOWS.iloc[:3])


def _frame() -> pd.DataFrame:
    rows = [
        ("R1", "C26", 10, 0),
        ("R1", "C28", 20, 0),
        ("R1", "J62", 70, 1),
        ("R2", "C26", 30, 3),
        ("R2", "C28", 10, 0),
        ("R2", "J62", 60, 0),
        ("R3", "C26", 0, 0),
        ("R3", "C28", 30, 2),
        ("R3", "J62", 170, 1),
    ]
    frame = pd.DataFrame(rows, columns=["region", "category", "employment", "stars"])
    frame["employment"] = frame["employment"].astype("float64")
    frame["region_total"] = frame["region"].map({"R1": 100.0, "R2": 100.0, "R3": 200.0})
    return frame


def test_stage_strength_by_hand() -> None:
    chain = validate_chain(CHAIN)
    strength = stage_strength(chain, _frame())
    kit = strength[strength["stage"] == "kit"].set_index("region")
    # kit = C28 + J62: 90, 70, 200 of 100, 100, 200; E_s / E = 360 / 400.
    np.testing.assert_allclose(kit["employment"], [90, 70, 200])
    np.testing.assert_allclose(kit["lq"], [1.0, 0.7 / 0.9, 1.0 / 0.9])
    assert kit["resolution"].iloc[0] == "exact"
    assert kit.loc["R3", "stars"] == 2 and kit.loc["R3", "best_category"] == "C28"
    chips = strength[strength["stage"] == "chips"].set_index("region")
    np.testing.assert_allclose(chips["lq"], [1.0, 3.0, 0.0])  # C26: 10, 30, 0 of 40 / 400
    assert set(chips["resolution"]) == {"coarser"} and set(chips["categories"]) == {"C26"}
    assert chips["gap"].tolist() == [False, False, True]
    assert kit["gap"].tolist() == [False, True, False]
    assert chips.loc["R2", "stars"] == 3 and chips.loc["R2", "rank_lq"] == 1
    gaps = region_gaps(strength).set_index("region")
    assert gaps.loc["R1", "n_covered"] == 2 and gaps.loc["R2", "gaps"] == "kit"
    assert any("coarser" in note for note in resolution_notes(strength))


def test_stage_strength_missing_values_and_absent_codes() -> None:
    frame = _frame()
    frame.loc[(frame["region"] == "R1") & (frame["category"] == "C28"), "employment"] = np.nan
    data = _chain()
    data["stages"][1]["nace"] = ["C28", "J62", "K64"]
    strength = stage_strength(validate_chain(data), frame)
    kit = strength[strength["stage"] == "kit"].set_index("region")
    assert kit.loc["R1", "employment"] == 70 and kit.loc["R1", "n_missing"] == 1
    assert kit.loc["R1", "resolution"] == "partial" and kit.loc["R1", "absent_codes"] == "K64"


def test_stage_industries_finer_data_and_level() -> None:
    chain = validate_chain(CHAIN)
    links = stage_industries(chain, ["C2611", "C2612", "C281", "C282", "J62"])
    kit = links[links["stage"] == "kit"]
    assert sorted(kit["category"]) == ["C281", "C282", "J62"]
    assert set(kit["resolution"]) == {"exact"}
    only = stage_industries(chain, ["C26", "C2611"], level="division")
    assert only.loc[only["stage"] == "chips", "resolution"].item() == "coarser"


def test_chain_coverage_png(tmp_path: Path) -> None:
    from clusteratlas.valuechains.plot import plot_chain_coverage

    strength = pd.DataFrame(
        {
            "region": ["R1", "R1", "R2", "R2"],
            "stage": ["design", "fab", "design", "fab"],
            "stage_order": [0, 1, 0, 1],
            "lq": [2.0, 0.5, np.nan, 4.0],
        }
    )
    out = plot_chain_coverage(tmp_path / "cov.png", strength, attribution=["Source: test"])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(SchemaError, match="'lq'"):
        plot_chain_coverage(tmp_path / "x.png", strength.drop(columns="lq"))
    assert not (tmp_path / "x.png").exists()
