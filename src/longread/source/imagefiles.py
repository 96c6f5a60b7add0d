"""The image files one manuscript uses, each read and checked once.

The same picture used many times — by one name or by several, as a figure or as
the lead photo — gets one key, so both outputs hold it once.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path

from ..assets import images
from ..errors import ManuscriptError, quoted
from ..files import Inputs
from ..findings import ERROR, WARNING, Finding, FindingError, Report, finding

#: All the image files of one manuscript together: their bytes stay in memory for
#: the build, beside one decoded image at a time.
MAX_TOTAL_BYTES = 400 * 1024**2


class ImageFiles:
    def __init__(self, manuscript: Path, inputs: Inputs) -> None:
        self.manuscript = manuscript
        self.inputs = inputs
        #: What using the files found (a stand-in photo, a name in other capitals).
        self.findings: list[Finding] = []
        self._by_path: dict[Path, tuple[images.Source, str]] = {}
        self._by_digest: dict[str, str] = {}
        self._taken: set[str] = set()
        self._total = 0

    def use(self, src: str, at=None, report: Report | None = None) -> tuple[images.Source, str] | None:
        """The checked file ``src`` refers to, and its key in the outputs.  With a
        ``report``, a file that cannot be used is an error finding there (placed
        at ``at``) and the answer is None; without one, it raises."""
        if report is None:
            return self._use(src, at)
        with report.going_on("img-006", at):
            return self._use(src, at)
        return None

    def _use(self, src: str, at) -> tuple[images.Source, str]:
        written, on_disk = name_on_disk(self.manuscript, src)
        if on_disk and on_disk != written:
            self._case(src, written, on_disk, at)
        path = images.resolve(self.manuscript, src)
        if path in self._by_path:
            return self._by_path[path]
        source = images.load(self.manuscript, path, self.inputs)
        key = self._by_digest.get(source.digest)
        if key is None:
            self._total += len(source.data)
            if self._total > MAX_TOTAL_BYTES:
                raise ManuscriptError(
                    self.manuscript,
                    f"the images of this manuscript take over {MAX_TOTAL_BYTES // 1024**2} MB; "
                    "use smaller copies (3000 pixels on the long edge is enough for print)",
                )
            key = images.key_for(path, source.info, self._taken)
            self._taken.add(key)
            self._by_digest[source.digest] = key
            if source.info.stand_in:
                self.findings.append(
                    finding(
                        "img-004",
                        self.manuscript,
                        f"{path.name} is the stand-in image",
                        "replace it with the real photo before publishing",
                        at,
                    )
                )
        self._by_path[path] = (source, key)
        return source, key

    def _case(self, src: str, written: str, on_disk: str, at) -> None:
        """A name in other capitals than the file's: not found on most systems, and
        found on macOS and Windows only to break on the next machine."""
        fix = f"write {quoted(on_disk)}: file names are case-sensitive on most systems"
        message = f"image {quoted(src)} is not the file's name, {quoted(on_disk)}"
        if (self.manuscript.parent / written).is_file():  # a case-insensitive file system
            self.findings.append(finding("img-002", self.manuscript, message, fix, at, WARNING))
        else:
            raise FindingError([finding("img-002", self.manuscript, message, fix, at, ERROR)])


def name_on_disk(manuscript: Path, src: str) -> tuple[str, str]:
    """The image path as written (relative, decoded) and as the folder spells it
    ("" when no file matches even ignoring case, or the path leaves the folder)."""
    rel = urllib.parse.unquote(src)
    parts = Path(rel).parts
    if not parts or ".." in parts or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^[/\\]", rel):
        return rel, ""
    folder, spelled = manuscript.parent, []
    for part in parts:
        try:
            names = os.listdir(folder) if folder.is_dir() else []
        except OSError:
            return rel, ""
        match = part if part in names else {n.lower(): n for n in names}.get(part.lower())
        if match is None:
            return rel, ""
        spelled.append(match)
        folder = folder / match
    return Path(*parts).as_posix(), Path(*spelled).as_posix()
