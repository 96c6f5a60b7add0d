"""The ``longread`` command, run as a user runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from validators import longread

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path) -> Path:
    """A folder laid out like the repository: manuscript/ with the review and its photo."""
    shutil.copytree(ROOT / "manuscript", tmp_path / "manuscript")
    return tmp_path


def test_build_without_arguments_builds_every_manuscript_into_build(project):
    run = longread("build", cwd=project)
    assert run.returncode == 0, run.stderr
    epub, pdf = project / "build" / "last-take-review.epub", project / "build" / "last-take-review.pdf"
    assert epub.is_file() and pdf.is_file()
    listed = run.stdout.splitlines()
    assert any(line.startswith("build/last-take-review.epub") and "KB" in line for line in listed)
    assert any(line.startswith("build/last-take-review.pdf") and "KB" in line for line in listed)
    # The stand-in photo is flagged, on one line, without failing the build.
    assert "stand-in" in run.stderr and "Traceback" not in run.stderr


def test_format_output_dir_and_paper(project):
    run = longread("build", "manuscript/last-take-review.md", "-o", "out", "--format", "epub", cwd=project)
    assert run.returncode == 0, run.stderr
    assert [p.name for p in (project / "out").iterdir() if not p.name.startswith(".")] == ["last-take-review.epub"]


def test_help_reads_like_a_tool(project):
    top = longread("--help", cwd=project)
    assert top.returncode == 0 and "build" in top.stdout and "EPUB" in top.stdout
    sub = longread("build", "--help", cwd=project)
    for option in ("--output", "--format", "--paper", "--theme", "MANUSCRIPT", "examples:"):
        assert option in sub.stdout


def test_bad_manuscript_one_line_error_no_output(project):
    bad = project / "manuscript" / "broken.md"
    bad.write_text("---\ntitle: [unclosed\n---\n\nText.\n", encoding="utf-8")
    run = longread("build", "manuscript/broken.md", cwd=project)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: manuscript/broken.md:")
    assert "Traceback" not in run.stderr
    assert not (project / "build" / "broken.epub").exists()
    assert not list((project / "build").glob("*.part")) if (project / "build").exists() else True


def test_failed_rebuild_keeps_the_previous_good_output(project):
    manuscript = project / "manuscript" / "last-take-review.md"
    assert longread("build", "--format", "epub", cwd=project).returncode == 0
    good = (project / "build" / "last-take-review.epub").read_bytes()
    source = manuscript.read_bytes()
    manuscript.write_bytes(source.replace(b"\ntitle:", b"\ntitel:", 1))
    run = longread("build", "--format", "epub", cwd=project)
    assert run.returncode == 1 and "'title'" in run.stderr
    assert (project / "build" / "last-take-review.epub").read_bytes() == good
    assert manuscript.read_bytes() == source.replace(b"\ntitle:", b"\ntitel:", 1)  # source untouched


def test_one_failure_does_not_stop_the_others(project):
    (project / "manuscript" / "empty.md").write_text("---\ntitle: Empty\n---\n", encoding="utf-8")
    run = longread("build", "--format", "epub", cwd=project)
    assert run.returncode == 1
    assert "empty.md" in run.stderr
    assert (project / "build" / "last-take-review.epub").is_file()


def test_unknown_format_and_paper_are_usage_errors(project):
    assert longread("build", "--format", "docx", cwd=project).returncode == 2
    assert longread("build", "--paper", "tabloid", cwd=project).returncode == 2


def test_no_manuscript_folder(tmp_path):
    run = longread("build", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.startswith("error: ") and len(run.stderr.strip().splitlines()) == 1


def test_two_manuscripts_with_the_same_output_name_are_refused(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.md").write_text("---\ntitle: Story\n---\n\nText.\n", encoding="utf-8")
    run = longread("build", "a/story.md", "b/story.md", "--format", "epub", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.strip() == "error: b/story.md: its outputs would overwrite those of a/story.md; rename one"


def test_the_same_manuscript_named_twice_is_built_once(project):
    run = longread(
        "build", "manuscript/last-take-review.md", "./manuscript/last-take-review.md", "--format", "epub", cwd=project
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("last-take-review.epub") == 1


@pytest.mark.parametrize("epoch", ["yesterday", "99999999999"])
def test_bad_source_date_epoch_is_one_line(project, epoch):
    run = longread("build", "--format", "epub", cwd=project, env={"SOURCE_DATE_EPOCH": epoch})
    assert run.returncode == 1
    assert run.stderr.startswith("error: SOURCE_DATE_EPOCH: ") and len(run.stderr.strip().splitlines()) == 1


def test_unreadable_output_folder_is_one_line(project):
    (project / "build").write_text("a file where the output folder should be", encoding="utf-8")
    run = longread("build", "--format", "epub", cwd=project)
    assert run.returncode == 1
    errors = [ln for ln in run.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in run.stderr and "internal error" not in run.stderr
