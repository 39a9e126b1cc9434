"""The training forms: a programme and a partnership, their fields and how they are read back.

As for the profile form (:mod:`clusteratlas.web.forms`), the strings of the HTML form
become typed values and go through the API's own models
(:class:`~clusteratlas.api.schemas_skills.ProgrammeIn`,
:class:`~clusteratlas.api.schemas_skills.ProgrammePatch`,
:class:`~clusteratlas.api.schemas_skills.PartnershipIn`): the same limits on lengths,
control characters, formats and dates as the API, one validation layer. The services then
check the rest (who may, which organisations, a duplicate) and name the field at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from clusteratlas.errors import ParameterError
from clusteratlas.skills.training import FORMATS
from clusteratlas.web.forms import Field

PROGRAMME_FORM = (
    Field("title", "Title", help="The programme's name, as the provider gives it (required)"),
    Field("description", "Description", "textarea",
          "What it teaches: its ESCO skills are found from the title and this text"),
    Field("duration_hours", "Duration (hours)", "float", "Total hours of teaching"),
    Field("format", "Format", "select", "", ("", *FORMATS)),
    Field("location", "Location", help="Town or campus; empty for an online programme"),
    Field("region", "Region code", help="NUTS-2 code such as FR10, used to tell local programmes"),
    Field("level", "Level", help="e.g. EQF 5"),
    Field("language", "Language", help="Two-letter ISO 639-1 code such as fr"),
    Field("url", "Web page", "url", "Full address, e.g. https://example.org/course"),
    Field("source", "Source", "textarea",
          "Where the details are stated (a URL, a document); without one a manager's own "
          "statement is CONFIRMED, an administrator's UNCONFIRMED"),
)  # fmt: skip
"""Fields of the programme form, in order."""

PARTNERSHIP_FORM = (
    Field("purpose", "Purpose", "textarea", "What the partnership is for (required)"),
    Field("source", "Source", "textarea",
          "Where it is stated (a URL, a document); the purpose is CONFIRMED only with one"),
    Field("started_on", "Started on", "date", "The day it started, if known"),
)  # fmt: skip
"""Fields of the partnership form after the two organisations, in order."""

_LABELS = {f.name: f.label for f in (*PROGRAMME_FORM, *PARTNERSHIP_FORM)} | {
    "cluster_id": "Cluster organisation",
    "provider_organisation_id": "Training provider",
    "version": "Version",
}
_PATTERN_HINTS = {
    "url": "must be a web address starting with http:// or https://",
    "language": "must be a two-letter ISO 639-1 code such as fr, or empty",
}


def _explain(err: ValidationError) -> str:
    """One line naming each refused field by its label, in the form's words."""
    problems = []
    for error in err.errors():
        loc = error.get("loc", ())
        name = str(loc[0]) if loc else "form"
        label = _LABELS.get(name, name)
        context = error.get("ctx") or {}
        kind = error["type"]
        if kind in ("missing", "string_too_short"):
            why = "must not be empty"
        elif kind == "string_too_long":
            why = f"must be at most {context.get('max_length')} characters"
        elif kind == "string_pattern_mismatch":
            why = _PATTERN_HINTS.get(name, "must not contain control characters (such as NUL)")
        elif kind == "literal_error":
            why = f"must be one of {', '.join(FORMATS)} or empty"
        else:
            why = str(error.get("msg", "is not valid")).replace("Input should", "should")
        problems.append(f"{label} {why}" if why.startswith("must") else f"{label}: {why}")
    return "; ".join(problems) + "."


def _validated(model: type[BaseModel], data: Mapping[str, Any]) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ParameterError(_explain(err)) from err


def _hours(raw: str) -> float | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError as err:
        raise ParameterError(f"Duration (hours) must be a number; got {text!r}.") from err


def _id(raw: str, label: str) -> int:
    try:
        return int(raw)
    except ValueError as err:
        raise ParameterError(f"{label} must be chosen from the list.") from err


def programme_values(programme: Any) -> dict[str, str]:
    """Return the programme form's values (strings) for a stored programme, with ``version``."""
    values: dict[str, str] = {}
    for field in PROGRAMME_FORM:
        value = getattr(programme, field.name)
        if value is None:
            values[field.name] = ""
        elif isinstance(value, float):
            values[field.name] = str(int(value)) if value.is_integer() else str(value)
        else:
            values[field.name] = str(value)
    values["version"] = str(programme.version)
    return values


def programme_from_form(form: Mapping[str, str], *, creating: bool) -> dict[str, Any]:
    """Return the programme data of a submitted form, validated as the API validates it.

    Parameters
    ----------
    form : Mapping[str, str]
        The submitted fields (:data:`PROGRAMME_FORM`; ``version`` when editing).
    creating : bool
        A new programme (empty fields left out) or changes to one (every field of the
        form sent, an empty one as ``None``, which clears the stored value; ``version``
        as read).

    Returns
    -------
    dict
        The ``data`` of :func:`~clusteratlas.registry.services_programmes.create_programme`
        or the ``changes`` of
        :func:`~clusteratlas.registry.services_programmes.update_programme` plus
        ``version``.

    Raises
    ------
    ParameterError
        Naming every field at fault by its label.
    """
    from clusteratlas.api.schemas_skills import ProgrammeIn, ProgrammePatch

    raw: dict[str, Any] = {f.name: form.get(f.name, "").strip() for f in PROGRAMME_FORM}
    raw["duration_hours"] = _hours(form.get("duration_hours", ""))
    if creating:
        data = {k: v for k, v in raw.items() if v not in ("", None) or k == "title"}
        # the provider is checked by the service; 1 stands in so the model checks the rest
        checked = _validated(ProgrammeIn, {**data, "provider_organisation_id": 1})
        return checked.model_dump(exclude_unset=True, exclude={"provider_organisation_id"})
    version = _id(form.get("version", ""), "Version") if form.get("version") else None
    # an emptied field clears the stored value (None); an emptied title is refused
    cleared = {k: (v if v != "" or k == "title" else None) for k, v in raw.items()}
    checked = _validated(ProgrammePatch, {**cleared, "version": version})
    return checked.model_dump()


def partnership_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """Return the arguments of a submitted partnership form, validated as the API does.

    Returns
    -------
    dict
        ``cluster_id``, ``provider_organisation_id``, ``purpose`` and, when given,
        ``source`` and ``started_on`` (a date), for
        :func:`~clusteratlas.registry.services_training.create_partnership`.

    Raises
    ------
    ParameterError
        Naming every field at fault by its label.
    """
    from clusteratlas.api.schemas_skills import PartnershipIn

    data: dict[str, Any] = {
        "cluster_id": _id(form.get("cluster_id", ""), "Cluster organisation"),
        "provider_organisation_id": _id(form.get("provider_organisation_id", ""),
                                        "Training provider"),
        "purpose": form.get("purpose", "").strip(),
    }  # fmt: skip
    for name in ("source", "started_on"):
        if form.get(name, "").strip():
            data[name] = form[name].strip()
    return _validated(PartnershipIn, data).model_dump(exclude_none=True)
