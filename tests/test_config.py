"""Publication defaults: longread.yaml, its precedence and its errors."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import longread
from longread import config
from longread.errors import ManuscriptError
from longread.model import BuildOptions
from longread.pipeline.plan import make_plan
from longread.source.read import read
from validators import longread as run_longread

ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def story(path: Path, front: str = "title: T\n") -> Path:
    return write(path, f"---\n{front}---\n\nA paragraph of body text.\n")


@pytest.fixture
def tree(tmp_path):
    """press/longread.yaml over press/issue/longread.yaml, each with a story."""
    write(
        tmp_path / "press" / "longread.yaml",
        "publisher: The Press\nrights: © The Press\nlang: de\nauthor: Press Staff\n"
        "source: https://press.example/{slug}\npaper: trade\noutput: out\n",
    )
    write(tmp_path / "press" / "issue" / "longread.yaml", "publisher: The Issue\npaper: [a4, letter]\n")
    return tmp_path / "press"


# --- metadata: front matter > nearest longread.yaml > the one above > built-in ------


def test_metadata_precedence(tree):
    own = read(story(tree / "issue" / "own.md", "title: T\nrights: Own rights\nauthor: [A. Writer]\n"))
    assert own.rights == "Own rights"  # the front matter wins
    assert own.authors == ("A. Writer",)
    assert own.publisher == "The Issue"  # then the nearest file
    assert own.lang == "de"  # then the one above it, key by key
    assert own.source_url == "https://press.example/own"  # {slug} is the file's name
    top = read(story(tree / "top.md"))
    assert (top.publisher, top.rights, top.authors) == ("The Press", "© The Press", ("Press Staff",))


def test_without_any_file_the_built_in_values(tmp_path):
    a = read(story(tmp_path / "alone" / "story.md"))
    assert (a.publisher, a.rights, a.lang, a.authors, a.source_url) == ("", "", "en", (), "")


def test_front_matter_lang_and_source_win(tree):
    a = read(story(tree / "s.md", "title: T\nlang: fr\nsource: https://elsewhere.example/s\n"))
    assert (a.lang, a.source_url) == ("fr", "https://elsewhere.example/s")


def test_a_collection_takes_the_defaults_too(tree):
    story(tree / "issue" / "one.md")
    issue = write(tree / "issue" / "issue.yaml", "title: Issue\narticles: [one.md]\n")
    from longread.files import Inputs
    from longread.source.collection import read_collection

    c = read_collection(issue, Inputs())
    assert (c.article.publisher, c.article.lang) == ("The Issue", "de")


# --- build options: command line > nearest longread.yaml > the one above > built-in ---


def test_option_precedence(tree):
    issue = config.for_source(tree / "issue" / "story.md")
    top = config.for_source(tree / "story.md")
    none = config.for_source(tree.parent / "story.md")
    given = BuildOptions(papers=("letter",), output_dir=Path("cli"))
    assert config.options_for(given, issue).papers == ("letter",)  # the command line wins
    assert config.options_for(given, issue).output_dir == Path("cli")
    assert config.options_for(BuildOptions(), issue).papers == ("a4", "letter")  # the nearest file
    assert config.options_for(BuildOptions(), issue).output_dir.resolve() == (tree / "out").resolve()  # from its folder
    assert config.options_for(BuildOptions(), top).papers == ("trade",)
    plan = make_plan(config.options_for(BuildOptions(), none))  # built-in
    assert ([p.name for p in plan.papers], plan.theme.name, plan.output_dir) == (["letter"], "magazine", Path("build"))


def test_theme_name_is_looked_up_in_the_projects_styles(tmp_path, monkeypatch):
    project = tmp_path / "house"
    shutil.copytree(ROOT / "styles" / "magazine", project / "styles" / "magazine")
    manifest = project / "styles" / "magazine" / "theme.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\ndescription: the house's own\n", encoding="utf-8")
    write(project / "longread.yaml", "theme: magazine\n")
    monkeypatch.chdir(tmp_path)  # the working folder is not the project
    defaults = config.for_source(project / "articles" / "story.md")
    plan = make_plan(config.options_for(BuildOptions(), defaults), project=defaults.project)
    assert plan.theme.folder == (project / "styles" / "magazine").resolve()
    assert plan.theme.origin == "project" and theme_project_root_is(project)


def theme_project_root_is(folder: Path) -> bool:
    from longread.theme import project_root

    return project_root(folder / "articles") == folder.resolve()


def test_groups_are_built_with_their_own_defaults(tmp_path):
    """Two folders with their own longread.yaml, one run: each its own publisher
    and output folder."""
    for name in ("north", "south"):
        write(tmp_path / name / "longread.yaml", f"publisher: The {name.title()}\noutput: built\n")
        story(tmp_path / name / f"{name}.md")
    outcomes = longread.build([tmp_path / "north", tmp_path / "south"], BuildOptions(formats=("epub",)))
    assert not any(o.error for o in outcomes), [o.error for o in outcomes]
    for name in ("north", "south"):
        epub = tmp_path / name / "built" / f"{name}.epub"
        assert publisher(epub) == f"The {name.title()}"


def publisher(epub: Path) -> str:
    with zipfile.ZipFile(epub) as z:
        opf = next(n for n in z.namelist() if n.endswith(".opf"))
        tree = etree.fromstring(z.read(opf))
    return tree.findtext(".//{http://purl.org/dc/elements/1.1/}publisher")


def test_command_line_output_wins_and_a_changed_file_rebuilds(tree, tmp_path):
    story(tree / "issue" / "story.md")
    first = run_longread("build", "issue/story.md", "--format", "epub", cwd=tree)
    assert first.returncode == 0 and first.stdout.startswith("out/story.epub"), first.stdout + first.stderr
    again = run_longread("build", "issue/story.md", "--format", "epub", cwd=tree)
    assert "(up to date)" in again.stdout
    write(tree / "issue" / "longread.yaml", "publisher: The Issue, revised\n")
    changed = run_longread("build", "issue/story.md", "--format", "epub", cwd=tree)
    assert "(up to date)" not in changed.stdout and publisher(tree / "out" / "story.epub") == "The Issue, revised"
    cli = run_longread("build", "issue/story.md", "--format", "epub", "-o", "elsewhere", cwd=tree)
    assert cli.stdout.startswith("elsewhere/story.epub"), cli.stdout


# --- errors -----------------------------------------------------------------------


def test_unknown_key_names_the_nearest(tmp_path):
    write(tmp_path / "longread.yaml", "publisher: P\nlanguage: en\nouput: x\n")
    found = {f.message: f for f in config.for_source(tmp_path / "s.md").findings}
    assert found["unknown key 'language' in longread.yaml ignored"].fix == "did you mean 'lang'?"
    assert found["unknown key 'ouput' in longread.yaml ignored"].fix == "did you mean 'output'?"
    assert found["unknown key 'ouput' in longread.yaml ignored"].line == 3


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("publisher: The Review: Quarterly\n", 1, "a colon inside a value"),
        ("lang: english_uk\n", 1, "not a BCP 47 language tag"),
        ("publisher: P\nsource: https://x.example/{year}/{slug}\n", 2, "the only placeholder is {slug}"),
        ("source: example.org/{slug}\n", 1, r"must be an http\(s\) address"),
        ("author: [A, [B]]\n", 1, "'author' must be text"),
        ("- a list\n", 1, "must be 'key: value' lines"),
    ],
)
def test_bad_file_fails_its_manuscripts_naming_the_file(tmp_path, text, line, words):
    write(tmp_path / "longread.yaml", text)
    with pytest.raises(ManuscriptError, match=words) as info:
        read(story(tmp_path / "s.md"))
    assert info.value.path.name == "longread.yaml" and info.value.line == line
    run = run_longread("build", "s.md", "--format", "epub", cwd=tmp_path)
    assert run.returncode == 1
    (error,) = run.stderr.splitlines()
    assert error.startswith(f"error: {tmp_path / 'longread.yaml'}:{line}:")


def test_a_paper_the_theme_lacks_fails_naming_the_file(tmp_path):
    write(tmp_path / "longread.yaml", "paper: folio\n")
    story(tmp_path / "s.md")
    run = run_longread("build", "s.md", "--format", "epub", cwd=tmp_path)
    assert run.returncode == 1 and "no 'folio' paper" in run.stderr and "longread.yaml asks" in run.stderr
    usage = run_longread("build", "s.md", "--paper", "folio", cwd=tmp_path)
    assert usage.returncode == 2  # on the command line it is a usage error
