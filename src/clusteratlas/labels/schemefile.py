"""Read and write label schemes as TOML: built-ins by id, a labelling body's own by path.

``load_scheme(path) == load_scheme(dump_scheme(...))``: :func:`dump_scheme` writes every
field that differs from its default, so load → dump → load gives an identical scheme and
dump → load → dump identical text.
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from clusteratlas._validation import suggest
from clusteratlas.errors import LabelSchemeError
from clusteratlas.labels.schemes import LabelScheme

_PACKAGE = "clusteratlas.labels"
_FOLDER = "schemes"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel]:
    """Return the model class that holds the keys at key path ``loc`` of a scheme."""
    model: type[BaseModel] = LabelScheme
    for part in loc:
        if not isinstance(part, str) or part not in model.model_fields:
            continue
        annotation = model.model_fields[part].annotation
        stack = [annotation]
        while stack:
            candidate = stack.pop()
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                model = candidate
                break
            if isinstance(candidate, types.UnionType) or typing.get_origin(candidate):
                stack.extend(typing.get_args(candidate))
    return model


def format_errors(err: ValidationError) -> str:
    """Turn a pydantic error into one line naming each key path, what is wrong and the fix."""
    errors = err.errors(include_url=False)
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "too_short" and any(
            tuple(o["loc"])[: len(loc)] == loc and o is not error for o in errors
        ):
            continue  # a consequence of a nested error
        kind, got = error["type"], repr(error.get("input"))
        got = got if len(got) <= 60 else got[:57] + "..."
        hint = ""
        if kind == "extra_forbidden":
            allowed = list(_model_at(loc[:-1]).model_fields)
            text = f"unknown key {loc[-1]!r} (allowed: {', '.join(allowed)})"
            hint, loc = suggest(str(loc[-1]), allowed), loc[:-1]
        elif kind == "missing":
            text, loc = f"missing required key {loc[-1]!r}", loc[:-1]
        elif kind == "literal_error":
            expected = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
            text = f"{error['msg']}; got {got}"
            given = str(error.get("input"))
            fixes = [fix for fix in (given[::-1], given.upper()) if fix in expected]
            hint = suggest(fixes[0] if fixes else given, expected)
        elif kind == "value_error":
            text = str(error["msg"]).removeprefix("Value error, ")
        else:
            text = f"{error['msg']}; got {got}"
        # pydantic adds the member of a union it tried ("threshold.Threshold"): drop it
        parts = [p for p in loc if not (isinstance(p, str) and p[:1].isupper())]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
        problems.append((f"{path}: {text}" if path else text).rstrip(".") + "." + hint)
    return " ".join(dict.fromkeys(problems))


def scheme_from_dict(data: Any, origin: str = "<in memory>") -> LabelScheme:
    """Validate parsed TOML ``data`` read from ``origin``.

    Raises
    ------
    LabelSchemeError
        One line naming ``origin``, each faulty key path (``groups[1].indicators[0].kind``)
        and what was expected.
    """
    try:
        scheme = LabelScheme.model_validate(data)
    except ValidationError as err:
        raise LabelSchemeError(f"{origin}: invalid label scheme: {format_errors(err)}") from err
    scheme._origin = origin
    return scheme


def parse_scheme(text: str, origin: str = "<in memory>") -> LabelScheme:
    """Parse and validate the TOML ``text`` of a label scheme.

    Raises
    ------
    LabelSchemeError
        For a TOML syntax error (naming the line and column) or an invalid scheme.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LabelSchemeError(f"{origin}: not valid TOML: {err}.") from err
    return scheme_from_dict(data, origin)


#: Keys written even at their default value, so that every fact shows its status.
_ALWAYS = frozenset({"status", "validity_status"})


def _plain(value: Any) -> Any:
    """Return ``value`` as TOML-ready data: models as tables without default or None fields."""
    if isinstance(value, BaseModel):
        out = {}
        for name, field in type(value).model_fields.items():
            item = getattr(value, name)
            if item is None or (name not in _ALWAYS and item == field.default):
                continue
            out[name] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dump_scheme(scheme: LabelScheme) -> str:
    """Return the TOML text of ``scheme`` (fields at their default value left out).

    Examples
    --------
    >>> scheme = load_scheme("esca-gold")
    >>> parse_scheme(dump_scheme(scheme)) == scheme
    True
    """
    data = _plain(scheme)
    return tomli_w.dumps(data, multiline_strings=True)


def _builtin_folder() -> Any:
    return resources.files(_PACKAGE).joinpath(_FOLDER)


def list_schemes() -> list[str]:
    """Return the ids of the built-in label schemes, sorted.

    Examples
    --------
    >>> list_schemes()
    ['esca-bronze', 'esca-gold', 'poles-phase5']
    """
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in _builtin_folder().iterdir()
        if entry.name.endswith(".toml")
    )


def load_scheme(id_or_path: str | Path) -> LabelScheme:
    """Load a built-in label scheme by id, or a labelling body's own from a TOML file.

    Parameters
    ----------
    id_or_path : str or pathlib.Path
        An id from :func:`list_schemes`, or the path of a TOML file (a :class:`~pathlib.Path`,
        or a string ending in ``.toml`` or holding a path separator).

    Returns
    -------
    LabelScheme
        The validated scheme.

    Raises
    ------
    LabelSchemeError
        For an unknown id (listing the built-ins), a missing file, a TOML syntax error
        (naming the line and column) or an invalid scheme (naming the key path, such as
        ``groups[0].indicators[2].threshold.op``, and what was expected).

    Examples
    --------
    >>> load_scheme("esca-gold").label
    'esca-gold@1.0'
    """
    text = str(id_or_path)
    if isinstance(id_or_path, Path) or text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(id_or_path)
        if not path.is_file():
            raise LabelSchemeError(f"Label scheme file {text!r} does not exist.")
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise LabelSchemeError(f"{path}: not valid TOML: not UTF-8 text ({err}).") from err
        return parse_scheme(content, str(path))
    names = list_schemes()
    key = text.strip().lower()
    if key not in names:
        raise LabelSchemeError(
            f"Unknown label scheme {text!r}; the built-in schemes are "
            f"{', '.join(map(repr, names))} (or the path of a TOML file).{suggest(key, names)}"
        )
    entry = _builtin_folder().joinpath(f"{key}.toml")
    return parse_scheme(entry.read_text(encoding="utf-8"), f"{_FOLDER}/{key}.toml")


__all__ = ["dump_scheme", "list_schemes", "load_scheme", "parse_scheme", "scheme_from_dict"]
