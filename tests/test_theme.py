"""Themes: inheritance, design values written once, lookup, errors, and a child
theme of a few lines built end to end."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
import tinycss2

from longread import theme as themes
from longread import tokens
from longread.errors import ManuscriptError
from validators import epubcheck, longread, pdf_facts

ROOT = Path(__file__).resolve().parents[1]
STYLES = ROOT / "styles"
BUNDLED = ["book", "magazine"]


def is_bundled(folder: Path) -> bool:
    """A folder among the themes that come with longread (in the installed package,
    or at the top of the source checkout)."""
    return folder.parent in {root.resolve() for root in themes.BUNDLED}


# A designer's afternoon: one colour and the body font changed, nothing else.
CHILD = """\
extends: magazine
description: Magazine, in green and Linux Libertine.
colours:
  accent: "#1d6b3a"
fonts:
  body:
    family: Linux Libertine O
    licence: fonts/OFL.txt
    faces:
      - {file: fonts/LinLibertine_R.otf}
      - {file: fonts/LinLibertine_RI.otf, style: italic}
"""


def child_theme(folder: Path, text: str = CHILD, css: str = "") -> Path:
    """A theme folder beside nothing else: theme.yaml, Linux Libertine (from book), a layer."""
    (folder / "fonts").mkdir(parents=True, exist_ok=True)
    for name in ("LinLibertine_R.otf", "LinLibertine_RI.otf", "OFL.txt"):
        shutil.copy(STYLES / "book" / "fonts" / name, folder / "fonts" / name)
    (folder / "theme.yaml").write_text(text, encoding="utf-8")
    if css:
        (folder / "extra.css").write_text(css, encoding="utf-8")
    return folder


def used_properties(css: str) -> set[str]:
    return set(re.findall(r"var\(--([a-z0-9-]+)", css))


# --- inheritance ---------------------------------------------------------------------


def test_a_child_holds_only_what_it_changes(tmp_path):
    folder = child_theme(tmp_path / "green", CHILD + "stylesheets: {base: extra.css}\n", css=".kicker { margin: 0 }")
    child, parent = themes.load(str(folder)), themes.load("magazine")
    assert child.name == "green" and child.folders == (folder.resolve(), parent.folder)
    # its layer comes after its parent's; the other layers are the parent's
    assert child.base_layers == (*parent.base_layers, (folder / "extra.css").resolve())
    assert child.print_layers == parent.print_layers and child.press_layers == parent.press_layers
    # values: the one it sets, the rest inherited
    assert child.tokens["colour-accent"] == "#1d6b3a"
    assert child.tokens["colour-ink"] == parent.tokens["colour-ink"]
    assert child.tokens["size-headline"] == parent.tokens["size-headline"]
    # the font it replaces, and the display role that follows the body
    assert child.roles == {"body": "Linux Libertine O", "display": "Linux Libertine O"}
    assert {f.family for f in child.faces} == {"Linux Libertine O"}
    assert child.papers == parent.papers and child.press_profile == parent.press_profile
    assert child.cover["accent"] == "#1d6b3a"  # the cover follows the accent too


def test_a_child_paper_changes_one_value(tmp_path):
    folder = child_theme(tmp_path / "big", CHILD + "paper:\n  trade: {type-size: 11pt}\n")
    child, parent = themes.load(str(folder)), themes.load("magazine")
    assert child.papers["trade"].type_size == "11pt"
    assert child.papers["trade"].margin == parent.papers["trade"].margin
    assert child.papers["letter"] == parent.papers["letter"]


def test_book_is_built_on_magazine_as_data():
    book = themes.load("book")
    assert book.folders[1] == themes.find("magazine")
    assert book.dash_style == "spaced" and book.cover["layout"] == "centred"
    assert {f.path.suffix for f in book.faces} == {".otf"}
    assert not list((STYLES / "book").glob("*.py"))


# --- design values written once -------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
def test_every_value_a_stylesheet_uses_is_declared(name):
    theme = themes.load(name)
    declared = set(theme.tokens) | {"type-size", "measure"}  # the last two come with the paper
    papers = [p.stylesheet for p in theme.papers.values() if p.stylesheet]
    for sheet in (*theme.base_layers, *theme.epub_layers, *theme.print_layers, *theme.press_layers, *papers):
        missing = used_properties(sheet.read_text(encoding="utf-8")) - declared
        assert not missing, f"{sheet.name} uses undeclared {sorted(missing)}"


def test_the_accent_and_the_font_name_are_written_once():
    """No bundled stylesheet names a colour or a family: theme.yaml does, once."""
    for css in STYLES.glob("*/*.css"):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8"), flags=re.S)  # comments may name them
        assert not re.search(r"#[0-9a-fA-F]{3,6}\b", text), css
        assert "Gentium" not in text and "Libertine" not in text, css
    magazine = (STYLES / "magazine" / "theme.yaml").read_text(encoding="utf-8")
    assert magazine.count("#8c2f1b") == 1 and magazine.count("family: Gentium Book Plus") == 1


def test_tokens_layer_declares_fonts_and_values():
    theme = themes.load("magazine")
    css = tokens.tokens_css(theme, lambda p: theme.href(p))
    assert css.count("@font-face") == 4
    assert "--colour-accent: #8c2f1b;" in css
    assert '--font-body: "Gentium Book Plus", serif;' in css


def test_print_layers_put_the_values_first_and_the_paper_after_the_theme():
    theme = themes.load("magazine")
    sheets = tokens.print_sheets(theme, "trade", press=True)
    names = [s.name for s in sheets]
    assert names[0] == tokens.TOKENS
    assert names.index("print.css") < names.index("paper-trade.css") < names.index("press.css")
    page = next(s.text for s in sheets if s.name == "paper-trade.css" and s.path is None)
    assert "size: 432.0pt 648.0pt" in page and "--type-size: 10.5pt" in page
    assert names[-1] == "press-inks.css"


def test_press_inks_agree_with_the_profile():
    theme = themes.load("magazine")
    css = tokens.press_css(theme)
    inks = dict(re.findall(r"--colour-([a-z-]+): (device-cmyk\([^)]*\))", css))
    assert set(inks) == {k.removeprefix("colour-") for k in theme.tokens if k.startswith("colour-")}
    # text and greys in black ink alone, the darkest as solid black
    assert inks["ink"] == "device-cmyk(0 0 0 1)"
    for grey in ("ink-soft", "ink-muted", "rule"):
        assert inks[grey].startswith("device-cmyk(0 0 0 ")
    # the accent converted through the output intent's profile: a rust red is mostly magenta and yellow
    c, m, y, k = (float(v) for v in inks["accent"][12:-1].split())
    assert m > 0.6 and y > 0.6 and c < 0.4
    assert f"@color-profile device-cmyk {{ src: url({theme.press_profile.as_uri()})" in css


def test_epub_stylesheets_write_values_out_for_older_readers():
    css = dict(tokens.epub_sheets(themes.load("magazine")))
    base = css["styles/magazine/base.css"].decode()
    assert "border-top: 1px solid #8c2f1b; border-top: 1px solid var(--colour-accent);" in base
    assert 'font-family: "Gentium Book Plus", serif; font-family: var(--font-body);' in base
    assert list(css)[0] == "styles/tokens.css"


@pytest.mark.parametrize("name", BUNDLED)
def test_epub_sets_no_colour_on_text(name):
    """A reader's night and sepia modes choose the text colour (the kicker used to
    keep a dark red, about 1.9:1 against a night-mode black)."""
    for href, data in tokens.epub_sheets(themes.load(name)):
        for rule in tinycss2.parse_stylesheet(data.decode(), skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue
            for decl in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
                if decl.type == "declaration" and decl.lower_name == "color":
                    assert tinycss2.serialize(decl.value).strip() in {"inherit", "currentColor"}, href


# --- lookup ---------------------------------------------------------------------------


def test_a_name_is_found_in_the_project_before_the_bundled_themes(tmp_path):
    project = tmp_path / "project"
    (project / "styles").mkdir(parents=True)
    (project / "longread.yaml").write_text("", encoding="utf-8")
    mine = child_theme(project / "styles" / "magazine", CHILD)  # a project's own magazine, over the bundled one
    assert themes.find("magazine", project) == mine.resolve()
    theme = themes.load("magazine", project)
    assert theme.origin == "project" and theme.folders[1].name == "magazine" and is_bundled(theme.folders[1])
    assert "project" in themes.describe(theme) and str(mine.resolve()) in themes.describe(theme)
    # found from inside the project too, by its longread.yaml
    assert themes.project_root(project / "styles") == project.resolve()


def test_styles_of_an_arbitrary_working_folder_are_not_looked_in(tmp_path, monkeypatch):
    (tmp_path / "styles").mkdir()
    child_theme(tmp_path / "styles" / "magazine", CHILD)
    monkeypatch.chdir(tmp_path)  # no longread.yaml, not a repository
    assert themes.project_root() is None
    found = themes.find("magazine")
    assert is_bundled(found) and found != (tmp_path / "styles" / "magazine").resolve()


def test_an_explicit_folder_comes_first(tmp_path):
    folder = child_theme(tmp_path / "magazine", CHILD)
    assert themes.find(str(folder)) == folder.resolve()
    assert themes.load(str(folder)).origin == "folder"


def test_a_parent_beside_the_child_comes_before_the_bundled_one(tmp_path):
    base = child_theme(tmp_path / "house", "extends: magazine\ncolours: {accent: '#112233'}\n")
    child = child_theme(tmp_path / "house-wide", "extends: house\n")
    theme = themes.load(str(child))
    assert theme.folders[:2] == (child.resolve(), base.resolve()) and theme.tokens["colour-accent"] == "#112233"


def test_themes_lists_the_bundled_themes_with_descriptions(tmp_path):
    run = longread("themes", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    for name in BUNDLED:
        line = next(ln for ln in run.stdout.splitlines() if ln.startswith(name + " "))
        assert len(line.split()) > 3  # a description follows the name


# --- errors ---------------------------------------------------------------------------


def test_an_unknown_name_lists_the_themes(tmp_path):
    run = longread("build", "--theme", "magazin", cwd=tmp_path)
    assert run.returncode == 1 and len(run.stderr.strip().splitlines()) == 1
    assert "magazin: no such theme" in run.stderr and "book, magazine" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "text, message",
    [
        ("extends: nowhere\n", "extends 'nowhere', which is no such theme (the themes are: "),
        ("extends: magazine\ncolours: {accent: reddish}\n", "colours.accent: 'reddish' is not a colour"),
        ("extends: magazine\nsizes: {headline: '2em; color: red'}\n", "is not a single CSS value"),
        ("extends: magazine\npaper: {letter: {size: huge}}\n", "paper.letter.size must be two lengths"),
        ("extends: magazine\ncover: {layout: sideways}\n", "cover.layout must be one of banner, centred"),
        ("extends: magazine\nfonts: {display: heading}\n", "fonts.display: 'heading' is not another font role"),
        ("extends: magazine\npress: {colours: {accent: red}}\n", "press.colours.accent must be device-cmyk"),
        ("extends: magazine\nstylesheets: {base: missing.css}\n", "stylesheet 'missing.css' is not a file inside"),
        ("colours: {accent: '#123456'}\n", "the theme has no base stylesheet"),
    ],
)
def test_a_bad_theme_is_one_line_naming_its_manifest(tmp_path, text, message):
    folder = child_theme(tmp_path / "bad", text)
    with pytest.raises(ManuscriptError) as caught:
        themes.load(str(folder))
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.path == folder.resolve() / "theme.yaml"


def test_themes_that_extend_each_other_are_refused(tmp_path):
    child_theme(tmp_path / "one", "extends: two\n")
    child_theme(tmp_path / "two", "extends: one\n")
    with pytest.raises(ManuscriptError, match=r"extend each other in a circle \(one → two → one\)"):
        themes.load(str(tmp_path / "one"))


# --- a child theme of a few lines, built end to end ----------------------------------------


@pytest.fixture(scope="module")
def green(tmp_path_factory) -> dict[str, Path]:
    project = tmp_path_factory.mktemp("green")
    shutil.copytree(ROOT / "manuscript", project / "manuscript")
    theme = child_theme(project / "green")
    run = longread("build", "--theme", str(theme), cwd=project)
    assert run.returncode == 0, run.stderr
    return {p.suffix: p for p in (project / "build").glob("last-take-review.*")}


def test_child_theme_epub_passes_epubcheck_with_its_font_and_colour(green):
    assert epubcheck(green[".epub"]).problems == []
    with zipfile.ZipFile(green[".epub"]) as z:
        names = z.namelist()
        assert "EPUB/styles/green/fonts/LinLibertine_R.otf" in names
        assert not any("Gentium" in n for n in names)  # the body font replaced, not added
        values = z.read("EPUB/styles/tokens.css").decode()
    assert "--colour-accent: #1d6b3a;" in values and '--font-body: "Linux Libertine O", serif;' in values


def test_child_theme_pdf_sets_its_font_and_its_accent(green):
    facts = pdf_facts(green[".pdf"])
    assert facts.families == {"Linux Libertine O"} and not facts.unembedded and facts.tagged
    accent = (0x1D / 255, 0x6B / 255, 0x3A / 255)
    pdf = pikepdf.open(green[".pdf"])
    fills = {
        tuple(round(float(v), 3) for v in operands)
        for page in pdf.pages
        for operands, op in pikepdf.parse_content_stream(page)
        if str(op) == "rg"
    }
    assert tuple(round(v, 3) for v in accent) in fills  # the kicker, the drop cap


def test_images_carry_their_size_for_screens(green):
    """Readers keep an image's place while it loads: width and height give its ratio."""
    from PIL import Image

    with zipfile.ZipFile(green[".epub"]) as z:
        page = z.read("EPUB/article.xhtml").decode()
        (img,) = re.findall(r"<img [^>]*>", page)
        width, height = (int(re.search(rf'{a}="(\d+)"', img).group(1)) for a in ("width", "height"))
        with Image.open(z.open("EPUB/images/hutchins-church.jpg")) as im:
            assert width / height == pytest.approx(im.width / im.height, rel=0.01)


def test_the_fonts_keep_the_characters_a_theme_writes(tmp_path):
    """The book's section break is a fleuron written by its stylesheet, not in any
    text: the subset fonts keep it, so no other font is drawn in its place."""
    import io

    from fontTools.ttLib import TTFont

    from longread.assets import fonts

    book = themes.load("book")
    assert "\u2767" in tokens.generated_text(book)
    for data in fonts.subset_faces(book, "Text.", tmp_path).values():
        assert 0x2767 in TTFont(io.BytesIO(data)).getBestCmap()


@pytest.mark.parametrize("name", BUNDLED)
def test_cover_words_read_on_the_cover_ground(name):
    """The cover takes the theme's accent; one too dark for the ground (magazine's
    rust red on near-black) is lightened until its words reach 4.5:1."""
    from longread.assets import cover

    theme = themes.load(name)
    ground, accent = cover.rgb(theme.cover["background"]), cover.rgb(theme.cover["accent"])
    assert cover.contrast(cover.legible(accent, ground), ground) >= 4.5
    assert cover.contrast(cover.rgb(theme.cover["ink"]), ground) >= 7
    assert cover.legible((0, 0, 0), (255, 255, 255)) == (0, 0, 0)  # a legible accent is left alone
