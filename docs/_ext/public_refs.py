"""Resolve cross-references to where a public object is documented.

Docstrings name objects by the module that defines them
(``clusteratlas.mapping.rulesets.load_ruleset``), while the API reference documents each one
under the package that exports it (``clusteratlas.mapping.load_ruleset``). For a Python
reference that Sphinx cannot resolve, this handler imports the target, finds the documented
object that *is* the same object, and links there. A reference to something importable that
is not public (a module, a private helper, a constant) is shown as code without a link; a
reference to nothing importable stays a warning, which ``-W`` turns into an error.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from docutils import nodes


def _import(path: str) -> Any:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _defined(path: str) -> bool:
    """Whether the last part of ``path`` is an attribute (or a declared field) of its head."""
    head, _, last = path.rpartition(".")
    if not head:
        return True
    owner = _import(head)
    return hasattr(owner, last) or last in getattr(owner, "__annotations__", {})


def _exists_somewhere(target: str) -> bool:
    """Whether ``target`` names something in any loaded module of the package."""
    modules = [name for name in sys.modules if name.split(".")[0] == "clusteratlas"]
    return any(_defined(f"{module}.{target}") for module in modules)


def _candidates(node: Any) -> list[str]:
    target = "".join(node["reftarget"].split()).lstrip("~.")
    module = node.get("py:module") or ""
    klass = node.get("py:class") or ""
    out = [target]
    # The module that defines the object whose page holds the reference (stub pages are
    # named after the public object): names in its docstring are relative to that module.
    documented = _import(node.get("refdoc", "").rsplit("/", 1)[-1])
    defining = getattr(documented, "__module__", None)
    if isinstance(defining, str) and defining.startswith("clusteratlas"):
        out.append(f"{defining}.{target}")
        if klass:
            out.append(f"{defining}.{klass}.{target}")
    if module:
        out += [f"{module}.{klass}.{target}" if klass else "", f"{module}.{target}"]
        parent = module.rsplit(".", 1)[0]
        out.append(f"{parent}.{target}")
    out.append(f"clusteratlas.{target}")
    # On a package's page (the summaries of its table), a name may live in any module of it.
    if documented is not None and type(documented).__name__ == "module":
        prefix = documented.__name__ + "."
        out += [f"{name}.{target}" for name in sorted(sys.modules) if name.startswith(prefix)]
    return [c for c in out if c]


def _documented(app: Any) -> dict[int, str]:
    cache = getattr(app.env, "_public_refs_cache", None)
    if cache is None:
        cache = {}
        domain = app.env.get_domain("py")
        for name, _dispname, _kind, _doc, _anchor, _prio in domain.get_objects():
            obj = _import(name)
            if obj is not None and not isinstance(obj, (str, int, float, tuple, frozenset)):
                cache.setdefault(id(obj), name)
        app.env._public_refs_cache = cache
    return cache


def _missing_reference(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    if node.get("refdomain") != "py":
        return None
    documented = _documented(app)
    for candidate in _candidates(node):
        obj = _import(candidate) if candidate.startswith("clusteratlas") else None
        if obj is None or (candidate.count(".") > 1 and not _defined(candidate)):
            continue
        name = documented.get(id(obj))
        if name is not None:
            domain = env.get_domain("py")
            for role in ("obj", "class", "func", "meth", "attr", "data", "exc", "mod"):
                ref = domain.resolve_xref(
                    env, node["refdoc"], app.builder, role, name, node, contnode
                )
                if ref is not None:
                    return ref
        return nodes.literal(contnode.astext(), contnode.astext())
    # A path that imports nothing, e.g. a function named under a module it moved out of:
    # link when exactly one documented public object has that name.
    last = _candidates(node)[0].rsplit(".", 1)[-1]
    matches = {name for name in documented.values() if name.rsplit(".", 1)[-1] == last}
    if len(matches) == 1:
        domain = env.get_domain("py")
        for role in ("obj", "func", "class"):
            ref = domain.resolve_xref(
                env, node["refdoc"], app.builder, role, matches.pop(), node, contnode
            )
            if ref is not None:
                return ref
    # Named relative to a module the docstring's object does not live in (a sibling module):
    # it exists, it is not public, so it is shown as code.
    if _exists_somewhere(_candidates(node)[0]):
        return nodes.literal(contnode.astext(), contnode.astext())
    return None


def _typer_docstring(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Describe a Typer application as the command line; never show a type's docstring.

    A constant without a ``#:`` comment would otherwise be described by its type's docstring
    (``str(object='') -> str``); it is left empty, so the tests report it undocumented.
    """
    own = [text.strip() for text in (type(obj).__doc__ or "").splitlines() if text.strip()]
    if what in ("data", "attribute") and own and [t.strip() for t in lines if t.strip()] == own:
        lines[:] = []
        return
    if type(obj).__name__ == "Typer":
        lines[:] = [
            "The Typer application behind the ``clusteratlas`` command.",
            "",
            "Every command is described in the :ref:`cli-reference`.",
        ]


def setup(app: Any) -> dict[str, Any]:
    """Sphinx extension entry point."""
    app.connect("missing-reference", _missing_reference)
    app.connect("autodoc-process-docstring", _typer_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
