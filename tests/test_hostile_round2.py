"""Hostile input, round two: what the case corpus (tests/hostile/cases.yaml) cannot
say in one line — peak memory, collections, themes, image colours, the notes in
the PDF, and what a failed build leaves behind.

Every run goes through the CLI, as a user runs it (helpers from test_hostile).
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from test_hostile import (
    FRONT,
    IMAGE_KINDS,
    _photo,
    _png,
    assert_error,
    assert_success,
    build,
    epub_entries,
    epubcheck_problems,
    longread,
    outputs,
    snapshot,
)

STYLES = Path(__file__).resolve().parents[1] / "styles" / "magazine"

# --- memory -----------------------------------------------------------------------

#: The most memory one manuscript's build may take (peak resident set).
PEAK_LIMIT = 1.5 * 1024**3


def peak_build(cwd: Path, *args: str, timeout: float = 900) -> tuple[subprocess.CompletedProcess, int]:
    """Run the CLI in a fresh Python whose only child is the build: that child's
    peak resident memory (bytes) comes back with the run."""
    probe = (
        "import resource, subprocess, sys\n"
        f"r = subprocess.run([sys.executable, '-m', 'longread.cli', *{list(args)!r}], capture_output=True, text=True)\n"
        "sys.stdout.write(r.stdout)\n"
        "sys.stderr.write(r.stderr)\n"
        "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(r.returncode)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    peak = int(re.search(r"^PEAK (\d+)$", run.stdout, re.M).group(1)) * 1024
    run.stdout = re.sub(r"^PEAK \d+\n", "", run.stdout, flags=re.M)
    return run, peak


def _rows(side: int, row: bytes):
    return (row for _ in range(side))


def _bilevel(side: int) -> bytes:
    return _png(side, side, 1, 0, _rows(side, b"\x00" + b"\x55" * ((side + 7) // 8)))


def _grey16(side: int) -> bytes:
    return _png(side, side, 16, 0, _rows(side, b"\x00" + b"\x80\x00" * side))


def _rgba16(side: int) -> bytes:
    return _png(side, side, 16, 6, _rows(side, b"\x00" + b"\x80\x00\x40\x00\x20\x00\xff\xff" * side))


def _wide_gif(width: int, height: int) -> bytes:
    im = Image.new("P", (width, height), 1)
    im.putpalette([0, 0, 0, 200, 60, 40] + [0] * 762)
    buf = io.BytesIO()
    im.save(buf, "GIF")
    return buf.getvalue()


MEMORY_CASES = {
    # name: (file name, maker, expected outcome)
    "bilevel-png-199mp": ("big.png", lambda: _bilevel(14100), "ok"),
    "grey-16bit-png-199mp": ("big.png", lambda: _grey16(14100), "ok"),
    "rgba-16bit-png-199mp": ("big.png", lambda: _rgba16(14100), "too large to process safely"),
    "rgba-16bit-png-144mp": ("big.png", lambda: _rgba16(12000), "ok"),
    "gif-60000x3000": ("big.gif", lambda: _wide_gif(60000, 3000), "ok"),
}


@pytest.mark.parametrize("name", list(MEMORY_CASES))
def test_memory_is_bounded_by_decoded_size(name, tmp_path):
    file_name, make, expected = MEMORY_CASES[name]
    folder = tmp_path / "ms"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / file_name).write_bytes(make())
    (folder / "story.md").write_text(
        FRONT + f"![A very large picture](images/{file_name})\n\nBody.\n", encoding="utf-8"
    )
    run, peak = peak_build(tmp_path, "build", "ms/story.md", "-o", "out")
    print(f"{name}: peak {peak / 1024**2:.0f} MB")
    assert peak < PEAK_LIMIT, f"peak memory {peak / 1024**2:.0f} MB"
    if expected == "ok":
        assert_success(run, tmp_path / "out", "epub,pdf")
        with zipfile.ZipFile(tmp_path / "out" / "story.epub") as z:
            name_in_epub = next(n for n in z.namelist() if n.startswith("EPUB/images/big"))
            with Image.open(io.BytesIO(z.read(name_in_epub))) as im:
                assert max(im.size) == 1600
    else:
        assert_error(run, tmp_path / "out", message=expected)


def test_one_photo_used_many_times_is_stored_once(tmp_path):
    folder = tmp_path / "ms"
    (folder / "images").mkdir(parents=True)
    photo = _photo((400, 300)).resize((4000, 3000), Image.Resampling.NEAREST)
    photo.save(folder / "images" / "photo.jpg", quality=97)
    assert (folder / "images" / "photo.jpg").stat().st_size > 2 * 1024**2
    body = "".join(f"![The same photo, use {i}](images/photo.jpg)\n\n" for i in range(400))
    (folder / "story.md").write_text(FRONT + body + "The end.\n", encoding="utf-8")
    run, peak = peak_build(tmp_path, "build", "ms/story.md", "-o", "out")
    assert_success(run, tmp_path / "out", "epub,pdf")
    sizes = {p.name: p.stat().st_size // 1024 for p in outputs(tmp_path / "out")}
    print(f"one photo 400 times: peak {peak / 1024**2:.0f} MB, outputs {sizes} KB")
    assert peak < PEAK_LIMIT, f"peak memory {peak / 1024**2:.0f} MB"
    entries = epub_entries(tmp_path / "out" / "story.epub")
    assert [n for n in entries if n.startswith("EPUB/images/") and n != "EPUB/images/cover.jpg"] == [
        "EPUB/images/photo.jpg"
    ]
    assert (tmp_path / "out" / "story.epub").stat().st_size < 3 * 1024**2
    import pikepdf

    with pikepdf.open(tmp_path / "out" / "story.pdf") as pdf:
        pictures = {
            obj.objgen
            for page in pdf.pages
            for obj in page.get_images().values()  # the XObjects each page draws
        }
    assert len(pictures) == 1, f"{len(pictures)} image objects for one photo"


# --- image colours ----------------------------------------------------------------


def test_cielab_tiff_keeps_its_colours(tmp_path):
    folder = tmp_path / "ms"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "lab.tif").write_bytes(IMAGE_KINDS["cielab-tiff"]())
    (folder / "story.md").write_text(FRONT + "![A red field](images/lab.tif)\n\nBody.\n", encoding="utf-8")
    assert_success(build(tmp_path), tmp_path / "out", "epub")
    data = epub_entries(tmp_path / "out" / "story.epub")["EPUB/images/lab.jpg"]
    with Image.open(io.BytesIO(data)) as im:
        r, g, b = im.convert("RGB").resize((1, 1)).getpixel((0, 0))
    assert abs(r - 220) < 12 and g < 40 and b < 45, (r, g, b)


# --- notes in both outputs --------------------------------------------------------


def test_notes_with_any_label_reach_the_pdf(tmp_path):
    from pypdf import PdfReader

    folder = tmp_path / "ms"
    folder.mkdir()
    source = Path(__file__).parent / "hostile" / "structure" / "footnote-labels.md"
    shutil.copy(source, folder / "story.md")
    assert_success(build(tmp_path, fmt="epub,pdf"), tmp_path / "out", "epub,pdf")
    text = " ".join((p.extract_text() or "") for p in PdfReader(tmp_path / "out" / "story.pdf").pages)
    text = " ".join(text.split())
    for note in ("accented label.", "colon label.", "long label."):
        assert f"The note with the {note}" in text


# --- collections ------------------------------------------------------------------


def _collection(tmp_path: Path, extra: str = "", articles: str = "  - story.md\n") -> None:
    folder = tmp_path / "ms"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "photo.jpg").write_bytes(IMAGE_KINDS["jpeg"]())
    (folder / "story.md").write_text(FRONT + "Body text.\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(f"title: An Issue\n{extra}articles:\n{articles}", encoding="utf-8")


@pytest.mark.parametrize(
    "extra, articles, message",
    [
        pytest.param("lang: en-a\n", "  - story.md\n", "(the subtag 'a' must be followed by something)", id="bad-lang"),
        pytest.param("lang: zh-Hant-TW-u\n", "  - story.md\n", "'lang' is not a BCP 47 language tag", id="bad-lang-2"),
        pytest.param('cover: "images/photo%00.jpg"\n', "  - story.md\n", "control character", id="nul-cover"),
        pytest.param("", f"  - {'x' * 5000}.md\n", "article 'xxxx", id="long-article-name"),
        pytest.param("", f"  - ../{'y' * 3000}.md\n", "outside the collection's folder", id="long-outside-name"),
        pytest.param("", '  - "story\\0.md"\n', "cannot be opened", id="nul-article"),
        pytest.param("", "  - nowhere.md\n", "article 'nowhere.md' not found", id="missing"),
    ],
)
def test_collection_errors_are_one_short_line(tmp_path, extra, articles, message):
    _collection(tmp_path, extra, articles)
    run = longread("build", "ms/issue.yaml", "-o", "out", cwd=tmp_path)
    err = assert_error(run, tmp_path / "out", manuscript="ms/issue.yaml", message=message)
    assert len(err) < 300, err


def test_collection_with_an_escape_sequence_in_a_key_warns_safely(tmp_path):
    _collection(tmp_path, '"\\e]0;pwned\\a\\e[2J": 1\n')
    run = longread("build", "ms/issue.yaml", "-o", "out", "--format", "epub", cwd=tmp_path)
    warnings = assert_success(run, tmp_path / "out", "epub", stem="issue")
    assert any("'\\x1b]0;pwned\\x07\\x1b[2J'" in w for w in warnings), warnings


# --- themes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "body { background: url(http://127.0.0.1:9/x.png) }",
        '@import "https://example.org/more.css";',
        "@media screen { p { background-image: url('//example.org/x.png') } }",
        '@font-face { font-family: X; src: url(fonts/none.ttf), url("https://example.org/x.woff2") }',
        "p { background: url(../../../../etc/passwd) }",
    ],
)
def test_a_project_theme_obeys_the_no_remote_rule(rule, tmp_path):
    # A project's own styles/ (beside its longread.yaml) replaces the bundled theme
    # of the same name; its stylesheets are held to the rule manuscripts are.
    (tmp_path / "longread.yaml").write_text("publisher: The Review\n", encoding="utf-8")
    shutil.copytree(STYLES, tmp_path / "styles" / "magazine")
    base = tmp_path / "styles" / "magazine" / "base.css"
    base.write_text(base.read_text(encoding="utf-8") + "\n" + rule + "\n", encoding="utf-8")
    folder = tmp_path / "ms"
    folder.mkdir()
    (folder / "story.md").write_text(FRONT + "Body.\n", encoding="utf-8")
    run = build(tmp_path, fmt="epub")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "base.css" in lines[0], run.stderr
    assert "points outside the theme" in lines[0] or "@import is not allowed" in lines[0]
    assert outputs(tmp_path / "out") == []


# --- what a failed build leaves ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["epub", "epub,pdf"])
def test_failed_first_build_leaves_no_cache(fmt, tmp_path):
    folder = tmp_path / "ms"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "photo.jpg").write_bytes(IMAGE_KINDS["jpeg"]())
    (folder / "images" / "cut.jpg").write_bytes(IMAGE_KINDS["truncated-jpeg"]())
    (folder / "story.md").write_text(
        FRONT + "![A photo](images/photo.jpg)\n\n![A cut photo](images/cut.jpg)\n", encoding="utf-8"
    )
    (tmp_path / "out").mkdir()
    before = snapshot(tmp_path)
    run = build(tmp_path, fmt=fmt)
    assert_error(run, tmp_path / "out", message="cut.jpg")
    assert not (tmp_path / "out" / ".cache").exists()
    assert snapshot(tmp_path) == before


# --- random raw HTML --------------------------------------------------------------

RAW_TAGS = (
    "dl dt dd div table tr td th thead tbody tfoot caption figure figcaption dfn a ul ol li p h2 h3 "
    "blockquote aside pre em span sup code q bdo time abbr hr br img small sub mark cite kbd b i strong wbr bdi"
).split()


def _raw_html(rng: random.Random, depth: int = 0) -> str:
    """Any nesting of the elements the sanitiser allows, right or wrong."""
    if depth > 6 or rng.random() < 0.25:
        return rng.choice(["word", "two words", "", "x"])
    tag = rng.choice(RAW_TAGS)
    if tag == "img":
        return '<img src="images/photo.jpg" alt="A photo">'
    if tag in {"hr", "br"}:
        return f"<{tag}>"
    attrs = {
        "a": ' href="https://example.org/"',
        "bdo": rng.choice(["", ' dir="rtl"']),
        "time": rng.choice(["", ' datetime="2024-01-02"']),
    }.get(tag, "")
    inner = "".join(_raw_html(rng, depth + 1) for _ in range(rng.randint(0, 4)))
    return f"<{tag}{attrs}>{inner}</{tag}>"


@pytest.mark.parametrize("seed", [1, 11])
def test_random_raw_html_is_made_valid(seed, tmp_path):
    """The repair pass puts whatever the sanitiser keeps into a shape EPUBCheck accepts."""
    rng = random.Random(seed)
    folder = tmp_path / "ms"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "photo.jpg").write_bytes(IMAGE_KINDS["jpeg"]())
    body = "".join(f"<div>{_raw_html(rng)}</div>\n\nParagraph {i}.\n\n" for i in range(150))
    (folder / "story.md").write_text(FRONT + body + "The last paragraph.\n", encoding="utf-8")
    assert_success(build(tmp_path), tmp_path / "out", "epub")
    assert epubcheck_problems(tmp_path / "out" / "story.epub") == []
