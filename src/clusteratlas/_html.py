"""Small HTML summaries of result objects, for notebooks (``_repr_html_``).

Every text is escaped; tables come from :meth:`pandas.DataFrame.to_html` with escaping on and
are cut to a few rows, so displaying a result never floods a notebook.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import pandas as pd

#: Rows of a result's table shown in a notebook.
MAX_ROWS = 10


def html_summary(
    title: str,
    fields: Iterable[tuple[str, object]],
    table: pd.DataFrame | None = None,
    *,
    notes: Iterable[str] = (),
    max_rows: int = MAX_ROWS,
) -> str:
    """Return an escaped HTML block: a title, a list of fields, notes and a short table.

    Parameters
    ----------
    title : str
        Heading (the kind of result and what it is about).
    fields : iterable of (str, object)
        Names and values shown as a definition list (floats with 4 significant digits).
    table : pandas.DataFrame, optional
        Shown below, its first ``max_rows`` rows, with the number of rows left out.
    notes : iterable of str
        Caveats shown as a list.
    max_rows : int
        Rows of ``table`` shown.
    """
    parts = [f'<div class="clusteratlas-result"><strong>{escape(title)}</strong><dl>']
    for name, value in fields:
        text = f"{value:.4g}" if isinstance(value, float) else str(value)
        parts.append(f"<dt>{escape(name)}</dt><dd>{escape(text)}</dd>")
    parts.append("</dl>")
    listed = [escape(note) for note in notes]
    if listed:
        parts.append("<ul>" + "".join(f"<li>{note}</li>" for note in listed) + "</ul>")
    if table is not None:
        parts.append(
            table.head(max_rows).to_html(escape=True, index=False, float_format="{:.4g}".format)
        )
        left = len(table) - max_rows
        if left > 0:
            parts.append(f"<p>… {left:,} more rows</p>")
    parts.append("</div>")
    return "".join(parts)
