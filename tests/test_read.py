"""Stage 1, read: manuscript file → Article, with every check on the writer's input."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image as PILImage

from longread.errors import ManuscriptError
from longread.source.read import read
from longread.xhtml import plain_text

SEED = Path(__file__).resolve().parent / "fixtures" / "seed-review.txt"  # the text as delivered


def body_tree(article):
    return lxml_html.fragment_fromstring(article.body_html or "", create_parent="div")


def write_raw(tmp_path: Path, data: bytes, name: str = "raw.md") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- front matter -----------------------------------------------------------------


class TestTitle:
    def test_title_is_read_as_inline_markdown(self, make_manuscript):
        a = read(make_manuscript(title="The *Rust* Shooting"))
        assert a.title_html == "The <em>Rust</em> Shooting"
        assert a.title_text == "The Rust Shooting"

    def test_title_whitespace_is_collapsed(self, make_manuscript):
        a = read(make_manuscript(yaml_text="title: >-\n  A long\n  folded   title\n"))
        assert a.title_text == "A long folded title"

    def test_numeric_title_becomes_text(self, make_manuscript):
        assert read(make_manuscript(yaml_text="title: 1984")).title_text == "1984"

    def test_missing_title_is_an_error(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="no 'title'.*required"):
            read(make_manuscript(title=None, kicker="Movies"))

    def test_empty_title_is_an_error(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="'title' is empty"):
            read(make_manuscript(title="   "))

    def test_empty_front_matter_has_no_title(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="no 'title'"):
            read(make_manuscript(yaml_text=""))


class TestFieldTypes:
    @pytest.mark.parametrize(
        "yaml_text, key, kind",
        [
            ("title: [A, B]", "title", "a list"),
            ("title: T\nsubtitle:\n  a: b", "subtitle", "a mapping"),
            ("title: T\nkicker: true", "kicker", "true/false"),
            ("title: T\nlang: [en]", "lang", "a list"),
        ],
    )
    def test_wrong_type_is_named(self, make_manuscript, yaml_text, key, kind):
        with pytest.raises(ManuscriptError) as info:
            read(make_manuscript(yaml_text=yaml_text))
        assert f"'{key}' must be text, not {kind}" in info.value.reason

    def test_front_matter_that_is_not_a_mapping(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="key: value") as info:
            read(make_manuscript(yaml_text="- a\n- b"))
        assert info.value.line == 2

    def test_subtitle_kicker_and_plain_fields(self, make_manuscript):
        a = read(
            make_manuscript(subtitle="A *dek* here", kicker="Movies", publisher="The Paper", rights="© 2024 Someone")
        )
        assert a.dek_html == "A <em>dek</em> here"
        assert a.kicker == "Movies"
        assert a.publisher == "The Paper"
        assert a.rights == "© 2024 Someone"

    def test_optional_fields_default_to_empty(self, make_manuscript):
        a = read(make_manuscript())
        assert (a.dek_html, a.kicker, a.authors, a.date, a.source_url, a.photo) == ("", "", (), None, "", None)
        assert a.lang == "en"


class TestAuthor:
    def test_single_author_as_string(self, make_manuscript):
        assert read(make_manuscript(author="Ann  Smith")).authors == ("Ann Smith",)

    def test_authors_as_list(self, make_manuscript):
        a = read(make_manuscript(author=["Ann Smith", "Bob Jones"]))
        assert a.authors == ("Ann Smith", "Bob Jones")

    @pytest.mark.parametrize(
        "yaml_text",
        [
            "title: T\nauthor: 42",
            "title: T\nauthor: [Ann, 3]",
            "title: T\nauthor: ['Ann', '  ']",
            "title: T\nauthor:\n  name: Ann",
        ],
    )
    def test_bad_author(self, make_manuscript, yaml_text):
        with pytest.raises(ManuscriptError, match="'author' (must be a name or a list of names|has an empty name)"):
            read(make_manuscript(yaml_text=yaml_text))


class TestDate:
    @pytest.mark.parametrize("yaml_value", ["2024-03-05", "'2024-03-05'", '"2024-03-05"'])
    def test_dates_are_parsed(self, make_manuscript, yaml_value):
        a = read(make_manuscript(yaml_text=f"title: T\ndate: {yaml_value}"))
        assert a.date == dt.date(2024, 3, 5)
        assert type(a.date) is dt.date

    @pytest.mark.parametrize("yaml_value", ["March 5, 2024", "'05/03/2024'", "yesterday", "[2024]"])
    def test_bad_date(self, make_manuscript, yaml_value):
        with pytest.raises(ManuscriptError, match="'date' must be YYYY-MM-DD"):
            read(make_manuscript(yaml_text=f"title: T\ndate: {yaml_value}"))

    @pytest.mark.parametrize(
        "yaml_value, reason",
        [("2024-13-45", "there is no month 13"), ("2024-02-30", "February 2024 has 29 days")],
    )
    def test_impossible_date_is_a_manuscript_error(self, make_manuscript, yaml_value, reason):
        # These look like YAML timestamps; they must not leak a bare ValueError, and
        # the message says why the date is impossible (it is written as YYYY-MM-DD).
        with pytest.raises(ManuscriptError, match=f"'date' {yaml_value} does not exist: {reason}") as info:
            read(make_manuscript(yaml_text=f"title: T\ndate: {yaml_value}"))
        assert (info.value.line, info.value.column) == (3, 7)


class TestLangAndSource:
    @pytest.mark.parametrize("lang", ["en", "de", "pt-BR", "zh-Hant-TW", "he"])
    def test_good_lang(self, make_manuscript, lang):
        assert read(make_manuscript(lang=lang)).lang == lang

    @pytest.mark.parametrize("lang", ["en_US", "e", "english language", "12", "fr-"])
    def test_bad_lang(self, make_manuscript, lang):
        with pytest.raises(ManuscriptError, match="not a BCP 47 language tag"):
            read(make_manuscript(lang=lang))

    @pytest.mark.parametrize("url", ["https://example.org/story", "http://example.org/a?b=c"])
    def test_good_source(self, make_manuscript, url):
        assert read(make_manuscript(source=url)).source_url == url

    @pytest.mark.parametrize(
        "url",
        [
            "ftp://example.org/x",
            "example.org/story",
            "javascript:alert(1)",
            "file:///etc/passwd",
        ],
    )
    def test_bad_source(self, make_manuscript, url):
        with pytest.raises(ManuscriptError, match="'source' must be an http\\(s\\) URL"):
            read(make_manuscript(source=url))


class TestUnknownKeys:
    def test_unknown_keys_warn_and_are_ignored(self, make_manuscript):
        path = make_manuscript(tags=["a"], colour="red")
        a = read(path)
        # Each warning names the key's line and column, its code, and the known keys.
        assert any(w.startswith(f"{path}:2:1: fm-001: unknown front matter key 'tags' ignored") for w in a.warnings)
        assert any(w.startswith(f"{path}:4:1: fm-001: unknown front matter key 'colour' ignored") for w in a.warnings)
        assert len(a.warnings) == 2

    def test_known_keys_do_not_warn(self, make_manuscript):
        a = read(
            make_manuscript(
                kicker="K",
                subtitle="S",
                author="A",
                date="2024-01-01",
                lang="en",
                publisher="P",
                source="https://e.org",
                rights="R",
            )
        )
        assert a.warnings == ()


class TestYamlProblems:
    @pytest.mark.parametrize(
        "yaml_text, line",
        [
            ("title: T\nkicker: K\nbad: : value", 4),  # mapping values not allowed
            ("title: T\nkicker: K\nlist: [open\nmore: 1", 4),  # unclosed flow sequence: where it opens
            ("title: T\n  indented: wrongly", 3),
            ('title: "unclosed', 2),  # where the quote opens
        ],
    )
    def test_syntax_error_reports_file_line(self, make_manuscript, yaml_text, line):
        path = make_manuscript(yaml_text=yaml_text)
        with pytest.raises(ManuscriptError, match="not valid YAML") as info:
            read(path)
        assert info.value.line == line
        assert str(info.value).startswith(f"{path}:{line}:{info.value.column}: yaml-")

    def test_python_tag_is_refused_and_never_executed(self, make_manuscript, tmp_path):
        marker = tmp_path / "pwned"
        path = make_manuscript(yaml_text=f'title: !!python/object/apply:os.system ["touch {marker}"]')
        with pytest.raises(ManuscriptError, match="not valid YAML.*constructor") as info:
            read(path)
        assert info.value.line == 2
        assert not marker.exists()

    def test_python_name_tag_is_refused(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="not valid YAML"):
            read(make_manuscript(yaml_text="title: T\nx: !!python/name:os.system ''"))

    def test_missing_front_matter(self, tmp_path):
        path = tmp_path / "plain.md"
        path.write_text("# Just Markdown\n\nNo front matter here.\n")
        with pytest.raises(ManuscriptError, match="no YAML front matter") as info:
            read(path)
        assert info.value.line == 1

    def test_unclosed_front_matter(self, tmp_path):
        path = tmp_path / "open.md"
        path.write_text("---\ntitle: T\n\nThe body, but no closing line.\n")
        with pytest.raises(ManuscriptError, match="not closed") as info:
            read(path)
        assert info.value.line == 1

    def test_dots_close_front_matter(self, tmp_path):
        path = tmp_path / "dots.md"
        path.write_text("---\ntitle: T\n...\n\nBody text.\n")
        a = read(path)
        assert a.title_text == "T"
        assert a.body_html.strip() == "<p>Body text.</p>"

    def test_missing_file(self, tmp_path):
        with pytest.raises(ManuscriptError, match="no such manuscript file"):
            read(tmp_path / "nope.md")


# --- encoding -----------------------------------------------------------------------


class TestEncoding:
    def test_non_utf8_names_byte_and_offset(self, tmp_path):
        data = b"---\ntitle: Caf\xe9\n---\n\nBody.\n"
        path = write_raw(tmp_path, data)
        with pytest.raises(ManuscriptError, match="not UTF-8") as info:
            read(path)
        assert data.index(b"\xe9") == 14
        assert "byte 0xe9 at offset 14" in info.value.reason

    def test_bom_and_crlf_just_work(self, tmp_path):
        data = "\ufeff---\r\ntitle: Caf\u00e9\r\nkicker: K\r\n---\r\n\r\nLine one\r\nline two.\r\n\r\nPara two.\r\n"
        a = read(write_raw(tmp_path, data.encode("utf-8")))
        assert a.title_text == "Café"
        assert a.kicker == "K"
        assert "\r" not in a.body_html
        assert [p.text_content() for p in body_tree(a).iter("p")] == ["Line one\nline two.", "Para two."]
        assert a.warnings == ()

    def test_old_mac_line_ends(self, tmp_path):
        a = read(write_raw(tmp_path, b"---\rtitle: T\r---\r\rBody.\r"))
        assert a.title_text == "T"
        assert a.body_html.strip() == "<p>Body.</p>"

    def test_control_characters_removed_with_warning(self, tmp_path):
        path = write_raw(tmp_path, b"---\ntitle: Ti\x07tle\n---\n\nBo\x00dy\x1b text.\n")
        a = read(path)
        assert a.title_text == "Title"
        assert a.body_html.strip() == "<p>Body text.</p>"
        assert len(a.warnings) == 1
        warning = a.warnings[0]
        assert warning.startswith(f"{path}:2:10: text-003: removed 3 control")
        for code in ("U+0000", "U+0007", "U+001B"):
            assert code in warning

    def test_text_is_nfc_normalised(self, tmp_path):
        a = read(write_raw(tmp_path, "---\ntitle: Cafe\u0301\n---\n\nBody.\n".encode()))
        assert a.title_text == "Caf\u00e9"


# --- body ---------------------------------------------------------------------------


class TestBody:
    @pytest.mark.parametrize("body", ["", "\n\n", "   \n\t\n"])
    def test_empty_body_is_an_error(self, make_manuscript, body):
        with pytest.raises(ManuscriptError, match="no body text"):
            read(make_manuscript(body=body))

    def test_body_with_only_a_footnote_definition_is_empty(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="no body text"):
            read(make_manuscript(body="[^1]: A note with no text calling it.\n"))

    def test_paragraphs_and_inline_markup(self, make_manuscript):
        a = read(make_manuscript(body="One *two* **three**.\n\nFour.\n"))
        assert a.body_html == "<p>One <em>two</em> <strong>three</strong>.</p>\n<p>Four.</p>"


class TestFootnotes:
    BODY = (
        "Text with a note[^1] and another[^two].\n\n"
        "More text[^1].\n\n"
        "[^1]: The *first* note.\n"
        "[^two]: The second note.\n\n"
        "    Its second paragraph.\n"
    )

    def test_notes_are_extracted(self, make_manuscript):
        a = read(make_manuscript(body=self.BODY))
        assert [(n.id, n.label) for n in a.notes] == [("fn-1", "1"), ("fn-two", "2")]  # labels follow the calls
        assert a.notes[0].html == "<p>The <em>first</em> note.</p>"
        assert a.notes[1].html == "<p>The second note.</p>\n<p>Its second paragraph.</p>"

    def test_notes_leave_the_body(self, make_manuscript):
        a = read(make_manuscript(body=self.BODY))
        tree = body_tree(a)
        assert not tree.xpath('//div[@class="footnote"]')
        assert "The second note" not in a.body_html
        assert "↩" not in a.body_html and all("↩" not in n.html for n in a.notes)
        assert not tree.xpath('//a[@class="footnote-backref"]')

    def test_calls_stay_in_the_body(self, make_manuscript):
        tree = body_tree(read(make_manuscript(body=self.BODY)))
        calls = tree.xpath('//sup/a[@class="footnote-ref"]')
        assert [c.get("href") for c in calls] == ["#fn-1", "#fn-two", "#fn-1"]
        assert [c.getparent().get("id") for c in calls] == ["fnref-1", "fnref-two", "fnref2-1"]

    def test_no_notes(self, make_manuscript):
        assert read(make_manuscript()).notes == ()


class TestFigures:
    def test_figure_with_caption(self, make_manuscript):
        path = make_manuscript(body='Intro.\n\n![A red barn](images/x.jpg "The barn at dawn")\n', image="images/x.jpg")
        a = read(path)
        assert len(a.figures) == 1
        fig = a.figures[0]
        assert (fig.key, fig.alt, fig.caption_html) == ("x.jpg", "A red barn", "The barn at dawn")
        assert fig.path == (path.parent / "images" / "x.jpg").resolve()
        tree = body_tree(a)
        (figure,) = tree.xpath('//figure[@class="figure"]')
        assert figure.xpath("img/@src") == ["images/x.jpg"]
        assert figure.xpath("img/@alt") == ["A red barn"]
        assert figure.xpath('figcaption/span[@class="caption"]/text()') == ["The barn at dawn"]
        assert not tree.xpath("//img/@title")
        assert a.images == (fig,)

    def test_figure_without_caption(self, make_manuscript):
        a = read(make_manuscript(body="![A red barn](images/x.jpg)\n", image="images/x.jpg"))
        assert a.figures[0].caption_html == ""
        assert not body_tree(a).xpath("//figcaption")

    def test_inline_image_is_not_a_figure(self, make_manuscript):
        a = read(make_manuscript(body="See ![a dot](images/x.jpg) here.\n", image="images/x.jpg"))
        assert len(a.figures) == 1
        assert not body_tree(a).xpath("//figure")

    def test_keys_are_unique_and_png_stays_png(self, make_manuscript):
        path = make_manuscript(
            body="![one](a/x.jpg)\n\n![two](b/x.jpg)\n\n![three](c/Some Photo.png)\n",
            image=["a/x.jpg", "b/x.jpg", "c/Some Photo.png"],
        )
        PILImage.new("RGB", (30, 20), "olive").save(path.parent / "b" / "x.jpg")  # another picture, same name
        a = read(path)
        assert [f.key for f in a.figures] == ["x.jpg", "x-2.jpg", "some-photo.png"]
        assert body_tree(a).xpath("//img/@src") == ["images/x.jpg", "images/x-2.jpg", "images/some-photo.png"]

    def test_the_same_picture_gets_one_key_however_it_is_named(self, make_manuscript):
        body = "![one](a/x.jpg)\n\n![two](b/y.jpg)\n\n![again](a/x.jpg)\n\n![and again](./a/x.jpg)\n"
        a = read(make_manuscript(body=body, image=["a/x.jpg", "b/y.jpg"]))
        assert [f.key for f in a.figures] == ["x.jpg"] * 4
        assert len({id(f.file.data) for f in a.figures if f.path.name == "x.jpg"}) == 1  # read once

    def test_image_without_alt_is_an_error(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="no alt text"):
            read(make_manuscript(body="![](images/x.jpg)\n", image="images/x.jpg"))

    def test_whitespace_alt_is_an_error(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="no alt text"):
            read(make_manuscript(body="![   ](images/x.jpg)\n", image="images/x.jpg"))


class TestImageSources:
    """Every image reference must name a real raster file inside the manuscript's folder."""

    def manuscript(self, make_manuscript, src):
        return make_manuscript(body=f"Intro.\n\n![An image]({src})\n", name="story/story.md")

    def test_parent_folder(self, make_manuscript, image_file, tmp_path):
        image_file(tmp_path / "x.jpg")
        with pytest.raises(ManuscriptError, match="outside the manuscript's folder"):
            read(self.manuscript(make_manuscript, "../x.jpg"))

    def test_sneaky_parent_folder(self, make_manuscript, image_file, tmp_path):
        image_file(tmp_path / "x.jpg")
        (tmp_path / "story" / "images").mkdir(parents=True)
        with pytest.raises(ManuscriptError, match="outside the manuscript's folder"):
            read(self.manuscript(make_manuscript, "images/../../x.jpg"))

    def test_absolute_path(self, make_manuscript, image_file, tmp_path):
        target = image_file(tmp_path / "story" / "images" / "x.jpg")
        with pytest.raises(ManuscriptError, match="absolute path"):
            read(self.manuscript(make_manuscript, str(target)))

    @pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
    def test_symlink_pointing_outside(self, make_manuscript, image_file, tmp_path):
        outside = image_file(tmp_path / "outside.jpg")
        link = tmp_path / "story" / "images" / "link.jpg"
        link.parent.mkdir(parents=True)
        link.symlink_to(outside)
        with pytest.raises(ManuscriptError, match="outside the manuscript's folder"):
            read(self.manuscript(make_manuscript, "images/link.jpg"))

    def test_symlink_inside_is_fine(self, make_manuscript, image_file, tmp_path):
        real = image_file(tmp_path / "story" / "images" / "real.jpg")
        link = tmp_path / "story" / "images" / "link.jpg"
        link.symlink_to(real)
        a = read(self.manuscript(make_manuscript, "images/link.jpg"))
        # The image keeps the name the manuscript gives it (a rebuild reads through the
        # link again, so a link pointed elsewhere is a change), and its bytes are real.jpg's.
        assert a.figures[0].path == link and a.figures[0].path.read_bytes() == real.read_bytes()

    @pytest.mark.parametrize(
        "src",
        [
            "http://example.org/x.jpg",
            "https://example.org/x.jpg",
            "file:///etc/passwd",
            "file:images/x.jpg",
            "data:image/png;base64,iVBORw0KGgo=",
        ],
    )
    def test_urls_are_refused(self, make_manuscript, image_file, tmp_path, src):
        image_file(tmp_path / "story" / "images" / "x.jpg")
        with pytest.raises(ManuscriptError, match="image"):
            read(self.manuscript(make_manuscript, src))

    def test_http_url_is_named_a_url(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="is a URL"):
            read(self.manuscript(make_manuscript, "http://example.org/x.jpg"))

    def test_missing_image(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="'images/nope.jpg' not found"):
            read(self.manuscript(make_manuscript, "images/nope.jpg"))

    def test_text_file_named_jpg(self, make_manuscript, tmp_path):
        fake = tmp_path / "story" / "images" / "fake.jpg"
        fake.parent.mkdir(parents=True)
        fake.write_text("this is not a photo\n")
        with pytest.raises(ManuscriptError, match="not a readable JPEG"):
            read(self.manuscript(make_manuscript, "images/fake.jpg"))

    def test_svg_named_png_says_svg(self, make_manuscript, tmp_path):
        fake = tmp_path / "story" / "images" / "logo.png"
        fake.parent.mkdir(parents=True)
        fake.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
        with pytest.raises(ManuscriptError, match="SVG"):
            read(self.manuscript(make_manuscript, "images/logo.png"))


class TestPhoto:
    def photo(self, **extra):
        return {
            "src": "images/photo.jpg",
            "alt": "A barn in snow",
            "caption": "The *old* barn.",
            "credit": "Photo by Ann",
            **extra,
        }

    def test_photo_is_read(self, make_manuscript):
        path = make_manuscript(photo=self.photo(), image="images/photo.jpg")
        a = read(path)
        assert a.photo.key == "photo.jpg"
        assert a.photo.alt == "A barn in snow"
        assert a.photo.caption_html == "The <em>old</em> barn."
        assert a.photo.credit_html == "Photo by Ann"
        assert a.photo.path == (path.parent / "images" / "photo.jpg").resolve()
        assert a.images == (a.photo,)
        assert a.warnings == ()

    def test_photo_that_is_also_a_figure_shares_its_key(self, make_manuscript):
        a = read(make_manuscript(body="![Same file](images/photo.jpg)\n", photo=self.photo(), image="images/photo.jpg"))
        assert (a.photo.key, a.figures[0].key) == ("photo.jpg", "photo.jpg")  # stored once

    @pytest.mark.parametrize(
        "change, message",
        [
            ({"alt": None}, "no 'alt' text"),
            ({"src": None}, "no 'src'"),
            ({"src": "../photo.jpg"}, "outside the manuscript's folder"),
            ({"src": "https://example.org/p.jpg"}, "is a URL"),
            ({"src": "images/missing.jpg"}, "not found"),
        ],
    )
    def test_bad_photo(self, make_manuscript, change, message):
        photo = {k: v for k, v in self.photo(**change).items() if v is not None}
        with pytest.raises(ManuscriptError, match=message):
            read(make_manuscript(photo=photo, image="images/photo.jpg"))

    def test_photo_must_be_a_mapping(self, make_manuscript):
        with pytest.raises(ManuscriptError, match="'photo' must be a mapping"):
            read(make_manuscript(photo="images/photo.jpg", image="images/photo.jpg"))

    def test_alt_repeating_caption_warns(self, make_manuscript):
        a = read(
            make_manuscript(photo=self.photo(alt="The old barn.", caption="The *old* barn."), image="images/photo.jpg")
        )
        assert any("'alt' repeats the caption" in w for w in a.warnings)

    def test_unknown_photo_key_warns(self, make_manuscript):
        path = make_manuscript(photo=self.photo(size="big"), image="images/photo.jpg")
        (warning,) = read(path).warnings
        assert warning.startswith(f"{path}:7:3: fm-001: unknown key 'photo.size' ignored")


# --- raw HTML -----------------------------------------------------------------------


class TestSanitising:
    def read_body(self, make_manuscript, body):
        a = read(make_manuscript(body=body))
        return a, body_tree(a)

    def test_script_is_removed_with_its_content(self, make_manuscript):
        a, tree = self.read_body(
            make_manuscript, 'Hi <script>alert("x")</script> there.\n\n<script>\nalert(2)\n</script>\n\nAfter.\n'
        )
        assert not tree.xpath("//script")
        assert "alert" not in a.body_html
        assert "After." in a.body_html

    def test_iframe_style_and_object_are_removed(self, make_manuscript):
        a, tree = self.read_body(
            make_manuscript,
            'A <iframe src="https://evil.example/">frame text</iframe> b '
            "<style>p{color:red}</style> c <object data=x>obj</object> d.\n",
        )
        assert not tree.xpath("//iframe|//style|//object")
        for gone in ("evil.example", "color:red", "frame text", "obj"):
            assert gone not in a.body_html

    def test_event_handlers_are_removed(self, make_manuscript):
        a, tree = self.read_body(
            make_manuscript, 'Click <b onclick="steal()">here</b> <span onmouseover="x()">now</span>.\n'
        )
        assert tree.xpath("//b/text()") == ["here"]
        assert "onclick" not in a.body_html and "steal" not in a.body_html
        assert "onmouseover" not in a.body_html

    @pytest.mark.parametrize(
        "link",
        [
            '<a href="javascript:alert(1)">link</a>',
            "[link](javascript:alert(1))",
            '<a href="JaVaScRiPt:alert(1)">link</a>',
        ],
    )
    def test_javascript_links_are_removed(self, make_manuscript, link):
        a, tree = self.read_body(make_manuscript, f"A {link} here.\n")
        assert "javascript" not in a.body_html.lower()
        assert tree.xpath("//a/text()") == ["link"]
        assert not tree.xpath("//a/@href")

    def test_http_and_mailto_links_are_kept(self, make_manuscript):
        _, tree = self.read_body(make_manuscript, "[web](https://example.org/) and [mail](mailto:a@example.org).\n")
        assert tree.xpath("//a/@href") == ["https://example.org/", "mailto:a@example.org"]

    def test_language_span_is_kept(self, make_manuscript):
        a, tree = self.read_body(make_manuscript, 'She said <span lang="he" dir="rtl">שלום</span> twice.\n')
        (span,) = tree.xpath("//span")
        assert (span.get("lang"), span.get("dir"), span.text) == ("he", "rtl", "שלום")
        assert '<span lang="he" dir="rtl">שלום</span>' in a.body_html

    def test_foreign_classes_and_ids_are_dropped(self, make_manuscript):
        a, tree = self.read_body(make_manuscript, '<p class="evil" id="title" style="position:fixed">x</p>\n')
        (p,) = tree.xpath("//p")
        assert dict(p.attrib) == {}

    def test_comments_are_removed(self, make_manuscript):
        a, _ = self.read_body(make_manuscript, "Text <!-- secret --> more.\n")
        assert "secret" not in a.body_html


# --- the bundled review -------------------------------------------------------------


@pytest.fixture(scope="module")
def review(review_path):
    return read(review_path)


class TestReview:
    def test_title_and_kicker(self, review):
        assert review.title_html == "A Harrowing Documentary Examines Who’s to Blame for the <em>Rust</em> Shooting"
        assert review.title_text == "A Harrowing Documentary Examines Who’s to Blame for the Rust Shooting"
        assert review.kicker == "Movies"
        assert review.lang == "en-US"
        assert review.short_title == "Who’s to Blame for the Rust Shooting"

    def test_dek(self, review):
        assert review.dek_html.startswith("<em>Last Take</em> set out to tell the story of")
        assert "<em>Last Take</em>" in review.dek_html
        assert plain_text(review.dek_html) == (
            "Last Take set out to tell the story of Halyna Hutchins—but faced some of "
            "the same forces that led to her death."
        )

    def test_photo(self, review, review_path):
        photo = review.photo
        assert photo.caption_html == (
            "Halyna Hutchins smiles in front of an old church at sunset in a still from the documentary."
        )
        assert photo.credit_html == "Photo by Felipe Orozco"
        assert photo.alt == ("A smiling Halyna Hutchins stands before an old church, lit by the setting sun.")
        assert photo.alt != plain_text(photo.caption_html)
        assert photo.key == "hutchins-church.jpg"
        assert photo.path == (review_path.parent / "images" / "hutchins-church.jpg").resolve()

    def test_no_figures_or_notes(self, review):
        assert review.figures == () and review.notes == ()

    def test_no_warnings_but_a_stand_in_photo(self, review):
        assert all("hutchins-church.jpg is the stand-in image" in w for w in review.warnings)

    def test_body_matches_seed_text(self, review):
        seed_blocks = [b.strip() for b in SEED.read_text(encoding="utf-8").split("\n\n") if b.strip()]
        paragraphs = [p.text_content() for p in body_tree(review).iter("p")]
        assert len(paragraphs) == 5
        assert paragraphs == seed_blocks[-len(paragraphs) :]
        # and what comes before the body in the seed is the title block
        assert seed_blocks[: -len(paragraphs)] == [
            review.kicker,
            review.title_text,
            plain_text(review.dek_html),
            plain_text(review.photo.caption_html) + "\n" + plain_text(review.photo.credit_html),
        ]

    def test_body_has_italics(self, review):
        assert body_tree(review).xpath("//em/text()")[:2] == ["Last Take: Rust and the Story of Halyna", "Rust"]


def test_front_matter_keys_of_other_types_are_warned_about(make_manuscript):
    path = make_manuscript(body="Text.\n", yaml_text="title: T\n2024: draft\nnotes: x\n")
    article = read(path)
    assert any("unknown front matter key '2024'" in w for w in article.warnings)
