"""Stage 3, render: Article → one semantic XHTML Rendition, and document() around it."""

from __future__ import annotations

import pytest
from lxml import etree

from longread.model import Rendition
from longread.render.article import article_document
from longread.render.article import render_article as render
from longread.render.document import serialise
from longread.source.read import read
from longread.typeset import typeset

XHTML = "http://www.w3.org/1999/xhtml"
EPUB = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {"h": XHTML, "epub": EPUB}
EPUB_TYPE = f"{{{EPUB}}}type"


def xml(rendition: Rendition, stylesheets: tuple[str, ...] = ()) -> etree._Element:
    """document() parsed strictly as XML: fails on anything not well-formed."""
    return etree.fromstring(
        serialise(article_document(rendition, stylesheets)), etree.XMLParser(resolve_entities=False, no_network=True)
    )


def xp(root: etree._Element, path: str) -> list:
    return root.xpath(path, namespaces=NS)


def one(root: etree._Element, path: str):
    found = xp(root, path)
    assert len(found) == 1, (path, found)
    return found[0]


def text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def cls(name: str) -> str:
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


@pytest.fixture
def build(make_manuscript):
    """build(body=..., typeset=False, **front matter) → (Rendition, parsed document)."""

    def make(*, typeset_first: bool = False, stylesheets=(), **kwargs):
        article = read(make_manuscript(**kwargs))
        if typeset_first:
            article = typeset(article)
        rendition = render(article)
        return rendition, xml(rendition, stylesheets)

    return make


@pytest.fixture(scope="module")
def review(review_path):
    rendition = render(typeset(read(review_path)))
    return rendition, xml(rendition, ("css/base.css", "css/epub.css"))


# --- the document -------------------------------------------------------------------


class TestDocument:
    def test_review_is_well_formed_xhtml(self, review):
        rendition, root = review
        assert root.tag == f"{{{XHTML}}}html"
        assert root.get("lang") == root.get(XML_LANG) == "en-US"
        assert one(root, "/h:html/h:body").get(EPUB_TYPE) == "bodymatter"
        assert (
            one(root, "/h:html/h:head/h:title").text
            == rendition.title
            == "A Harrowing Documentary Examines Who’s to Blame for the Rust Shooting"
        )

    def test_rendition_fields(self, review_path):
        article = typeset(read(review_path))
        rendition = render(article)
        assert rendition.article is article
        assert rendition.lang == "en-US"
        assert rendition.title == article.title_text
        assert rendition.body.tag == "article" and dict(rendition.body.attrib) == {
            "class": "article",
            "aria-labelledby": "title",
        }

    def test_stylesheets_become_links_in_order(self, review):
        _, root = review
        links = xp(root, "/h:html/h:head/h:link")
        assert [(link.get("rel"), link.get("type"), link.get("href")) for link in links] == [
            ("stylesheet", "text/css", "css/base.css"),
            ("stylesheet", "text/css", "css/epub.css"),
        ]

    def test_no_stylesheets_no_links(self, build):
        _, root = build()
        assert xp(root, "//h:link") == []

    def test_head_metadata(self, build):
        _, root = build(author=["Ann", "Bob"], subtitle="A *dek* & more", kicker="R&D", date="2024-03-05")
        meta = {m.get("name"): m.get("content") for m in xp(root, "/h:html/h:head/h:meta[@name]")}
        assert meta == {
            "author": "Ann, Bob",
            "description": "A dek & more",
            "keywords": "R&D",
            "dcterms.created": "2024-03-05",
        }

    def test_markup_characters_are_escaped(self, build):
        rendition, root = build(
            title="Fish & Chips <3",
            kicker="R&D <b>",
            photo={"src": "images/p.jpg", "alt": 'A "quoted" & <odd> alt', "caption": "Cap & tion"},
            image="images/p.jpg",
        )
        assert one(root, "//h:title").text == "Fish & Chips <3"
        assert text(one(root, f"//h:p[{cls('kicker')}]")) == "R&D <b>"
        assert one(root, "//h:figure[@id='lead-photo']/h:img").get("alt") == 'A "quoted" & <odd> alt'

    def test_other_language(self, build):
        _, root = build(lang="de", title="Titel")
        assert root.get("lang") == root.get(XML_LANG) == "de"

    def test_typeset_output_is_well_formed(self, build):
        _, root = build(
            typeset_first=True, lang="fr", body='Il dit "oui" -- Mr. X, p. 12 ?\n\n[^1]: « Note » !\n\nAppel[^1].\n'
        )
        assert xp(root, "//h:aside")


# --- the title block ----------------------------------------------------------------


class TestTitleBlock:
    def test_review_header(self, review):
        _, root = review
        header = one(root, f"//h:article/h:header[{cls('title-block')}]")
        assert text(one(header, f"h:p[{cls('kicker')}]")) == "Movies"
        h1 = one(header, "h:h1")
        assert (h1.get("class"), h1.get("id")) == ("headline", "title")
        assert one(h1, "h:em").text == "Rust"
        dek = one(header, f"h:p[{cls('dek')}]")
        assert dek.get(EPUB_TYPE) == "subtitle" and dek.get("role") == "doc-subtitle"
        assert one(dek, "h:em").text == "Last Take"
        assert text(dek).startswith("Last Take set out to tell the story of Halyna Hutchins")
        assert xp(header, f"h:p[{cls('byline')}]") == []  # the review has no author or date

    def test_order_of_header_parts(self, build):
        _, root = build(kicker="K", subtitle="D", author="A", date="2024-03-05")
        header = one(root, "//h:header")
        assert [(c.tag.split("}")[1], c.get("class")) for c in header] == [
            ("p", "kicker"),
            ("h1", "headline"),
            ("p", "dek"),
            ("p", "byline"),
        ]

    def test_article_is_labelled_by_the_title(self, build):
        _, root = build()
        article = one(root, "/h:html/h:body/h:article")
        assert article.get("aria-labelledby") == "title"
        assert xp(root, "//*[@id='title']") == [one(root, "//h:h1")]

    @pytest.mark.parametrize(
        "authors, byline",
        [
            ("Ann Smith", "By Ann Smith"),
            (["Ann Smith", "Bob Jones"], "By Ann Smith and Bob Jones"),
            (["A", "B", "C"], "By A, B and C"),
        ],
    )
    def test_byline(self, build, authors, byline):
        _, root = build(author=authors)
        p = one(root, f"//h:header/h:p[{cls('byline')}]")
        assert text(p) == byline
        names = authors if isinstance(authors, list) else [authors]
        spans = [s.text for s in xp(p, f"h:span[{cls('author')}]")]
        assert [s.replace("\u00a0", " ") for s in spans] == names
        assert not any(" " in s for s in spans)  # a name never breaks across lines

    def test_no_authors_no_byline(self, build):
        _, root = build(kicker="K", subtitle="D")
        assert xp(root, f"//h:p[{cls('byline')}]") == []
        assert "By " not in "".join(one(root, "//h:header").itertext())

    def test_byline_with_date(self, build):
        _, root = build(author="Ann", date="2024-03-05")
        p = one(root, f"//h:p[{cls('byline')}]")
        assert text(p) == "By Ann · March 5, 2024"
        assert one(p, "h:time").get("datetime") == "2024-03-05"
        assert one(p, "h:time").text == "March\u00a05,\u00a02024"  # never "March 5, / 2024" on a phone

    def test_date_without_author(self, build):
        _, root = build(date="2024-12-01")
        p = one(root, f"//h:p[{cls('byline')}]")
        assert text(p) == "December 1, 2024"
        assert xp(p, "h:span") == []

    def test_no_by_in_other_languages(self, build):
        _, root = build(lang="de", author=["Anna", "Bernd"], date="2024-03-05")
        assert text(one(root, f"//h:p[{cls('byline')}]")) == "Anna, Bernd · 2024-03-05"  # no English "and" in German

    def test_no_kicker_no_dek(self, build):
        _, root = build()
        assert xp(root, f"//h:p[{cls('kicker')}]|//h:p[{cls('dek')}]") == []


# --- the lead photo -----------------------------------------------------------------


class TestLeadPhoto:
    def test_review_photo_figure(self, review):
        _, root = review
        fig = one(root, "//h:figure[@id='lead-photo']")
        assert fig.get("class") == "lead-photo"
        # it sits after the title block, before the body
        assert fig.getprevious().tag == f"{{{XHTML}}}header"
        assert fig.getnext().get("class") == "body"
        img = one(fig, "h:img")
        assert img.get("src") == "images/hutchins-church.jpg"
        caption = one(fig, f"h:figcaption/h:span[{cls('caption')}]")
        credit = one(fig, f"h:figcaption/h:span[{cls('credit')}]")
        assert caption is not credit and caption.getparent() is credit.getparent()
        assert text(caption) == (
            "Halyna Hutchins smiles in front of an old church at sunset in a still from the documentary."
        )
        assert text(credit) == "Photo by Felipe Orozco"
        assert img.get("alt") == ("A smiling Halyna Hutchins stands before an old church, lit by the setting sun.")
        assert img.get("alt") != text(caption)

    def test_caption_markup_is_kept(self, build):
        _, root = build(
            photo={"src": "images/p.jpg", "alt": "A barn", "caption": "The *old* barn", "credit": "Photo: *Ann*"},
            image="images/p.jpg",
        )
        fig = one(root, "//h:figure[@id='lead-photo']")
        assert one(fig, f".//h:span[{cls('caption')}]/h:em").text == "old"
        assert one(fig, f".//h:span[{cls('credit')}]/h:em").text == "Ann"

    def test_photo_without_caption_or_credit(self, build):
        _, root = build(photo={"src": "images/p.jpg", "alt": "A barn"}, image="images/p.jpg")
        fig = one(root, "//h:figure[@id='lead-photo']")
        assert xp(fig, "h:figcaption") == []
        assert one(fig, "h:img").get("alt") == "A barn"

    def test_credit_only(self, build):
        _, root = build(photo={"src": "images/p.jpg", "alt": "A barn", "credit": "Ann"}, image="images/p.jpg")
        spans = xp(root, "//h:figure[@id='lead-photo']/h:figcaption/h:span")
        assert [(s.get("class"), s.text) for s in spans] == [("credit", "Ann")]

    def test_no_photo_no_figure(self, build):
        _, root = build()
        assert xp(root, "//h:figure") == []

    def test_body_figure_keeps_its_caption(self, build):
        _, root = build(body='Intro.\n\n![A red box](images/x.jpg "A *box*")\n', image="images/x.jpg")
        fig = one(root, f"//h:div[{cls('body')}]/h:figure[{cls('figure')}]")
        assert one(fig, "h:img").get("src") == "images/x.jpg"
        assert one(fig, "h:img").get("alt") == "A red box"
        assert xp(fig, f"h:figcaption/h:span[{cls('caption')}]")


# --- footnotes ----------------------------------------------------------------------

NOTES_BODY = """First paragraph calls a note[^1] here.

Second paragraph has no note.

Third calls another[^2] and the first[^1] again.

[^1]: The *first* note.
[^2]: The second note.

    Its second paragraph.
"""


class TestFootnotes:
    @pytest.fixture
    def notes_doc(self, build):
        return build(body=NOTES_BODY)[1]

    def test_calls_become_noterefs(self, notes_doc):
        refs = xp(notes_doc, "//h:a[@epub:type='noteref']")
        assert len(refs) == 3
        for ref in refs:
            assert ref.get("role") == "doc-noteref"
            assert ref.get("class") == "noteref"
        assert [r.get("href") for r in refs] == ["#fn-1", "#fn-2", "#fn-1"]
        assert [r.get("id") for r in refs] == ["fnref-1", "fnref-2", "fnref2-1"]
        assert [r.text for r in refs] == ["1", "2", "1"]
        assert xp(notes_doc, "//h:sup") == []
        assert xp(notes_doc, f"//*[{cls('footnote-ref')}]") == []

    def test_each_note_is_an_aside_after_its_paragraph(self, notes_doc):
        body = one(notes_doc, f"//h:div[{cls('body')}]")
        kinds = [(c.tag.split("}")[1], c.get("id")) for c in body]
        assert kinds == [("p", None), ("aside", "fn-1"), ("p", None), ("p", None), ("aside", "fn-2")]
        for aside in xp(body, "h:aside"):
            assert aside.get(EPUB_TYPE) == "footnote"
            assert aside.get("role") == "doc-footnote"
            assert aside.get("class") == "footnote"
        first, second = xp(body, "h:aside")
        assert xp(first.getprevious(), ".//h:a[@href='#fn-1']")
        assert xp(second.getprevious(), ".//h:a[@href='#fn-2']")

    def test_notes_link_back_to_their_first_call(self, notes_doc):
        for note_id, call_id in [("fn-1", "fnref-1"), ("fn-2", "fnref-2")]:
            aside = one(notes_doc, f"//h:aside[@id='{note_id}']")
            back = one(aside, "h:p[1]/h:a[1]")
            assert back.get("role") == "doc-backlink"
            assert back.get("href") == f"#{call_id}"
            assert xp(notes_doc, f"//*[@id='{call_id}']")[0].get(EPUB_TYPE) == "noteref"

    def test_note_content(self, notes_doc):
        first = one(notes_doc, "//h:aside[@id='fn-1']")
        assert text(first) == "1 The first note."
        assert one(first, ".//h:em").text == "first"
        second = one(notes_doc, "//h:aside[@id='fn-2']")
        assert [text(p) for p in xp(second, "h:p")] == ["2 The second note.", "Its second paragraph."]

    def test_ids_are_unique(self, notes_doc):
        ids = xp(notes_doc, "//@id")
        assert len(ids) == len(set(ids))

    def test_note_called_inside_a_blockquote_follows_the_blockquote(self, build):
        _, root = build(body="Intro.\n\n> Quoted[^q] words.\n\nAfter.\n\n[^q]: Source.\n")
        aside = one(root, "//h:aside[@id='fn-q']")
        assert aside.getprevious().tag == f"{{{XHTML}}}blockquote"
        assert aside.getparent().get("class") == "body"

    def test_uncalled_note_goes_to_the_end(self, build):
        _, root = build(body="Text.\n\nMore text.\n\n[^x]: Nobody calls me.\n")
        body = one(root, f"//h:div[{cls('body')}]")
        last = body[-1]
        assert (last.tag, last.get("id"), last.get(EPUB_TYPE)) == (f"{{{XHTML}}}aside", "fn-x", "footnote")
        label = one(last, f".//*[{cls('note-label')}]")
        assert label.tag == f"{{{XHTML}}}span"  # nothing to link back to
        assert xp(root, "//h:a[@role='doc-backlink']") == []

    def test_named_note_label_matches_its_call(self, build):
        _, root = build(body="A claim[^src].\n\n[^src]: The source.\n")
        call = one(root, "//h:a[@epub:type='noteref']")
        label = one(root, "//h:aside/h:p/h:a[@role='doc-backlink']")
        assert label.text == call.text == "1"

    def test_no_notes_no_asides(self, review):
        _, root = review
        assert xp(root, "//h:aside") == [] and xp(root, "//h:a[@epub:type='noteref']") == []


# --- body structure -----------------------------------------------------------------


class TestHeadings:
    BODY = "Intro.\n\n## The Set\n\nText.\n\n### On *Rust*\n\nText.\n\n## The Set\n\n## Über uns\n\n## ???\n\n## 日本\n"

    def test_headings_get_unique_ids(self, build):
        rendition, root = build(body=self.BODY)
        heads = xp(root, f"//h:div[{cls('body')}]/*[self::h:h2 or self::h:h3]")
        ids = [h.get("id") for h in heads]
        assert ids == ["s-the-set", "s-on-rust", "s-the-set-2", "s-ber-uns", "s-section", "s-section-2"]
        all_ids = xp(root, "//@id")
        assert len(all_ids) == len(set(all_ids))

    def test_headings_are_listed_for_navigation(self, build):
        rendition, root = build(body=self.BODY, title="The *Title*")
        assert [(h.id, h.text, h.level) for h in rendition.headings] == [
            ("title", "The Title", 1),
            ("s-the-set", "The Set", 2),
            ("s-on-rust", "On Rust", 3),
            ("s-the-set-2", "The Set", 2),
            ("s-ber-uns", "Über uns", 2),
            ("s-section", "???", 2),
            ("s-section-2", "日本", 2),
        ]
        for ident in (h.id for h in rendition.headings):
            assert len(xp(root, f"//*[@id='{ident}']")) == 1

    def test_long_heading_id_is_truncated(self, build):
        rendition, _ = build(body="Intro.\n\n## " + "word " * 20 + "\n")
        ident = rendition.headings[1].id
        assert ident.startswith("s-word-word") and len(ident) <= 42

    def test_review_has_only_the_title(self, review):
        rendition, _ = review
        assert [(h.id, h.text, h.level) for h in rendition.headings] == [("title", rendition.title, 1)]


class TestLead:
    def test_review_lead_paragraph(self, review):
        _, root = review
        body = one(root, f"//h:div[{cls('body')}]")
        first = body[0]
        assert first.tag == f"{{{XHTML}}}p" and first.get("class") == "lead"
        lead_in = first[0]
        assert (lead_in.tag, lead_in.get("class")) == (f"{{{XHTML}}}span", "lead-in")
        assert lead_in.text == "Part memorial, part procedural,"
        assert first.text in (None, "")
        assert lead_in.tail == " "
        assert lead_in.getnext().tag == f"{{{XHTML}}}em"
        assert len(xp(root, f"//*[{cls('lead')}]")) == 1
        assert len(xp(root, f"//*[{cls('lead-in')}]")) == 1

    @pytest.mark.parametrize(
        "body, lead_in, rest",
        [
            # up to three words, or up to four ending in punctuation
            ("Once upon a time there was a story.", "Once upon a", " time there was a story."),
            ("Yes. That is all of it.", "Yes.", " That is all of it."),
            ("In Paris, at dawn, it rained.", "In Paris, at dawn,", " it rained."),
            ("One two three four, five.", "One two three four,", " five."),
            ("One two three four five, six.", "One two three", " four five, six."),
            ("  Leading space here now.", "Leading space here", " now."),
        ],
    )
    def test_lead_in_words(self, build, body, lead_in, rest):
        _, root = build(body=body + "\n\nSecond paragraph.\n")
        first = one(root, f"//h:p[{cls('lead')}]")
        span = one(first, f"h:span[{cls('lead-in')}]")
        assert (span.text, span.tail) == (lead_in, rest)
        assert text(first) == body.strip()
        second = first.getnext()
        assert second.get("class") is None

    def test_only_the_first_paragraph(self, build):
        _, root = build(body="One two three four.\n\nFive six seven eight.\n")
        paragraphs = xp(root, f"//h:div[{cls('body')}]/h:p")
        assert [p.get("class") for p in paragraphs] == ["lead", None]


class TestBodyBlocks:
    def test_pull_quote(self, build):
        _, root = build(body="Intro.\n\n> The quote itself.\n{.pullquote}\n\nBetween.\n\n> Plain quote.\n")
        quotes = xp(root, "//h:blockquote")
        assert [q.get("class") for q in quotes] == ["pullquote", None]
        assert text(quotes[0]) == "The quote itself."
        assert one(quotes[0], "h:p").get("class") is None

    def test_pull_quote_class_is_moved_from_the_paragraph(self, build):
        _, root = build(body="Intro.\n\n> First line.\n>\n> Last line.\n{.pullquote}\n")
        bq = one(root, "//h:blockquote")
        assert bq.get("class") == "pullquote"
        assert [p.get("class") for p in xp(bq, "h:p")] == [None, None]
        assert xp(root, "//@class[contains(., 'pullquote')]") == ["pullquote"]

    def test_section_break(self, build):
        _, root = build(body="Before.\n\n***\n\nAfter.\n")
        hr = one(root, "//h:hr")
        assert hr.get("class") == "section-break"
        assert text(hr.getprevious()) == "Before." and text(hr.getnext()) == "After."

    def test_language_span_gets_xml_lang(self, build):
        _, root = build(body='She said <span lang="he" dir="rtl">שלום</span> twice.\n')
        span = one(root, "//h:span[@lang='he']")
        assert span.get(XML_LANG) == "he"
        assert span.get("dir") == "rtl"
        assert span.text == "שלום"

    def test_every_lang_attribute_has_xml_lang(self, build):
        _, root = build(body='A <em lang="fr">mot</em> and <span lang="de">Wort</span>.\n')
        marked = xp(root, "//h:div[@class='body']//*[@lang]")
        assert len(marked) == 2
        assert all(el.get(XML_LANG) == el.get("lang") for el in marked)

    def test_epub_namespace_declared_once(self, review):
        rendition, _ = review
        doc = serialise(article_document(rendition)).decode()
        assert doc.count(f'xmlns:epub="{EPUB}"') == 1

    def test_rendition_body_has_no_stylesheet(self, review):
        rendition, _ = review
        assert not rendition.body.xpath(".//link | .//style")
