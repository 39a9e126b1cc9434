"""The REST API of Cluster Atlas (FastAPI, ``/api/v1``): interfaces only.

Routes parse the request, call a service of :mod:`clusteratlas.mapping` or
:mod:`clusteratlas.registry` and render the answer. Needs the ``web`` extra
(``pip install "clusteratlas[web]"``).

Examples
--------
>>> from clusteratlas.api import create_app  # doctest: +SKIP
>>> app = create_app(database_url="sqlite:///registry.sqlite")  # doctest: +SKIP
"""

from __future__ import annotations

from clusteratlas.api.app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]
