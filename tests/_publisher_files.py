"""Small files in the publishers' exact formats, shared by the unit and CLI tests.

County Business Patterns metro-area files of each layout generation (Census "CBP[YR]MSA.TXT
Metro Area Data Dictionary"), Eurostat's SDMX-CSV from the dissemination API and a GISCO
NUTS GeoJSON; the numbers are small and written by hand so that tests can check them.
"""

from __future__ import annotations

import io
import zipfile

# 2012-2016 generation: upper-case names, EMPFLAG (employment-size class of a withheld
# cell), size classes from N1_4. Layout: Census "CBP[YR]MSA.TXT Metro Area Data Dictionary".
LAYOUT_2016 = (
    '"MSA","NAICS","EMPFLAG","EMP_NF","EMP","QP1_NF","QP1","AP_NF","AP","EST","N1_4","N5_9",'
    '"N10_19","N20_49","N50_99","N100_249","N250_499","N500_999","N1000","N1000_1","N1000_2",'
    '"N1000_3","N1000_4"\n'
    '"10180","------","","G",62514,"G",561002,"G",2403187,4112,2001,902,600,380,140,60,20,6,3,2,1,0,0\n'
    '"10180","336411","","H",1250,"H",21007,"H",85012,3,0,0,0,1,0,1,0,1,0,0,0,0,0\n'
    '"10180","541511","B","D",0,"D",0,"D",0,12,9,2,1,0,0,0,0,0,0,0,0,0,0\n'
    '"31080","31----","","G",364201,"G",5001234,"G",21004567,12890,5000,2500,2000,1800,800,500,'
    "180,70,40,20,10,6,4\n"
    '"31080","336411","","G",52003,"G",1100456,"G",4600789,41,10,5,6,5,4,4,3,2,2,1,1,0,0\n'
)

# 2017-2021 generation: lower-case names, no EMPFLAG (a withheld cell is D in emp_nf with
# emp 0), size classes from "n<5", "N" where a size class is not available.
LAYOUT_2018 = (
    '"msa","naics","emp_nf","emp","qp1_nf","qp1","ap_nf","ap","est","n<5","n5_9","n10_19",'
    '"n20_49","n50_99","n100_249","n250_499","n500_999","n1000","n1000_1","n1000_2","n1000_3",'
    '"n1000_4"\n'
    '"10180","------","G",63020,"G",580111,"G",2501234,4150,2040,910,600,380,140,50,20,6,4,'
    '"N","N","N","N"\n'
    '"10180","336411","D",0,"D",0,"D",0,2,"N","N","N","N","N","N","N","N","N","N","N","N","N"\n'
    '"10180","541511","J",118,"J",2101,"J",8807,13,"N","N","N","N","N","N","N","N","N","N","N",'
    '"N","N"\n'
)

# 2022: the same columns, NAICS 2022 codes (513210 Software Publishers, 511210 in NAICS
# 2017), noise flags G, H, J only.
LAYOUT_2022 = (
    '"msa","naics","emp_nf","emp","qp1_nf","qp1","ap_nf","ap","est","n<5","n5_9","n10_19",'
    '"n20_49","n50_99","n100_249","n250_499","n500_999","n1000","n1000_1","n1000_2","n1000_3",'
    '"n1000_4"\n'
    '"42660","513210","G",98541,"G",8500321,"G",40123456,640,"N","N","N","N","N","N","N","N",'
    '"N","N","N","N","N"\n'
    '"42660","336411","H",79012,"H",1800456,"H",7900123,25,"N","N","N","N","N","N","N","N","N",'
    '"N","N","N","N"\n'
)


def zipped(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


HOST_PATH = (
    "ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/SBS_R_NUTS2021"
    "?format=SDMX-CSV&compressed=true"
)
HEADER = (
    "DATAFLOW,LAST UPDATE,freq,nace_r2,indic_sbs,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS"
)
FLOW = "ESTAT:SBS_R_NUTS2021(1.0),27/03/25 23:00:00,A"
# Written in the dissemination API's SDMX-CSV layout: one observation a line, its flag
# (OBS_FLAG) and its confidentiality status (CONF_STATUS) beside it.
ROWS = [
    "C26,EMP_LOC_NR,DED2,2021,21384,,",
    "C26,EMP_LOC_NR,DED2,2022,22017,p,",
    "C26,LOC_NR,DED2,2021,612,,",
    "C26,WAGE_LOC_MEUR,DED2,2021,1043.7,,",
    "C26,LC_EMP_LOC_TEUR,DED2,2021,71.2,,",  # an indicator the reader does not use
    "C26,EMP_LOC_NR,FRK2,2021,,,C",  # confidential: no value, status C
    "C26,LOC_NR,FRK2,2021,1250,,",
    "C26,EMP_LOC_NR,NL33,2021,3120,c,",  # printed but flagged confidential
    "C26,EMP_LOC_NR,DE,2021,250000,,",  # a country: not NUTS level 2
    "C,EMP_LOC_NR,DED2,2021,300000,,",  # a section: not a division
    "C26,EMP_LOC_NR,DEZZ,2021,0,,",  # extra-regio
]


def sdmx_csv(rows: list[str]) -> str:
    return "\n".join([HEADER, *(f"{FLOW},{row}" for row in rows)]) + "\n"


GEOJSON = (
    '{"type":"FeatureCollection","features":['
    '{"type":"Feature","properties":{"NUTS_ID":"DED2","NUTS_NAME":"Dresden","LEVL_CODE":2,'
    '"CNTR_CODE":"DE"},"geometry":{"type":"Polygon","coordinates":[[[13,51],[14,51],[14,52],'
    "[13,51]]]}},"
    '{"type":"Feature","properties":{"NUTS_ID":"FRK2","NUTS_NAME":"Rh\\u00f4ne-Alpes","LEVL_CODE":2,'
    '"CNTR_CODE":"FR"},"geometry":{"type":"Polygon","coordinates":[[[5,45],[6,45],[6,46],'
    "[5,45]]]}}]}"
)
