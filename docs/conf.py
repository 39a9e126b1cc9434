"""Sphinx configuration of the Cluster Atlas documentation (``make docs``).

Sphinx with the PyData theme, MyST Markdown pages, numpydoc docstrings, autosummary API pages
and a sphinx-gallery of examples executed at build time on the real data: the stack of
GeoPandas, PySAL and scikit-learn, whose documentation this field's analysts already read.
Every asset is served from the built site (no CDN): MathJax is vendored, the theme's fonts
and icons ship with the theme.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import clusteratlas  # noqa: E402

project = "Cluster Atlas"
author = "Cluster Atlas developers"
copyright = "Cluster Atlas developers, BSD-3-Clause"
release = clusteratlas.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "generated_pages",
    "api_pages",
    "public_refs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
suppress_warnings = ["autosummary.import_cycle"]  # the top-level table links to sub-packages
exclude_patterns = [
    "_build",
    "gallery/*.md",
    "**/GALLERY_HEADER.rst",
    "sg_execution_times.rst",
    "auto_examples/sg_execution_times.rst",
]
templates_path = ["_templates"]

# ----------------------------------------------------------------------------- MyST
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "html_admonition"]
myst_heading_anchors = 3

# ----------------------------------------------------------------------------- API
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections say it, in words
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# Nitpicky: every cross-reference inside the project must resolve. Types of third-party
# libraries (pandas, numpy, shapely, ...) are not linked (no intersphinx: the build is
# offline), so references to them are ignored by pattern rather than listed one by one.
nitpicky = True
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(pandas|pd|numpy|np|geopandas|gpd|shapely|pyproj|duckdb|pyarrow|sqlalchemy"
        r"|fastapi|starlette|typer|click|pydantic|matplotlib|networkx|scipy|sklearn|ibis"
        r"|pyspark|datetime|pathlib|collections|typing|os|io|concurrent|numbers)(\..*)?",
    ),
    (r"py:.*", r"(optional|default.*|callable|sequence|mapping|iterable|array-like|scalar)"),
]

# ----------------------------------------------------------------------------- gallery
os.environ.setdefault("MPLBACKEND", "Agg")
sphinx_gallery_conf = {
    "examples_dirs": ["gallery"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "abort_on_example_error": False,  # report every failing example; -W makes them fatal
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    # Always execute the examples, also when their source did not change: they must run
    # against the code as it is now (cannot rot).
    "run_stale_examples": True,
    # The computation-times pages load DataTables and jQuery from CDNs: not written.
    "write_computation_times": False,
    # CLUSTERATLAS_DOCS_GALLERY=0: the pages without running the examples (a quick check).
    "plot_gallery": os.environ.get("CLUSTERATLAS_DOCS_GALLERY", "1") != "0",
    "first_notebook_cell": None,
    "backreferences_dir": None,
    "default_thumb_file": None,
}

# ----------------------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = f"Cluster Atlas {release}"
html_static_path = ["_static"]
html_css_files = ["clusteratlas.css"]
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "icon_links": [],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_context = {"default_mode": "light"}
# MathJax from the site itself: the SVG build draws its own glyphs; autoload/require would
# fetch further files from the script's folder, so they are switched off.
mathjax_path = "vendor/mathjax-3.2.2/tex-svg.js"
mathjax3_config = {"tex": {"packages": {"[-]": ["autoload", "require"]}}}
