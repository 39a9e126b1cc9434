"""
EU map of computer and electronics manufacturing (C26), with stars
====================================================================

The location quotient of NACE division C26 (computer, electronic and optical products) in
every NUTS-2 region, from Eurostat's regional structural business statistics (2014), rated
with the European Cluster Observatory's star rules (``eco2007``). Darker regions are more
specialised; the dots mark regions with two or more stars, which the rule-set counts as
clusters.
"""

# %%
# Build the map: one row per (region, division), with the LQ and the stars.
import matplotlib.pyplot as plt

import clusteratlas as ca
from clusteratlas.report.build import source_boundaries

result = ca.make_map("eu-sbs", year=2014, rules="eco2007", categories="divisions")
c26 = result.frame[result.frame["category"] == "C26"]
c26[["region", "region_name", "employment", "lq", "stars"]].nlargest(8, "lq")

# %%
# Join the NUTS-2 boundaries (GISCO) and draw the LQ on the observatory's sequential
# scale: breaks at 0.5, 0.8, 1.25, 2 and 3.
boundaries = source_boundaries("eu-sbs")
shapes = boundaries.merge(c26, on="region", how="inner").to_crs(3035)
fig, ax = plt.subplots(figsize=(8, 8))
shapes.plot(
    column="lq",
    ax=ax,
    cmap="OrRd",
    scheme=None,
    legend=True,
    vmin=0,
    vmax=3,
    missing_kwds={"color": "#eeeeee", "label": "no data"},
    legend_kwds={"label": "location quotient", "shrink": 0.6},
)
starred = shapes[shapes["stars"] >= 2]
starred.representative_point().plot(ax=ax, color="#08306b", markersize=18, label="2+ stars")
ax.set_xlim(2.5e6, 6.6e6)
ax.set_ylim(1.35e6, 5.5e6)
ax.set_axis_off()
ax.legend(loc="upper left")
ax.set_title("C26 location quotient, NUTS-2, 2014 (eco2007 stars)")
fig.text(0.01, 0.01, "; ".join(result.attribution), fontsize=6)

# %%
# The unconfirmed thresholds this rating depends on are listed with every row:
print(c26["unconfirmed"].iloc[0])
