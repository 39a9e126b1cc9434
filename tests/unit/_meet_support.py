"""A tiny event whose schedule can be worked out by hand (imported by the meet service and API tests).

One session on 7 May 2024 in Brussels (UTC+2), 14:00–15:00, 20-minute slots, one table:
three slots, 14:00, 14:20 and 14:40 local time.
"""

from __future__ import annotations

TINY_EVENT = """
[event]
id = "tiny2024"
name = "Tiny Cluster Day"
venue = "Town hall"
city = "Brussels"
country = "BE"
start_date = 2024-05-07
end_date = 2024-05-07
time_zone = "Europe/Brussels"
status = "draft"

[event.registration]
opens = 2024-03-01T09:00:00
closes = 2024-04-30T23:59:00

[[sessions]]
id = "b2b"
name = "B2B"
date = 2024-05-07
start = 14:00:00
end = 15:00:00
slot_minutes = 20
tables = 1
"""
SLOT1, SLOT2, SLOT3 = (
    "2024-05-07T14:00:00+02:00",
    "2024-05-07T14:20:00+02:00",
    "2024-05-07T14:40:00+02:00",
)
