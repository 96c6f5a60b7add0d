"""The archive: the BagIt bag, the archival PDF/A-3 with its attachments and XMP,
and reproducible builds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pikepdf
import pytest
from lxml import etree

from validators import make, pdf_facts

ROOT = Path(__file__).resolve().parents[1]
REVIEW = ROOT / "manuscript" / "last-take-review.md"
EPOCH = "1700000000"


@pytest.fixture(scope="module")
def bag(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("archive")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        make(REVIEW, "archive", output_dir=out)
    return out / "last-take-review-archive"


def test_bag_validates_with_sha256_manifests(bag):
    b = bagit.Bag(str(bag))
    b.validate()  # raises on any missing, extra or altered file
    assert b.algorithms == ["sha256"]
    assert b.info["External-Identifier"].startswith("urn:uuid:")
    assert b.info["Bagging-Date"] == "2023-11-14"


def test_bag_holds_everything_an_archivist_needs(bag):
    data = bag / "data"
    names = {p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()}
    assert names == {
        "source/last-take-review.md",
        "source/images/hutchins-church.jpg",
        "last-take-review.epub",
        "last-take-review.html",
        "last-take-review.pdf",
        "last-take-review-archival.pdf",
        "fonts/OFL.txt",
        "metadata.json",
        "metadata-dc.xml",
    }
    assert (data / "source" / "last-take-review.md").read_bytes() == REVIEW.read_bytes()


def test_metadata_records_agree(bag):
    data = bag / "data"
    rec = json.loads((data / "metadata.json").read_text(encoding="utf-8"))
    assert rec["title"] == "A Harrowing Documentary Examines Who’s to Blame for the Rust Shooting"
    assert rec["language"] == "en-US"
    assert rec["modified"] == "2023-11-14T22:13:20Z"
    dc = etree.parse(str(data / "metadata-dc.xml"))
    ns = {"dc": "http://purl.org/dc/elements/1.1/"}
    assert dc.findtext("dc:identifier", namespaces=ns) == rec["identifier"]
    assert dc.findtext("dc:title", namespaces=ns) == rec["title"]
    # The EPUB in the bag carries the same identifier.
    import zipfile

    opf = zipfile.ZipFile(data / "last-take-review.epub").read("EPUB/content.opf").decode()
    assert rec["identifier"] in opf


def test_archival_pdf_is_pdfa3_and_carries_the_source(bag):
    path = bag / "data" / "last-take-review-archival.pdf"
    pdf = pikepdf.open(path)
    meta = pdf.open_metadata()
    assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "U"
    attachments = dict(pdf.attachments)
    assert set(attachments) == {"last-take-review.md", "images/hutchins-church.jpg"}
    spec = attachments["last-take-review.md"]
    assert spec.get_file().read_bytes() == REVIEW.read_bytes()
    assert str(spec.obj.get("/AFRelationship")) == "/Source"
    assert "/OutputIntents" in pdf.Root  # PDF/A needs its colour space declared
    facts = pdf_facts(path)
    assert facts.tagged and facts.lang == "en-US" and not facts.unembedded


def test_archival_xmp_matches_the_epub_record(bag):
    data = bag / "data"
    rec = json.loads((data / "metadata.json").read_text(encoding="utf-8"))
    xmp = pikepdf.open(data / "last-take-review-archival.pdf").open_metadata()
    assert xmp.get("dc:title") == rec["title"]
    assert xmp.get("dc:identifier") == rec["identifier"]
    assert xmp.get("dc:language") == {rec["language"]}


def test_archive_command(tmp_path):
    shutil.copytree(ROOT / "manuscript", tmp_path / "manuscript")
    run = subprocess.run(
        [sys.executable, "-m", "longread.cli", "archive", "-o", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "out/last-take-review-archive" in run.stdout
    bagit.Bag(str(tmp_path / "out" / "last-take-review-archive")).validate()


@pytest.mark.parametrize("press", [False, True])
def test_two_builds_are_byte_identical(tmp_path, monkeypatch, press):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    outputs = []
    for name in ("one", "two"):
        result = make(REVIEW, output_dir=tmp_path / name, press=press)
        outputs.append({o.path.name: o.path.read_bytes() for o in result.outputs})
    assert set(outputs[0]) == {
        "last-take-review.epub",
        "last-take-review-press.pdf" if press else "last-take-review.pdf",
    }
    assert outputs[0] == outputs[1]


def test_two_archives_are_identical(bag, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make(REVIEW, "archive", output_dir=tmp_path)
    again = tmp_path / "last-take-review-archive"
    files = sorted(p.relative_to(bag) for p in bag.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in files:
        assert (bag / rel).read_bytes() == (again / rel).read_bytes(), rel
