"""Back ends of the Ibis engine: an embedded DuckDB (default) or a Spark session.

This is the only module that knows how a back end is started, configured and stopped;
:mod:`clusteratlas.engine.ibis_pipeline` builds back-end-independent Ibis expressions and
the services above it only pass an engine name along. Ibis and PySpark are imported at the
point of use, so importing the package stays cheap.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from clusteratlas._validation import optional_import, suggest
from clusteratlas.errors import ParameterError

ENGINES: tuple[str, ...] = ("duckdb", "spark")
#: Seconds allowed to open a TCP connection to a Spark master before giving up.
MASTER_TIMEOUT = 3.0
_DEFAULT_PORTS = {"spark": 7077, "k8s": 443, "sc": 15002}


@dataclass
class Backend:
    """A connected back end.

    Attributes
    ----------
    name : str
        ``"duckdb"`` or ``"spark"``.
    con : ibis backend
        The Ibis connection expressions are executed on.
    session : pyspark.sql.SparkSession or None
        The Spark session (Spark only).
    cleanup : list of callable
        What :func:`connect` runs when the back end is closed.
    """

    name: str
    con: Any
    session: Any = None
    cleanup: list[Any] = field(default_factory=list)

    def read_parquet(self, files: Sequence[str]) -> Any:
        """Return an Ibis table over one or many Parquet files (scanned lazily)."""
        if self.name == "duckdb":
            return self.con.read_parquet(list(files))
        frame = self.session.read.parquet(*files)
        name = f"register_{uuid.uuid4().hex}"
        frame.createOrReplaceTempView(name)
        return self.con.table(name)

    def to_pandas(self, expr: Any) -> Any:
        """Execute an Ibis expression and return a pandas frame (through Arrow)."""
        if self.name == "duckdb":
            return self.con.to_pyarrow(expr).to_pandas()
        # ibis's own Spark path converts through pandas options deprecated in pandas 3.
        return self.session.sql(str(self.con.compile(expr))).toArrow().to_pandas()

    def memtable(self, frame: Any) -> Any:
        """Return an Ibis table over a small pandas frame, on this back end."""
        if self.name == "duckdb":
            ibis = optional_import("ibis", extra="scale")
            pa = optional_import("pyarrow", extra="scale")
            # Through Arrow: ibis's pandas inference reads options deprecated in pandas 3.
            return ibis.memtable(pa.Table.from_pandas(frame, preserve_index=False))
        name = f"small_{uuid.uuid4().hex}"
        # ~8x faster than ibis create_table on Spark (which writes a managed table).
        self.session.createDataFrame(frame).createOrReplaceTempView(name)
        return self.con.table(name)


def check_engine(engine: str) -> None:
    """Raise :class:`ParameterError` unless ``engine`` is a known back end (with a suggestion)."""
    if engine not in ENGINES:
        raise ParameterError(
            f"The 'engine' parameter must be one of {', '.join(map(repr, ENGINES))}. "
            f"Got {engine!r} instead.{suggest(str(engine), ENGINES)}"
        )


def check_master(master: str | None, *, timeout: float = MASTER_TIMEOUT) -> None:
    """Fail fast when a Spark master URL cannot be reached.

    ``local``/``local[n]``/``yarn`` (or no master) are not checked; for ``spark://``,
    ``k8s://`` and ``sc://`` URLs a TCP connection is opened to every host:port listed
    (``spark://h1:7077,h2:7077`` for standby masters) with a short timeout.

    Raises
    ------
    ParameterError
        When the URL is malformed or no listed host answers; the message names the URL.
    """
    if master is None or master.startswith("local") or master == "yarn":
        return
    scheme, _, rest = master.partition("://")
    if scheme not in _DEFAULT_PORTS or not rest:
        raise ParameterError(
            f"The 'spark_master' parameter must be local[n], yarn, spark://HOST:PORT, "
            f"k8s://https://HOST:PORT or sc://HOST:PORT. Got {master!r} instead."
        )
    if scheme == "k8s":
        parts = urlsplit(rest)
        hosts = [f"{parts.hostname}:{parts.port or 443}"]
    else:
        hosts = rest.split("/")[0].split(",")
    errors = []
    for host in hosts:
        name, _, port = host.rpartition(":") if ":" in host else (host, "", "")
        try:
            with socket.create_connection(
                (name or host, int(port or _DEFAULT_PORTS[scheme])), timeout=timeout
            ):
                return
        except (OSError, ValueError) as err:
            errors.append(f"{host}: {err}")
    raise ParameterError(
        f"The Spark master {master} cannot be reached within {timeout:g} s "
        f"({'; '.join(errors)}). Check the URL and that the master is running, or use "
        "--engine duckdb (or a local[n] master) on one machine."
    )


def spark_session(master: str | None = None, *, driver_memory: str = "2g") -> Any:
    """Build (or get) a Spark session with the settings known to work here.

    Parameters
    ----------
    master : str, optional
        Spark master URL; default ``local[2]``. Checked with :func:`check_master` first.
    driver_memory : str, default "2g"
        ``spark.driver.memory`` (only effective when the JVM is started by this call).

    Returns
    -------
    pyspark.sql.SparkSession
        With 4 shuffle partitions, the UI and console progress off, Arrow on, UTC session
        time zone and a fresh temporary warehouse directory (removed by :func:`connect`;
        the path is in the session's ``spark.sql.warehouse.dir``).
    """
    check_master(master)
    optional_import("pyspark", extra="spark")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # applyInPandas workers need our Python
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    warehouse = tempfile.mkdtemp(prefix="clusteratlas-spark-warehouse-")
    settings = {
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": warehouse,
        "spark.driver.memory": driver_memory,
    }
    builder = SparkSession.builder.master(master or "local[2]").appName("clusteratlas")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


@contextlib.contextmanager
def connect(
    engine: str = "duckdb",
    *,
    spark_master: str | None = None,
    driver_memory: str = "2g",
    session: Any = None,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> Iterator[Backend]:
    """Connect to a back end for the duration of a ``with`` block.

    Parameters
    ----------
    engine : {"duckdb", "spark"}
        DuckDB (embedded, in memory, spills to disk when a query outgrows memory) or Spark.
    spark_master : str, optional
        Spark master URL (default ``local[2]``); checked for reachability before any work.
    driver_memory : str, default "2g"
        Spark driver memory.
    session : pyspark.sql.SparkSession, optional
        An existing Spark session to use (it is then left running on exit).
    threads : int, optional
        DuckDB threads (default: all cores).
    memory_limit : str, optional
        DuckDB memory limit, e.g. ``"4GB"`` (default: DuckDB's, 80 % of RAM).

    Yields
    ------
    Backend
        A session started here is stopped on exit and its warehouse directory removed.
    """
    check_engine(engine)
    if engine == "duckdb":
        ibis = optional_import("ibis", extra="scale")
        config: dict[str, Any] = {}
        if threads is not None:
            config["threads"] = threads
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        con = ibis.duckdb.connect(**config)
        try:
            yield Backend("duckdb", con)
        finally:
            con.disconnect()
        return
    own = session is None
    if own:
        session = spark_session(spark_master, driver_memory=driver_memory)
    ibis = optional_import("ibis", extra="spark")
    backend = Backend("spark", ibis.pyspark.connect(session), session=session)
    try:
        yield backend
    finally:
        if own:
            warehouse = session.conf.get("spark.sql.warehouse.dir")
            session.stop()
            shutil.rmtree(str(warehouse).removeprefix("file:"), ignore_errors=True)


__all__ = ["ENGINES", "Backend", "check_engine", "check_master", "connect", "spark_session"]
