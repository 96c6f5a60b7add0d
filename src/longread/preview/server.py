"""The preview's web server: the standard library's threading HTTP server, bound
to 127.0.0.1 only.

What it serves, and nothing else:

- ``/`` and ``/static/NAME``: the preview page itself (a fixed list of files
  shipped with longread);
- ``/events``: the state, as Server-Sent Events, whenever it changes; ``/state``
  once, as JSON;
- ``/view/...``: what the last good build made, from memory (the e-book view,
  its images by name, the print pages by number, the manuscript text);
- ``/theme/PATH``: the theme's files as the EPUB holds them (``tokens.css``, then
  ``NAME/FILE`` for each folder of the theme and of the themes it extends): only
  names on that list are served, each a regular file inside its folder, so a path
  with ``..``, an encoded slash, or a link that leads out of the folder is not found.

A request naming any other host than 127.0.0.1 or localhost (a web page that
rebinds its DNS name to this address) is refused.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import ManuscriptError
from ..files import read_checked
from ..model import Theme

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC = {
    "index.html": "text/html; charset=utf-8",
    "preview.js": "text/javascript; charset=utf-8",
    "preview.css": "text/css; charset=utf-8",
    "reader.css": "text/css; charset=utf-8",
}
#: The preview page runs only its own script and shows only what this server sends.
SHELL_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
#: The e-book view runs no script at all, whatever a manuscript holds.
VIEW_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'self'; font-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
THEME_FILE_LIMIT = 64 * 1024 * 1024
KEEP_ALIVE = 15.0


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, hub, theme: Callable[[], Theme]) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.hub = hub
        self.theme = theme

    @property
    def hosts(self) -> set[str]:
        port = self.server_address[1]
        return {f"127.0.0.1:{port}", f"localhost:{port}"}


def make(port: int, hub, theme: Callable[[], Theme]) -> Server:
    return Server(port, hub, theme)


class Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = "longread-preview"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        pass  # the command reports builds, not requests

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self.route(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self.route(body=True)

    def route(self, body: bool) -> None:
        if self.headers.get("Host", "").lower() not in self.server.hosts:
            return self.reply(403, b"forbidden: not a local address\n", "text/plain", body=body)
        path = urlsplit(self.path).path
        state = self.server.hub.state
        if path == "/events" and body:
            return self.events()
        if path == "/state":
            return self.reply(200, json.dumps(state.as_dict()).encode(), "application/json", body=body)
        found = self.find(path, state)
        if found is None:
            return self.reply(404, b"not found\n", "text/plain", body=body)
        data, kind, policy = found
        self.reply(200, data, kind, policy, body=body)

    def find(self, path: str, state) -> tuple[bytes, str, str | None] | None:
        """What a path names: its bytes, media type and content policy; None when nothing."""
        if path == "/":
            path = "/static/index.html"
        if path.startswith("/static/"):
            name = path[len("/static/") :]
            if name in STATIC:
                return (STATIC_DIR / name).read_bytes(), STATIC[name], SHELL_POLICY
            return None
        if path.startswith("/theme/"):
            data = theme_file(self.server.theme(), path[len("/theme/") :])
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return None if data is None else (data, kind, None)
        return view_file(path, state)

    def reply(self, status: int, data: bytes, kind: str, policy: str | None = None, body: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.common_headers(policy)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def common_headers(self, policy: str | None) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        if policy:
            self.send_header("Content-Security-Policy", policy)

    def events(self) -> None:
        """The state as Server-Sent Events: now, and after every change."""
        hub = self.server.hub
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.common_headers(None)
        self.end_headers()
        version = None
        try:
            while not hub.closed:
                state = hub.state if version is None else hub.next(version, KEEP_ALIVE)
                if state.version != version:
                    self.wfile.write(b"data: " + json.dumps(state.as_dict()).encode() + b"\n\n")
                    version = state.version
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed


def view_file(path: str, state) -> tuple[bytes, str, str | None] | None:
    """What the last good build made, by name, from memory."""
    view, printed = state.ebook, state.printed
    if path == "/view/ebook.html" and view is not None:
        return view.document, "text/html; charset=utf-8", VIEW_POLICY
    if path.startswith("/view/images/") and view is not None:
        key = unquote(path[len("/view/images/") :])
        try:
            data = view.images[key]
        except (KeyError, ManuscriptError):
            return None
        return data, mimetypes.guess_type(key)[0] or "application/octet-stream", None
    m = re.fullmatch(r"/view/pages/(\d+)/(\d+)\.jpg", path)
    if m and printed is not None and int(m[1]) == printed.generation and 1 <= int(m[2]) <= len(printed.pages):
        return printed.pages[int(m[2]) - 1], "image/jpeg", None
    m = re.fullmatch(r"/view/source/(\d+)", path)
    if m and int(m[1]) < len(state.sources):
        return state.sources[int(m[1])][1].encode(), "text/plain; charset=utf-8", None
    return None


def theme_file(theme: Theme, rel: str) -> bytes | None:
    """A file of the theme by its name in :func:`theme_files`, or None.  The path is
    decoded once and must be one of those names exactly; :func:`read_checked` then
    refuses a link leading out of the theme's folder."""
    found = theme_files(theme).get(unquote(rel))
    if found is None or isinstance(found, bytes):
        return found
    path, folder = found
    try:
        return read_checked(path, folder, folder, "theme file", THEME_FILE_LIMIT)
    except ManuscriptError:
        return None


def theme_files(theme: Theme) -> dict[str, bytes | tuple[Path, Path]]:
    """What ``/theme/`` serves: the e-book's stylesheets as the EPUB holds them
    (tokens.css first), and every other file of the theme's folders by its EPUB
    path (fonts), with the folder it must stay inside."""
    from .. import tokens

    files: dict[str, bytes | tuple[Path, Path]] = {}
    for folder in theme.folders or (theme.folder,):
        for path in sorted(folder.rglob("*")):
            if path.is_file() or path.is_symlink():
                files[theme.href(path).removeprefix("styles/")] = (path, folder)
    for href, css in tokens.epub_sheets(theme):
        files[href.removeprefix("styles/")] = css
    return files
