"""The build route under attack: what it reads, what it writes, and when it says
"up to date".  Every case ends in a valid build or one error line, never a
traceback, a hang, a mismatched pair of outputs or a touched source."""

from __future__ import annotations

import errno
import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import longread
from longread import files
from longread.model import BuildOptions
from longread.pipeline import Runner
from longread.pipeline import build as build_sources
from validators import longread as run_longread

ROOT = Path(__file__).resolve().parents[1]
STORY = "---\ntitle: A Story\nphoto: {src: images/lead.jpg, alt: A blue field.}\n---\n\nSome text to read.\n"


def project(tmp_path: Path, name: str = "story.md") -> Path:
    from conftest import write_image

    folder = tmp_path / "ms"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(STORY, encoding="utf-8")
    write_image(folder / "images" / "lead.jpg", (60, 40))
    write_image(folder / "images" / "other.jpg", (60, 40), color="firebrick")
    return folder / name


def epub_only(out: Path, **kw) -> BuildOptions:
    return BuildOptions(formats=("epub",), output_dir=out, **kw)


def one_error(outcomes) -> str:
    (outcome,) = outcomes
    assert outcome.error and "\n" not in outcome.error, outcome
    return outcome.error


# --- names the file system allows ------------------------------------------------------


def test_a_file_name_that_is_not_utf8_builds_beside_the_others(tmp_path):
    story = project(tmp_path)
    odd = Path(os.fsdecode(bytes(story.parent) + b"/caf\xe9.md"))
    shutil.copy(story, odd)
    run = run_longread("build", "ms", "-o", "out", "--format", "epub", "--jobs", "1", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "caf\\xe9.epub" in run.stdout and "story.epub" in run.stdout
    assert (tmp_path / "out" / "story.epub").is_file()
    assert os.path.isfile(os.path.join(os.fsencode(tmp_path / "out"), b"caf\xe9.epub"))
    again = run_longread("build", "ms", "-o", "out", "--format", "epub", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.count("(up to date)") == 2


def test_a_folder_build_does_not_follow_a_link_out_of_the_folder(tmp_path):
    project(tmp_path)
    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text("---\ntitle: Secret\n---\n\nPrivate words.\n", encoding="utf-8")
    (tmp_path / "ms" / "evil.md").symlink_to(secret)
    outcomes = build_sources([tmp_path / "ms"], epub_only(tmp_path / "out"))
    by_name = {o.manuscript.name: o for o in outcomes}
    assert "outside" in by_name["evil.md"].error and not by_name["evil.md"].outputs
    assert not by_name["story.md"].error
    assert not (tmp_path / "out" / "evil.epub").exists()


# --- up to date means up to date -------------------------------------------------------


def test_a_manuscript_saved_while_it_builds_is_rebuilt_next_time(tmp_path, monkeypatch):
    story = project(tmp_path)
    read = files.Inputs.read

    def read_then_save(self, path, *args, **kwargs):
        data = read(self, path, *args, **kwargs)
        if Path(path).name == "story.md":  # the editor saves right after longread read it
            Path(path).write_text(STORY.replace("Some text", "Edited text"), encoding="utf-8")
        return data

    monkeypatch.setattr(files.Inputs, "read", read_then_save)
    (first,) = longread.build([story], epub_only(tmp_path / "out"))
    monkeypatch.undo()
    assert not first.error
    (second,) = longread.build([story], epub_only(tmp_path / "out"))
    assert not second.up_to_date


def test_an_image_link_pointed_elsewhere_rebuilds(tmp_path):
    story = project(tmp_path)
    images = story.parent / "images"
    (images / "lead.jpg").rename(images / "first.jpg")
    (images / "lead.jpg").symlink_to("first.jpg")
    assert not longread.build([story], epub_only(tmp_path / "out"))[0].error
    (images / "lead.jpg").unlink()
    (images / "lead.jpg").symlink_to("other.jpg")
    (again,) = longread.build([story], epub_only(tmp_path / "out"))
    assert not again.error and not again.up_to_date


@pytest.mark.parametrize("swap", ["fifo", "dev-zero"])
def test_an_image_turned_into_a_device_is_refused_not_read(tmp_path, swap):
    story = project(tmp_path)
    out = tmp_path / "out"
    assert not longread.build([story], epub_only(out))[0].error
    lead = story.parent / "images" / "lead.jpg"
    lead.unlink()
    if swap == "fifo":
        os.mkfifo(lead)
    else:
        lead.symlink_to("/dev/zero")
    run = run_longread("build", "ms/story.md", "-o", "out", "--format", "epub", cwd=tmp_path)
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()
    assert re.match(r"error: ms/story\.md:\d+:\d+: img-006: image", line) and "lead.jpg" in line


# --- outputs: together or not at all, never over a source ---------------------------------


def test_a_full_disk_replaces_no_output(tmp_path, monkeypatch):
    story = project(tmp_path)
    out = tmp_path / "out"
    assert not longread.build([story], BuildOptions(output_dir=out))[0].error
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    story.write_text(STORY.replace("Some text", "New text"), encoding="utf-8")
    staged = files.stage
    calls = []

    def disk_fills_up(target, data):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return staged(target, data)

    monkeypatch.setattr(files, "stage", disk_fills_up)
    (outcome,) = longread.build([story], BuildOptions(output_dir=out))
    assert "No space left" in outcome.error
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not list(out.glob(".*.part"))


def test_outputs_never_overwrite_a_source(tmp_path):
    story = project(tmp_path)
    # A photo that happens to be named like the PDF the build would write.
    (story.parent / "images" / "lead.jpg").rename(story.parent / "story.pdf")
    story.write_text(STORY.replace("images/lead.jpg", "story.pdf"), encoding="utf-8")
    sources = {p: p.read_bytes() for p in story.parent.rglob("*") if p.is_file()}
    run = run_longread("build", "ms/story.md", "-o", "ms", cwd=tmp_path)
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()
    assert "would overwrite a source file" in line
    assert {p: p.read_bytes() for p in story.parent.rglob("*") if p.is_file()} == sources


def test_a_failed_first_build_leaves_no_cache_folder(tmp_path):
    story = project(tmp_path)
    story.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    assert longread.build([story], BuildOptions(output_dir=out))[0].error
    assert list(out.iterdir()) == []


# --- the archive ------------------------------------------------------------------------


def test_archive_clears_bags_left_half_made_by_a_killed_run(tmp_path):
    story = project(tmp_path)
    out = tmp_path / "out"
    stale = out / ".story-archive.99999999.abcd"
    (stale / "data").mkdir(parents=True)
    (outcome,) = longread.build([story], BuildOptions(output_dir=out), kind="archive")
    assert not outcome.error
    assert not stale.exists()
    assert (out / "story-archive" / "bagit.txt").read_text().startswith("BagIt-Version: 1.0\n")


def test_archive_refuses_a_name_a_bag_cannot_carry(tmp_path):
    story = project(tmp_path)
    (story.parent / "images" / "lead.jpg").rename(story.parent / "images" / "a%0Ab.jpg")
    story.write_text(STORY.replace("images/lead.jpg", "images/a%250Ab.jpg"), encoding="utf-8")
    run = run_longread("archive", "ms/story.md", "-o", "out", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("error: ms/story.md:") and "rename" in line
    assert not [p for p in (tmp_path / "out").rglob("*") if ".cache" not in p.parts]


def test_ctrl_c_during_a_parallel_build_is_one_line(tmp_path):
    for i in range(6):
        story = project(tmp_path, f"story-{i}.md")
        story.write_text(STORY + "Some more text to set on the page, and more.\n\n" * 400, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "longread", "build", "ms", "-o", "out", "--jobs", "2"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(4)
    assert proc.poll() is None, "the builds ended before the interrupt"
    os.killpg(proc.pid, signal.SIGINT)  # as the terminal sends it: to every process of the group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "longread: interrupted"


# --- Dask -----------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["::::", "inproc://x", "tcp://", "tcp://host:99999", "http://example.org"])
def test_bad_scheduler_address_is_a_usage_error(tmp_path, address):
    project(tmp_path)
    run = run_longread("build", "ms", "--executor", "dask", "--scheduler", address, cwd=tmp_path)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "not a Dask scheduler address" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 2  # the error and where to find help


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_a_scheduler_that_never_answers_times_out(tmp_path):
    story = project(tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        start = time.monotonic()
        runner = Runner(scheduler=f"tcp://127.0.0.1:{server.server_port}", connect_timeout=2)
        message = one_error(build_sources([story], epub_only(tmp_path / "out"), runner=runner))
        assert time.monotonic() - start < 30
    finally:
        server.shutdown()
    assert "cannot reach the Dask scheduler" in message
