"""The benchmark's inputs, all made from the bundled review, the same on every run.

- ``review``: the bundled manuscript as it is.
- ``50x article``: the same front matter, the body 50 times, each copy under a
  ``## Part N`` subhead.
- ``3 MB manuscript``: 516,000 words of the review's paragraphs in turn, with
  171 subheads and 43 notes spread evenly through it (about 3.2 MB).
- ``28 MB PNG``: the review with a 5472 x 3648 (20-megapixel) PNG lead photo
  of about 28 MB: a gradient with three bits of seeded noise per channel, so
  that it compresses as badly as a real photo saved as PNG.

Also the peers' stylesheets (longread's own, with font URLs rewritten for
pandoc) and the Typst sources (pandoc's Typst writer, untimed, through
``peer-typst.typ``).
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANUSCRIPT = ROOT / "manuscript" / "last-take-review.md"
THEME = ROOT / "styles" / "magazine"
FONTS = sorted((THEME / "fonts").glob("GentiumBookPlus-*.ttf"))
TYPST_TEMPLATE = Path(__file__).resolve().parent / "peer-typst.typ"

KINDS = ("review", "50x", "3mb", "png")
REPEAT = 50
BIG_WORDS, BIG_SUBHEADS, BIG_NOTES = 516_000, 171, 43
PNG_SIZE, PNG_SEED, PNG_NOISE_BITS = (5472, 3648), 2025, 3


def split_front_matter(text: str) -> tuple[str, str]:
    m = re.match(r"---\n.*?\n---\n", text, re.S)
    if not m:
        raise SystemExit(f"{MANUSCRIPT}: no YAML front matter block")
    return m.group(0), text[m.end() :].strip()


def review_parts() -> tuple[str, list[str]]:
    front, body = split_front_matter(MANUSCRIPT.read_text(encoding="utf-8"))
    return front, [p.strip() for p in body.split("\n\n") if p.strip()]


def fifty_times() -> str:
    front, paras = review_parts()
    body = "\n\n".join(paras)
    parts = [f"## Part {n}\n\n{body}\n" for n in range(1, REPEAT + 1)]
    return front + "\n" + "\n".join(parts)


def big_manuscript() -> str:
    """516,000 words: the review's paragraphs over and over, a subhead every so many
    paragraphs and a note call at the end of every so many others."""
    front, paras = review_parts()
    per_para = sum(len(p.split()) for p in paras) / len(paras)
    count = int(BIG_WORDS / per_para) + 1
    head_every = count / BIG_SUBHEADS
    note_every = count / BIG_NOTES
    out, notes, words = [front], [], 0
    heads = 0
    for i in range(count):
        if i >= heads * head_every and heads < BIG_SUBHEADS:
            heads += 1
            title = " ".join(paras[i % len(paras)].replace("*", "").split()[:5]).rstrip(",.;:")
            out.append(f"## {heads}. {title}")
        para = paras[i % len(paras)]
        if len(notes) < BIG_NOTES and i >= (len(notes) + 0.5) * note_every:
            n = len(notes) + 1
            para += f"[^n{n}]"
            source = paras[(i + 2) % len(paras)].split(". ")
            notes.append(f"[^n{n}]: Note {n}. {source[0].strip()}.")
        out.append(para)
        words += len(para.split())
        if words >= BIG_WORDS:
            break
    return "\n\n".join(out + notes) + "\n"


def big_photo(target: Path) -> None:
    """A 20-megapixel PNG of about 28 MB, byte for byte the same on every run (for
    a given Pillow and zlib)."""
    from PIL import Image, ImageChops

    width, height = PNG_SIZE
    mask = (1 << PNG_NOISE_BITS) - 1
    noise = random.Random(PNG_SEED).randbytes(width * height * 3).translate(bytes(b & mask for b in range(256)))
    ramp = Image.linear_gradient("L")
    base = Image.merge(
        "RGB",
        (
            ramp.resize((width, height)),
            ramp.transpose(Image.Transpose.ROTATE_90).resize((width, height)),
            Image.new("L", (width, height), 96),
        ),
    )
    ImageChops.add(base, Image.frombytes("RGB", (width, height), noise)).save(target, "PNG")


def with_photo(src: str) -> str:
    front, paras = review_parts()
    front = re.sub(r"(?m)^(  src: ).*$", rf"\g<1>{src}", front, count=1)
    return front + "\n" + "\n\n".join(paras) + "\n"


def paths(work: Path, wanted: set[str]) -> dict[str, Path]:
    """Where :func:`prepare` puts each wanted manuscript."""
    names = {"review": MANUSCRIPT.name, "50x": f"review-x{REPEAT}.md", "3mb": "long-manuscript.md"}
    names["png"] = "big-photo-review.md"
    return {key: work / "src" / names[key] for key in KINDS if key in wanted}


def prepare(work: Path, wanted: set[str]) -> dict[str, Path]:
    """The wanted manuscripts, in one folder beside a copy of images/."""
    made = paths(work, wanted)
    shutil.copytree(MANUSCRIPT.parent / "images", work / "src" / "images")
    texts = {"50x": fifty_times, "3mb": big_manuscript, "png": lambda: with_photo("images/big-photo.png")}
    for key, path in made.items():
        if key == "review":
            shutil.copy2(MANUSCRIPT, path)
            continue
        if key == "png":
            big_photo(path.parent / "images" / "big-photo.png")
        path.write_text(texts[key](), encoding="utf-8")
    return made


def peer_css(work: Path) -> tuple[Path, Path]:
    """The stylesheets longread itself uses, in its cascade order, as one file per
    output for pandoc: the e-book's layers, and the print layers for letter paper.
    In pandoc's EPUB the CSS sits in EPUB/styles/ and the embedded fonts in
    EPUB/fonts/; in the PDF the fonts are absolute file: URLs (as longread's)."""
    sys.path.insert(0, str(ROOT / "src"))
    from longread import theme as themes
    from longread import tokens

    theme = themes.load(str(THEME))
    epub = "\n".join(css.decode("utf-8") for _, css in tokens.epub_sheets(theme))
    epub_css = work / "pandoc-epub.css"
    epub_css.write_text(re.sub(r"url\([^)]*/(fonts/[^)/]+)\)", r"url(../\1)", epub), encoding="utf-8")
    pdf_css = work / "pandoc-print.css"
    pdf_css.write_text("\n".join(sheet.css() for sheet in tokens.print_sheets(theme, "letter")), encoding="utf-8")
    return epub_css, pdf_css


def typst_source(pandoc: str, manuscript: Path) -> Path:
    """The manuscript as a Typst document (pandoc's Typst writer, untimed), beside
    the manuscript so that its image paths hold."""
    target = manuscript.with_suffix(".typ")
    subprocess.run(
        [pandoc, str(manuscript), "-t", "typst", "--template", str(TYPST_TEMPLATE), "-o", str(target)],
        check=True,
        cwd=manuscript.parent,
    )
    return target


if __name__ == "__main__":
    # python inputs.py FOLDER KEY,KEY...: make the inputs in a process of their own
    # (so that the benchmark's own memory stays small: see bench.py).
    prepare(Path(sys.argv[1]), set(sys.argv[2].split(",")))
