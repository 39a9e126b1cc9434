"""The profile form: which fields it edits, how they are shown and how they are read back.

Strings from the HTML form become typed values, then go through the API's own model
(:class:`clusteratlas.api.schemas.OrganisationPatch`): one validation layer, the same limits
on lengths, ranges, list sizes, control characters and web addresses for both. Only the
fields the user changed are sent as ``changes``, so a stored value that predates a limit
does not block the rest of the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from clusteratlas.api.schemas import OrganisationPatch
from clusteratlas.errors import ParameterError
from clusteratlas.registry.models_org import ORG_KINDS


@dataclass(frozen=True)
class Field:
    """A form field: profile attribute, label, kind, help text and the choices of a select.

    ``kind`` is one of text, url, int, float, textarea, list and select (one of
    ``choices``).
    """

    name: str
    label: str
    kind: str = "text"
    help: str = ""
    choices: tuple[str, ...] = ()


EDITABLE = (
    Field("name", "Name"),
    Field(
        "kind",
        "Kind",
        "select",
        "A cluster organisation or a training provider (administrators only)",
        ORG_KINDS,
    ),
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

ADMIN_ONLY = frozenset({"kind"})
"""Fields of :data:`EDITABLE` that only administrators see (the services refuse the rest)."""

CLUSTER_ONLY = frozenset(
    {"management_fte", "categories"} | {f.name for f in EDITABLE if f.name.startswith("members_")}
)
"""Fields of :data:`EDITABLE` that describe a cluster organisation (its management team, its
members by type, its cluster categories), left out of a training provider's form."""


def shown_fields(user: Any, organisation: Any = None) -> tuple[Field, ...]:
    """Return the fields of :data:`EDITABLE` shown to ``user`` for ``organisation``.

    Parameters
    ----------
    user : User or None
        The signed-in user: anyone but an administrator loses :data:`ADMIN_ONLY`.
    organisation : Organisation, optional
        The organisation edited: one that is not a cluster organisation loses
        :data:`CLUSTER_ONLY`.

    Returns
    -------
    tuple of Field
        The fields, in the order of :data:`EDITABLE`.
    """
    hidden = set() if user is not None and user.role == "admin" else set(ADMIN_ONLY)
    if organisation is not None and not organisation.is_cluster:
        hidden |= CLUSTER_ONLY
    return tuple(f for f in EDITABLE if f.name not in hidden)


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


_PATTERN_HINTS = {
    "website": "must be a web address starting with http:// or https://",
}
_LABELS = {f.name: f.label for f in EDITABLE} | {"version": "Version"}


def _explain(err: ValidationError) -> str:
    """One line naming each refused field by its label, in the form's words."""
    problems = []
    for error in err.errors():
        loc = error.get("loc", ())
        name = str(loc[0]) if loc else "form"
        label = _LABELS.get(name, name)
        if len(loc) > 1:
            label = f"{label} (item {int(loc[1]) + 1})" if isinstance(loc[1], int) else label
        if error["type"] == "string_pattern_mismatch":
            why = _PATTERN_HINTS.get(name, "must not contain control characters (such as NUL)")
        else:
            why = str(error.get("msg", "is not valid")).replace("Input should", "should")
        problems.append(f"{label} {why}" if why.startswith("must") else f"{label}: {why}")
    return "; ".join(problems) + "."


def _unchanged(field: Field, raw: str, stored: Mapping[str, str]) -> bool:
    if field.name not in stored:
        return False
    try:
        return bool(_parse(field, raw) == _parse(field, stored[field.name]))
    except ParameterError:
        return False


def changes_from_form(
    form: Mapping[str, str], stored: Mapping[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    """Return the version read and the validated changes of a submitted profile form.

    Parameters
    ----------
    form : Mapping[str, str]
        The submitted fields (``version`` and any of :data:`EDITABLE`).
    stored : Mapping[str, str], optional
        :func:`form_values` of the stored profile: fields whose value is unchanged are left
        out of the changes.

    Returns
    -------
    tuple of (int, dict)
        The version read and the changes, validated by
        :class:`~clusteratlas.api.schemas.OrganisationPatch`.

    Raises
    ------
    ParameterError
        For a missing version, a number field that does not hold a number, or a value the
        API would refuse (too long, out of range, control characters, not an http(s)
        address); the message names every field at fault.
    """
    try:
        version = int(form.get("version", ""))
    except ValueError as err:
        raise ParameterError("The form has lost the profile's version; reload the page.") from err
    raw = {
        f.name: _parse(f, form[f.name])
        for f in EDITABLE
        if f.name in form and not _unchanged(f, form[f.name], stored or {})
    }
    try:
        patch = OrganisationPatch.model_validate({"version": version, **raw})
    except ValidationError as err:
        raise ParameterError(_explain(err)) from err
    return patch.version, patch.model_dump(exclude_unset=True, exclude={"version"})
