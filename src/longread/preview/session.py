"""A preview session: the warm builder, the watcher and the local web server,
tied together.

The builder runs on its own thread: it waits for a save, makes the e-book view
and publishes it at once, then the print pages.  Every published
:class:`~longread.preview.state.State` reaches the open pages through the
server's event stream.  A build that fails publishes its error and keeps the
views of the last good build.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from ..errors import ManuscriptError, shown
from ..model import BuildOptions
from . import server
from .builder import Builder
from .findings import SourceText, from_error, from_finding
from .state import Finding, State
from .watch import Watcher

TEXT_SUFFIXES = (".md", ".markdown", ".yaml", ".yml")


class Hub:
    """The latest state, and a way to wait for the next one."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._changed = threading.Condition()
        self.closed = False

    @property
    def state(self) -> State:
        return self._state

    def publish(self, **changes) -> State:
        with self._changed:
            self._state = replace(self._state, version=self._state.version + 1, **changes)
            self._changed.notify_all()
            return self._state

    def next(self, version: int, timeout: float) -> State:
        """The state once it is newer than ``version`` (or after ``timeout``)."""
        with self._changed:
            self._changed.wait_for(lambda: self._state.version != version or self.closed, timeout)
            return self._state

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


class Preview:
    """Preview one manuscript (or collection) in the browser while it is edited.

    Raises :class:`ManuscriptError` for a source that is not there or a theme or
    paper that cannot be used, and :class:`OSError` when the port is taken.
    ``on_build`` is called with the state after each build (on the builder's
    thread).
    """

    def __init__(
        self,
        source: Path,
        options: BuildOptions | None = None,
        port: int = 0,
        poll: float = 0.05,
        on_build: Callable[[State], None] | None = None,
    ) -> None:
        self.source = Path(source)
        check_source(self.source)
        self.poll = poll
        self.on_build = on_build
        self.trace = ""  # the traceback of the last internal error
        self._stop = threading.Event()
        self._cache = tempfile.TemporaryDirectory(prefix="longread-preview-")
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="longread-images")
        self._threads: list[threading.Thread] = []
        try:
            self.builder = Builder(self.source, options or BuildOptions(), Path(self._cache.name), self._pool)
            self.hub = Hub(State(source_name=shown(self.source), session=secrets.token_hex(8)))
            self.watcher = Watcher(self.source)
            self.watcher.theme = os.fspath(self.builder.plan.theme.folder)
            self.server = server.make(port, self.hub, lambda: self.builder.plan.theme)
        except BaseException:
            self._release()
            raise
        self.generation = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self) -> Preview:
        for name, target in (("longread-builder", self._run), ("longread-server", self.server.serve_forever)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def wait(self) -> None:
        """Block until :meth:`close` (or Ctrl-C)."""
        while not self._stop.wait(0.5):
            pass

    def close(self) -> None:
        self._stop.set()
        self.hub.close()
        if self._threads:
            self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        self._release()

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _release(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._cache.cleanup()

    # --- the builder's thread ---------------------------------------------------------

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                if first or self.watcher.changed():
                    first = False
                    self._settle()
                    self._build()
                else:
                    self._stop.wait(self.poll)
            except Exception as e:  # noqa: BLE001 (a bug of ours must not stop the previews to come)
                self.trace = traceback.format_exc()
                message = internal_message(self.source, e)
                self._done(self.hub.publish(error=Finding("error", message, text=message), busy=""))
                self._stop.wait(self.poll)

    def _settle(self) -> None:
        """Let a save finish: some editors write a file in more than one step."""
        before = self.watcher.signature()
        for _ in range(20):
            time.sleep(0.01)
            now = self.watcher.signature()
            if now == before:
                return
            before = now

    def _build(self) -> None:
        before = self.watcher.accept()
        self.generation += 1
        generation = self.generation
        self.hub.publish(busy="ebook")
        try:
            draft = self.builder.ebook(generation, self.watcher.theme_version())
        except Exception as e:  # noqa: BLE001 (every failure is shown in the page)
            self._failed(e, before)
            return
        sources = self._sources()
        self.watcher.watch(self.builder.inputs.read_order, draft.plan.theme.folder, before)
        self.hub.publish(
            ebook=draft.view,
            error=None,
            findings=tuple(from_finding(f, sources) for f in dict.fromkeys(draft.findings)),
            busy="print",
            sources=tuple((s.name, s.text) for s in sources),
        )
        if self.watcher.changed():
            self.hub.publish(busy="")
            return  # saved again meanwhile: that save's e-book view comes first
        try:
            printed = self.builder.print_pages(draft, generation)
        except Exception as e:  # noqa: BLE001
            self._failed(e, before)
            return
        findings = tuple(from_finding(f, sources) for f in dict.fromkeys(draft.findings))
        self._done(self.hub.publish(printed=printed, findings=findings, busy=""))

    def _failed(self, error: Exception, before) -> None:
        sources = self._sources()
        self.watcher.watch(self.builder.inputs.read_order, self.builder.plan.theme.folder, before)
        others: tuple[Finding, ...] = ()
        if isinstance(error, ManuscriptError):
            finding = from_error(error, sources)
            # The other mistakes reading found before it stopped, each at its line.
            rest = [f for f in getattr(error, "findings", ()) if f.text != error.reason]
            others = tuple(from_finding(f, sources) for f in rest)
        else:
            message = internal_message(self.source, error)
            finding = Finding("error", message, text=message)
            if not isinstance(error, (OSError, MemoryError, RecursionError)):
                self.trace = traceback.format_exc()
        texts = tuple((s.name, s.text) for s in sources)
        state = self.hub.publish(error=finding, findings=others, busy="", sources=texts)
        self._done(state)

    def _done(self, state: State) -> None:
        if self.on_build:
            self.on_build(state)

    def _sources(self) -> list[SourceText]:
        """The manuscript files the build read, as text, for the page's line view."""
        inputs = self.builder.inputs
        found = []
        for name, _ in inputs.read_order:
            if name.lower().endswith(TEXT_SUFFIXES):
                found.append(SourceText(Path(name), inputs.data(Path(name)).decode("utf-8", "replace")))
        return found


def check_source(source: Path) -> None:
    if not source.exists():
        raise ManuscriptError(source, "no such manuscript file")
    if not source.is_file() or source.suffix.lower() not in TEXT_SUFFIXES:
        raise ManuscriptError(source, "not a manuscript (.md) or a collection (.yaml) to preview")


def internal_message(source: Path, error: Exception) -> str:
    if isinstance(error, OSError):
        where = f" ({shown(error.filename)})" if error.filename else ""
        return f"{shown(source)}: {error.strerror or error}{where}"
    if isinstance(error, RecursionError):
        return f"{shown(source)}: the manuscript is nested too deeply to lay out"
    if isinstance(error, MemoryError):
        return f"{shown(source)}: the manuscript needs more memory than this machine has"
    return (
        f"{shown(source)}: internal error ({type(error).__name__}: {shown(error)}); "
        "run longread preview with --debug for details"
    )
