"""
Ellison–Glaeser indices of Strasbourg's industries
==================================================

The Ellison–Glaeser index γ measures how much more an industry is concentrated across areas
than its plant sizes alone would explain (γ ≈ 0: as random; γ > 0.05: strongly localised).
Here it is computed for every NAF industry of INSEE's SIRENE extract of the Strasbourg area
(2010) across the IRIS neighbourhoods, keeping industries with enough plants for the index
to mean something (at least 20 plants and a plant Herfindahl H ≤ 0.1).
"""

# %%
import matplotlib.pyplot as plt

from clusteratlas.data.establishments_io import read_strasbourg_extract
from clusteratlas.detect import agglomeration_table

table = agglomeration_table(read_strasbourg_extract(), levels=("iris",), missing="drop")
reliable = table[(table["n_plants"] >= 20) & (table["H"] <= 0.1)]
reliable.nlargest(10, "gamma")[["industry", "n_plants", "H", "G", "gamma"]]

# %%
top = reliable.nlargest(15, "gamma").sort_values("gamma")
fig, ax = plt.subplots(figsize=(8, 6))
ax.barh(top["industry"], top["gamma"], color="#fc8d59")
ax.axvline(0.05, color="#555555", linestyle="--", linewidth=1, label="γ = 0.05 (highly localised)")
ax.set_xlabel("Ellison–Glaeser γ across IRIS")
ax.set_title("Most localised industries, Strasbourg 2010 (≥ 20 plants, H ≤ 0.1)")
ax.legend()
fig.tight_layout()
