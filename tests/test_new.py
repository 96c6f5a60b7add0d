"""``longread new``: a skeleton with every key, that builds as it is, never over a file."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from longread.source.frontmatter import KNOWN_KEYS, PHOTO_KEYS
from longread.source.read import read
from validators import epubcheck, longread


def front_matter(path: Path) -> tuple[str, dict]:
    text = path.read_text(encoding="utf-8")
    block = text.split("---\n")[1]
    return block, yaml.safe_load(block)


def test_new_writes_every_key_explained_and_an_images_folder(tmp_path):
    run = longread("new", "road-trip.md", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("road-trip.md")
    path = tmp_path / "road-trip.md"
    assert (tmp_path / "images").is_dir()
    block, data = front_matter(path)
    assert set(data) == KNOWN_KEYS - {"photo"}  # the photo waits for its file, commented out
    for key in PHOTO_KEYS | {"photo"}:
        assert re.search(rf"^#\s*{key}:", block, re.M), key
    lines = block.splitlines()
    for i, line in enumerate(lines):  # each key has a comment line saying what it is for
        if re.match(r"[a-z_]+:", line):
            assert lines[i - 1].startswith("# "), line
    assert data["title"] == "Road trip"


def test_the_skeleton_builds_clean_and_valid(tmp_path):
    assert longread("new", "stories/road-trip", "--title", 'Rust: a "Reckoning"', cwd=tmp_path).returncode == 0
    path = tmp_path / "stories" / "road-trip" / "road-trip.md"
    assert (path.parent / "images").is_dir()
    assert read(path).title_text == 'Rust: a "Reckoning"'  # as given; typesetting curls the quotes
    check = longread("check", "--strict", str(path), cwd=tmp_path)
    assert check.returncode == 0 and check.stdout == "", check.stdout
    build = longread("build", str(path), "--format", "epub", "-o", "out", cwd=tmp_path)
    assert build.returncode == 0 and build.stderr == "", build.stderr
    report = epubcheck(tmp_path / "out" / "road-trip.epub")
    assert not report.of("FATAL", "ERROR", "WARNING"), report.of("FATAL", "ERROR", "WARNING")


def test_new_never_overwrites(tmp_path):
    path = tmp_path / "story.md"
    path.write_text("my work\n", encoding="utf-8")
    run = longread("new", "story.md", cwd=tmp_path)
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()
    assert line == "error: story.md: already exists; longread new never overwrites a file (choose another name)"
    assert path.read_text(encoding="utf-8") == "my work\n"
    (tmp_path / "notes").write_text("a file, not a folder\n", encoding="utf-8")
    run = longread("new", "notes", cwd=tmp_path)
    assert run.returncode == 1 and run.stderr.startswith("error: notes: already exists and is not a folder")
    run = longread("new", "other.md", "--title", "  ", cwd=tmp_path)
    assert run.returncode == 1 and "--title is empty" in run.stderr and not (tmp_path / "other.md").exists()


def test_empty_keys_say_what_longread_yaml_gives_them(tmp_path):
    (tmp_path / "longread.yaml").write_text("publisher: The Review\nlang: en-GB\n", encoding="utf-8")
    assert longread("new", "story.md", cwd=tmp_path).returncode == 0
    block, data = front_matter(tmp_path / "story.md")
    assert data["publisher"] is None and "Empty: 'The Review', from" in block
    article = read(tmp_path / "story.md")
    assert (article.publisher, article.lang) == ("The Review", "en-GB")
