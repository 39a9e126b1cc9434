r"""Whom to meet: rank other participants and marketplace items for a participant, explained.

Five components, each in [0, 1] with a sentence that explains it (the registry's partner
recommendations, :mod:`clusteratlas.registry.recommend`, are built the same way):

* **text**: TF-IDF cosine between what one side asks and the other offers. Every item's
  ``text`` is a document; scikit-learn's ``TfidfVectorizer(stop_words="english",
  sublinear_tf=True)`` is fitted on all items of the event, so with term frequency
  :math:`1 + \ln tf` and smoothed idf :math:`\ln\frac{1+n}{1+df} + 1` over the ``n`` items,
  rows L2-normalised, :math:`\cos(q, d) = q \cdot d` (Manning, Raghavan & Schütze 2008,
  ch. 6). For a participant ``j`` the component is the best match either way,

  .. math:: t_{ij} = \max\Big(\max_{r \in R_i,\, o \in O_j} \cos(r, o),
            \max_{r \in R_j,\, o \in O_i} \cos(r, o)\Big)

  with ``R`` requests and ``O`` offers; for an item, its best match with the participant's
  items of the other kind (an offer against their requests, a request against their offers);
* **related**: the candidate's benchmark clusters against the participant's: the same cluster
  scores 1, a strongly related one 0.75, a weakly related one 0 (weak links join most pairs)
  — :data:`RELATEDNESS_SCORES`, from the related-cluster pairs of Delgado, Porter & Stern
  (2016) (:func:`clusteratlas.data.definitions.related_clusters`), passed as ``related``;
* **value_chain**: buyer–supplier adjacency: in a built-in value chain both work in, a stage of
  the candidate ``d ≥ 1`` steps up- or downstream of one of the participant's scores ``1/d``
  (the best pair; the same stage is a competitor and scores 0);
* **region**: the strength of the candidate's region in its clusters from a map frame passed
  as ``map_frame`` (``region``, ``category``, ``lq``, optional ``strong``):
  ``max(min(1, LQ/2), 0.75 if strong)``, as in the registry; 0 when no map is given or the
  region is not known (it ranks related candidates; alone it recommends nobody);
* **cross_border**: 1 when the candidate's country differs. Its default weight is 0; an event
  that wants cross-border meetings gives it one (``weights={"cross_border": 0.1}``).

The score is the weighted mean of the components,
:math:`\mathrm{score} = \sum_c w_c s_c / \sum_c w_c \in [0, 1]`; the result carries each
``s_c`` and each normalised weight ``w_c / \sum w`` (column ``w_<component>``), so the parts
add up to the score. Candidates with no text match, no related cluster and no adjacent stage
are left out; the participant themself always, their colleagues (same organisation) and
those they already sent a request to on request.

References
----------
Delgado, M., Porter, M. E. & Stern, S. (2016). Defining clusters of related industries.
*Journal of Economic Geography* 16(1), 1-38.
Manning, C. D., Raghavan, P. & Schütze, H. (2008). *Introduction to Information Retrieval*,
ch. 6. Cambridge University Press.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas.errors import ParameterError
from clusteratlas.meet._profiles import Context, build_context, text_scores
from clusteratlas.meet.marketplace import chain_stages

COMPONENTS = ("text", "related", "value_chain", "region", "cross_border")
DEFAULT_WEIGHTS = {"text": 0.45, "related": 0.3, "value_chain": 0.15, "region": 0.1,
                   "cross_border": 0.0}  # fmt: skip
"""Default relative weights (ours): what people say they want first, then the economic
geography; no cross-border bonus unless the event asks for one."""
RELATEDNESS_SCORES = {"same": 1.0, "strong": 0.75, "weak": 0.0}
RESULT_COLUMNS = ("participant_id", "kind", "rank", "candidate", "item_id", "score",
                  *COMPONENTS, *(f"w_{c}" for c in COMPONENTS), "explanation")  # fmt: skip


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    chosen = {**DEFAULT_WEIGHTS, **(weights or {})}
    if (set(chosen) != set(DEFAULT_WEIGHTS) or any(not w >= 0 for w in chosen.values())
            or not sum(chosen.values()) > 0):  # fmt: skip
        raise ParameterError(
            f"The 'weights' parameter takes non-negative {sorted(DEFAULT_WEIGHTS)}, not all "
            f"zero. Got {dict(weights or {})!r} instead."
        )
    return chosen


def _related(ctx: Context, i: int, j: int, scores: Mapping[str, float]) -> str:
    for level in ("same", "strong", "weak"):
        if scores[level] <= 0:
            continue
        for a in sorted(ctx.clusters[i]):
            for b in sorted(ctx.clusters[j]):
                if level == "same" and a == b:
                    return f"Same cluster {a!r} as yours."
                if level != "same" and ctx.pairs.get((a, b)) == level:
                    return f"{b!r} is {level}ly related to your {a!r} (DPS 2016)."
    return "No cluster related to yours."


def _stage_note(mine: set[str], theirs: set[str]) -> str:
    chains = chain_stages()
    best: tuple[int, str] = (99, "No adjacent value-chain stage.")
    for x in sorted(mine):
        for y in sorted(theirs):
            cx, _, sx = x.partition(":")
            cy, _, sy = y.partition(":")
            if cx != cy or sx == sy:
                continue
            d = chains[cy].index(sy) - chains[cx].index(sx)
            if abs(d) < best[0]:
                role = "a customer" if d > 0 else "a supplier"
                where = "downstream" if d > 0 else "upstream"
                best = (abs(d), f"Stage {sy!r} is {abs(d)} step{'s' if abs(d) > 1 else ''} "
                        f"{where} of your {sx!r} in the {cx} chain ({role}).")  # fmt: skip
    return best[1]


def _clip(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _rows_for(ctx: Context, i: int, *, chosen: dict[str, float], rel: Mapping[str, float],
              top: int, kinds: tuple[str, ...], exclude_colleagues: bool) -> list[dict[str, Any]]:  # fmt: skip
    total = sum(chosen.values())
    norm = {c: chosen[c] / total for c in COMPONENTS}
    item_text, match, people_text = text_scores(ctx, i)
    related = np.where(ctx.same[i], rel["same"], np.where(ctx.strong[i], rel["strong"],
                       np.where(ctx.weak[i], rel["weak"], 0.0)))  # fmt: skip
    border = (ctx.countries != ctx.countries[i]).astype(float)
    out: list[dict[str, Any]] = []
    keep = np.ones(len(ctx.ids), dtype=bool)
    keep[i] = False
    if exclude_colleagues:
        keep &= ctx.orgs != ctx.orgs[i]
    me = str(ctx.ids[i])
    for kind in kinds:
        if kind == "participant":
            parts = {"text": people_text, "related": related, "value_chain": ctx.chain[i],
                     "region": ctx.region_score, "cross_border": border}  # fmt: skip
            allowed = keep & ~np.isin(ctx.ids, list(ctx.requested.get(me, ())))
            who = np.arange(len(ctx.ids))
        else:
            who = ctx.owner
            parts = {"text": item_text, "related": related[who], "value_chain": ctx.item_chain[:, i],
                     "region": ctx.region_score[who], "cross_border": border[who]}  # fmt: skip
            allowed = keep[who]
        affinity = sum(chosen[c] * parts[c] for c in ("text", "related", "value_chain"))
        score = sum(norm[c] * parts[c] for c in COMPONENTS)
        candidates = np.flatnonzero(allowed & (affinity > 0))
        names = ctx.ids[who[candidates]].astype(str)
        order = candidates[np.lexsort((names, -np.round(score[candidates], 12)))][:top]
        for rank, k in enumerate(order, start=1):
            j = int(who[k])
            out.append({
                "participant_id": me, "kind": kind, "rank": rank, "candidate": str(ctx.ids[j]),
                "item_id": str(ctx.item_ids[k]) if kind == "item" else None,
                "score": float(score[k]), **{c: float(parts[c][k]) for c in COMPONENTS},
                **{f"w_{c}": norm[c] for c in COMPONENTS},
                "explanation": _explain(ctx, i, j, int(k) if kind == "item" else None,
                                        parts, int(k), match, item_text, rel),
            })  # fmt: skip
    return out


def _explain(ctx: Context, i: int, j: int, item: int | None, parts: Mapping[str, np.ndarray],
             k: int, match: np.ndarray, item_text: np.ndarray, rel: Mapping[str, float]) -> str:  # fmt: skip
    texts, kinds = ctx.texts, ctx.kinds
    pick = item if item is not None else None
    if pick is None:
        theirs = ctx.owned[j]
        if len(theirs) and parts["text"][k] > 0:
            pick = int(theirs[np.argmax(item_text[theirs])])
    if pick is not None and match[pick] >= 0 and item_text[pick] > 0:
        sentence = (f"Their {kinds[pick]} {_clip(texts[pick])!r} matches your {kinds[match[pick]]} "
                    f"{_clip(texts[match[pick]])!r} (TF-IDF cosine {item_text[pick]:.2f}).")  # fmt: skip
    else:
        sentence = "No text match between offers and requests."
    stages = ctx.item_stages[item] if item is not None else ctx.stages[j]
    notes = [sentence, _related(ctx, i, j, rel), _stage_note(ctx.stages[i], stages),
             ctx.region_note[j]]  # fmt: skip
    if ctx.countries[j] != ctx.countries[i]:
        notes.append(f"From {ctx.countries[j]}, another country than yours ({ctx.countries[i]}).")
    return " ".join(notes)


def recommend_all(
    *, participants: pd.DataFrame, items: pd.DataFrame, organisations: pd.DataFrame | None = None,
    related: pd.DataFrame | None = None, map_frame: pd.DataFrame | None = None,
    requests: pd.DataFrame | None = None, weights: Mapping[str, float] | None = None,
    relatedness_scores: Mapping[str, float] | None = None, top: int = 10,
    kinds: tuple[str, ...] = ("participant", "item"), exclude_colleagues: bool = True,
    only: list[str] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Recommend participants and marketplace items to every participant (see the module).

    Parameters
    ----------
    participants : pandas.DataFrame
        As :func:`~clusteratlas.meet.participants.validate_participants` checks them.
    items : pandas.DataFrame
        The marketplace (:func:`~clusteratlas.meet.marketplace.validate_items`).
    organisations : pandas.DataFrame, optional
        ``organisation_id``, ``industries`` (tuples or ``;``-separated), optional ``region``:
        adds the organisation's clusters to those of its participants' items, and its region
        for regional strength (e.g. :func:`~clusteratlas.meet.synthetic.registry_organisations`).
    related : pandas.DataFrame, optional
        Related-cluster pairs (``category``, ``related``, ``strength``), e.g.
        :func:`clusteratlas.data.definitions.related_clusters`; without it only the same
        cluster counts.
    map_frame : pandas.DataFrame, optional
        ``region``, ``category``, ``lq`` (optional ``strong``) for regional strength.
    requests : pandas.DataFrame, optional
        ``from``, ``to``: participants a participant already asked are not recommended again.
    weights : mapping, optional
        Relative weights of :data:`COMPONENTS` (default :data:`DEFAULT_WEIGHTS`).
    relatedness_scores : mapping, optional
        Scores of ``same``, ``strong``, ``weak`` (default :data:`RELATEDNESS_SCORES`).
    top : int, default 10
        Candidates per participant and kind.
    kinds : tuple of {"participant", "item"}
        What to recommend.
    exclude_colleagues : bool, default True
        Leave out participants of the same organisation (and their items).
    only : list of str, optional
        Participant ids to recommend to (default: all).

    Returns
    -------
    pandas.DataFrame
        :data:`RESULT_COLUMNS`: per participant and kind, ``rank`` 1 … ``top`` by score (ties
        by candidate id); ``candidate`` the participant met (for an item, its owner);
        ``score`` = Σ component × ``w_<component>``; ``explanation`` one sentence per
        component.

    Raises
    ------
    ParameterError
        On bad weights, ``top``, ``kinds`` or an unknown participant in ``only``.
    SchemaError
        On a bad participants or items table (naming its line and column).
    """
    chosen = _weights(weights)
    rel = {**RELATEDNESS_SCORES, **(relatedness_scores or {})}
    if set(rel) != set(RELATEDNESS_SCORES) or any(not 0 <= v <= 1 for v in rel.values()):
        raise ParameterError(f"The 'relatedness_scores' parameter takes same, strong, weak in "
                             f"[0, 1]. Got {dict(relatedness_scores or {})!r} instead.")  # fmt: skip
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ParameterError(
            f"The 'top' parameter must be an int in [1, inf). Got {top!r} instead."
        )
    if not kinds or any(k not in ("participant", "item") for k in kinds):
        raise ParameterError(
            f"The 'kinds' parameter takes participant and/or item. Got {kinds!r} instead."
        )
    ctx = build_context(participants, items, organisations=organisations, related=related,
                   map_frame=map_frame, requests=requests)  # fmt: skip
    index = {str(p): k for k, p in enumerate(ctx.ids)}
    wanted = list(ctx.ids) if only is None else list(only)
    for pid in wanted:
        if str(pid) not in index:
            raise ParameterError(f"The participant {pid!r} is not among the participants.")
    rows = [row for pid in wanted
            for row in _rows_for(ctx, index[str(pid)], chosen=chosen, rel=rel, top=top,
                                 kinds=kinds, exclude_colleagues=exclude_colleagues)]  # fmt: skip
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def recommend_for(
    participant_id: str, *, participants: pd.DataFrame, items: pd.DataFrame,
    organisations: pd.DataFrame | None = None, related: pd.DataFrame | None = None,
    map_frame: pd.DataFrame | None = None, requests: pd.DataFrame | None = None,
    weights: Mapping[str, float] | None = None,
    relatedness_scores: Mapping[str, float] | None = None, top: int = 10,
    kinds: tuple[str, ...] = ("participant", "item"), exclude_colleagues: bool = True,
) -> pd.DataFrame:  # fmt: skip
    """Recommend participants and items to one participant.

    The options are those of :func:`recommend_all`; the result is its rows for
    ``participant_id``: up to ``top`` participants and ``top`` items, each ranked, with
    every component, its normalised weight and the explanation.

    Examples
    --------
    >>> people = pd.DataFrame({"participant_id": ["A", "B"], "organisation_id": ["a", "b"],
    ...                        "type": ["SME", "SME"], "country": ["FR", "DE"]})
    >>> market = pd.DataFrame({"participant_id": ["A", "B"], "item_id": ["a1", "b1"],
    ...                        "kind": ["request", "offer"], "category": ["product"] * 2,
    ...                        "text": ["battery cells", "we make battery cells"]})
    >>> recommend_for("A", participants=people, items=market)[["kind", "candidate", "rank"]]
              kind candidate  rank
    0  participant         B     1
    1         item         B     1
    """
    return recommend_all(
        participants=participants, items=items, organisations=organisations, related=related,
        map_frame=map_frame, requests=requests, weights=weights,
        relatedness_scores=relatedness_scores, top=top, kinds=kinds,
        exclude_colleagues=exclude_colleagues, only=[participant_id],
    )  # fmt: skip
