"""Comparing a chosen set of regions with a reference set (e.g. a real alliance's members)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Overlap:
    """How far two sets of regions agree (see :func:`compare_with`)."""

    common: tuple[str, ...]
    only_selected: tuple[str, ...]
    only_reference: tuple[str, ...]
    jaccard: float

    @property
    def n_common(self) -> int:
        """Number of regions in both sets."""
        return len(self.common)


def compare_with(
    selected_regions: Iterable[str],
    reference_regions: Iterable[str],
    *,
    key: Callable[[str], str] | None = None,
) -> Overlap:
    r"""Compare chosen regions with a reference set (e.g. the members of a real alliance).

    Parameters
    ----------
    selected_regions, reference_regions : iterable of str
        Region codes; empty strings and missing values are ignored.
    key : callable, optional
        Map each code before comparing, e.g. ``lambda code: code[:2]`` for countries.

    Returns
    -------
    Overlap
        Common codes, those only in either set and the Jaccard index
        :math:`|A \cap B| / |A \cup B|` (0 for two empty sets).

    Examples
    --------
    >>> compare_with(["DED2", "FR71", "NL41"], ["DED2", "NL41", "BE24", "AT21"]).jaccard
    0.4
    """
    fn = key or (lambda code: code)
    a = {fn(str(c)) for c in selected_regions if isinstance(c, str) and c}
    b = {fn(str(c)) for c in reference_regions if isinstance(c, str) and c}
    union = a | b
    return Overlap(
        common=tuple(sorted(a & b)),
        only_selected=tuple(sorted(a - b)),
        only_reference=tuple(sorted(b - a)),
        jaccard=len(a & b) / len(union) if union else 0.0,
    )


__all__ = ["Overlap", "compare_with"]
