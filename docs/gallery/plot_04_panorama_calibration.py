"""
Calibrating the Panorama 2021 rule to its published count
=========================================================

The European Cluster Panorama 2021 counts 1,501 specialisations in 201 EU-27 regions but
does not state both thresholds it used (LQ ≥ *t* and employment ≥ *m*, UNCONFIRMED). Here
the LQ cut-off reproducing the published count is found for several minimum employments:
the curve shows how many cells each cut-off selects, and the calibrated value where the
curve crosses 1,501. This is a check of the shipped default, not a replacement for it.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from clusteratlas.mapping.service import calibrate

calibration, shipped = calibrate(year=2014, min_employment_grid=(0, 1000, 3500))
calibration.grid

# %%
# Count of (region, division) cells selected against the LQ cut-off, for each minimum
# employment; the published count is the horizontal line.
frame = shipped.frame.dropna(subset=["lq"])
cutoffs = np.linspace(1.0, 3.0, 201)
fig, ax = plt.subplots(figsize=(8, 5))
for row in calibration.grid.itertuples():
    eligible = frame.loc[frame["employment"] >= row.min_employment, "lq"].to_numpy()
    counts = [(eligible >= t).sum() for t in cutoffs]
    line = ax.plot(cutoffs, counts, label=f"employment ≥ {row.min_employment:,.0f}")[0]
    ax.plot([row.threshold], [row.count], "o", color=line.get_color())
ax.axhline(calibration.target_count, color="#333333", linestyle="--", linewidth=1)
ax.text(2.95, calibration.target_count + 40, "published: 1,501", ha="right", fontsize=8)
ax.set_xlabel("LQ cut-off t")
ax.set_ylabel("cells with LQ ≥ t")
ax.set_title("Panorama 2021 calibration, EU-27 NUTS-2 × NACE divisions, SBS 2014")
ax.legend()
calibration
