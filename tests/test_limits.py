"""The bounds and escapes every stage relies on: YAML size after aliases, language
tags, terminal-safe messages, and HTML content models."""

from __future__ import annotations

import pytest
import yaml

from longread.errors import ManuscriptError, printable, quoted
from longread.source import content_models, language, yamlsafe
from longread.source.sanitize import clean, parse_clean
from longread.xhtml import inner_xml, parse


def load(text: str) -> object:
    return yaml.load(text, Loader=yamlsafe.BoundedLoader)  # noqa: S506 (a SafeLoader subclass)


class TestYamlBounds:
    def test_aliases_are_counted_without_being_expanded(self):
        lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
        with pytest.raises(yamlsafe.LimitError, match="once its aliases are expanded"):
            load("\n".join(lines))  # 9**12 strings: counting them must not expand them

    def test_the_key_that_holds_the_most_is_named(self):
        with pytest.raises(yamlsafe.LimitError, match=r"200,000 of them in 'title'"):
            load(f"title: {'x' * 200_000}\nkicker: k\n")

    def test_a_value_that_contains_itself(self):
        with pytest.raises(yamlsafe.LimitError, match="contains itself"):
            load("a: &x [1, *x]\n")

    def test_depth(self):
        with pytest.raises(yamlsafe.LimitError, match="nested too deeply"):
            load("k: " + "[" * 20 + "]" * 20)

    def test_ordinary_front_matter_loads_and_dates_stay_text(self):
        assert load("title: A\ndate: 2024-05-01\nphoto: {src: a.jpg, alt: b}\n") == {
            "title": "A",
            "date": "2024-05-01",
            "photo": {"src": "a.jpg", "alt": "b"},
        }


class TestLanguageTags:
    @pytest.mark.parametrize("tag", ["en", "en-GB", "zh-Hant-TW", "sr-Latn-RS", "de-CH-1996", "x-klingon", "i-klingon"])
    def test_well_formed(self, tag):
        assert language.problem(tag) is None

    @pytest.mark.parametrize(
        "tag, why",
        [
            ("en-a", "must be followed by something"),
            ("de-1", "must be followed by something"),
            ("en-US-x", "must be followed by something"),
            ("zh-Hant-TW-u", "must be followed by something"),
            ("en_US", "not '_'"),
            ("123", "must be letters"),
            ("en-a-bb-a-cc", "singleton appears twice"),
            ("de-1996-1996", "variant subtag appears twice"),
            ("English", "Expected"),
            ("", "empty"),
        ],
    )
    def test_not_well_formed_with_the_reason(self, tag, why):
        assert why in (language.problem(tag) or "")

    def test_check_quotes_the_tag_and_the_reason(self):
        with pytest.raises(ManuscriptError, match=r"'lang' is not a BCP 47 language tag: 'en-a' \(the subtag"):
            language.check("story.md", "en-a")


class TestMessages:
    def test_controls_are_escaped(self):
        assert printable("a\x1b[2Kb\x07\u202e\n") == "a\\x1b[2Kb\\x07\\u202e\\n"

    def test_undecodable_file_name_bytes_are_shown_as_bytes(self):
        assert printable("caf\udce9.md") == "caf\\xe9.md"

    def test_quoted_is_short_and_safe(self):
        shown = quoted("\x1b]0;title\x07" + "x" * 200)
        assert len(shown) <= 60 and "\x1b" not in shown

    def test_manuscript_error_text_is_safe(self):
        e = ManuscriptError("ms/\x1b[1A.md", "key '\x1b[2K'")
        assert str(e) == "ms/\\x1b[1A.md: key '\\x1b[2K'"


def repaired(fragment: str) -> str:
    return inner_xml(parse_clean(clean(fragment)))


class TestContentModels:
    @pytest.mark.parametrize(
        "raw, expected",
        [
            ("<dl><dt>Term</dt></dl>", "<div><div>Term</div></div>"),
            ("<dl><dd>lone</dd></dl>", "<div><div>lone</div></div>"),
            ("<dl><dt>a</dt><dd>b</dd></dl>", "<dl><dt>a</dt><dd>b</dd></dl>"),
            ("<dl><div><dt>a</dt><dd>b</dd></div><dd>c</dd></dl>", "<dl><dt>a</dt><dd>b</dd><dd>c</dd></dl>"),
            ("<dl><div><dt>a</dt><dd>b</dd></div></dl>", "<dl><div><dt>a</dt><dd>b</dd></div></dl>"),
            (
                '<figure><img src="a.jpg" alt="x"><figcaption>one</figcaption><figcaption>two</figcaption></figure>',
                '<figure><img src="a.jpg" alt="x"/><figcaption>one two</figcaption></figure>',
            ),
            (
                "<table><tr><td>x</td></tr><caption>late</caption></table>",
                "<table><caption>late</caption><tbody><tr><td>x</td></tr></tbody></table>",
            ),
            (
                "<table><tbody><tr><td>x</td></tr></tbody><thead><tr><th>h</th></tr></thead></table>",
                "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>x</td></tr></tbody></table>",
            ),
            (
                "<table><tfoot><tr><td>1</td></tr></tfoot><tbody><tr><td>x</td></tr></tbody>"
                "<tfoot><tr><td>2</td></tr></tfoot></table>",
                "<table><tbody><tr><td>x</td></tr></tbody>"
                "<tfoot><tr><td>1</td></tr> <tr><td>2</td></tr></tfoot></table>",
            ),
            ("<p><dfn>a <dfn>b</dfn></dfn></p>", "<p><dfn>a <span>b</span></dfn></p>"),
            ("<p>a<wbr>b<em>c</em>d</p>", "<p>a<wbr/>b<em>c</em>d</p>"),
            ("<p><time>soon <em>now</em></time></p>", "<p><span>soon <em>now</em></span></p>"),
        ],
    )
    def test_repairs(self, raw, expected):
        assert repaired(raw) == expected

    def test_valid_structures_are_left_alone(self):
        root = parse("<table><caption>c</caption><thead><tr><th>h</th></tr></thead><tr><td>x</td></tr></table>")
        assert content_models.enforce(root) is False
