"""Build ``src/clusteratlas/data/files/nuts/nuts2_correspondence.csv`` from the JRC matrices.

Source: the NUTS converter matrices of the European Commission's Joint Research Centre
(Pigaiani & Batista, JRC.B.3; release 2025.08, files ``n2_cm_v2010_v2013.csv``,
``n2_cm_v2013_v2016.csv``, ``n2_cm_v2016_v2021.csv`` as redistributed by the rOpenGov/
rOpenSci ``nuts`` package, data-raw/_JRC_NUTSconverter_Matrices_rel.2025.08). Each matrix
row is the intersection of a NUTS-2 region of one version with a region of the next, with
its 2021 resident population (``pop21``; for the French overseas regions, which have no
population grid, every column holds the area). Only the rows needed to classify the changed
regions are transcribed below (population 2021 of every link of a region that has a link to
another code); every other region of a version is one row ``code,code`` in the matrix and is
listed in ``UNCHANGED``.

Columns: ``from_version, from_code, to_version, to_code, change, from_share, to_share``;
``from_share`` is the share of the source region's 2021 population in the link,
``to_share`` the share of the target region's.

Classification (one row per significant link):

* a link is significant when it holds at least 1 % of the population of the region it
  comes from or of the region it goes to (below that, the matrices' slivers come from
  re-digitised boundaries, e.g. CZ02→CZ03 68 people);
* ``split``: the source region has two or more significant links and none holds 90 % of it;
* ``merged``: otherwise, the target region receives two or more significant links and none
  holds 90 % of it;
* ``boundary_changed``: otherwise, when the source or the target has more than one
  significant link (a boundary shift, e.g. Vijfheerenlanden from NL33 to NL31 in 2021);
* ``recoded`` / ``unchanged``: a one-to-one link, with a new code or the same code.

One deliberate departure from the matrices: their 2016 geometry splits Northern Ireland
into UKN0 and a ``UKN1`` that no NUTS regulation defines (Northern Ireland is the single
NUTS-2 region UKN0 in NUTS 2013, 2016 and 2021), so UKN0 is listed as unchanged.

Run ``python scripts/build_nuts_correspondence.py`` to rewrite the table.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

TARGET = Path(__file__).parents[1] / "src/clusteratlas/data/files/nuts/nuts2_correspondence.csv"
SIGNIFICANT = 0.01
MAIN = 0.90


def _codes(text: str) -> list[str]:
    return text.split()


_COMMON = """
AT11 AT12 AT13 AT21 AT22 AT31 AT32 AT33 AT34 BE10 BE22 BE24 BE25 BE31 BE32 BE33 BE34 BE35
BG31 BG32 BG33 BG34 BG41 BG42 CH01 CH02 CH03 CH04 CH05 CH06 CH07 CY00 CZ01 CZ04 CZ05
DE11 DE12 DE13 DE14 DE21 DE22 DE23 DE24 DE25 DE26 DE27 DE30 DE40 DE50 DE60 DE71 DE72 DE73
DE80 DE91 DE92 DE93 DE94 DEA1 DEA2 DEA3 DEA4 DEA5 DEB1 DEB2 DEB3 DEC0 DED2 DED4 DED5 DEE0
DEF0 DEG0 DK01 DK02 DK03 DK04 DK05 EE00 EL41 EL42 EL43 ES12 ES13 ES21 ES22 ES23 ES24 ES30
ES42 ES43 ES51 ES52 ES53 ES61 ES62 ES63 ES64 ES70 FI19 FI1B FI1C FI1D FI20 FR10 HU21 HU22
HU23 HU31 HU32 HU33 IS00 ITC1 ITC2 ITC3 ITC4 ITF1 ITF2 ITF3 ITF4 ITF5 ITF6 ITG1 ITG2 ITH1
ITH2 ITH5 ITI1 ITI2 ITI3 ITI4 LU00 LV00 MT00 NL11 NL12 NL13 NL21 NL22 NL23 NL32 NL34 NL41
NL42 PL21 PL22 PL41 PL42 PL43 PL51 PL52 PL61 PL62 PL63 PT11 PT15 PT16 PT17 PT18 PT20 PT30
RO21 RO22 RO32 RO42 SE21 SE22 SE23 SE31 SE32 SE33 SK01 SK02 SK03 SK04 UKC1 UKC2 UKD1 UKD3
UKD4 UKD6 UKD7 UKE1 UKE2 UKE3 UKE4 UKF1 UKF2 UKF3 UKG1 UKG2 UKG3 UKH1 UKH2 UKH3 UKJ1 UKJ2
UKJ3 UKJ4 UKK1 UKK2 UKK3 UKK4 UKL1 UKL2 UKM5 UKN0
"""

#: Regions whose only matrix row is ``code,code`` (same code, whole region), per pair.
UNCHANGED: dict[tuple[int, int], list[str]] = {
    (2010, 2013): _codes(
        _COMMON
        + """
        BE21 BE23 CZ02 CZ03 CZ06 CZ07 CZ08 EL30 ES11 ES41 FR21 FR22 FR23 FR24 FR25 FR26
        FR30 FR41 FR42 FR43 FR51 FR52 FR53 FR61 FR62 FR63 FR71 FR72 FR81 FR82 FR83 HR03 HR04
        HU10 IE01 IE02 ITH3 ITH4 LI00 LT00 NL31 NL33 NO01 NO02 NO03 NO04 NO05 NO06 NO07 PL11
        PL12 PL31 PL32 PL33 PL34 SE11 SE12 UKM2
        """
    ),
    (2013, 2016): _codes(
        _COMMON
        + """
        BE21 BE23 EL51 EL53 EL54 EL61 EL62 EL63 EL65 ES11 LI00 NL31 NL33 NO01 NO02 NO03
        NO04 NO05 NO06 NO07 RO11 RO12 SE12 SI03 SI04 UKI3 UKI4 UKI5 UKI6 UKI7 UKM6
        """
    ),
    (2016, 2021): _codes(
        _COMMON
        + """
        CZ02 CZ03 CZ06 CZ07 CZ08 EL30 EL51 EL52 EL53 EL54 EL61 EL62 EL63 EL64 EL65 ES11
        ES41 FRB0 FRC1 FRC2 FRD1 FRD2 FRE1 FRE2 FRF1 FRF2 FRF3 FRG0 FRH0 FRI1 FRI2 FRI3 FRJ1
        FRJ2 FRK1 FRK2 FRL0 FRM0 FRY1 FRY2 FRY3 FRY4 FRY5 HR03 HU11 HU12 IE04 IE05 IE06 ITH3
        ITH4 LT01 LT02 NL31 NL33 NO07 PL71 PL72 PL81 PL82 PL84 PL91 PL92 RO31 SE11 SE12 SI03
        SI04 UKI3 UKI4 UKI5 UKI6 UKI7 UKM7 UKM9
        """
    ),
}
# In 2016->2021 NL31/NL33 have a significant link (below); remove them from the plain list.
UNCHANGED[(2016, 2021)] = [c for c in UNCHANGED[(2016, 2021)] if c not in {"NL31", "NL33"}]

#: (from, to, pop21) for every matrix row of the regions with a link to another code.
# fmt: off
LINKS: dict[tuple[int, int], list[tuple[str, str, float]]] = {
    (2010, 2013): [
        ("AT11", "AT11", 296657), ("AT12", "AT12", 1699480), ("AT12", "AT11", 0),
        ("EL11", "EL51", 558869), ("EL12", "EL52", 1788616), ("EL13", "EL53", 252935),
        ("EL14", "EL61", 686819), ("EL21", "EL54", 317976), ("EL22", "EL62", 202145),
        ("EL23", "EL63", 643061), ("EL24", "EL64", 504799), ("EL25", "EL65", 535759),
        ("FR91", "FRA1", 1633.67), ("FR92", "FRA2", 1105.34), ("FR93", "FRA3", 83749.38),
        ("FR94", "FRA4", 2503.78),
        ("RO11", "RO11", 2521614), ("RO12", "RO12", 2271112), ("RO12", "RO11", 0),
        ("RO31", "RO31", 2864679), ("RO31", "RO41", 0), ("RO41", "RO41", 1873929),
        ("RO41", "RO31", 0), ("RO41", "RO42", 0), ("RO42", "RO42", 1668851),
        ("SI01", "SI03", 1088225), ("SI02", "SI03", 15715), ("SI02", "SI04", 1002808),
        ("UKI1", "UKI3", 1081424.89), ("UKI1", "UKI4", 2124173.55),
        ("UKI2", "UKI5", 1759705.05), ("UKI2", "UKI6", 1224258.94),
        ("UKI2", "UKI7", 1960069.93),
        ("UKM3", "UKM3", 2297753.87), ("UKM3", "UKM6", 5797.89),
        ("UKM6", "UKM3", 23840.11), ("UKM6", "UKM6", 451143.85),
    ],
    (2013, 2016): [
        ("CZ02", "CZ02", 1414194), ("CZ02", "CZ03", 68), ("CZ03", "CZ03", 1213225),
        ("CZ06", "CZ06", 1695337), ("CZ06", "CZ07", 13), ("CZ07", "CZ07", 1184176),
        ("CZ07", "CZ08", 1), ("CZ08", "CZ08", 1162130),
        ("EL30", "EL30", 3799090), ("EL30", "EL64", 0), ("EL64", "EL64", 504773),
        ("EL52", "EL52", 1789432), ("EL52", "EL51", 0),
        ("ES41", "ES41", 2384420), ("ES41", "ES11", 0),
        ("FR21", "FRF2", 1314369), ("FR22", "FRE2", 1920882), ("FR22", "FRF2", 44),
        ("FR23", "FRD2", 1851509), ("FR24", "FRB0", 2567002), ("FR25", "FRD1", 1469393),
        ("FR26", "FRC1", 1618034), ("FR30", "FRE1", 4058791), ("FR41", "FRF3", 2322889),
        ("FR42", "FRF1", 1921514), ("FR43", "FRC2", 1177938), ("FR51", "FRG0", 3842920),
        ("FR52", "FRH0", 3382055), ("FR53", "FRI3", 1821506), ("FR61", "FRI1", 3506628),
        ("FR62", "FRJ2", 3117381), ("FR63", "FRI2", 726101), ("FR71", "FRK2", 6738385),
        ("FR72", "FRK1", 1364678), ("FR81", "FRJ1", 2890119), ("FR82", "FRL0", 5116098),
        ("FR83", "FRM0", 346256),
        ("FRA1", "FRY1", 1682.34), ("FRA2", "FRY2", 1105.34), ("FRA3", "FRY3", 83746.87),
        ("FRA4", "FRY4", 2503.78), ("FRA5", "FRY5", 364.88),
        ("HR03", "HR03", 1287013), ("HR03", "HR04", 0), ("HR04", "HR04", 2573606),
        ("HU10", "HU11", 1682078), ("HU10", "HU12", 1332109),
        ("IE01", "IE04", 903642), ("IE01", "IE06", 458303),
        ("IE02", "IE05", 1698866), ("IE02", "IE06", 2081697),
        ("ITH3", "ITH3", 4826147), ("ITH3", "ITH4", 1308), ("ITH4", "ITH4", 1192303),
        ("LT00", "LT01", 810798), ("LT00", "LT02", 1999947),
        ("PL11", "PL71", 2375413), ("PL12", "PL91", 3244378), ("PL12", "PL92", 2234906),
        ("PL31", "PL81", 1976489), ("PL32", "PL82", 1976382), ("PL33", "PL72", 1151488),
        ("PL34", "PL84", 1095073),
        ("RO31", "RO31", 2864679), ("RO31", "RO41", 0), ("RO41", "RO41", 1873930),
        ("SE11", "SE11", 2404132), ("SE11", "SE12", 0),
        ("UKM2", "UKM7", 1896769.77), ("UKM2", "UKM9", 113390.07),
        ("UKM3", "UKM8", 1487773.94), ("UKM3", "UKM9", 831118.94),
    ],
    (2016, 2021): [
        ("BE21", "BE21", 1878443), ("BE21", "BE23", 0), ("BE23", "BE21", 0),
        ("BE23", "BE23", 1532951),
        ("HR04", "HR02", 1019817), ("HR04", "HR05", 767265), ("HR04", "HR06", 786762),
        ("NL31", "NL31", 1324536), ("NL33", "NL31", 35916), ("NL33", "NL33", 3725800),
        ("NO01", "NO08", 1327889), ("NO02", "NO02", 370291), ("NO02", "NO08", 15905),
        ("NO03", "NO08", 593638), ("NO03", "NO09", 416597), ("NO04", "NO09", 302523),
        ("NO04", "NO0A", 471357), ("NO05", "NO06", 3503), ("NO05", "NO0A", 875103),
        ("NO06", "NO06", 462448),
        ("RO11", "RO11", 2521613), ("RO11", "RO12", 1), ("RO12", "RO12", 2271109),
        ("RO12", "RO41", 0), ("RO41", "RO41", 1873929),
        ("UKM6", "UKM6", 448024.48), ("UKM6", "UKM8", 0), ("UKM8", "UKM6", 0),
        ("UKM8", "UKM8", 1486945.67),
    ],
}
# fmt: on


def classify(pair: tuple[int, int]) -> list[dict[str, object]]:
    """Return the significant links of one version pair with their change type."""
    links = LINKS[pair]
    out_total: dict[str, float] = defaultdict(float)
    in_total: dict[str, float] = defaultdict(float)
    for source, target, people in links:
        out_total[source] += people
        in_total[target] += people

    def share(people: float, total: float) -> float:
        return people / total if total > 0 else 0.0

    kept = [
        (s, t, p, share(p, out_total[s]), share(p, in_total[t]))
        for s, t, p in links
        if share(p, out_total[s]) >= SIGNIFICANT or share(p, in_total[t]) >= SIGNIFICANT
    ]
    successors: dict[str, list[float]] = defaultdict(list)
    predecessors: dict[str, list[float]] = defaultdict(list)
    for s, t, _, s_share, t_share in kept:
        successors[s].append(s_share)
        predecessors[t].append(t_share)
    rows: list[dict[str, object]] = []
    for s, t, _, s_share, t_share in kept:
        many_out, many_in = len(successors[s]) > 1, len(predecessors[t]) > 1
        if many_out and max(successors[s]) < MAIN:
            change = "split"
        elif many_in and max(predecessors[t]) < MAIN:
            change = "merged"
        elif many_out or many_in:
            change = "boundary_changed"
        else:
            change = "unchanged" if s == t else "recoded"
        rows.append(
            {
                "from_version": pair[0],
                "from_code": s,
                "to_version": pair[1],
                "to_code": t,
                "change": change,
                "from_share": round(s_share, 4),
                "to_share": round(t_share, 4),
            }
        )
    listed = {row["from_code"] for row in rows}
    for code in UNCHANGED[pair]:
        if code in listed:
            continue
        rows.append(
            {
                "from_version": pair[0],
                "from_code": code,
                "to_version": pair[1],
                "to_code": code,
                "change": "unchanged",
                "from_share": 1.0,
                "to_share": 1.0,
            }
        )
    return sorted(rows, key=lambda row: (row["from_code"], row["to_code"]))


def main() -> None:
    """Write the table."""
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with TARGET.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle,
            [
                "from_version",
                "from_code",
                "to_version",
                "to_code",
                "change",
                "from_share",
                "to_share",
            ],
            lineterminator="\n",
        )
        writer.writeheader()
        for pair in sorted(LINKS):
            writer.writerows(classify(pair))


if __name__ == "__main__":
    main()
