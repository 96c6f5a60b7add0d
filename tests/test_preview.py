"""longread preview: the warm builder, the local server's limits, and the page in a
real headless Chromium (an edit appears; an error appears and clears)."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser import chromium
from longread.model import BuildOptions
from longread.preview import Preview
from longread.preview.findings import SourceText, from_warning, locate
from validators import longread

ROOT = Path(__file__).resolve().parents[1]
SECRET = "TOP-SECRET-NOT-TO-BE-SERVED"
BODY = "The first paragraph of the story, long enough to set.\n\nA second paragraph follows it here.\n"
PHOTO = {"src": "images/photo.jpg", "alt": "A blue rectangle.", "caption": "A caption.", "credit": "Photo by Nobody"}


def wait_for(preview: Preview, ready, timeout: float = 90):
    """The preview's state once ``ready(state)`` holds."""
    deadline = time.monotonic() + timeout
    state = preview.hub.state
    while not ready(state):
        assert time.monotonic() < deadline, f"timed out waiting; the state is {state.as_dict()}"
        state = preview.hub.next(state.version, 0.5)
    return state


def built(state) -> bool:
    return not state.busy and state.printed is not None and (state.error or state.printed.generation)


def save(path: Path, text: str) -> None:
    """Save as an editor does, a moment after the last save (file times are coarse)."""
    time.sleep(0.05)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def folders(tmp_path: Path, image_file) -> dict[str, Path]:
    """A manuscript with a photo, a copy of the theme, and a secret beside both."""
    story = tmp_path / "story"
    image_file(story / "images" / "photo.jpg", (400, 300))
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text(SECRET, encoding="utf-8")
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "styles" / "magazine", theme)
    (theme / "leak.css").symlink_to(tmp_path / "outside" / "secret.txt")  # a link leading out
    (theme / "same.css").symlink_to(theme / "base.css")  # a link inside
    return {"story": story, "theme": theme}


@pytest.fixture
def story(folders, make_manuscript) -> Path:
    return make_manuscript(body=BODY, name="story/story.md", title="A Story to Preview", photo=PHOTO)


@pytest.fixture
def preview(story, folders):
    with Preview(story, BuildOptions(theme=str(folders["theme"])), port=0) as p:
        wait_for(p, built)
        yield p


def get(preview: Preview, path: str, host: str | None = None) -> tuple[int, dict, bytes]:
    """A request sent as written: no client normalises the path first."""
    port = preview.server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host or f"127.0.0.1:{port}")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


# --- the server's limits -------------------------------------------------------------


def test_the_server_listens_on_the_loopback_address_only(preview):
    assert preview.server.server_address[0] == "127.0.0.1"
    assert preview.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    "path",
    [
        "/theme/../outside/secret.txt",
        "/theme/../../outside/secret.txt",
        "/theme/..%2Foutside%2Fsecret.txt",
        "/theme/..%2foutside/secret.txt",
        "/theme/%2e%2e/outside/secret.txt",
        "/theme/%2E%2E%2Foutside%2Fsecret.txt",
        "/theme/%252e%252e/outside/secret.txt",
        "/theme/..%5Coutside%5Csecret.txt",
        "/theme/..\\outside\\secret.txt",
        "/theme//etc/passwd",
        "/theme/%2Fetc%2Fpasswd",
        "/theme/base.css%00../../outside/secret.txt",
        "/theme/leak.css",
        "/theme/theme/leak.css",
        "/theme/./theme/leak.css",
        "/theme/theme/../../outside/secret.txt",
        "/view/images/..%2F..%2Foutside%2Fsecret.txt",
        "/view/source/..%2F..%2Foutside%2Fsecret.txt",
        "/static/..%2Fsession.py",
        "/static/../session.py",
        "/../../outside/secret.txt",
        "/story.md",
        "/story/story.md",
        "/images/photo.jpg",
    ],
)
def test_nothing_outside_the_theme_is_served(preview, path):
    status, _, body = get(preview, path)
    assert status in (400, 404)
    assert SECRET.encode() not in body and b"root:" not in body


def test_what_the_page_needs_is_served(preview, folders):
    # The e-book's stylesheets, named as in the EPUB: the theme's values, then its layers.
    status, headers, values = get(preview, "/theme/tokens.css")
    assert status == 200 and headers["Content-Type"] == "text/css" and b"--colour-accent" in values
    status, headers, body = get(preview, "/theme/theme/base.css")
    assert status == 200 and headers["Content-Type"] == "text/css"
    assert b".headline" in body
    raw = (folders["theme"] / "base.css").read_bytes()
    assert get(preview, "/theme/theme/same.css")[2] == raw  # a link that stays inside the theme
    assert get(preview, "/theme/theme/fonts/GentiumBookPlus-Regular.ttf")[0] == 200
    status, headers, view = get(preview, "/view/ebook.html")
    assert status == 200 and b"A Story to Preview" in view
    assert "default-src 'none'" in headers["Content-Security-Policy"]  # no script runs in the view
    assert b'src="images/photo.jpg"' in view
    status, headers, image = get(preview, "/view/images/photo.jpg")
    assert status == 200 and image[:2] == b"\xff\xd8" and headers["Content-Type"] == "image/jpeg"
    status, headers, page = get(preview, f"/view/pages/{preview.hub.state.printed.generation}/1.jpg")
    assert status == 200 and page[:2] == b"\xff\xd8"


def test_a_page_from_another_host_is_refused(preview):
    """A web page that points its own name at 127.0.0.1 (DNS rebinding) gets nothing."""
    port = preview.server.server_address[1]
    assert get(preview, "/state", host=f"attacker.example:{port}")[0] == 403
    assert get(preview, "/view/ebook.html", host="127.0.0.1")[0] == 403  # another port's origin
    assert get(preview, "/state", host=f"localhost:{port}")[0] == 200


def test_an_image_linked_from_outside_the_folder_is_refused(story, folders):
    (folders["story"] / "images" / "photo.jpg").unlink()
    (folders["story"] / "images" / "photo.jpg").symlink_to(folders["story"].parent / "outside" / "secret.txt")
    with Preview(story, BuildOptions(theme=str(folders["theme"])), port=0) as p:
        state = wait_for(p, lambda s: s.error is not None)
        assert state.error.text == "img-006: image 'images/photo.jpg' is outside the manuscript's folder"
        assert story.read_text(encoding="utf-8").splitlines()[state.error.line - 1] == "  src: images/photo.jpg"
        assert state.ebook is None
        assert SECRET.encode() not in get(p, "/view/images/photo.jpg")[2]


# --- the warm builder ----------------------------------------------------------------


def test_an_error_keeps_the_last_good_view_until_it_is_fixed(preview, story):
    good = preview.hub.state
    text = story.read_text(encoding="utf-8")
    save(story, text.replace("title: A Story to Preview", "title: [A Story to Preview"))
    bad = wait_for(preview, lambda s: s.error is not None and not s.busy)
    assert bad.error.line is not None and bad.error.file.endswith("story.md")
    assert "is not valid YAML" in bad.error.text
    assert bad.ebook is good.ebook and bad.printed is good.printed
    save(story, text.replace("long enough to set", "now edited"))
    fixed = wait_for(preview, lambda s: s.error is None and built(s) and s.printed.generation > good.printed.generation)
    assert b"now edited" in fixed.ebook.document
    assert fixed.ebook.generation == fixed.printed.generation


def test_warnings_point_at_their_manuscript_lines(folders, make_manuscript):
    source = make_manuscript(body=BODY, name="story/story.md", photo=PHOTO, mood="grim")
    with Preview(source, BuildOptions(theme=str(folders["theme"])), port=0) as p:
        state = wait_for(p, built)
    (finding,) = [f for f in state.findings if "unknown front matter key" in f.message]
    lines = source.read_text(encoding="utf-8").splitlines()
    assert lines[finding.line - 1] == "mood: grim"
    assert state.sources[finding.source][0].endswith("story.md")


def test_lines_are_found_from_what_a_message_quotes(tmp_path):
    text = "---\ntitle: T\nphoto:\n  src: images/lead.jpg\n  alt: x\n---\n\nSee [it](ftp://x.example/a).\n"
    assert locate("lead.jpg is the stand-in image; replace it", text) == 4
    assert locate("photo 'alt' repeats the caption", text) == 5
    assert locate("link to 'ftp://x.example/a' removed (only web ...)", text) == 8
    assert locate("something else entirely", text) is None
    source = SourceText(tmp_path / "a.md", text)
    finding = from_warning(f"{tmp_path / 'a.md'}: unknown key 'photo.alt' ignored", [source])
    assert (finding.source, finding.line, finding.text) == (0, 5, "unknown key 'photo.alt' ignored")


def test_a_changed_image_or_theme_rebuilds_and_a_touch_does_not(preview, story, folders, image_file):
    first = preview.hub.state
    os.utime(story)  # saved without a change
    time.sleep(1.0)
    assert preview.hub.state.ebook.generation == first.ebook.generation
    image_file(folders["story"] / "images" / "photo.jpg", (400, 300), color="darkred")
    after_image = wait_for(preview, lambda s: built(s) and s.printed.generation > first.printed.generation)
    assert get(preview, "/view/images/photo.jpg")[2] != b""
    with (folders["theme"] / "epub.css").open("a", encoding="utf-8") as f:
        f.write("\n.kicker { letter-spacing: 0.2em; }\n")
    after_theme = wait_for(preview, lambda s: built(s) and s.printed.generation > after_image.printed.generation)
    assert after_theme.ebook.theme_version != after_image.ebook.theme_version


def test_a_collection_is_previewed_and_each_article_watched(tmp_path, make_manuscript):
    make_manuscript(body="The first article's text.\n", name="issue/one.md", title="Article One")
    second = make_manuscript(body="The second article's text.\n", name="issue/two.md", title="Article Two", lang="de")
    issue = tmp_path / "issue" / "issue.yaml"
    issue.write_text("title: The Issue\nlang: en\narticles: [one.md, two.md]\n", encoding="utf-8")
    with Preview(issue, port=0) as p:
        first = wait_for(p, built)
        for words in (b"The Issue", b"Article One", b"Article Two", b"Contents", b'lang="de"'):
            assert words in first.ebook.document
        save(second, second.read_text(encoding="utf-8").replace("second article's", "edited second"))
        edited = wait_for(p, lambda s: built(s) and s.printed.generation > first.printed.generation)
    assert b"edited second" in edited.ebook.document
    assert [name.rsplit("/", 1)[-1] for name, _ in edited.sources] == ["issue.yaml", "one.md", "two.md"]


def test_a_failure_of_longread_itself_is_shown_and_survived(preview, story, monkeypatch):
    before = preview.hub.state

    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(preview.builder, "ebook", broken)
    save(story, story.read_text(encoding="utf-8") + "\nMore.\n")
    state = wait_for(preview, lambda s: s.error is not None and not s.busy)
    assert "internal error (RuntimeError: a bug)" in state.error.message
    assert state.ebook is before.ebook and "RuntimeError: a bug" in preview.trace
    monkeypatch.undo()
    save(story, story.read_text(encoding="utf-8") + "\nEven more.\n")
    assert b"Even more." in wait_for(preview, lambda s: s.error is None and built(s)).ebook.document


# --- the page, in a real browser -----------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, preview):
    requests = []
    # The page's content policy forbids eval, which Playwright's waits use.
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, bypass_csp=True)
    tab = context.new_page()
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(preview.url)
    tab.wait_for_function("Number(document.body.dataset.printGeneration) >= 1", timeout=90_000)
    tab.requests = requests
    yield tab
    context.close()


def frame_text(tab, which: str = "phone") -> str:
    return tab.evaluate(f"document.getElementById('{which}').contentDocument.body.innerText")


def test_the_page_shows_the_ebook_and_the_print_pages(page, preview):
    for which in ("phone", "tablet"):
        assert "A Story to Preview" in frame_text(page, which)
        assert "The first paragraph of the story" in frame_text(page, which)
    widths = page.evaluate("['phone', 'tablet'].map(id => document.getElementById(id).clientWidth)")
    assert widths == [390, 820]
    assert page.evaluate("document.getElementById('phone').contentDocument.querySelector('img').naturalWidth") == 400
    pages = page.locator("#pages img")
    assert pages.count() == len(preview.hub.state.printed.pages) >= 1
    assert page.evaluate("[...document.querySelectorAll('#pages img')].every(i => i.complete && i.naturalWidth > 0)")
    assert [u for u in page.requests if not u.startswith(preview.url) and not u.startswith("data:")] == []


def test_light_and_dark(page):
    background = "getComputedStyle(document.getElementById('phone').contentDocument.documentElement).backgroundColor"
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.check("input[value=dark]")
    assert page.evaluate(background) == "rgb(18, 18, 18)"


def test_an_edit_appears_in_the_page(page, preview, story):
    before = int(page.evaluate("document.body.dataset.printGeneration"))
    save(story, story.read_text(encoding="utf-8").replace("A second paragraph", "An edited paragraph"))
    page.wait_for_function(
        "document.getElementById('phone').contentDocument.body.innerText.includes('An edited paragraph')",
        timeout=60_000,
    )
    assert "An edited paragraph" in frame_text(page, "tablet")
    page.wait_for_function(f"Number(document.body.dataset.printGeneration) > {before}", timeout=60_000)


def test_an_error_appears_in_the_page_and_clears(page, story):
    text = story.read_text(encoding="utf-8")
    save(story, text.replace("title: A Story to Preview", "title: [A Story to Preview"))
    page.wait_for_selector("#findings li.error", timeout=60_000)
    error = page.inner_text("#findings li.error")
    assert "story.md:" in error and "not valid YAML" in error
    # The manuscript's lines open at the line the error names (where the bracket opens).
    line = int(error.split("story.md:", 1)[1].split()[0])
    assert page.is_visible("#lines") and page.get_attribute("#lines .hit", "id") == f"line-{line}"
    assert page.inner_text("#lines .hit").strip() == "title: [A Story to Preview"
    assert "A Story to Preview" in frame_text(page)  # the last good view stays
    save(story, text.replace("The first paragraph", "The mended paragraph"))
    page.wait_for_function(
        "document.getElementById('phone').contentDocument.body.innerText.includes('The mended paragraph')",
        timeout=60_000,
    )
    page.wait_for_function("!document.querySelector('#findings li.error')", timeout=10_000)
    assert page.evaluate("document.body.dataset.error") == ""


# --- the command ---------------------------------------------------------------------


def test_the_command_refuses_bad_requests_in_one_line(tmp_path, make_manuscript):
    source = make_manuscript()
    missing = longread("preview", "nowhere.md", "--no-browser", cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr == "error: nowhere.md: no such manuscript file\n"
    paper = longread("preview", str(source), "--paper", "a3", "--no-browser", cwd=tmp_path)
    assert paper.returncode == 2 and "has no 'a3' paper" in paper.stderr and paper.stderr.count("\n") == 1
    port = longread("preview", str(source), "--port", "70000", cwd=tmp_path)
    assert port.returncode == 2 and "--port must be between 0 and 65535" in port.stderr
    none = longread("preview", "--no-browser", cwd=tmp_path)
    assert none.returncode == 2 and "name the manuscript to preview" in none.stderr


def test_the_command_serves_until_interrupted(tmp_path, make_manuscript):
    source = make_manuscript()
    proc = subprocess.Popen(
        [sys.executable, "-m", "longread", "preview", str(source), "--port", "0", "--no-browser"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"Previewing {source} at http://127.0.0.1:")
        assert proc.stdout.readline().startswith("built: e-book view ")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert "stopped" in proc.stderr.read()
    finally:
        proc.kill()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.md"]  # nothing written beside it
