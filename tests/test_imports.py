"""The command loads only the libraries its job needs: a PDF engine costs about
half a second to load, the e-book and image libraries a tenth."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REVIEW = REPO / "manuscript" / "last-take-review.md"
HEAVY = ("weasyprint", "ebooklib", "PIL", "lxml", "markdown", "nh3", "uharfbuzz", "fontTools")

# Runs the command as `python -m longread` does, then names the heavy libraries loaded.
PROBE = """
import atexit, runpy, sys
heavy = {heavy!r}
atexit.register(lambda: print("loaded:", " ".join(sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))),
                              file=sys.stderr))
sys.argv = ["longread", *sys.argv[1:]]
runpy.run_module("longread", run_name="__main__")
"""


def loaded(*args: str, cwd: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
    )
    line = [x for x in done.stderr.splitlines() if x.startswith("loaded:")]
    assert line, done.stderr
    return set(line[-1].split()[1:])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    first = loaded("build", str(REVIEW), "-o", str(out), cwd=REPO)
    return out, first


def test_help_and_version_load_nothing_heavy():
    assert loaded("--help", cwd=REPO) == set()
    assert loaded("--version", cwd=REPO) == set()


def test_a_full_build_loads_the_pdf_engine(built):
    _, first = built
    assert {"weasyprint", "ebooklib", "PIL"} <= first


def test_an_up_to_date_rebuild_loads_nothing_heavy(built):
    out, _ = built
    assert loaded("build", str(REVIEW), "-o", str(out), cwd=REPO) == set()


def test_an_ebook_alone_does_not_load_the_pdf_engine(tmp_path):
    assert "weasyprint" not in loaded("build", str(REVIEW), "-o", str(tmp_path), "--format", "epub", cwd=REPO)


def test_a_pdf_alone_does_not_load_the_ebook_library(tmp_path):
    assert "ebooklib" not in loaded("build", str(REVIEW), "-o", str(tmp_path), "--format", "pdf", cwd=REPO)
