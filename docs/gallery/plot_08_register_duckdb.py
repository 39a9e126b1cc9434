"""
A national register mapped on DuckDB
====================================

Establishment micro-data in the SIRENE stock layout (Parquet) are aggregated to regions and
categories on DuckDB and rated with the same measures and rule-sets as the regional
statistics. The register here is **synthetic** (100,000 establishments drawn with the real
NAF × size-band mix of France; the README's example uses 1,000,000, which takes longer than
a documentation build should); the map is per département, rated with ``eco2007``.
"""

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from clusteratlas.data.register import generate_register
from clusteratlas.mapping.registers import map_register

folder = Path(tempfile.mkdtemp()) / "register"
parts = generate_register(folder, n=100_000, rng=1)
register = map_register(folder, region_level="departement", rules="eco2007")
frame = register.frame
frame[["region", "region_name", "category", "employment", "lq", "stars"]].nlargest(8, "lq")

# %%
# Stars per département: how many divisions earn two or more.
counts = frame[frame["stars"] >= 2].groupby("region").size().sort_values(ascending=False).head(20)
fig, ax = plt.subplots(figsize=(9, 4))
ax.bar(counts.index, counts.to_numpy(), color="#d7301f")
ax.set_xlabel("département")
ax.set_ylabel("divisions with 2+ stars")
ax.set_title(f"Synthetic register ({len(parts)} Parquet part(s), 100,000 establishments), DuckDB")
fig.tight_layout()
