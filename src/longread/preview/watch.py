"""Knowing when to rebuild: the manuscript, every file the last build read, the
folders a missing image may appear in, and the theme, polled.

Polling a few dozen ``stat`` calls every 50 ms costs nothing measurable and
works the same on every system and editor (in-place writes, atomic renames,
network folders).  A changed time stamp alone is not a change: a file is
compared with the SHA-256 the build recorded when it read it, a folder with
its listing, so an editor touching its own swap files does not rebuild.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

Signature = dict[str, tuple[int, int, int] | None]


def stat_of(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def digest(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def listing(path: str) -> frozenset[str]:
    try:
        return frozenset(os.listdir(path))
    except OSError:
        return frozenset()


class Watcher:
    def __init__(self, source: Path) -> None:
        self.source = os.path.abspath(source)
        self.files: set[str] = {self.source}
        self.hashes: dict[str, str] = {}
        self.dirs: dict[str, frozenset[str]] = {}
        self.theme: str | None = None
        self.baseline: Signature = {}

    def paths(self) -> list[str]:
        theme = [os.fspath(p) for p in Path(self.theme).rglob("*") if p.is_file()] if self.theme else []
        return sorted(self.files | set(self.dirs) | set(theme))

    def signature(self) -> Signature:
        return {p: stat_of(p) for p in self.paths()}

    def theme_version(self) -> str:
        """A short token that changes whenever a theme file does."""
        theme = {p: s for p, s in self.signature().items() if self.theme and p.startswith(self.theme)}
        return hashlib.sha256(repr(sorted(theme.items())).encode()).hexdigest()[:12]

    def watch(self, read: list[tuple[str, str]], theme_folder: Path, before: Signature) -> None:
        """Watch what a build read (with the hashes it read), the folders around
        it, and the theme.  ``before`` is the signature taken as the build began:
        a save during the build is still seen as a change afterwards."""
        self.hashes = dict(read)
        self.files = {self.source, *self.hashes}
        folder = os.path.dirname(self.source)
        around = {folder, *(os.path.dirname(p) for p in self.files)}
        try:
            around |= {e.path for e in os.scandir(folder) if e.is_dir() and not e.name.startswith(".")}
        except OSError:
            pass  # the folder is gone; it is watched, and its return is a change
        known = self.dirs
        self.dirs = {d: known[d] if d in known else listing(d) for d in around}
        self.theme = os.fspath(theme_folder)
        now = self.signature()
        self.baseline = {p: before[p] if p in before else now[p] for p in now}

    def changed(self) -> bool:
        """Whether anything watched changed in content since the baseline."""
        now = self.signature()
        if now == self.baseline:
            return False
        for path, stat in now.items():
            if stat == self.baseline.get(path, ()):
                continue
            if path in self.dirs:
                if listing(path) != self.dirs[path]:
                    return True
            elif path not in self.hashes or digest(path) != self.hashes[path]:
                return True
        self.baseline = now  # only time stamps moved
        return False

    def accept(self) -> Signature:
        """The signature now, as a build begins; folders' listings are taken now too."""
        self.dirs = {d: listing(d) for d in self.dirs}
        return self.signature()
