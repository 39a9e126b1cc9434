"""
Kd with its envelope on a generated pattern
===========================================

Duranton and Overman's Kd is the density of the distances between the establishments of an
industry; an industry is localised at the distances where its Kd lies above the envelope of
Kd drawn from random locations among all sites. Here the points are generated: one
industry clustered (a Thomas process), one completely random, among 1,000 other
establishments, so the answer is known. 39 simulations keep the build quick; use 99 or more
in practice. The band is the global extreme rank length envelope, the recommended test.
"""

# %%
import matplotlib.pyplot as plt

import clusteratlas as ca
from clusteratlas.data.synthetic import synthetic_establishments

window = (0.0, 0.0, 10_000.0, 10_000.0)
points = synthetic_establishments(
    window=window,
    industries={
        "clustered": {"process": "thomas", "n_parents": 5, "mean_children": 30, "sigma": 250},
        "random": {"process": "csr", "n": 150},
        "others": {"process": "csr", "n": 1000},
    },
    rng=1,
)
tests = {
    name: ca.kd_test(points, industry=name, window=window, simulations=39, envelope="rank", rng=2)
    for name in ("clustered", "random")
}
tests["clustered"]

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (name, test) in zip(axes, tests.items(), strict=True):
    ax.fill_between(test.r, test.lower, test.upper, color="#cccccc", label="rank envelope (95 %)")
    ax.plot(test.r, test.statistic, color="#d7301f", label="Kd")
    ax.set_title(f"{name}: p = {test.pvalue:.3f}")
    ax.set_xlabel("distance r (m)")
axes[0].set_ylabel("Kd(r) (per metre)")
axes[0].legend()
fig.tight_layout()
