"""Skills partnerships: ESCO skills, training programmes, automatic tagging and matching.

Layers: :mod:`.esco` reads ESCO (schema-checked, attribution carried); :mod:`.search` indexes
it with TF-IDF; :mod:`.tagging` tags programmes and applies hand corrections;
:mod:`.training` reads providers, programmes and partnerships (a packaged seed);
:mod:`.matching` matches needs to programmes and lists gaps; :mod:`.service` chains them for
the command line. scikit-learn is needed for search, tagging and matching
(``pip install "clusteratlas[skills]"``); importing this package does not import it.
"""

from clusteratlas.skills.esco import ESCO_COLUMNS, esco_frame, read_esco
from clusteratlas.skills.matching import (
    haversine_km,
    match_programmes,
    needed_skills,
    read_needs,
    skill_gaps,
)
from clusteratlas.skills.search import ConceptIndex, build_index
from clusteratlas.skills.tagging import apply_corrections, read_corrections, tag_programmes
from clusteratlas.skills.training import (
    read_partnerships,
    read_programmes,
    read_providers,
)

__all__ = [
    "ESCO_COLUMNS",
    "ConceptIndex",
    "apply_corrections",
    "build_index",
    "esco_frame",
    "haversine_km",
    "match_programmes",
    "needed_skills",
    "read_corrections",
    "read_esco",
    "read_needs",
    "read_partnerships",
    "read_programmes",
    "read_providers",
    "skill_gaps",
    "tag_programmes",
]
