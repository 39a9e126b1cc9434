"""Define clusters of related industries and relate them (Delgado, Porter & Stern 2016, open).

:mod:`.clustering` generates and scores candidate clusterings of relatedness matrices,
:mod:`.compare` compares definitions, :mod:`.related` relates clusters and exports their
network, :mod:`.service` runs it all on a source's observations.
"""

from clusteratlas.connect.clustering import (
    METHODS,
    STANDARDISATIONS,
    Candidate,
    ClusteringResult,
    ValidationScores,
    block_averages,
    candidate_clusterings,
    cluster_industries,
    combine_similarity,
    outlier_industries,
    score_candidates,
    similarity_to_distance,
    spectral_affinity,
    validation_scores,
)
from clusteratlas.connect.compare import (
    adjusted_rand,
    best_match,
    overlap_table,
    perturbed_ari,
    random_baseline_ari,
)
from clusteratlas.connect.related import (
    NETWORK_FORMATS,
    RankCorrelation,
    between_cluster_relatedness,
    plot_network,
    rank_correlation,
    related_cluster_graph,
    write_network,
)
from clusteratlas.connect.service import (
    DefinedClusters,
    RelatedClusters,
    define_clusters,
    related_clusters_table,
    relatedness_matrices,
)

__all__ = [
    "METHODS",
    "NETWORK_FORMATS",
    "STANDARDISATIONS",
    "Candidate",
    "ClusteringResult",
    "DefinedClusters",
    "RankCorrelation",
    "RelatedClusters",
    "ValidationScores",
    "adjusted_rand",
    "best_match",
    "between_cluster_relatedness",
    "block_averages",
    "candidate_clusterings",
    "cluster_industries",
    "combine_similarity",
    "define_clusters",
    "outlier_industries",
    "overlap_table",
    "perturbed_ari",
    "plot_network",
    "random_baseline_ari",
    "rank_correlation",
    "related_cluster_graph",
    "related_clusters_table",
    "relatedness_matrices",
    "score_candidates",
    "similarity_to_distance",
    "spectral_affinity",
    "validation_scores",
    "write_network",
]
