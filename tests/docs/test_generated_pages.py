"""The pages generated from the code, checked without building the site.

The rule-set page is compared with the TOML files read here with :mod:`tomllib` (not through
the package's own loader); the CLI page with the commands Click reports; the REST page with
the OpenAPI schema. Fast: part of the run without the data mirror.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

pytest.importorskip("typer")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "_ext"))
import generated_pages


def _rows(page: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        for line in page.splitlines()
        if line.startswith("| ") and not line.startswith("| applies to")
    ]


def test_ruleset_page_states_each_threshold_status_as_in_the_toml_files() -> None:
    page = generated_pages.rulesets_page()
    folder = files("clusteratlas.mapping") / "rulesets"
    tomls = sorted(p for p in folder.iterdir() if p.name.endswith(".toml"))
    assert len(tomls) >= 3
    rows = _rows(page)
    for path in tomls:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert f"**Status: {data['status']}.**" in page
        conditions = [c for flag in data.get("flags", []) for c in flag["conditions"]]
        conditions += [
            c
            for stars in data.get("stars", [])
            for crit in stars["criteria"]
            for c in crit["conditions"]
        ]
        for condition in conditions:
            status = condition.get("status", "UNCONFIRMED")
            measure, op = condition["measure"], condition["op"]
            matching = [
                r
                for r in rows
                if len(r) > 2 and r[1].startswith(f"`{measure} {op} ") and r[2] == f"**{status}**"
            ]
            assert matching, f"{path.name}: {measure} {op} … {status} missing from the page"
    # panorama2021: both thresholds were never published.
    panorama = page.split("## `panorama2021`")[1].split("\n## ")[0]
    flags = [r for r in _rows(panorama) if r[0] == "flag `specialised`"]
    assert [(r[1], r[2]) for r in flags] == [
        ("`lq >= 1.55`", "**UNCONFIRMED**"),
        ("`employment >= 3500`", "**UNCONFIRMED**"),
    ]


def test_table_cells_escape_pipes_and_newlines() -> None:
    assert generated_pages._cell("a | b\nc") == "a \\| b c"
    assert generated_pages._table(["x"], [["1|2"]]) == ["| x |", "|---|", "| 1\\|2 |", ""]


def test_cli_page_has_every_command_and_sub_command_with_its_options() -> None:
    import typer

    from clusteratlas.cli import app

    page = generated_pages.cli_page()
    root = typer.main.get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        assert f"`clusteratlas {name}`" in page
        for sub in getattr(command, "commands", {}):
            assert f"`clusteratlas {name} {sub}`" in page
    calibrate = page.split("`clusteratlas calibrate`")[1].split("\n#")[0]
    assert "| `--target-count` | option | `1501` |" in calibrate


def test_rest_page_lists_every_route_and_method_of_the_schema() -> None:
    schema = generated_pages.openapi_schema()
    page = generated_pages.rest_api_page(schema)
    assert schema["paths"]
    for path, item in schema["paths"].items():
        for method in item:
            assert f"## `{method.upper()} {path}`" in page
    assert "```{literalinclude} openapi.json" in page
