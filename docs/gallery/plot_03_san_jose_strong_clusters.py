"""
San Jose's strong clusters and the clusters related to them
===========================================================

The US Cluster Mapping Project rates a (region, cluster) pair *strong* when it is in the top
quarter of regions by specialisation, size and share (``uscmp``, CONFIRMED against the
project's own code). San Jose–Sunnyvale–Santa Clara (CBSA ``41940``) is Silicon Valley.
The portfolio lists, for each cluster, the strongly related clusters (relatedness
percentile ≥ 90), those rated strong in the region marked with ``*``.
"""

# %%
import matplotlib.pyplot as plt

import clusteratlas as ca
from clusteratlas.data.definitions import related_clusters

result = ca.make_map("us-cbp", year=2019, rules="uscmp")
san_jose = ca.portfolio(result.frame, "41940", related=related_clusters())
strong = san_jose[san_jose["strong"].fillna(False).astype(bool)]
strong[["category", "employment", "lq", "strongly_related"]]

# %%
# The strong clusters by LQ, with their employment.
rows = strong.sort_values("lq")
fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.5))
ax.barh(rows["category"], rows["lq"], color="#d7301f")
for y, row in enumerate(rows.itertuples()):
    ax.text(row.lq, y, f"  {row.employment:,.0f} jobs", va="center", fontsize=8)
ax.axvline(1, color="#555555", linestyle="--", linewidth=1)
ax.set_xlabel("location quotient (US = 1)")
ax.set_title("Strong clusters of San Jose (CBSA 41940), CBP 2019, uscmp")
ax.set_xlim(0, rows["lq"].max() * 1.35)
fig.tight_layout()
