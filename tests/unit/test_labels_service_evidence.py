# ruff: noqa: F811  (pytest fixtures imported from _registry_support)
"""Evidence uploads: size limit, type read from the content, content-addressed storage."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from _registry_support import factory, registry_url, session  # noqa: F401
from sqlalchemy.orm import Session

from clusteratlas.errors import (
    EvidenceError,
    EvidenceTooLargeError,
    ParameterError,
    RecordNotFoundError,
)
from clusteratlas.labels.evidence import max_evidence_bytes, sniff_media_type, store_evidence
from clusteratlas.registry import create_organisation, create_user
from clusteratlas.registry.services_evidence import add_evidence_file
from clusteratlas.registry.services_labels import create_assessment

PDF = b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 30
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 30


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, text, compress_type=method)
    return out.getvalue()


ODT = _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})
DOCX = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"})
XLSX = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<w/>"})


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "media"),
    [
        ("a.pdf", PDF, "application/pdf"),
        ("a.png", PNG, "image/png"),
        ("a.jpg", JPEG, "image/jpeg"),
        ("a.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("a.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("a.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notes.txt", "Réunion du comité – 3 mars\n".encode(), "text/plain"),
        ("no-extension", PDF, "application/pdf"),
    ],
)
def test_allowed_types_are_read_from_the_content(name: str, data: bytes, media: str) -> None:
    assert sniff_media_type(data, filename=name) == media


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("chart.png", PDF, r"content is application/pdf but its name ends in \.png"),
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/x-msdownload"),
        ("archive.pdf", _zip({"a.txt": "x"}), "application/zip"),
        ("data.txt", b"abc\x00\x01\x02def", "unrecognised binary data"),
        ("empty.txt", b"", "is empty"),
        ("broken.docx", DOCX[: len(DOCX) // 2], "not a readable document"),
    ],
)
def test_refused_types(name: str, data: bytes, message: str) -> None:
    with pytest.raises(EvidenceError, match=message):
        sniff_media_type(data, filename=name)


def test_store_limits_size_and_writes_nothing_when_refused(tmp_path: Path) -> None:
    with pytest.raises(
        EvidenceTooLargeError, match=r"'big\.pdf' is larger than the limit of 100 bytes"
    ):
        store_evidence(
            io.BytesIO(PDF + b"%" * 100), filename="big.pdf", folder=tmp_path, max_bytes=100
        )
    with pytest.raises(EvidenceError):
        store_evidence(io.BytesIO(PDF), filename="a.png", folder=tmp_path)
    assert _files(tmp_path) == []
    digest = hashlib.sha256(PDF).hexdigest()
    first = store_evidence(io.BytesIO(PDF), filename="a.pdf", folder=tmp_path, max_bytes=len(PDF))
    second = store_evidence(io.BytesIO(PDF), filename="copy.pdf", folder=tmp_path)
    assert first.sha256 == second.sha256 == digest
    assert _files(tmp_path) == [tmp_path / digest[:2] / digest]  # stored once, by content
    assert first.path.read_bytes() == PDF


def test_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert max_evidence_bytes() == 10 * 1024 * 1024
    monkeypatch.setenv("CLUSTERATLAS_EVIDENCE_MAX_BYTES", "2048")
    assert max_evidence_bytes() == 2048
    monkeypatch.setenv("CLUSTERATLAS_EVIDENCE_MAX_BYTES", "ten")
    with pytest.raises(ParameterError, match="CLUSTERATLAS_EVIDENCE_MAX_BYTES"):
        max_evidence_bytes()


def test_permission_is_checked_before_a_byte_is_stored(session: Session, tmp_path: Path) -> None:
    org = create_organisation(session, actor=None, data={"name": "A", "country": "FR"})
    other = create_organisation(session, actor=None, data={"name": "B", "country": "FR"})
    manager = create_user(session, email="m@example.org", role="manager", organisation_id=org.id)
    stranger = create_user(session, email="s@example.org", role="manager", organisation_id=other.id)
    draft = create_assessment(session, actor=manager, organisation_id=org.id, scheme="esca-gold")
    with pytest.raises(RecordNotFoundError):
        add_evidence_file(
            session, actor=stranger, assessment_id=draft.id, indicator="G01",
            stream=io.BytesIO(PDF), filename="a.pdf", folder=tmp_path / "ev",
        )  # fmt: skip
    with pytest.raises(EvidenceError):
        add_evidence_file(
            session, actor=manager, assessment_id=draft.id, indicator="G01",
            stream=io.BytesIO(PDF), filename="a.png", folder=tmp_path / "ev",
        )  # fmt: skip
    assert _files(tmp_path / "ev") == []
    item = add_evidence_file(
        session, actor=manager, assessment_id=draft.id, indicator="G01",
        stream=io.BytesIO(PDF), filename="../../etc/strategy.pdf", folder=tmp_path / "ev",
    )  # fmt: skip
    assert item.filename == "strategy.pdf" and item.size == len(PDF)
