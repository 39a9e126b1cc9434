"""A loopback HTTP server standing in for the data publishers in tests.

Files are laid out by host name under a root folder (``root/ec.europa.eu/eurostat/...``),
which is how :func:`clusteratlas.data.download.publisher_url` rewrites a publisher's address
when ``CLUSTERATLAS_DOWNLOAD_BASE`` points here. The server honours ``Range`` requests (so
resumed downloads can be tested) unless told to ignore them for a path, can cut a response short after a number of bytes (a
dropped connection), serves query strings by mapping them to a file name, and counts the
requests it answered.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


def query_file_name(path: str, query: str) -> str:
    """Name under which a response to ``path?query`` is stored (the query made file-safe)."""
    if not query:
        return path
    safe = "".join(c if c.isalnum() or c in "-_.=" else "_" for c in query)
    return f"{path}__{safe}"


@dataclass
class PublisherServer:
    """A running loopback server; ``base`` is what ``CLUSTERATLAS_DOWNLOAD_BASE`` takes."""

    root: Path
    base: str = ""
    requests: Counter[str] = field(default_factory=Counter)
    ranges: list[str] = field(default_factory=list)
    cut_after: dict[str, int] = field(default_factory=dict)
    ignore_range: set[str] = field(default_factory=set)
    """Host paths answered in full (200) even to a ``Range`` request, as some servers do."""

    def put(self, host_path: str, content: bytes | str) -> Path:
        """Store ``content`` as the file served at ``host_path`` (``host/path[?query]``)."""
        path, _, query = host_path.partition("?")
        target = self.root / query_file_name(path, query)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
        return target


def start_server(root: Path) -> tuple[PublisherServer, ThreadingHTTPServer]:
    """Start a server on 127.0.0.1 at a free port serving ``root``."""
    state = PublisherServer(root=root)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # silence the test log
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            relative = query_file_name(parts.path.lstrip("/"), parts.query)
            state.requests[relative] += 1
            file = (state.root / relative).resolve()
            if not file.is_file() or state.root.resolve() not in file.parents:
                self.send_error(404)
                return
            data = file.read_bytes()
            start = 0
            header = self.headers.get("Range")
            if header and header.startswith("bytes=") and relative not in state.ignore_range:
                state.ranges.append(header)
                start = int(header[6:].split("-")[0] or 0)
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            cut = state.cut_after.pop(relative, None)
            self.wfile.write(body[:cut] if cut is not None else body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
