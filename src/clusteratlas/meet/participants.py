"""Participants, availability and meeting requests: tidy tables, their schemas and CSV readers.

* participants: ``participant_id``, ``organisation_id`` (the registry organisation they come
  through), ``type`` (:data:`PARTICIPANT_TYPES`), ``country`` (ISO 3166-1 alpha-2), and
  optionally ``name``, ``organisation`` (its name) and ``languages`` (ISO 639-1 codes
  separated by ``;``);
* availability: one row per participant × slot they can meet in: ``participant_id``,
  ``slot_start`` (ISO 8601 with its UTC offset, as :func:`~clusteratlas.meet.events.event_slots`
  writes it);
* requests: ``from``, ``to`` (participant ids), ``status`` (:data:`REQUEST_STATUSES`) and
  optionally ``message``.

Ids are text (``"0042"`` stays ``"0042"``). The readers name the file, the line and the
column of the first problem. :func:`wanted_meetings` turns requests into the meetings the
scheduler places, each with its priority.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from clusteratlas._validation import check_columns
from clusteratlas.errors import ParseError, SchemaError

PARTICIPANT_TYPES = (
    "cluster organisation", "SME", "large company", "start-up",
    "research/technology organisation", "policy maker", "investor", "other",
)  # fmt: skip
"""Participant types of issue 12 (as at EU cluster matchmaking events)."""

REQUEST_STATUSES = ("requested", "accepted", "declined", "cancelled")
PARTICIPANT_COLUMNS = ("participant_id", "organisation_id", "type", "country")
AVAILABILITY_COLUMNS = ("participant_id", "slot_start")
REQUEST_COLUMNS = ("from", "to", "status")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


def _where(what: str, row: int) -> str:
    # Row 0 of a frame is line 2 of its CSV file (after the header).
    return f"{what}: line {row + 2}"


def _text(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    check_columns(frame, columns, what=what)
    out = frame.copy()
    for column in columns:
        values = out[column]
        missing = values.isna() | (values.astype(str).str.strip() == "")
        if missing.any():
            row = int(missing.to_numpy().nonzero()[0][0])
            raise SchemaError(f"{_where(what, row)}, column {column!r} is empty.")
        out[column] = values.astype(str).str.strip()
    return out


def validate_participants(frame: pd.DataFrame, *, what: str = "participants") -> pd.DataFrame:
    """Return a checked copy of a participants table (see the module docstring).

    Raises
    ------
    SchemaError
        Naming the line and column of the first missing column, empty cell, unknown type,
        malformed country or language code, or repeated ``participant_id``.
    """
    out = _text(frame, PARTICIPANT_COLUMNS, what)
    for row, (kind, country) in enumerate(zip(out["type"], out["country"], strict=True)):
        if kind not in PARTICIPANT_TYPES:
            raise SchemaError(f"{_where(what, row)}, column 'type' must be one of "
                              f"{', '.join(PARTICIPANT_TYPES)}; got {kind!r}.")  # fmt: skip
        if not _COUNTRY.match(country):
            raise SchemaError(f"{_where(what, row)}, column 'country' must be an ISO 3166-1 "
                              f"alpha-2 code such as 'BE'; got {country!r}.")  # fmt: skip
    if "languages" in out:
        for row, text in enumerate(out["languages"].fillna("").astype(str)):
            codes = [c.strip() for c in text.split(";") if c.strip()]
            bad = [c for c in codes if not _LANGUAGE.match(c)]
            if bad:
                raise SchemaError(f"{_where(what, row)}, column 'languages' takes ISO 639-1 codes "
                                  f"separated by ';' (en;fr); got {bad[0]!r}.")  # fmt: skip
    twice = out["participant_id"].duplicated()
    if twice.any():
        row = int(twice.to_numpy().nonzero()[0][0])
        raise SchemaError(f"{_where(what, row)}, column 'participant_id': "
                          f"{out['participant_id'].iloc[row]!r} is listed twice.")  # fmt: skip
    return out.reset_index(drop=True)


def validate_availability(
    frame: pd.DataFrame, *, slots: pd.DataFrame | None = None,
    participants: pd.DataFrame | None = None, what: str = "availability",
) -> pd.DataFrame:  # fmt: skip
    """Return a checked copy of an availability table, one row per participant × slot.

    ``slot_start`` must parse as a time with its UTC offset; with ``slots``
    (:func:`~clusteratlas.meet.events.event_slots`) it must be one of the event's slot starts
    and is written as that slot's id; with ``participants`` every participant must be known.
    """
    out = _text(frame, AVAILABILITY_COLUMNS, what)
    starts = pd.to_datetime(out["slot_start"], errors="coerce", utc=True, format="ISO8601")
    if starts.isna().any():
        row = int(starts.isna().to_numpy().nonzero()[0][0])
        raise SchemaError(f"{_where(what, row)}, column 'slot_start' must be an ISO 8601 time "
                          f"with its offset (2024-05-07T14:00:00+02:00); got "
                          f"{out['slot_start'].iloc[row]!r}.")  # fmt: skip
    if slots is not None:
        ids = dict(zip(pd.to_datetime(slots["slot_start"], utc=True), slots["slot"], strict=True))
        unknown = ~starts.isin(list(ids))
        if unknown.any():
            row = int(unknown.to_numpy().nonzero()[0][0])
            raise SchemaError(f"{_where(what, row)}, column 'slot_start': "
                              f"{out['slot_start'].iloc[row]!r} is not the start of a slot of the event.")  # fmt: skip
        out["slot_start"] = starts.map(ids).to_numpy()
    _known(out["participant_id"], participants, what, "participant_id")
    twice = out.duplicated(list(AVAILABILITY_COLUMNS))
    if twice.any():
        row = int(twice.to_numpy().nonzero()[0][0])
        raise SchemaError(f"{_where(what, row)}: participant {out['participant_id'].iloc[row]!r} "
                          "and this slot are listed twice.")  # fmt: skip
    return out.reset_index(drop=True)


def validate_requests(
    frame: pd.DataFrame, *, participants: pd.DataFrame | None = None, what: str = "requests"
) -> pd.DataFrame:
    """Return a checked copy of a meeting-requests table (``from``, ``to``, ``status``)."""
    out = _text(frame, REQUEST_COLUMNS, what)
    out["status"] = out["status"].str.lower()
    for row, (a, b, status) in enumerate(zip(out["from"], out["to"], out["status"], strict=True)):
        if status not in REQUEST_STATUSES:
            raise SchemaError(f"{_where(what, row)}, column 'status' must be one of "
                              f"{', '.join(REQUEST_STATUSES)}; got {status!r}.")  # fmt: skip
        if a == b:
            raise SchemaError(f"{_where(what, row)}: {a!r} requests a meeting with themself.")
    for column in ("from", "to"):
        _known(out[column], participants, what, column)
    twice = out.duplicated(["from", "to"])
    if twice.any():
        row = int(twice.to_numpy().nonzero()[0][0])
        raise SchemaError(f"{_where(what, row)}: the request {out['from'].iloc[row]!r} → "
                          f"{out['to'].iloc[row]!r} is listed twice.")  # fmt: skip
    if "message" in out:
        out["message"] = out["message"].fillna("").astype(str)
    return out.reset_index(drop=True)


def _known(values: pd.Series, participants: pd.DataFrame | None, what: str, column: str) -> None:
    if participants is None:
        return
    unknown = ~values.isin(set(participants["participant_id"].astype(str)))
    if unknown.any():
        row = int(unknown.to_numpy().nonzero()[0][0])
        raise SchemaError(f"{_where(what, row)}, column {column!r}: {values.iloc[row]!r} is not "
                          "among the participants.")  # fmt: skip


def _read_csv(path: str | Path, what: str) -> pd.DataFrame:
    file = Path(path)
    try:
        return pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError as err:
        raise ParseError(f"The {what} file {str(file)!r} does not exist.") from err
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ParseError(f"Cannot read the {what} file {str(file)!r}: {err}.") from err


def read_participants(path: str | Path) -> pd.DataFrame:
    """Read and check a participants CSV (see :func:`validate_participants`)."""
    return validate_participants(_read_csv(path, "participants"), what=str(path))


def read_availability(
    path: str | Path, *, slots: pd.DataFrame | None = None, participants: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Read and check an availability CSV (see :func:`validate_availability`)."""
    return validate_availability(
        _read_csv(path, "availability"), slots=slots, participants=participants, what=str(path)
    )


def read_requests(path: str | Path, *, participants: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check a meeting-requests CSV (see :func:`validate_requests`)."""
    return validate_requests(_read_csv(path, "requests"), participants=participants, what=str(path))


def wanted_meetings(requests: pd.DataFrame) -> pd.DataFrame:
    """Return the meetings to schedule from the requests, one row per pair, with a priority.

    A pair with an accepted request (either way) is ``accepted``; otherwise a pair that
    requested each other (both ways, neither declined nor cancelled) is ``mutual``; a request
    still unanswered one way only is ``one-sided``. Declined and cancelled requests are left
    out, and so is a pair where either request was declined or cancelled and none accepted.

    Returns
    -------
    pandas.DataFrame
        ``a``, ``b`` (``a`` the first requester), ``priority``, in the order of the first
        request of each pair.
    """
    check_columns(requests, REQUEST_COLUMNS, what="requests")
    pairs: dict[frozenset[str], dict[str, object]] = {}
    for a, b, status in zip(requests["from"].astype(str), requests["to"].astype(str),
                            requests["status"].astype(str).str.lower(), strict=True):  # fmt: skip
        entry = pairs.setdefault(frozenset((a, b)), {"a": a, "b": b, "statuses": []})
        entry["statuses"].append(status)  # type: ignore[attr-defined]
    rows = []
    for entry in pairs.values():
        statuses: list[str] = entry["statuses"]  # type: ignore[assignment]
        if "accepted" in statuses:
            priority = "accepted"
        elif set(statuses) & {"declined", "cancelled"}:
            continue
        else:
            priority = "mutual" if len(statuses) == 2 else "one-sided"
        rows.append((entry["a"], entry["b"], priority))
    return pd.DataFrame(rows, columns=["a", "b", "priority"])
