"""Value chains as data: ordered stages of industries, stored as TOML (derivation: ``derive``).

A value chain names the stages a product goes through (design, materials, equipment,
fabrication, assembly, end use …); each stage is a set of industry codes in one or more
classifications: ``nace`` (NACE Rev. 2 in Eurostat's compact form, ``"C26"``, ``"C261"``,
``"C2611"``), ``naics`` (NAICS 2017, 2 to 6 digits) and ``io`` (the industry labels of an
input-output table, not checked). Each stage says whether its code list was read in a cited
source (``CONFIRMED``) or is our own assignment (``UNCONFIRMED``) and what it rests on.

The built-in chains (``microelectronics``, ``automotive``, ``aerospace``) are TOML files in
``clusteratlas/valuechains/data``; a user writes a new one in the same form. A minimal chain::

    name = "mine"
    version = "1"
    title = "My chain"
    description = "Two stages."
    sources = [{ title = "NACE Rev. 2", url = "https://ec.europa.eu/eurostat/web/nace" }]

    [[stages]]
    name = "make"
    title = "Manufacturing"
    status = "UNCONFIRMED"
    nace = ["C26"]
    naics = ["334413"]
"""

from __future__ import annotations

import csv
import functools
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, model_validator

from clusteratlas._validation import suggest
from clusteratlas.data.catalog import locate
from clusteratlas.data.nace import nace_level, normalise_nace
from clusteratlas.data.naics import naics_codes, normalise_naics
from clusteratlas.errors import (
    ParameterError,
    UnknownChainCodeError,
    UnknownCodeError,
    ValueChainError,
)

Status = Literal["CONFIRMED", "UNCONFIRMED"]
"""Whether a stage's code list was read in a cited source (``CONFIRMED``) or not."""
CLASSIFICATIONS: tuple[str, ...] = ("nace", "naics", "io")
Identifier = Annotated[StrictStr, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
_PACKAGE = "clusteratlas.valuechains"
_FOLDER = "data"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Model):
    """A cited source: a title and, where there is one, a URL."""

    title: Annotated[StrictStr, Field(min_length=1)]
    url: StrictStr = ""
    note: StrictStr = ""


class Stage(_Model):
    """One stage of a value chain: a named set of industry codes per classification."""

    name: Identifier
    title: Annotated[StrictStr, Field(min_length=1)]
    description: StrictStr = ""
    status: Status
    basis: StrictStr = ""
    nace: tuple[StrictStr, ...] = ()
    naics: tuple[StrictStr, ...] = ()
    io: tuple[StrictStr, ...] = ()

    @model_validator(mode="after")
    def _has_codes(self) -> Stage:
        if not (self.nace or self.naics or self.io):
            raise ValueError("a stage needs at least one code in 'nace', 'naics' or 'io'")
        return self

    def codes(self, classification: str) -> tuple[str, ...]:
        """Return the stage's codes in one classification (``nace``, ``naics`` or ``io``)."""
        if classification not in CLASSIFICATIONS:
            raise ParameterError(
                f"The 'classification' parameter must be one of {', '.join(map(repr, CLASSIFICATIONS))}. "
                f"Got {classification!r} instead.{suggest(str(classification), CLASSIFICATIONS)}"
            )
        return tuple(getattr(self, classification))


class ValueChain(_Model):
    """A named, versioned, documented value chain: ordered stages of industries.

    Build one with :func:`validate_chain` or :func:`load_chain`, which also check every code
    against its classification; the constructor checks the structure only.
    """

    name: Identifier
    version: Annotated[StrictStr, Field(min_length=1)]
    title: Annotated[StrictStr, Field(min_length=1)]
    description: StrictStr = ""
    sources: tuple[Reference, ...] = Field(min_length=1)
    stages: tuple[Stage, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_stages(self) -> ValueChain:
        names = [stage.name for stage in self.stages]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"stage name(s) {', '.join(map(repr, twice))} repeat")
        return self

    @property
    def stage_names(self) -> tuple[str, ...]:
        """Stage names in chain order."""
        return tuple(stage.name for stage in self.stages)

    def stage(self, name: str) -> Stage:
        """Return the stage called ``name``."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise ParameterError(
            f"Value chain {self.name!r} has no stage {name!r}; its stages are "
            f"{', '.join(map(repr, self.stage_names))}.{suggest(name, self.stage_names)}"
        )

    def table(self) -> pd.DataFrame:
        """Return one row per (stage, classification, code), in chain order."""
        rows = [
            {
                "stage_order": order,
                "stage": stage.name,
                "stage_title": stage.title,
                "status": stage.status,
                "classification": classification,
                "code": code,
            }
            for order, stage in enumerate(self.stages, start=1)
            for classification in CLASSIFICATIONS
            for code in stage.codes(classification)
        ]
        return pd.DataFrame(rows)


@functools.lru_cache(maxsize=4)
def _nace_deep_codes(path: Path) -> frozenset[str]:
    """NACE Rev. 2 groups and classes (compact form) from INSEE's NAF rév. 2 hierarchy."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = {normalise_nace(row[level]) for row in rows for level in ("NIV4", "NIV3")}
    return frozenset(codes)


def _known_nace() -> frozenset[str] | None:
    path, _ = locate("naf_rev2_hierarchy")
    return None if path is None else _nace_deep_codes(path)


def _known_naics() -> frozenset[str] | None:
    path, _ = locate("naics2017")
    return None if path is None else frozenset(naics_codes(path)["code"])


def _check_codes(chain: ValueChain, origin: str) -> ValueChain:
    """Normalise every code and check it exists; raise one error listing all problems."""
    problems: list[str] = []
    deep, naics = _known_nace(), _known_naics()
    stages = []
    for stage in chain.stages:
        where = f"stage {stage.name!r}"
        nace: list[str] = []
        for code in stage.nace:
            try:
                compact = normalise_nace(code)
            except UnknownCodeError as err:
                problems.append(f"{where}: NACE code {code!r}: {err}")
                continue
            deeper = nace_level(compact) in ("group", "class")
            if deeper and deep is not None and compact not in deep:
                hint = suggest(compact, sorted(deep))
                problems.append(
                    f"{where}: NACE code {code!r} is not a NACE Rev. 2 group or class.{hint}"
                )
                continue
            nace.append(compact)
        codes: list[str] = []
        for code in stage.naics:
            try:
                normal = normalise_naics(code)
            except UnknownCodeError as err:
                problems.append(f"{where}: NAICS code {code!r}: {err}")
                continue
            if naics is not None and normal not in naics:
                hint = suggest(normal, sorted(naics))
                problems.append(f"{where}: NAICS code {code!r} is not a NAICS 2017 code.{hint}")
                continue
            codes.append(normal)
        stages.append(stage.model_copy(update={"nace": tuple(nace), "naics": tuple(codes)}))
    if problems:
        raise UnknownChainCodeError(
            f"Value chain {chain.name!r} ({origin}) names unknown industry code(s): "
            + "; ".join(problems)
        )
    return chain.model_copy(update={"stages": tuple(stages)})


def _format(err: ValidationError, data: Any) -> str:
    """One line per problem, naming stages by name and suggesting close keys."""
    lines = []
    stages = data.get("stages") if isinstance(data, dict) else None
    for problem in err.errors():
        loc = list(problem["loc"])
        parts: list[str] = []
        for i, item in enumerate(loc):
            if isinstance(item, int) and i > 0 and loc[i - 1] == "stages":
                name = (
                    stages[item].get("name")
                    if isinstance(stages, list)
                    and item < len(stages)
                    and isinstance(stages[item], dict)
                    else None
                )
                parts[-1] = f"stage {name!r}" if name else f"stages[{item}]"
            else:
                parts.append(str(item))
        where = ".".join(parts) or "chain"
        text = problem["msg"]
        if problem["type"] == "extra_forbidden":
            model: type[BaseModel] = Stage if "stage" in where else ValueChain
            if "sources" in parts:
                model = Reference
            text = f"unknown key{suggest(str(loc[-1]), model.model_fields)}"
        lines.append(f"{where}: {text}")
    return "; ".join(lines)


def validate_chain(data: Any, origin: str = "<dict>") -> ValueChain:
    """Return a checked :class:`ValueChain` from a mapping (as parsed from TOML).

    Parameters
    ----------
    data : mapping
        The chain's fields.
    origin : str
        Where the data came from, for messages.

    Returns
    -------
    ValueChain
        With NACE codes in compact form and NAICS codes normalised.

    Raises
    ------
    ValueChainError
        For an unknown or missing key, a wrong type or a repeated stage name; the message
        names the chain, the stage and the key.
    UnknownChainCodeError
        For a code that is not in its classification (NACE Rev. 2 divisions always; groups
        and classes against INSEE's NAF rév. 2 hierarchy and NAICS against the NAICS 2017
        list when those files are available); the message names chain, stage and code.
    """
    try:
        chain = ValueChain.model_validate(data)
    except ValidationError as err:
        name = data.get("name", "?") if isinstance(data, dict) else "?"
        raise ValueChainError(
            f"Value chain {name!r} ({origin}) is malformed: {_format(err, data)}"
        ) from err
    return _check_codes(chain, origin)


def _builtin_folder() -> Any:
    return resources.files(_PACKAGE).joinpath(_FOLDER)


def list_chains() -> list[str]:
    """Return the names of the built-in value chains.

    Examples
    --------
    >>> list_chains()
    ['aerospace', 'automotive', 'microelectronics']
    """
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in _builtin_folder().iterdir()
        if entry.name.endswith(".toml")
    )


def load_chain(name_or_path: str | Path) -> ValueChain:
    """Load a built-in value chain by name, or a user's chain from a TOML file.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A name from :func:`list_chains`, or a path to a ``.toml`` file.

    Returns
    -------
    ValueChain

    Raises
    ------
    ParameterError
        When the name is neither a built-in chain nor an existing file.
    ValueChainError, UnknownChainCodeError
        As in :func:`validate_chain`, and for TOML syntax errors.
    """
    text = str(name_or_path)
    if text in list_chains():
        content = _builtin_folder().joinpath(f"{text}.toml").read_bytes()
        origin = f"built-in chain {text!r}"
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise ParameterError(
                f"The 'chain' parameter must be a built-in chain "
                f"({', '.join(map(repr, list_chains()))}) or a TOML file. Got {text!r} "
                f"instead.{suggest(text, list_chains())}"
            )
        content, origin = path.read_bytes(), str(path)
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ValueChainError(f"{origin} is not valid TOML: {err}") from err
    return validate_chain(data, origin)


__all__ = [
    "CLASSIFICATIONS",
    "Reference",
    "Stage",
    "UnknownChainCodeError",
    "ValueChain",
    "ValueChainError",
    "list_chains",
    "load_chain",
    "validate_chain",
]
