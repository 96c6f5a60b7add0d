"""Files in and out: every input read once, checked and hashed; every output
written so that no reader ever sees half of one, and a build's outputs replaced
together or not at all."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import ManuscriptError, quoted

#: No manuscript, collection or image file is read past this size: far above any
#: real one, far below what would exhaust memory.
MAX_INPUT_BYTES = 256 * 1024 * 1024


class Inputs:
    """The files one build reads, each read once through here.

    A file is read only when it is a regular file inside its folder (no device,
    FIFO or link leading out) and under the size limit.  Its bytes are kept, so
    that every output is made from the same bytes (a file swapped while the build
    runs cannot reach one output and not another), and its SHA-256 is recorded in
    reading order, so the up-to-date stamp holds exactly what the build read.
    """

    def __init__(self) -> None:
        self._data: dict[Path, bytes] = {}
        self.read_order: list[tuple[str, str]] = []

    def read(
        self, path: Path, within: Path, owner: Path | None = None, what: str = "file", limit: int = MAX_INPUT_BYTES
    ) -> bytes:
        key = Path(os.path.abspath(path))
        if key not in self._data:
            data = read_checked(path, within, owner or path, what, limit)
            self._data[key] = data
            self.read_order.append((os.fsdecode(key), hashlib.sha256(data).hexdigest()))
        return self._data[key]

    def data(self, path: Path) -> bytes:
        """The bytes read earlier from ``path`` (never read again)."""
        return self._data[Path(os.path.abspath(path))]


def read_checked(path: Path, within: Path, owner: Path, what: str = "file", limit: int = MAX_INPUT_BYTES) -> bytes:
    """A file's bytes, provided it is a regular file inside ``within`` and no larger
    than ``limit``; else a :class:`ManuscriptError` naming ``owner``."""
    # As the writer names it: relative to the folder it must stay in.
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(within))
    name = quoted(rel if not rel.startswith("..") else path.name)
    try:
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(os.path.realpath(within)):
            raise ManuscriptError(owner, f"{what} {name} leads outside its folder")
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except RuntimeError:
        raise ManuscriptError(owner, f"{what} {name} is a link that loops back on itself") from None
    except FileNotFoundError:
        raise ManuscriptError(owner, f"{what} {name} not found") from None
    except OSError as e:
        raise ManuscriptError(owner, f"{what} {name} cannot be opened ({e.strerror or e})") from None
    with os.fdopen(fd, "rb") as f:
        # What was opened, as the system sees it: a folder on the way swapped for a
        # link after the check above still cannot lead the read outside.
        opened = f"/proc/self/fd/{f.fileno()}"
        if os.path.exists(opened) and not Path(os.readlink(opened)).is_relative_to(os.path.realpath(within)):
            raise ManuscriptError(owner, f"{what} {name} leads outside its folder")
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ManuscriptError(owner, f"{what} {name} is not a regular file")
        if info.st_size > limit:
            raise ManuscriptError(owner, f"{what} {name} is {_size(info.st_size)}; the limit is {_size(limit)}")
        data = f.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise ManuscriptError(owner, f"{what} {name} is over {_size(limit)}")
    return data


def _size(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then move it into place: a reader
    never sees half a file, a failed build leaves the previous output intact, and
    processes writing the same cache entry at once do not trip over each other."""
    tmp = stage(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to a hidden temporary file beside ``target`` and return it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def replace_together(files: dict[Path, bytes]) -> None:
    """Write every file, then move them all into place: when the disk fills up or
    a write fails, no output is replaced, so an EPUB and a PDF never come from two
    different builds."""
    staged: dict[Path, Path] = {}
    try:
        for target, data in files.items():
            staged[target] = stage(target, data)
        for target, tmp in staged.items():
            os.replace(tmp, target)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
