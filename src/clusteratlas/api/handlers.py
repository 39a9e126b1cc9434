"""Exception handlers: every error a client can cause becomes a 4xx with ``{"detail": …}``.

=============================================  ======
Error                                          Status
=============================================  ======
RecordNotFoundError, UnknownCodeError,         404
DataNotFoundError
PermissionDeniedError                          403
EvidenceTooLargeError (an upload over limit)   413
EvidenceError (an upload of a refused type)    415
ConflictError (body adds ``current_version``)  409
IntegrityError (a duplicate key)               409
pydantic validation of the request             422
any other ClusterAtlasError (ValueError kin)   422
DatabaseBusyError, a locked database           503 with ``Retry-After``
(SQLite busy, PostgreSQL lock timeout)
NotConfiguredError (a setting is missing)      503
=============================================  ======
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError

from clusteratlas.errors import (
    ClusterAtlasError,
    ConflictError,
    DatabaseBusyError,
    DataNotFoundError,
    EvidenceError,
    EvidenceTooLargeError,
    MissingDependencyError,
    NotConfiguredError,
    OutputError,
    PermissionDeniedError,
    RecordNotFoundError,
    UnknownCodeError,
)
from clusteratlas.registry.db import busy_timeout, is_lock_error


def status_of(err: ClusterAtlasError) -> int:
    """Return the HTTP status for a Cluster Atlas error."""
    if isinstance(err, RecordNotFoundError | UnknownCodeError | DataNotFoundError):
        return 404
    if isinstance(err, PermissionDeniedError):
        return 403
    if isinstance(err, ConflictError):
        return 409
    if isinstance(err, EvidenceTooLargeError):
        return 413
    if isinstance(err, EvidenceError):
        return 415
    if isinstance(err, MissingDependencyError | OutputError | DatabaseBusyError):
        return 503
    if isinstance(err, NotConfiguredError):
        return 503
    return 422


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


async def _cluster_atlas_error(_request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, ClusterAtlasError)
    body: dict[str, Any] = {"detail": _one_line(str(err))}
    if isinstance(err, ConflictError):
        body["current_version"] = err.current
        body["expected_version"] = err.expected
    headers = {"Retry-After": str(err.retry_after)} if isinstance(err, DatabaseBusyError) else None
    return JSONResponse(status_code=status_of(err), content=body, headers=headers)


async def _operational_error(_request: Request, err: Exception) -> JSONResponse:
    """Answer 503 + Retry-After to a locked database (a lock upgrade or commit found it busy)."""
    if not is_lock_error(err):
        raise err
    message = "The registry database is busy with another write; try again shortly."
    return JSONResponse(
        status_code=503,
        content={"detail": message},
        headers={"Retry-After": str(max(1, round(busy_timeout())))},
    )


async def _integrity_error(_request: Request, err: Exception) -> JSONResponse:
    message = "The record conflicts with an existing one (a duplicate key or a missing reference)."
    return JSONResponse(status_code=409, content={"detail": message})


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


async def _validation_error(_request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": e["type"]}
        for e in err.errors()
    ]
    detail = "; ".join(f"{_location(e['loc'])}: {e['msg']}" for e in errors) or "Invalid request."
    return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})


def install_handlers(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""
    app.add_exception_handler(ClusterAtlasError, _cluster_atlas_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _operational_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
