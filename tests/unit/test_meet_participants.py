"""Participants, availability and requests tables; the synthetic event generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clusteratlas.errors import SchemaError
from clusteratlas.meet import (
    event_slots,
    packaged_event,
    read_participants,
    read_requests,
    wanted_meetings,
)
from clusteratlas.meet.participants import validate_availability, validate_participants
from clusteratlas.meet.synthetic import (
    complementarity,
    natural_key,
    registry_organisations,
    synthetic_event,
)

PEOPLE = "participant_id,organisation_id,type,country,languages\n0042,fr:aerospace-valley,SME,FR,en;fr\n7,us:103,investor,US,en\n"


def test_ids_stay_text_and_bad_cells_are_named(tmp_path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(PEOPLE)
    people = read_participants(path)
    assert people["participant_id"].tolist() == ["0042", "7"]
    path.write_text(PEOPLE.replace("investor,US", "banker,US"))
    with pytest.raises(SchemaError, match=r"line 3, column 'type' must be one of .*got 'banker'"):
        read_participants(path)
    path.write_text(PEOPLE.replace("SME,FR", "SME,France"))
    with pytest.raises(SchemaError, match=r"line 2, column 'country' .*'France'"):
        read_participants(path)
    path.write_text(PEOPLE.replace("en;fr", "english"))
    with pytest.raises(SchemaError, match=r"line 2, column 'languages'"):
        read_participants(path)
    path.write_text(PEOPLE.replace("7,us", "0042,us"))
    with pytest.raises(
        SchemaError, match=r"line 3, column 'participant_id': '0042' is listed twice"
    ):
        read_participants(path)


def test_requests_are_checked_against_the_participants(tmp_path) -> None:
    people = validate_participants(pd.read_csv(pd.io.common.StringIO(PEOPLE), dtype=str))
    path = tmp_path / "r.csv"
    path.write_text("from,to,status,message\n0042,7,accepted,hello\n7,0042,maybe,\n")
    with pytest.raises(SchemaError, match=r"line 3, column 'status' must be one of requested"):
        read_requests(path, participants=people)
    path.write_text("from,to,status\n0042,8,requested\n")
    with pytest.raises(
        SchemaError, match=r"line 2, column 'to': '8' is not among the participants"
    ):
        read_requests(path, participants=people)


def test_availability_must_be_slot_starts_of_the_event() -> None:
    slots = event_slots(packaged_event())
    ok = pd.DataFrame({"participant_id": ["a"], "slot_start": ["2024-05-07T12:00:00Z"]})
    # 12:00 UTC is 14:00 in Brussels in May: the first slot, written as its id.
    assert validate_availability(ok, slots=slots)["slot_start"].tolist() == [
        "2024-05-07T14:00:00+02:00"
    ]
    with pytest.raises(
        SchemaError,
        match="line 2, column 'slot_start': '2024-05-07T14:10:00\\+02:00' is not the start",
    ):
        validate_availability(ok.assign(slot_start="2024-05-07T14:10:00+02:00"), slots=slots)
    with pytest.raises(SchemaError, match="must be an ISO 8601 time"):
        validate_availability(ok.assign(slot_start="tuesday"), slots=slots)


def test_wanted_meetings_by_hand() -> None:
    requests = pd.DataFrame(
        [("A", "B", "requested"), ("B", "A", "accepted"),   # accepted one way: accepted
         ("A", "C", "requested"), ("C", "A", "requested"),  # both ways, unanswered: mutual
         ("A", "D", "requested"),                           # one way: one-sided
         ("B", "C", "declined"), ("C", "D", "requested"), ("D", "C", "cancelled"),  # out
         ("B", "D", "cancelled"), ("D", "B", "accepted")],  # accepted wins
        columns=["from", "to", "status"],
    )  # fmt: skip
    wanted = wanted_meetings(requests)
    assert wanted.values.tolist() == [
        ["A", "B", "accepted"], ["A", "C", "mutual"], ["A", "D", "one-sided"], ["B", "D", "accepted"],
    ]  # fmt: skip


def test_registry_organisations_and_their_keys() -> None:
    orgs = registry_organisations()
    assert orgs["organisation_id"].is_unique
    assert {"us:103", "fr:aerospace-valley", "de:silicon-saxony"} <= set(orgs["organisation_id"])
    row = orgs.set_index("organisation_id").loc["fr:aerospace-valley"]
    assert row["country"] == "FR" and "Aerospace Vehicles and Defense" in row["industries"]
    seed = pytest.importorskip("clusteratlas.registry.seed")
    for country, name in [
        ("FR", "Pôle Mer Bretagne Atlantique"),
        ("FR", "Minalogic"),
        ("GB", "NMI (x)"),
    ]:
        assert natural_key(country, name) == seed.natural_key(country, name)


def test_complementarity_by_hand() -> None:
    # Biopharmaceuticals and Medical Devices are strongly related in DPS 2016 (percentiles
    # 92 and 94); Apparel only weakly to Biopharmaceuticals, which does not count.
    orgs = pd.DataFrame({
        "region": ["FR10", "DE21", "FR10", None],
        "country": ["FR", "DE", "FR", "US"],
        "industries": [("Biopharmaceuticals",), ("Biopharmaceuticals",), ("Medical Devices",), ("Apparel",)],
    })  # fmt: skip
    w = complementarity(orgs)
    assert w[0, 0] == 0
    # a–b share Biopharmaceuticals (a cluster is not listed as related to itself).
    assert w[0, 1] == (1 + 3) * 2
    assert w[0, 2] == (1 + 2) * 1  # related, same region FR10
    assert w[0, 3] == 1 * 2  # nothing in common, different places
    assert np.array_equal(w, w.T)


def test_synthetic_event_is_seeded_and_keeps_its_promises() -> None:
    event = packaged_event()
    one = synthetic_event(event, participants=120, rng=7)
    two = synthetic_event(event, participants=120, rng=7)
    pd.testing.assert_frame_equal(one.requests, two.requests)
    people = one.participants.set_index("participant_id")
    assert set(people["organisation_id"]) <= set(registry_organisations()["organisation_id"])
    # Availability between 70 % and 100 % of the 16 slots, give or take the draw: the
    # share q is uniform in [0.7, 1] and each slot is free with probability q.
    share = one.availability.groupby("participant_id").size() / 16
    assert 0.75 < share.mean() < 0.95 and len(share) == 120
    requests = one.requests
    assert (requests["from"] != requests["to"]).all()
    assert not requests.duplicated(["from", "to"]).any()
    colleagues = (
        people.loc[requests["from"], "organisation_id"].to_numpy()
        == people.loc[requests["to"], "organisation_id"].to_numpy()
    )
    assert not colleagues.any()
    assert 6.5 < len(requests) / 120 < 9.5  # Poisson(8) requests each (at least 1)
    assert set(requests["status"]) <= {"requested", "accepted", "declined", "cancelled"}
