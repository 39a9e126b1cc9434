"""The documentation site: it builds with zero warnings, is self-contained and complete.

One session-scoped build (``sphinx-build -W --keep-going -n``, as ``make docs``) into a
temporary folder, the gallery executed on the real data; then checks of the built HTML:
no asset from another host, every internal link and anchor resolves, every name of every
``__all__`` has its API entry with a description, every gallery example has its figure, and
the generated pages cover every rule-set, command and route of the code.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

bs4 = pytest.importorskip("bs4", reason="the docs extra is not installed")

DOCS = Path(__file__).resolve().parents[2] / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: (tag, attribute) pairs that make the browser fetch something.
ASSET_ATTRIBUTES = (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                    ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
                    ("object", "data"))  # fmt: skip


@pytest.fixture(scope="session")
def site(docs_site: Path) -> Path:
    return docs_site


def _pages(site: Path) -> list[Path]:
    # _static/ holds the theme's template fragments (Jinja, not pages).
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "_static")


def _text(path: Path) -> str:
    """The visible text of a page, whitespace collapsed (inline code splits words into spans)."""
    return " ".join(_soup(path).get_text(" ").split())


def _soup(path: Path) -> bs4.BeautifulSoup:
    return bs4.BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _external(url: str) -> bool:
    parsed = urlparse(url)
    if url.startswith("//"):
        return True
    return parsed.scheme in ("http", "https") and (parsed.hostname or "") not in LOOPBACK


def test_no_asset_comes_from_another_host(site: Path) -> None:
    offending = []
    for page in _pages(site):
        soup = _soup(page)
        for tag, attribute in ASSET_ATTRIBUTES:
            for element in soup.find_all(tag):
                url = element.get(attribute) or ""
                if (
                    tag == "link"
                    and "stylesheet" not in (element.get("rel") or [])
                    and not any(
                        rel in (element.get("rel") or [])
                        for rel in ("preload", "icon", "modulepreload")
                    )
                ):
                    continue  # <link rel="canonical|next|prev"> is not fetched
                if _external(url):
                    offending.append(f"{page.relative_to(site)}: <{tag} {attribute}={url}>")
    for sheet in site.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8", errors="replace")
        for marker in ("url(http", "url('http", 'url("http', "url(//", "@import url(http"):
            if marker in text:
                offending.append(f"{sheet.relative_to(site)}: {marker}")
    assert not offending, "assets fetched from other hosts:\n" + "\n".join(offending[:20])


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    ids: dict[Path, set[str]] = {}

    def anchors(path: Path) -> set[str]:
        if path not in ids:
            soup = _soup(path)
            ids[path] = {e["id"] for e in soup.find_all(id=True)} | {
                e["name"] for e in soup.find_all("a", attrs={"name": True})
            }
        return ids[path]

    broken = []
    checked = 0
    for page in _pages(site):
        soup = _soup(page)
        for element in soup.find_all(["a", "img", "script", "link"]):
            url = element.get("href") or element.get("src")
            if not url or url.startswith(("mailto:", "javascript:", "data:")) or _external(url):
                continue
            parsed = urlparse(url)
            if parsed.scheme:
                continue
            target = page if not parsed.path else (page.parent / unquote(parsed.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {url} (no file)")
            elif (
                parsed.fragment
                and target.suffix == ".html"
                and unquote(parsed.fragment) not in anchors(target)
            ):
                broken.append(f"{page.relative_to(site)}: {url} (no anchor)")
    assert checked > 1000  # the site is really there
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:30])


def test_every_public_name_has_an_api_entry_with_a_description(site: Path) -> None:
    import api_pages

    descriptions: dict[str, str] = {}
    for page in (site / "api").rglob("*.html"):
        soup = _soup(page)
        for term in soup.select("dl.py > dt[id]"):
            body = term.find_next_sibling("dd")
            descriptions[term["id"]] = body.get_text(" ", strip=True) if body else ""
        for section in soup.select("section[id^=module-]"):  # exported sub-modules
            text = " ".join(p.get_text(" ", strip=True) for p in section.find_all("p"))
            descriptions[section["id"]] = text
    packages = api_pages.packages()
    home = api_pages._home(packages)
    missing, empty = [], []
    for package in packages:
        module = importlib.import_module(package)
        assert module.__all__, package
        for name in module.__all__:
            obj = getattr(module, name)
            key = api_pages.entry(package, name, home)
            key = f"module-{key}" if inspect.ismodule(obj) else key
            if key not in descriptions:
                missing.append(f"{package}.{name} (expected at {key})")
            elif not descriptions[key]:
                empty.append(key)
    assert not missing, "public names without an API entry:\n" + "\n".join(missing)
    assert not empty, "API entries without a description:\n" + "\n".join(sorted(empty))


def test_every_gallery_example_ran_and_has_its_figure(site: Path) -> None:
    examples = sorted((DOCS / "gallery").glob("plot_*.py"))
    assert len(examples) >= 8
    for example in examples:
        page = site / "auto_examples" / f"{example.stem}.html"
        assert page.exists(), example.name
        images = [img["src"] for img in _soup(page).find_all("img") if "sphx-glr-single-img" in (img.get("class") or []) or "sphx-glr-multi-img" in (img.get("class") or [])]  # fmt: skip
        assert images, f"{example.name}: no figure in the built page"
        for src in images:
            assert (page.parent / src).stat().st_size > 5000, f"{example.name}: {src} is empty"


def test_generated_pages_cover_every_ruleset_command_and_route(site: Path) -> None:
    import generated_pages
    import typer

    from clusteratlas.cli import app
    from clusteratlas.mapping import list_rulesets, load_ruleset

    rules = _text(site / "generated" / "rulesets.html")
    for name in list_rulesets():
        ruleset = load_ruleset(name)
        assert f"Status: {ruleset.status}" in rules
        unconfirmed = [
            c for _, c in generated_pages._conditions(ruleset) if c.status == "UNCONFIRMED"
        ]
        assert rules.count("UNCONFIRMED") >= len(unconfirmed)
    cli = _text(site / "generated" / "cli.html")
    for command in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        assert f"clusteratlas {command}" in cli
    schema = generated_pages.openapi_schema()
    rest = _text(site / "generated" / "rest-api.html")
    for path in schema["paths"]:
        assert path in rest
    assert (site / "_downloads").rglob("openapi.json")
