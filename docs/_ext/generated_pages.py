"""Pages generated from the code at build time: rule-sets, data catalog, CLI and REST API.

Run by Sphinx (``builder-inited``) or on its own (``python docs/_ext/generated_pages.py
OUTDIR``). The pages are written into ``docs/generated/`` (ignored by git) and only rewritten
when their text changes, so an incremental build does not re-read every page. Nothing here is
copied by hand: each table comes from the object that the program itself uses (the packaged
TOML rule-sets through :func:`clusteratlas.mapping.load_ruleset`, the catalog through
:func:`clusteratlas.data.catalog.list_datasets`, the Typer app through Click, the FastAPI app
through its OpenAPI schema).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "generated"


def _cell(value: object) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    text = " ".join(str(value if value is not None else "").split())
    return text.replace("|", "\\|")


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _link(url: str) -> str:
    return f"<{url}>" if url.startswith(("http://", "https://")) else _cell(url)


# --------------------------------------------------------------------------- rule-sets
def _conditions(ruleset: Any) -> Iterator[tuple[str, Any]]:
    for condition in ruleset.population:
        yield "population", condition
    for flag in ruleset.flags:
        for condition in flag.conditions:
            yield f"flag `{flag.name}`", condition
    for stars in ruleset.stars:
        for criterion in stars.criteria:
            for condition in criterion.conditions:
                yield f"star `{stars.column(criterion)}`", condition


def rulesets_page() -> str:
    """Write the packaged rule-sets, each threshold with its CONFIRMED / UNCONFIRMED status."""
    from clusteratlas.mapping import list_rulesets, load_ruleset

    out = [
        "(rulesets-reference)=",
        "# Rule-sets and the status of their facts",
        "",
        "Generated at build time from the TOML files shipped in `clusteratlas/mapping/rulesets/`",
        "(`clusteratlas rules list`, `clusteratlas rules show NAME`). A threshold marked",
        "UNCONFIRMED could not be read in the published source: it stays configurable",
        "(`--set KEY=VALUE`, `make_map(overrides=...)`) and every output row lists the",
        "unconfirmed thresholds its rating depends on (`unconfirmed` column).",
        "",
    ]
    for name in list_rulesets():
        rs = load_ruleset(name)
        out += [f"## `{rs.name}` {rs.version}: {rs.title}", "", f"**Status: {rs.status}.**", ""]
        out += [_cell(rs.description), ""]
        if rs.sources:
            out += ["Meant for the sources: " + ", ".join(f"`{s}`" for s in rs.sources) + ".", ""]
        out += [f"Output columns: {', '.join(f'`{c}`' for c in rs.columns)}.", ""]
        if rs.cluster is not None:
            rule = f"`{rs.cluster.output}`"
            if rs.cluster.min_stars:
                rule += f" ≥ {rs.cluster.min_stars} stars"
            out += [f"What counts as a cluster: {rule} ({_cell(rs.cluster.note)}).", ""]
        out += _table(
            ["applies to", "condition", "status", "note", "source"],
            (
                (
                    where,
                    f"`{c.measure} {c.op} {c.threshold_text}`",
                    f"**{c.status}**",
                    c.note,
                    _link(c.source) if c.source else "",
                )
                for where, c in _conditions(rs)
            ),
        )
        out += ["Provenance:", ""]
        for src in rs.provenance:
            line = f"- {_cell(src.title)}"
            line += f" ({_link(src.url)})" if src.url else ""
            line += f": {_cell(src.note)}" if src.note else ""
            out.append(line)
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- catalog
def catalog_page() -> str:
    """Every data set of the catalog: source, licence, attribution, official URL."""
    from clusteratlas.data.catalog import list_datasets

    datasets = sorted(list_datasets(), key=lambda d: d.name)
    out = [
        "(catalog-reference)=",
        "# Data catalog",
        "",
        f"Generated at build time from `clusteratlas.data.catalog` ({len(datasets)} data sets;",
        "`clusteratlas data list`, `clusteratlas data info NAME`). *Shipped* tables come inside",
        "the package; the others are read from your data directory, the user cache, or",
        "downloaded from the publisher where one offers a fixed file (*download*).",
        "",
    ]
    out += _table(
        ["name", "title", "licence", "attribution", "official page", "how"],
        (
            (
                f"`{d.name}`",
                d.title,
                d.licence,
                d.attribution,
                _link(d.source_url),
                "shipped" if d.packaged else ("download" if d.download_url else "data directory"),
            )
            for d in datasets
        ),
    )
    out += ["## Descriptions", ""]
    for d in datasets:
        out += [f"`{d.name}`", f": {_cell(d.description)} File: `{d.filename}`.", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- CLI
def _param_row(param: Any) -> tuple[str, str, str, str]:
    # Typer ships its own copy of Click (typer._click): duck typing, not isinstance.
    if param.param_type_name == "argument":
        name = f"`{(param.metavar or param.name or '').upper()}`"
        kind = "argument"
    else:
        name = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        kind = "flag" if param.is_flag else "option"
    default = ""
    required = getattr(param, "required", False)
    if not required and param.default not in (None, (), [], False) and not callable(param.default):
        default = f"`{param.default}`"
    helptext = getattr(param, "help", "") or ""
    if getattr(param, "required", False):
        helptext = f"**required.** {helptext}"
    return name, kind, default, helptext


def _walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            sub = command.commands[name]
            if not getattr(sub, "hidden", False):
                yield from _walk(sub, [*path, name])


def cli_page() -> str:
    """Write the reference of every ``clusteratlas`` command, walked from the Typer app."""
    import typer

    from clusteratlas.cli import app

    root = typer.main.get_command(app)
    out = [
        "(cli-reference)=",
        "# Command-line reference",
        "",
        "Generated at build time from the Typer application (`clusteratlas --help` prints",
        "the same). Every command takes `--help`.",
        "",
    ]
    for path, command in _walk(root, ["clusteratlas"]):
        level = min(len(path) + 1, 4)
        title = " ".join(path)
        out += [f"{'#' * level} `{title}`", ""]
        helptext = (command.help or command.short_help or "").strip()
        if helptext:
            out += ["```text", helptext.replace("\b\n", "").replace("\b", ""), "```", ""]
        params = [p for p in command.params if p.name != "help" and not getattr(p, "hidden", False)]
        group = hasattr(command, "commands")
        if group:
            subs = [n for n in sorted(command.commands) if not command.commands[n].hidden]
            out += [f"Sub-commands: {', '.join(f'`{n}`' for n in subs)}.", ""]
        if params and not (group and len(path) == 1):
            out += _table(["parameter", "kind", "default", "help"], map(_param_row, params))
    return "\n".join(out)


# --------------------------------------------------------------------------- REST API
def openapi_schema() -> dict[str, Any]:
    """Return the OpenAPI schema of the web application, built on a throw-away database."""
    from clusteratlas.api.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            database_url=f"sqlite:///{tmp}/registry.db",
            store_path=f"{tmp}/store.duckdb",
            seed=False,
        )
        schema = app.openapi()
        app.state.engine.dispose()
    return schema


def rest_api_page(schema: dict[str, Any]) -> str:
    """Write a static table of the routes, then each route's parameters; the schema is linked."""
    info = schema.get("info", {})
    out = [
        "(rest-api-reference)=",
        "# REST API reference",
        "",
        f"Generated at build time from the application's OpenAPI schema "
        f"({_cell(info.get('title', ''))} {_cell(info.get('version', ''))}, OpenAPI "
        f"{schema.get('openapi', '')}). The schema itself: {{download}}`openapi.json <openapi.json>` (also embedded below); a",
        "running server also serves it at `/openapi.json`. Start one with `clusteratlas serve`",
        "(see [deployment](../deployment.md)).",
        "",
    ]
    rows = []
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            if method.startswith("x-") or method == "parameters":
                continue
            rows.append(
                (method.upper(), f"`{path}`", op.get("summary", ""), ", ".join(op.get("tags", [])))
            )
    out += _table(["method", "path", "summary", "tags"], rows)
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            if method.startswith("x-") or method == "parameters":
                continue
            out += [f"## `{method.upper()} {path}`", ""]
            description = (op.get("description") or op.get("summary") or "").strip()
            if description:
                out += [description, ""]
            params = op.get("parameters", [])
            if params:
                out += _table(
                    ["parameter", "in", "required", "type", "description"],
                    (
                        (
                            f"`{p['name']}`",
                            p.get("in", ""),
                            "yes" if p.get("required") else "no",
                            _schema_type(p.get("schema", {})),
                            p.get("description", ""),
                        )
                        for p in params
                    ),
                )
            if "requestBody" in op:
                content = op["requestBody"].get("content", {})
                out += [f"Request body: {', '.join(f'`{c}`' for c in content)}.", ""]
            codes = ", ".join(
                f"`{code}` {_cell(r.get('description', ''))}"
                for code, r in op.get("responses", {}).items()
            )
            out += [f"Responses: {codes}.", ""]
    out += [
        "## The schema",
        "",
        "<details><summary>openapi.json</summary>",
        "",
        "```{literalinclude} openapi.json",
        ":language: json",
        "```",
        "",
        "</details>",
        "",
    ]
    return "\n".join(out)


def _schema_type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_schema_type(s) for s in schema["anyOf"])
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "")
    if kind == "array":
        return f"array of {_schema_type(schema.get('items', {}))}"
    if "enum" in schema:
        return kind + " (" + ", ".join(map(str, schema["enum"])) + ")"
    return kind


# --------------------------------------------------------------------------- writing
def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(out: Path = DEFAULT_OUT) -> list[Path]:
    """Write every generated page into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    schema = openapi_schema()
    pages = {
        "rulesets.md": rulesets_page(),
        "catalog.md": catalog_page(),
        "cli.md": cli_page(),
        "rest-api.md": rest_api_page(schema),
        "openapi.json": json.dumps(schema, indent=2, sort_keys=True) + "\n",
    }
    for name, text in pages.items():
        _write(out / name, text)
    return [out / name for name in pages]


def _on_config_inited(app: Any, config: Any) -> None:
    generate(Path(app.srcdir) / "generated")


def setup(app: Any) -> dict[str, Any]:
    """Sphinx extension entry point: generate the pages before the sources are read."""
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}


if __name__ == "__main__":
    for written in generate(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT):
        print(written)
