"""
Micro-electronics value-chain coverage
======================================

A value chain is a sequence of stages (materials, equipment, design, fabrication, assembly,
applications), each a list of industry codes (our own assignment, UNCONFIRMED, shipped as
TOML). The heat map shows the location quotient of each stage in the regions strongest over
the whole chain: a region strong in every column covers the chain; gaps show where partners
elsewhere are needed. At the resolution of NACE divisions, wafer fabrication and assembly
both fall in C26, hence their identical columns: division-level statistics cannot separate
them (finer data can). A blank cell has no data (suppressed), not zero.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from clusteratlas.valuechains.service import valuechain_table

strength = valuechain_table("microelectronics", source="eu-sbs", year=2014)
strength.head()

# %%
# The twelve regions with the highest mean log LQ over the stages (over the stages with data).
wide = strength.pivot_table(index="region", columns="stage", values="lq")
order = strength.drop_duplicates("stage").sort_values("stage_order")["stage"].tolist()
wide = wide[order]
best = np.log(wide.clip(lower=0.01)).mean(axis=1).nlargest(12).index
shown = wide.loc[best]
fig, ax = plt.subplots(figsize=(9, 6))
image = ax.imshow(np.log2(shown.clip(lower=0.125)), cmap="RdBu_r", vmin=-3, vmax=3, aspect="auto")
ax.set_xticks(range(len(order)), order, rotation=35, ha="right")
ax.set_yticks(range(len(best)), best)
for (i, j), value in np.ndenumerate(shown.to_numpy()):
    ax.text(j, i, "–" if np.isnan(value) else f"{value:.1f}", ha="center", va="center", fontsize=7)
fig.colorbar(image, ax=ax, label="log2 LQ of the stage")
ax.set_title("Micro-electronics chain, NUTS-2 regions, SBS 2014")
fig.tight_layout()
