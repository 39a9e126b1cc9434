"""The API reference pages, written at build time from the packages' ``__all__`` lists.

One page per package (``clusteratlas`` and each sub-package that declares ``__all__``), with
an autosummary table of every name it exports; autosummary then writes one stub page per
object. A name exported by several packages is documented once, under the package whose
module defines it, and the other tables link there, so nothing is documented twice and
nothing exported is left out: a name without a page breaks the build (nitpicky references),
and ``tests/docs/test_docs_build.py`` checks each ``__all__`` against the built pages.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path
from typing import Any

import clusteratlas


def packages() -> list[str]:
    """``clusteratlas`` and every direct sub-package that declares ``__all__``."""
    names = ["clusteratlas"]
    for info in pkgutil.iter_modules(clusteratlas.__path__):
        if info.ispkg:
            module = importlib.import_module(f"clusteratlas.{info.name}")
            if hasattr(module, "__all__"):
                names.append(module.__name__)
    return names


def exported(package: str) -> list[str]:
    """Return the names in a package's ``__all__``."""
    return list(importlib.import_module(package).__all__)


def _home(packages_: list[str]) -> dict[int, str]:
    """Where each exported object is documented.

    The sub-package whose modules define it; else the first sub-package exporting it; else
    ``clusteratlas`` itself. Plain values (strings, numbers, tuples) are documented wherever
    they are exported, since equal constants may share one object.
    """
    home: dict[int, str] = {}
    subs = [p for p in packages_ if p != "clusteratlas"]
    for package in [*subs, "clusteratlas"]:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj):
                continue
            defined = getattr(obj, "__module__", None) or ""
            owner = next((p for p in subs if defined.startswith(p + ".") or defined == p), None)
            home.setdefault(id(obj), owner or package)
    return home


def defining_module(package: str, name: str) -> str | None:
    """Return the module of ``package`` whose source assigns ``name`` at top level (for constants).

    A constant re-exported by a package is documented under the module that assigns it, where
    autodoc finds its ``#:`` comment.
    """
    obj = getattr(importlib.import_module(package), name)
    pattern = re.compile(rf"^{re.escape(name)}\s*[:=]", re.MULTILINE)
    for modname in sorted(sys.modules):
        module = sys.modules[modname]
        if not modname.startswith(package + ".") or module.__dict__.get(name) is not obj:
            continue
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError):
            continue
        if pattern.search(source):
            return modname
    return None


def entry(package: str, name: str, home: dict[int, str]) -> str:
    """Return the full name under which an exported object is documented (its page's anchor)."""
    obj = getattr(importlib.import_module(package), name)
    if inspect.ismodule(obj):
        return obj.__name__
    if not callable(obj):
        return f"{defining_module(package, name) or package}.{name}"
    return f"{home.get(id(obj), package)}.{name}"


def page(package: str, home: dict[int, str]) -> str:
    """Return the reST page of one package."""
    module = importlib.import_module(package)
    title = f"``{package}``"
    doc = (module.__doc__ or "").strip().splitlines()
    summary = doc[0] if doc else ""
    own, elsewhere = [], []
    for name in sorted(module.__all__, key=str.lower):
        full = entry(package, name, home)
        where = home.get(id(getattr(module, name)), package)
        (own if where == package else elsewhere).append((full, where))
    lines = [title, "=" * len(title), "", f".. automodule:: {package}", "   :no-members:", ""]
    if not summary:
        lines += [f"The public names of ``{package}``.", ""]
    if own:
        lines += [
            f".. currentmodule:: {package}",
            "",
            ".. autosummary::",
            "   :toctree: generated/",
            "",
        ]
        lines += [f"   {full}" for full, _ in own] + [""]
    if elsewhere:
        lines += ["Also exported here, documented with the package that defines them:", ""]
        lines += [".. autosummary::", ""]
        lines += [f"   ~{full}" for full, _ in elsewhere] + [""]
    return "\n".join(lines)


def generate(folder: Path) -> list[str]:
    """Write ``folder/<package>.rst`` for every package; return the package names."""
    folder.mkdir(parents=True, exist_ok=True)
    names = packages()
    home = _home(names)
    for package in names:
        target = folder / f"{package}.rst"
        text = page(package, home)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return names


def _on_config_inited(app: Any, config: Any) -> None:
    generate(Path(app.srcdir) / "api" / "packages")


def setup(app: Any) -> dict[str, Any]:
    """Sphinx extension: write the package pages before autosummary reads them."""
    app.connect("config-inited", _on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
