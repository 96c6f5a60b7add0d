"""``longread check``: every check code, each from a manuscript with that one
mistake, found with its code, its line and column, and its fix."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image as PILImage

from longread.check import check
from longread.findings import CODES
from validators import longread

ROOT = Path(__file__).resolve().parents[1]
MISTAKES = ROOT / "tests" / "fixtures" / "mistakes"
BODY = "A first paragraph of body text, long enough to read.\n"


def write(folder: Path, front: str, body: str = BODY, name: str = "story.md") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
    return path


def findings(path: Path, pages: bool = False, **options):
    from longread.model import BuildOptions

    (result,) = check([path], BuildOptions(**options), pages=pages)
    return result.findings


def one(path: Path, code: str, pages: bool = False):
    """The one finding with ``code`` (and it must be the only one with it)."""
    found = [f for f in findings(path, pages) if f.code == code]
    assert len(found) == 1, [f.line_form() for f in findings(path, pages)]
    return found[0]


# (front matter, body, code, line, column, words in the message or fix)
CASES = [
    # YAML a reader of it can mend
    ("title: T\n- an item\n", BODY, "yaml-001", 3, 1, "expected <block end>"),
    (
        "title: Rust: a Reckoning\n",
        BODY,
        "yaml-002",
        2,
        12,
        'a colon inside a value (put the title in quotes: title: "Rust: a Reckoning")',
    ),
    ("title: T\nphoto:\n\tsrc: a.jpg\n", BODY, "yaml-003", 4, 1, "YAML indents with spaces, not tabs"),
    ('title: "Unclosed\nkicker: K\n', BODY, "yaml-004", 2, 8, 'the quote " opened here is never closed'),
    ("title: T\nauthor: [Jane Doe, John Roe\n", BODY, "yaml-004", 3, 9, "the [ opened here is never closed"),
    ("title: [Draft] The Thing\n", BODY, "yaml-005", 2, 16, 'title: "[Draft] The Thing"'),
    ("title: *Rust* revisited\n", BODY, "yaml-005", 2, 8, "starts with '*', which YAML reserves"),
    ("title: T\n  kicker: K\n", BODY, "yaml-006", 3, 9, "start 'kicker:' in the same column"),
    (
        "title: The #1 Film\n",
        BODY,
        "yaml-007",
        2,
        12,
        "the '#1 Film' after the value of 'title' is read as a comment and left out "
        '(put the title in quotes: title: "The #1 Film")',
    ),
    # front matter
    ("title: T\nfoto: x\n", BODY, "fm-001", 3, 1, "did you mean 'photo'?"),
    ("title: T\ndek: D\n", BODY, "fm-001", 3, 1, "did you mean 'subtitle'?"),
    ("title: T\nbyline: B\n", BODY, "fm-001", 3, 1, "did you mean 'author'?"),
    ("title: T\nTitle: T\n", BODY, "fm-001", 3, 1, "did you mean 'title'?"),
    ("tilte: T\n", BODY, "fm-002", 2, 1, "front matter has no 'title', which is required (did you mean 'tilte'?)"),
    ("title: T\ndate: 2025-02-30\n", BODY, "fm-003", 3, 7, "2025-02-30 does not exist: February 2025 has 28 days"),
    ("title: T\ndate: 2024-02-30\n", BODY, "fm-003", 3, 7, "February 2024 has 29 days"),
    ("title: T\ndate: 2025-13-01\n", BODY, "fm-003", 3, 7, "there is no month 13"),
    ("title: T\ndate: March 5, 2024\n", BODY, "fm-003", 3, 7, "write 2024-03-05"),
    ("title: T\ndate: 2024-3-5\n", BODY, "fm-003", 3, 7, "write 2024-03-05"),
    ("title: [A, B]\n", BODY, "fm-005", 2, 8, "'title' must be text, not a list"),
    ("title: T\nlang: english\n", BODY, "fm-005", 3, 7, "not a BCP 47 language tag"),
    ("title: T\nsource: example.org\n", BODY, "fm-005", 3, 9, "'source' must be an http(s) URL"),
    ("title: T\nkicker: A\nkicker: B\n", BODY, "fm-006", 4, 1, "'kicker' is given twice"),
    # the body
    ("title: T\n", "Text.\n\n![](images/a.png)\n", "img-001", 7, 5, "has no alt text"),
    ("title: T\n", "Text with a call[^3] in it.\n", "note-001", 5, 17, "add a line '[^3]: the note'"),
    ("title: T\n", "Text[^1].\n\n[^1]: One.\n[^2]: Two.\n", "note-002", 8, 1, "note [^2] is never referenced"),
    ("title: T\n", "Text.\n\n<p title='the \"old\" road'>Text.</p>\n", "text-002", 7, 4, "title of <p>"),
    ("title: T\n", "The cairn ⛰ marks it.\n", "text-001", 5, 11, "cannot show ⛰ (U+26F0)"),
    ("title: T\n", "See [the notes](notes.txt).\n", "html-001", 5, 17, "link to 'notes.txt' removed"),
    ("title: T\n", "Text.\n\n<math><mi>x</mi></math>\n", "html-002", 7, 1, "MathML"),
    ("title: T\n", "Text.\n\n## &nbsp;\n\nMore.\n", "html-003", None, None, "subhead(s) with no text removed"),
    ("title: T\n", "Text.\n\n![A chart](images/none.png)\n", "img-006", 7, 12, "'images/none.png' not found"),
    ("title: T\n", "", "gen-001", None, None, "no body text"),
]


@pytest.mark.parametrize("front, body, code, line, column, words", CASES, ids=[c[2] for c in CASES])
def test_each_mistake_is_found_with_its_code_line_and_fix(tmp_path, front, body, code, line, column, words):
    PILImage.new("RGB", (40, 30), "teal").save((tmp_path / "images").mkdir() or tmp_path / "images" / "a.png")
    f = one(write(tmp_path, front, body), code)
    assert (f.line, f.column) == (line, column), f.line_form()
    assert words in f.message + " (" + f.fix + ")", f.line_form()
    assert f.severity == CODES[code].severity


@pytest.mark.parametrize(
    "text, words",
    [
        ("Just text.\n", "no YAML front matter"),
        ("---\ntitle: T\n\nText.\n", "not closed by a '---' line"),
        ("---\n- a\n- b\n---\n\nText.\n", "must be a set of 'key: value' lines"),
    ],
)
def test_front_matter_missing_or_not_closed(tmp_path, text, words):
    path = tmp_path / "story.md"
    path.write_text(text, encoding="utf-8")
    f = one(path, "fm-004")
    assert words in f.message and f.fix and f.line in (1, 2)


def test_control_characters(tmp_path):
    path = tmp_path / "story.md"
    path.write_bytes(b"---\ntitle: T\n---\n\nBo\x07dy.\n")
    f = one(path, "text-003")
    assert (f.line, f.column, f.severity) == (5, 3, "warning")


def test_photo_without_alt_and_a_misspelled_photo_key(tmp_path):
    PILImage.new("RGB", (40, 30), "teal").save((tmp_path / "images").mkdir() or tmp_path / "images" / "a.jpg")
    path = write(tmp_path, "title: T\nphoto:\n  src: images/a.jpg\n  captoin: C\n")
    assert one(path, "img-001").message == "front matter 'photo' has no 'alt' text"
    key = one(path, "fm-001")
    assert (key.line, key.column, key.fix) == (5, 3, "did you mean 'photo.caption'?")


def test_photo_alt_repeating_its_caption(tmp_path):
    PILImage.new("RGB", (40, 30), "teal").save((tmp_path / "images").mkdir() or tmp_path / "images" / "a.jpg")
    path = write(tmp_path, "title: T\nphoto:\n  src: images/a.jpg\n  alt: A road\n  caption: A road\n")
    f = one(path, "img-005")
    assert (f.line, f.column, f.fix) == (5, 8, "describe what the photo shows instead")


def test_photo_without_src(tmp_path):
    path = write(tmp_path, "title: T\nphoto:\n  alt: A road\n")
    f = one(path, "fm-002")
    assert f.message == "front matter 'photo' has no 'src', which is required" and f.line == 3


def test_image_named_in_other_capitals(tmp_path):
    PILImage.new("RGB", (40, 30), "teal").save((tmp_path / "images").mkdir() or tmp_path / "images" / "lead.jpg")
    path = write(tmp_path, "title: T\nphoto:\n  src: images/Lead.JPG\n  alt: A road\n")
    f = one(path, "img-002")
    assert (f.line, f.column) == (4, 8)
    assert f.message == "image 'images/Lead.JPG' is not the file's name, 'images/lead.jpg'"
    assert f.fix.startswith("write 'images/lead.jpg'")
    # On this (case-sensitive) system the file is not found: an error, never a silent loss.
    assert f.severity == "error"


def test_stand_in_photo(tmp_path):
    (tmp_path / "images").mkdir()
    PILImage.new("RGB", (40, 30), "grey").save(tmp_path / "images" / "lead.jpg", comment=b"longread:stand-in")
    path = write(tmp_path, "title: T\nphoto:\n  src: images/lead.jpg\n  alt: A road\n")
    f = one(path, "img-004")
    assert (f.line, f.column) == (4, 8) and "replace it with the real photo" in f.fix


def test_low_resolution_is_found_with_pages(tmp_path):
    # The lead photo spans the measure; a figure is never enlarged past 300 ppi.
    (tmp_path / "images").mkdir()
    PILImage.new("RGB", (480, 320), "teal").save(tmp_path / "images" / "lead.jpg")
    path = write(tmp_path, "title: T\nphoto:\n  src: images/lead.jpg\n  alt: A road\n")
    assert not [f for f in findings(path) if f.code == "img-003"]  # only the layout shows it
    f = one(path, "img-003", pages=True)
    assert (f.line, f.column) == (4, 8)
    assert re.search(r"prints at \d+ ppi, under 300", f.message) and f.fix == "supply a larger file for print"


def test_layout_warnings_are_findings(tmp_path, monkeypatch):
    import logging

    import weasyprint

    render = weasyprint.HTML.render

    def warning_render(self, *args, **kwargs):
        logging.getLogger("weasyprint").warning("Something the layout noticed")
        return render(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", warning_render)
    f = one(write(tmp_path, "title: T\n"), "pdf-001", pages=True)
    assert f.message == "PDF: Something the layout noticed" and f.severity == "warning"


def test_makeup_notices_are_findings(tmp_path, monkeypatch):
    from longread.writers import proof

    settle = proof.settle

    def settle_with_a_notice(*args, **kwargs):
        doc, notices = settle(*args, **kwargs)
        return doc, [
            *notices,
            "the notes of “T” are set at the end of the article: the page layout could not place them",
        ]

    monkeypatch.setattr(proof, "settle", settle_with_a_notice)
    f = one(write(tmp_path, "title: T\n"), "pdf-002", pages=True)
    assert f.message.startswith("PDF: the notes of “T” are set at the end") and f.severity == "warning"


def test_collection_key(tmp_path):
    write(tmp_path, "title: One\n", name="one.md")
    issue = tmp_path / "issue.yaml"
    issue.write_text("title: Issue\nartciles: [one.md]\narticles: [one.md]\n", encoding="utf-8")
    f = one(issue, "col-001")
    assert (f.line, f.column, f.fix) == (2, 1, "did you mean 'articles'?")


def test_longread_yaml_key_and_value(tmp_path):
    (tmp_path / "longread.yaml").write_text("publsher: P\n", encoding="utf-8")
    path = write(tmp_path, "title: T\n")
    f = one(path, "cfg-001")
    assert (f.path.name, f.line, f.fix) == ("longread.yaml", 1, "did you mean 'publisher'?")
    (tmp_path / "longread.yaml").write_text("publisher: P\nsource: https://example.org/{year}\n", encoding="utf-8")
    f = one(path, "cfg-002")
    assert (f.path.name, f.line, f.column) == ("longread.yaml", 2, 9) and "{slug}" in f.message


def test_every_code_has_a_test_and_a_readme_row():
    tested = {c[2] for c in CASES} | set(re.findall(r'"([a-z]+-\d{3})"', Path(__file__).read_text(encoding="utf-8")))
    assert set(CODES) <= tested, set(CODES) - tested
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for c in CODES.values():
        summary = c.summary.replace("|", "\\|").replace("`", "\\`")
        assert f"| `{c.code}` | {c.severity} | {summary} |" in readme, c.code


def test_several_mistakes_are_all_listed_at_once(tmp_path):
    path = write(tmp_path, "tilte: T\ndate: 2025-02-30\nfoto: x\n", "Text[^9].\n\n![](images/none.png)\n")
    codes = [f.code for f in findings(path)]
    assert sorted(codes) == sorted(["fm-001", "fm-001", "fm-002", "fm-003", "note-001", "img-001", "img-006"])


# --- the command ------------------------------------------------------------------


def test_the_dozen_mistakes(tmp_path):
    """The fixture manuscript with a dozen mistakes, as the command lists them."""
    run = longread("check", "feature.md", "--pages", cwd=MISTAKES)
    expected = (MISTAKES / "expected.txt").read_text(encoding="utf-8")
    assert run.stdout == expected, run.stdout
    assert run.returncode == 1
    assert run.stderr == "longread check: 1 source, 4 errors, 11 warnings\n"
    assert sorted(p.name for p in MISTAKES.iterdir()) == ["expected.txt", "feature.md", "images", "longread.yaml"]


def test_exit_status_strict_and_json(tmp_path):
    clean = write(tmp_path, "title: T\n", name="clean.md")
    warned = write(tmp_path, "title: T\nfoto: x\n", name="warned.md")
    broken = write(tmp_path, "tilte: T\n", name="broken.md")
    assert longread("check", str(clean), cwd=tmp_path).returncode == 0
    run = longread("check", str(warned), cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.startswith("warned.md:3:1: warning fm-001: ")
    assert longread("check", "--strict", str(warned), cwd=tmp_path).returncode == 1
    assert longread("check", str(broken), cwd=tmp_path).returncode == 1
    run = longread("check", "--format", "json", ".", cwd=tmp_path)
    report = json.loads(run.stdout)
    assert run.returncode == report["exit"] == 1
    assert (report["errors"], report["warnings"]) == (1, 2)
    by_name = {s["source"]: s for s in report["sources"]}
    assert [f["code"] for f in by_name["broken.md"]["findings"]] == ["fm-001", "fm-002"]
    assert by_name["broken.md"]["findings"][1] == {
        "path": "broken.md",
        "line": 2,
        "column": 1,
        "severity": "error",
        "code": "fm-002",
        "message": "front matter has no 'title', which is required",
        "fix": "did you mean 'tilte'?",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.md", "clean.md", "warned.md"]  # nothing written


def test_usage_errors_exit_2(tmp_path):
    write(tmp_path, "title: T\n")
    run = longread("check", "story.md", "--pages", "--paper", "folio", cwd=tmp_path)
    assert run.returncode == 2 and run.stderr.startswith("error: ") and "'folio'" in run.stderr
    run = longread("check", cwd=tmp_path)
    assert run.returncode == 2 and "no manuscript/ folder" in run.stderr


def test_build_prints_the_same_line_as_check(tmp_path):
    write(tmp_path, "title: T\nfoto: x\n")
    built = longread("build", "story.md", "--format", "epub", "-o", "out", cwd=tmp_path)
    checked = longread("check", "story.md", cwd=tmp_path)
    assert built.stderr.splitlines() == [
        "warning: story.md:3:1: fm-001: unknown front matter key 'foto' ignored (did you mean 'photo'?)"
    ]
    assert checked.stdout.splitlines() == [
        "story.md:3:1: warning fm-001: unknown front matter key 'foto' ignored (did you mean 'photo'?)"
    ]
