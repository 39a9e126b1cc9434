"""
Dresden's cluster portfolio
===========================

A portfolio shows every category of one region: its specialisation (LQ), its size
(employment) and its rating. Dresden (``DED2``) is home to Silicon Saxony, Europe's largest
micro-electronics cluster; C26 should stand out.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import clusteratlas as ca

result = ca.make_map("eu-sbs", year=2014, rules="eco2007", categories="divisions")
dresden = ca.portfolio(result.frame, "DED2")
dresden[["category", "category_label", "employment", "lq", "stars", "rank_in_category"]].head(10)

# %%
# The bubble chart: LQ on a log scale (dashed line at 1, the EU average), share of the
# region's employment on the y axis, bubble area proportional to employment, colour the
# number of stars.
rows = dresden.dropna(subset=["lq"])
rows = rows[rows["lq"] > 0]
fig, ax = plt.subplots(figsize=(8, 5.5))
points = ax.scatter(
    rows["lq"],
    rows["share_of_region"] * 100,
    s=np.sqrt(rows["employment"]) * 3,
    c=rows["stars"],
    cmap="OrRd",
    vmin=-0.5,
    vmax=3,
    edgecolor="#333333",
    alpha=0.8,
)
for row in rows.nlargest(6, "lq").itertuples():
    ax.annotate(row.category, (row.lq, row.share_of_region * 100), fontsize=8)
ax.set_xscale("log")
ax.axvline(1, color="#555555", linestyle="--", linewidth=1)
ax.set_xlabel("location quotient (log scale)")
ax.set_ylabel("share of the region's employment (%)")
ax.set_title("Dresden (DED2), NACE divisions, 2014")
fig.colorbar(points, ax=ax, label="stars (eco2007)")
