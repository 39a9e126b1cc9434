"""Errors raised by Cluster Atlas.

Every error a user can cause derives from :class:`ClusterAtlasError` *and* from the
built-in exception that fits it (``ValueError`` for wrong values, ``TypeError`` for wrong
types, ``ImportError`` for a missing optional dependency), so ``except ValueError`` keeps
working. Messages name the file, row, column or parameter at fault and what was expected;
the command-line interface prints them on one line.
"""

from __future__ import annotations


class ClusterAtlasError(Exception):
    """Base class of every error raised on purpose by Cluster Atlas."""


class SchemaError(ClusterAtlasError, ValueError):
    """A table does not have the columns, types or values that were expected."""


class ParseError(ClusterAtlasError, ValueError):
    """A file could not be parsed; the message names the file and line."""


class UnknownCodeError(ClusterAtlasError, ValueError):
    """A region, industry or category code is not known."""


class ParameterError(ClusterAtlasError, ValueError):
    """A parameter of a function or an option of a command has a wrong value."""


class RuleSetError(ClusterAtlasError, ValueError):
    """A rating rule-set is malformed (unknown key, bad threshold, …)."""


class LabelSchemeError(ClusterAtlasError, ValueError):
    """A label scheme file is malformed (TOML syntax, unknown key, bad threshold, …)."""


class AssessmentError(ClusterAtlasError, ValueError):
    """A label self-assessment (answers file, answer value, benchmark input) is invalid."""


class EvidenceError(AssessmentError):
    """An evidence upload is refused: a file type that is not allowed (HTTP 415)."""


class EvidenceTooLargeError(EvidenceError):
    """An evidence upload is larger than the configured limit (HTTP 413)."""


class ValueChainError(ClusterAtlasError, ValueError):
    """A value chain is malformed (unknown key, missing field, repeated stage …)."""


class UnknownChainCodeError(ValueChainError, UnknownCodeError):
    """A value chain names an industry code that is not in its classification."""


class CoverageError(ClusterAtlasError, ValueError):
    """No selection of regions within the limits covers every stage of a value chain."""


class ConflictError(ClusterAtlasError, ValueError):
    """A write was based on an outdated version of a record (optimistic concurrency).

    Attributes
    ----------
    expected : int or None
        The version the writer had read.
    current : int or None
        The version in the database, when known.
    """

    def __init__(self, message: str, *, expected: int | None = None, current: int | None = None):
        super().__init__(message)
        self.expected = expected
        self.current = current


class RecordNotFoundError(ClusterAtlasError, LookupError):
    """A record (organisation, post, user …) does not exist."""


class PermissionDeniedError(ClusterAtlasError, PermissionError):
    """The user may not perform this change."""


class TooManyAttemptsError(ClusterAtlasError, PermissionError):
    """Too many sign-in attempts: wait ``retry_after`` seconds (HTTP 429 with Retry-After).

    Attributes
    ----------
    retry_after : int
        Seconds until the next attempt is accepted.
    """

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class DataNotFoundError(ClusterAtlasError, FileNotFoundError):
    """A data set is neither in the local mirror, nor in the cache, nor downloadable."""


class ConfigError(ClusterAtlasError, ValueError):
    """The config file, or a setting written to it, is not valid."""


class NotConfiguredError(ConfigError):
    """A feature that is switched on lacks a setting it needs (the API answers 503)."""


class OutputError(ClusterAtlasError, OSError):
    """An output file cannot be written."""


class StoreBusyError(OutputError):
    """The DuckDB store stayed locked by another process for longer than the wait allowed."""


class MissingDependencyError(ClusterAtlasError, ImportError):
    """An optional dependency is needed; the message says which extra installs it."""


class DatabaseBusyError(ClusterAtlasError, TimeoutError):
    """The registry database stayed locked by another writer; try again after ``retry_after`` s."""

    def __init__(self, message: str, *, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


__all__ = [
    "AssessmentError",
    "ClusterAtlasError",
    "ConfigError",
    "ConflictError",
    "CoverageError",
    "DataNotFoundError",
    "DatabaseBusyError",
    "EvidenceError",
    "EvidenceTooLargeError",
    "LabelSchemeError",
    "MissingDependencyError",
    "NotConfiguredError",
    "OutputError",
    "ParameterError",
    "ParseError",
    "PermissionDeniedError",
    "RecordNotFoundError",
    "RuleSetError",
    "SchemaError",
    "StoreBusyError",
    "TooManyAttemptsError",
    "UnknownChainCodeError",
    "UnknownCodeError",
    "ValueChainError",
]
