"""The profile form: which fields it edits, how they are shown and how they are read back.

Parsing only: strings from the HTML form become the typed ``changes`` that
:func:`clusteratlas.registry.update_organisation` validates and applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clusteratlas.errors import ParameterError


@dataclass(frozen=True)
class Field:
    """A form field: profile attribute, label, kind (text, url, int, float, textarea, list)."""

    name: str
    label: str
    kind: str = "text"
    help: str = ""


EDITABLE = (
    Field("name", "Name"),
    Field("acronym", "Acronym"),
    Field("website", "Website", "url", "Full address, e.g. https://example.org"),
    Field("founding_year", "Founding year", "int"),
    Field("description", "Description", "textarea"),
    Field("management_fte", "Management staff (FTE)", "float", "Full-time equivalents"),
    Field("members_sme", "Members: SMEs", "int"),
    Field("members_large", "Members: large companies", "int"),
    Field("members_startup", "Members: start-ups", "int"),
    Field("members_research", "Members: research and education", "int"),
    Field("members_public", "Members: public bodies", "int"),
    Field("members_other", "Members: other", "int"),
    Field("technologies", "Technologies", "list", "Separated by commas"),
    Field("categories", "Cluster categories", "list", "Separated by commas"),
)
"""Fields of the profile form, in order."""


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_values(organisation: Any) -> dict[str, str]:
    """Return the form's initial values (strings) and the ``version`` read."""
    values = {
        f.name: _shown(
            organisation.tag_values("category")
            if f.name == "categories"
            else getattr(organisation, f.name)
        )
        for f in EDITABLE
    }
    values["version"] = str(organisation.version)
    return values


def _parse(field: Field, raw: str) -> Any:
    text = raw.strip()
    if field.kind == "list":
        return [part.strip() for part in text.split(",") if part.strip()]
    if not text:
        return None
    if field.kind in ("int", "float"):
        try:
            return int(text) if field.kind == "int" else float(text)
        except ValueError as err:
            kind = "a whole number" if field.kind == "int" else "a number"
            raise ParameterError(f"{field.label} must be {kind}; got {text!r}.") from err
    return text


def changes_from_form(form: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    """Return the version read and the changes of a submitted profile form.

    Raises
    ------
    ParameterError
        For a missing version or a number field that does not hold a number.
    """
    try:
        version = int(form.get("version", ""))
    except ValueError as err:
        raise ParameterError("The form has lost the profile's version; reload the page.") from err
    changes = {f.name: _parse(f, form.get(f.name, "")) for f in EDITABLE if f.name in form}
    return version, changes
