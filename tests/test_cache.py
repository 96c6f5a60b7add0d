"""The no-change rebuild and its invalidation; parallel and Dask builds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from validators import longread

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copytree(ROOT / "manuscript", tmp_path / "manuscript")
    shutil.copytree(ROOT / "styles", tmp_path / "styles")  # a theme of its own to change
    (tmp_path / "longread.yaml").write_text("# this folder is a longread project\n", encoding="utf-8")
    return tmp_path


def built(run: subprocess.CompletedProcess) -> bool:
    """Whether the run rebuilt (rather than found everything up to date)."""
    assert run.returncode == 0, run.stderr
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("build/")]
    assert lines
    fresh = [ln for ln in lines if not ln.endswith("(up to date)")]
    assert len(fresh) in (0, len(lines)), lines
    return bool(fresh)


def test_second_build_is_up_to_date_and_keeps_warnings(project):
    assert built(longread("build", "--format", "epub", cwd=project))
    before = (project / "build" / "last-take-review.epub").read_bytes()
    again = longread("build", "--format", "epub", cwd=project)
    assert not built(again)
    assert "stand-in" in again.stderr  # warnings are repeated, not forgotten
    assert (project / "build" / "last-take-review.epub").read_bytes() == before


@pytest.mark.parametrize("change", ["manuscript", "image", "theme", "option", "output", "epoch"])
def test_any_change_rebuilds(project, change):
    assert built(longread("build", "--format", "epub", cwd=project))
    args, env = ["build", "--format", "epub"], {}
    if change == "manuscript":
        md = project / "manuscript" / "last-take-review.md"
        md.write_text(md.read_text(encoding="utf-8").replace("Part memorial", "Part memoir"), encoding="utf-8")
    elif change == "image":
        from PIL import Image

        Image.new("RGB", (1200, 800), (10, 20, 30)).save(project / "manuscript" / "images" / "hutchins-church.jpg")
    elif change == "theme":
        css = project / "styles" / "magazine" / "epub.css"
        css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    elif change == "option":
        args = ["build", "--format", "epub", "--paper", "a4"]
    elif change == "output":
        (project / "build" / "last-take-review.epub").write_bytes(b"damaged")
    elif change == "epoch":
        env = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert built(longread(*args, cwd=project, env=env))
    assert not built(longread(*args, cwd=project, env=env))


def test_version_change_rebuilds(project, monkeypatch):
    from longread import __version__, config, theme
    from longread.model import BuildOptions
    from longread.pipeline import stamps as cache

    assert built(longread("build", "--format", "epub", cwd=project))
    options = BuildOptions(formats=("epub",), output_dir=Path("build"))  # as the command had it
    manuscript = Path("manuscript/last-take-review.md")
    monkeypatch.chdir(project)
    folder = theme.find("magazine")
    defaults = config.for_source(manuscript).digest  # the project's longread.yaml
    current = cache.settings(options, "build", folder, __version__, "", defaults)
    assert cache.up_to_date(manuscript, current, options.output_dir, "build") is not None
    current = cache.settings(options, "build", folder, "999.0", "", defaults)
    assert cache.up_to_date(manuscript, current, options.output_dir, "build") is None


def make_collection(folder: Path, count: int) -> Path:
    source = (ROOT / "manuscript" / "last-take-review.md").read_text(encoding="utf-8")
    shutil.copytree(ROOT / "manuscript" / "images", folder / "images")
    for i in range(count):
        (folder / f"article-{i:02}.md").write_text(
            source.replace("title: A Harrowing", f"title: Number {i}, a Harrowing"), encoding="utf-8"
        )
    return folder


def test_parallel_build_reports_each_and_continues_past_a_failure(tmp_path):
    folder = make_collection(tmp_path / "many", 3)
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\n\nText.\n", encoding="utf-8")
    run = longread("build", str(folder), "-o", "out", "--format", "epub", "--jobs", "2", cwd=tmp_path)
    assert run.returncode == 1
    errors = [ln for ln in run.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "broken.md" in errors[0]
    assert sorted(p.name for p in (tmp_path / "out").glob("*.epub")) == [
        "article-00.epub",
        "article-01.epub",
        "article-02.epub",
    ]
    assert "3 of 4 manuscripts built, 1 failed" in run.stdout


def test_parallel_and_serial_builds_give_the_same_bytes(tmp_path):
    folder = make_collection(tmp_path / "many", 3)
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    for jobs in ("1", "2"):
        run = longread(
            "build", str(folder), "-o", f"out{jobs}", "--jobs", jobs, "--format", "epub", cwd=tmp_path, env=env
        )
        assert run.returncode == 0, run.stderr
    for epub in (tmp_path / "out1").glob("*.epub"):
        assert epub.read_bytes() == (tmp_path / "out2" / epub.name).read_bytes()


def test_dask_cluster_builds_the_same_bytes_as_local(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    folder = make_collection(tmp_path / "many", 2)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    local = longread("build", str(folder), "-o", "local", cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        run = longread(
            "build",
            str(folder),
            "-o",
            "dask",
            "--executor",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
            cwd=tmp_path,
        )
    assert run.returncode == 0, run.stderr
    made = sorted(p.name for p in (tmp_path / "dask").iterdir() if p.is_file())
    assert made == sorted(p.name for p in (tmp_path / "local").iterdir() if p.is_file())
    assert len(made) == 4
    for name in made:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_archive_bag_is_rebuilt_when_a_file_in_it_changes(project):
    run = longread("archive", cwd=project)
    assert run.returncode == 0, run.stderr
    again = longread("archive", cwd=project)
    assert "(up to date)" in again.stdout
    (project / "build" / "last-take-review-archive" / "data" / "metadata.json").unlink()
    rebuilt = longread("archive", cwd=project)
    assert rebuilt.returncode == 0 and "(up to date)" not in rebuilt.stdout
    assert (project / "build" / "last-take-review-archive" / "data" / "metadata.json").is_file()
