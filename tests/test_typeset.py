"""Stage 2, typeset: each named typography rule, then the tree walk and typeset(article)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from longread.model import Article, Image, Note
from longread.source.read import read
from longread.typeset import (
    QUOTES,
    QuoteState,
    Rules,
    apply_rules,
    dashes,
    ellipses,
    french_spacing,
    nbsp_after_titles,
    nbsp_in_references,
    no_break_before_dash,
    quotes,
    typeset,
    typeset_fragment,
)
from longread.xhtml import plain_text

NBSP, NNBSP, WJ = "\u00a0", "\u202f", "\u2060"
EN = QUOTES["en"]


def q(text: str, lang: str = "en", prev: str = "") -> str:
    """The quotes rule alone, with a fresh state."""
    return quotes(text, prev, Rules(lang=lang).quotes, QuoteState())


# --- ellipses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Wait...", "Wait…"),
        ("Wait. . .", "Wait…"),
        ("and...then", "and…then"),
        ("one... two... three", "one… two… three"),
        ("Stop....", "Stop…."),
        ("a.. b", "a.. b"),
        ("End. Next.", "End. Next."),
        ("Wait…", "Wait…"),
    ],
)
def test_ellipses(text, expected):
    assert ellipses(text) == expected


# --- dashes -------------------------------------------------------------------------


class TestDashes:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("word---word", "word—word"),
            ("word--word", "word—word"),
            ("word -- word", "word—word"),
            ("word --- word", "word—word"),
            ("word - word", "word—word"),
            ("word — word", "word—word"),
            ("word – word", "word—word"),
            ("word—word", "word—word"),
            ("well-known", "well-known"),
            ("10-20", "10-20"),
            ("-5 degrees", "-5 degrees"),
        ],
    )
    def test_closed(self, text, expected):
        assert dashes(text) == expected
        assert dashes(text, "closed") == expected

    @pytest.mark.parametrize(
        "text, expected",
        [
            ("word---word", "word – word"),
            ("word--word", "word – word"),
            ("word -- word", "word – word"),
            ("word - word", "word – word"),
            ("word—word", "word – word"),
            ("word — word", "word – word"),
            ("well-known", "well-known"),
        ],
    )
    def test_spaced(self, text, expected):
        assert dashes(text, "spaced") == expected

    @pytest.mark.parametrize("style", ["closed", "spaced"])
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("1--2", "1–2"),
            ("pages 10--12", "pages 10–12"),
            ("1939--1945 and 2001--2003", "1939–1945 and 2001–2003"),
        ],
    )
    def test_number_ranges_keep_an_en_dash(self, text, expected, style):
        assert dashes(text, style) == expected


# --- quotes -------------------------------------------------------------------------


class TestEnglishQuotes:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ('He said "hi" twice.', "He said “hi” twice."),
            ('"Hi," she said.', "“Hi,” she said."),
            ("He said 'hi' twice.", "He said ‘hi’ twice."),
            ("\"She said 'no' to me.\"", "“She said ‘no’ to me.”"),
            ("'quoted'", "‘quoted’"),
        ],
    )
    def test_double_and_single(self, text, expected):
        assert q(text) == expected

    @pytest.mark.parametrize(
        "text, expected",
        [
            ("it's", "it’s"),
            ("It's Rust's set", "It’s Rust’s set"),
            ("don't won't", "don’t won’t"),
            ("Hutchins' life", "Hutchins’ life"),
            ("the '90s", "the ’90s"),
            ("'90s music", "’90s music"),
            ("in '21 and '22", "in ’21 and ’22"),
            ("rock 'n' roll", "rock ’n’ roll"),
            ("He said 'Hutchins' life'", "He said ‘Hutchins’ life’"),
        ],
    )
    def test_apostrophes(self, text, expected):
        assert q(text) == expected

    @pytest.mark.parametrize(
        "text, expected",
        [
            ('He paused—"Go."', "He paused—“Go.”"),
            ('He paused–"Go."', "He paused–“Go.”"),
            ('("Hi")', "(“Hi”)"),
            ("('Hi')", "(‘Hi’)"),
            ('["a"]', "[“a”]"),
            ('and/"or"', "and/“or”"),
            ('He paused\u2060—"Go."', "He paused\u2060—“Go.”"),
        ],
    )
    def test_quote_opens_after_dash_or_bracket(self, text, expected):
        assert q(text) == expected

    def test_em_dash_made_from_hyphens_opens_a_quote(self):
        assert apply_rules('He paused--"Go."', "", Rules(), "en") == "He paused\u2060—“Go.”"

    def test_previous_character_decides(self):
        assert q('"', prev="") == "“"
        assert q('"', prev=" ") == "“"
        assert q('"', prev="a") == "”"
        assert q('"', prev=".") == "”"

    def test_single_quote_state_carries_between_runs(self):
        state = QuoteState()
        first = quotes("'Hello ", "", EN, state)
        assert (first, state.open_single) == ("‘Hello ", 1)
        assert quotes("world'", "d", EN, state) == "world’"
        assert state.open_single == 0


class TestOtherLanguages:
    @pytest.mark.parametrize(
        "lang, expected",
        [
            ("en", "“x” ‘y’"),
            ("en-GB", "“x” ‘y’"),
            ("de", "„x“ ‚y‘"),
            ("de-AT", "„x“ ‚y‘"),
            ("de-CH", "«x» ‹y›"),
            ("fr-CH", "«x» ‹y›"),
            ("pt", "«x» “y”"),
            ("pt-BR", "“x” ‘y’"),
            ("es", "«x» “y”"),
            ("ru", "«x» „y“"),
            ("pl", "„x” «y»"),
            ("da", "»x« ›y‹"),
            ("sv", "”x” ’y’"),
            ("ja", "「x」 『y』"),
            ("he", "”x“ ’y‘"),
            ("xx", "“x” ‘y’"),
        ],
    )
    def test_table_entries(self, lang, expected):
        assert typeset_fragment("<p>\"x\" 'y'</p>", Rules(lang=lang)) == f"<p>{expected}</p>"

    def test_rules_quotes_lookup(self):
        assert Rules(lang="DE-ch").quotes == ("«", "»", "‹", "›")
        assert Rules(lang="fr").quotes == ("«\u202f", "\u202f»", "“", "”")
        assert Rules(lang="zz-Latn").quotes == QUOTES["en"]

    def test_german(self):
        out = typeset_fragment("<p>\"Hallo\", sagte er, 'ja' und geht's.</p>", Rules(lang="de"))
        assert out == "<p>„Hallo“, sagte er, ‚ja‘ und geht’s.</p>"

    def test_german_apostrophe_is_not_an_inner_close(self):
        # ’ (apostrophe) and ‘ (German inner close) differ: Hutchins' must get ’.
        assert q("Hutchins' Leben", "de") == "Hutchins’ Leben"
        assert q("'ja' und Hutchins' Leben", "de") == "‚ja‘ und Hutchins’ Leben"

    def test_french_guillemets_with_narrow_no_break_spaces(self):
        out = typeset_fragment('<p>Il a dit "bonjour" hier.</p>', Rules(lang="fr"))
        assert out == f"<p>Il a dit «{NNBSP}bonjour{NNBSP}» hier.</p>"

    def test_french_typed_guillemets_get_narrow_spaces(self):
        out = typeset_fragment("<p>Il a dit « oui » ?</p>", Rules(lang="fr"))
        assert out == f"<p>Il a dit «{NNBSP}oui{NNBSP}»{NNBSP}?</p>"

    def test_hebrew_span_in_english_text(self):
        out = typeset_fragment('<p>He wrote <span lang="he" dir="rtl">"שלום"</span> and "bye".</p>', Rules())
        assert out == '<p>He wrote <span lang="he" dir="rtl">”שלום“</span> and “bye”.</p>'


# --- no-break spaces ----------------------------------------------------------------


class TestNbspAfterTitles:
    @pytest.mark.parametrize(
        "text, lang, expected",
        [
            ("Mr. Smith", "en", f"Mr.{NBSP}Smith"),
            ("Mrs. Smith and Dr. Jones", "en", f"Mrs.{NBSP}Smith and Dr.{NBSP}Jones"),
            ("Prof. Ada", "en-US", f"Prof.{NBSP}Ada"),
            ("St. Louis", "en-GB", f"St.{NBSP}Louis"),
            ("M. Dupont", "fr", f"M.{NBSP}Dupont"),
            ("Mme. Curie", "fr", f"Mme.{NBSP}Curie"),
            ("Hr. Müller", "de", f"Hr.{NBSP}Müller"),
            ("Mr. Smith", "fr", "Mr. Smith"),  # not a French title
            ("Mr. Smith", "xx", "Mr. Smith"),  # no titles for this language
            ("Hmm. Smith", "en", "Hmm. Smith"),  # not a title
            ("HMr. Smith", "en", "HMr. Smith"),  # only whole words
            ("Mr.Smith", "en", "Mr.Smith"),
        ],
    )
    def test_titles(self, text, lang, expected):
        assert nbsp_after_titles(text, lang) == expected

    def test_default_language_is_english(self):
        assert nbsp_after_titles("Dr. Who") == f"Dr.{NBSP}Who"


class TestNbspInReferences:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("see p. 12", f"see p.{NBSP}12"),
            ("pp. 12–14", f"pp.{NBSP}12–14"),
            ("No. 5", f"No.{NBSP}5"),
            ("issue no. 5", f"issue no.{NBSP}5"),
            ("vol. 3, ch. 7, fig. 2", f"vol.{NBSP}3, ch.{NBSP}7, fig.{NBSP}2"),
            ("Art. 9", f"Art.{NBSP}9"),
            ("p 12", f"p{NBSP}12"),
            ("up 12", "up 12"),  # not a label
            ("p. xii", "p. xii"),  # only before a number
            ("No. five", "No. five"),
        ],
    )
    def test_references(self, text, expected):
        assert nbsp_in_references(text) == expected

    @pytest.mark.parametrize(
        "text, expected",
        [
            ("see § 4", f"see §{NBSP}4"),
            ("§ 4", f"§{NBSP}4"),
        ],
    )
    def test_section_sign(self, text, expected):
        assert nbsp_in_references(text) == expected


# --- French spacing -----------------------------------------------------------------


class TestFrenchSpacing:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("Quoi ?", f"Quoi{NNBSP}?"),
            ("Oui !", f"Oui{NNBSP}!"),
            ("a ; b", f"a{NNBSP}; b"),
            (f"Quoi{NBSP}?", f"Quoi{NNBSP}?"),
            ("Note : oui", f"Note{NBSP}: oui"),
            ("« oui »", f"«{NNBSP}oui{NNBSP}»"),
            ("Quoi?", "Quoi?"),
            ("http://x", "http://x"),
        ],
    )
    def test_rule(self, text, expected):
        assert french_spacing(text) == expected

    def test_only_applied_to_french(self):
        text = "Quoi ? Oui : non !"
        assert apply_rules(text, "", Rules(), "en") == text
        assert apply_rules(text, "", Rules(lang="fr"), "fr") == f"Quoi{NNBSP}? Oui{NBSP}: non{NNBSP}!"
        assert apply_rules(text, "", Rules(lang="fr-CA"), "fr-CA") == f"Quoi{NNBSP}? Oui{NBSP}: non{NNBSP}!"

    def test_french_span_in_english_text(self):
        out = typeset_fragment('<p>He said <span lang="fr">"Oui !"</span> twice!</p>', Rules())
        assert out == (f'<p>He said <span lang="fr">«{NNBSP}Oui{NNBSP}!{NNBSP}»</span> twice!</p>')


# --- no line starting with a dash -----------------------------------------------------


class TestNoBreakBeforeDash:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("word—word", f"word{WJ}—word"),
            ("a—b—c", f"a{WJ}—b{WJ}—c"),
            (f"word{WJ}—word", f"word{WJ}—word"),  # already tied: not doubled
            ("word —word", "word —word"),
            ("—word", "—word"),
            ("1–2", "1–2"),
        ],
    )
    def test_closed(self, text, expected):
        assert no_break_before_dash(text) == expected

    @pytest.mark.parametrize(
        "text, expected",
        [
            ("word – word", f"word{NBSP}– word"),
            ("a – b – c", f"a{NBSP}– b{NBSP}– c"),
            (f"word{NBSP}– word", f"word{NBSP}– word"),
            ("1–2", "1–2"),
            ("word —word", "word —word"),
        ],
    )
    def test_spaced(self, text, expected):
        assert no_break_before_dash(text, "spaced") == expected


# --- all rules together -------------------------------------------------------------


class TestApplyRules:
    def test_closed(self):
        assert (
            apply_rules('Mr. Smith said -- "wait..." (p. 12)', "", Rules(), "en")
            == f"Mr.{NBSP}Smith said{WJ}—“wait…” (p.{NBSP}12)"
        )

    def test_spaced(self):
        rules = Rules(dash_style="spaced")
        assert apply_rules('He said -- "wait"', "", rules, "en") == f"He said{NBSP}– “wait”"

    @pytest.mark.parametrize(
        "lang, dash_style",
        [
            ("en", "closed"),
            ("en", "spaced"),
            ("fr", "closed"),
            ("de", "spaced"),
        ],
    )
    def test_idempotent(self, lang, dash_style):
        rules = Rules(lang=lang, dash_style=dash_style)
        text = "<p>Mr. Smith said -- \"wait...\" ; p. 12 -- 'it's' « oui » ?</p>"
        once = typeset_fragment(text, rules)
        assert typeset_fragment(once, rules) == once


# --- the tree walk ------------------------------------------------------------------


class TestTypesetFragment:
    def test_empty(self):
        assert typeset_fragment("", Rules()) == ""

    def test_quote_before_an_element_opens_and_after_closes(self):
        assert typeset_fragment('<p>He said "<em>Rust</em>" was</p>', Rules()) == "<p>He said “<em>Rust</em>” was</p>"

    def test_quotes_inside_an_element(self):
        assert typeset_fragment('<p>The <em>"Rust"</em> set</p>', Rules()) == "<p>The <em>“Rust”</em> set</p>"

    def test_single_quote_closes_across_elements(self):
        assert (
            typeset_fragment("<p>'Hello <em>world</em>' he said</p>", Rules())
            == "<p>‘Hello <em>world</em>’ he said</p>"
        )

    def test_each_paragraph_starts_fresh(self):
        assert typeset_fragment('<p>End.</p>\n<p>"Start"</p>', Rules()) == "<p>End.</p>\n<p>“Start”</p>"

    def test_quote_after_line_break_opens(self):
        assert typeset_fragment('<p>Line<br/>"Quote"</p>', Rules()) == "<p>Line<br/>“Quote”</p>"

    @pytest.mark.parametrize("tag", ["code", "kbd", "samp", "var"])
    def test_code_is_untouched(self, tag):
        src = f'<p>Type <{tag}>"x" -- a... \'y\' Mr. Smith</{tag}> then "y"</p>'
        assert typeset_fragment(src, Rules()) == f"<p>Type <{tag}>\"x\" -- a... 'y' Mr. Smith</{tag}> then “y”</p>"

    def test_pre_block_is_untouched(self):
        src = '<pre><code>x = "a" -- b...\n</code></pre>\n<p>"ok"</p>'
        assert typeset_fragment(src, Rules()) == '<pre><code>x = "a" -- b...\n</code></pre>\n<p>“ok”</p>'

    def test_nested_lang_span_is_followed(self):
        src = '<p>He said <span lang="de">"Hallo" und \'ja\'</span>, then "hi".</p>'
        assert typeset_fragment(src, Rules()) == '<p>He said <span lang="de">„Hallo“ und ‚ja‘</span>, then “hi”.</p>'

    def test_language_nesting_restores_the_outer_language(self):
        src = '<p lang="de">"A" <em lang="en">"B" <b>"C"</b></em> "D"</p>'
        assert typeset_fragment(src, Rules()) == '<p lang="de">„A“ <em lang="en">“B” <b>“C”</b></em> „D“</p>'

    def test_fragment_language_from_rules(self):
        assert (
            typeset_fragment('<p>"A" <span lang="en">"B"</span></p>', Rules(lang="de"))
            == '<p>„A“ <span lang="en">“B”</span></p>'
        )

    def test_bare_text_fragment(self):
        assert typeset_fragment('Say "hi" -- now', Rules()) == f"Say “hi”{WJ}—now"

    def test_markup_is_preserved(self):
        src = '<p>A <a href="https://e.org/?a=1&amp;b=2">link</a> &amp; <strong>x</strong></p>'
        assert typeset_fragment(src, Rules()) == src


# --- typeset(article) -----------------------------------------------------------------


def article(**changes) -> Article:
    base = Article(
        source=Path("story.md"),
        title_html='Who\'s "Right" -- a <em>Rust</em> story...',
        title_text='Who\'s "Right" -- a Rust story...',
        body_html='<p>"Body" -- text.</p>\n<p>See p. 12.</p>\n',
        dek_html="The dek -- with 'quotes'",
        kicker="Movies -- Film",
        photo=Image(
            key="p.jpg",
            path=Path("p.jpg"),
            alt='Alt "kept" as is',
            caption_html='A "caption"...',
            credit_html="Photo by Mr. Smith",
        ),
        figures=(Image(key="f.jpg", path=Path("f.jpg"), alt="a", caption_html="Fig -- one"),),
        notes=(Note(id="fn-1", label="1", html="<p>A note -- here.</p>"),),
    )
    return dataclasses.replace(base, **changes)


class TestTypesetArticle:
    def test_every_shown_text_is_typeset(self):
        a = typeset(article())
        assert a.title_html == f"Who’s “Right”{WJ}—a <em>Rust</em> story…"
        assert a.title_text == "Who’s “Right”—a Rust story…"
        assert a.dek_html == f"The dek{WJ}—with ‘quotes’"
        assert a.kicker == f"Movies{WJ}—Film"
        assert a.body_html == f"<p>“Body”{WJ}—text.</p>\n<p>See p.{NBSP}12.</p>\n"
        assert a.photo.caption_html == "A “caption”…"
        assert a.photo.credit_html == f"Photo by Mr.{NBSP}Smith"
        assert a.figures[0].caption_html == f"Fig{WJ}—one"
        assert a.notes[0].html == f"<p>A note{WJ}—here.</p>"

    def test_alt_text_and_identity_are_kept(self):
        a = typeset(article())
        assert a.photo.alt == 'Alt "kept" as is'
        assert (a.photo.key, a.notes[0].id, a.source) == ("p.jpg", "fn-1", Path("story.md"))

    def test_input_article_is_not_changed(self):
        original = article()
        typeset(original)
        assert original == article()

    def test_spaced_dash_style(self):
        a = typeset(article(), dash_style="spaced")
        assert a.title_html == f"Who’s “Right”{NBSP}– a <em>Rust</em> story…"
        assert a.title_text == "Who’s “Right” – a Rust story…"
        assert a.kicker == f"Movies{NBSP}– Film"

    def test_article_language_is_used(self):
        a = typeset(article(lang="de", title_html='"Titel"', title_text='"Titel"'))
        assert (a.title_html, a.title_text) == ("„Titel“", "„Titel“")

    def test_empty_optional_fields_stay_empty(self):
        a = typeset(article(dek_html="", kicker="", photo=None, figures=(), notes=()))
        assert (a.dek_html, a.kicker, a.photo, a.figures, a.notes) == ("", "", None, (), ())

    def test_review_text_survives_typesetting(self, review_path):
        before = read(review_path)
        after = typeset(before)
        assert after.title_text == before.title_text
        assert plain_text(after.body_html) == plain_text(before.body_html)
        assert plain_text(after.dek_html) == plain_text(before.dek_html)
        assert f"Hutchins{WJ}—but" in after.dek_html
        assert f"shot{WJ}—a goal" in after.body_html
