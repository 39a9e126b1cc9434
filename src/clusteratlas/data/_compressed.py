"""A truncated or corrupt compressed input is named in one line, not left to ``EOFError``.

Python's ``gzip``, ``bz2`` and ``lzma`` modules (and pandas through them) raise ``EOFError``
when a download was cut short, and ``BadGzipFile``, ``zlib.error``, ``LZMAError`` or a bare
``OSError`` when the bytes are damaged. The command line would answer the first with Click's
"Aborted." and the others with a traceback; readers wrap their decompression in
:func:`decompression_errors` to raise a :class:`~clusteratlas.errors.ParseError` that names
the file instead.
"""

from __future__ import annotations

import gzip
import lzma
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clusteratlas.errors import ParseError

_BZ2_MESSAGES = ("Invalid data stream", "Compressed file ended")


@contextmanager
def decompression_errors(path: str | Path) -> Iterator[None]:
    """Turn a failure to decompress ``path`` into a one-line :class:`ParseError`.

    Raises
    ------
    ParseError
        When ``path`` ends before its compressed stream does (truncated) or holds bytes
        that do not decompress (corrupt); the message names the file.
    """
    try:
        yield
    except EOFError as err:
        raise ParseError(
            f"{path} is truncated: its compressed data end before the end-of-stream marker "
            "(an interrupted download?). Fetch the file again."
        ) from err
    except (gzip.BadGzipFile, zlib.error, lzma.LZMAError) as err:
        raise ParseError(
            f"{path} is corrupt: it does not decompress ({err}). Fetch it again."
        ) from err
    except OSError as err:
        if not any(text in str(err) for text in _BZ2_MESSAGES):
            raise
        raise ParseError(
            f"{path} is corrupt: it does not decompress ({err}). Fetch it again."
        ) from err
