"""The image files one manuscript uses, each read and checked once.

The same picture used many times — by one name or by several, as a figure or as
the lead photo — gets one key, so both outputs hold it once.
"""

from __future__ import annotations

from pathlib import Path

from ..assets import images
from ..errors import ManuscriptError
from ..files import Inputs

#: All the image files of one manuscript together: their bytes stay in memory for
#: the build, beside one decoded image at a time.
MAX_TOTAL_BYTES = 400 * 1024**2


class ImageFiles:
    def __init__(self, manuscript: Path, inputs: Inputs) -> None:
        self.manuscript = manuscript
        self.inputs = inputs
        self.warnings: list[str] = []
        self._by_path: dict[Path, tuple[images.Source, str]] = {}
        self._by_digest: dict[str, str] = {}
        self._taken: set[str] = set()
        self._total = 0

    def use(self, src: str) -> tuple[images.Source, str]:
        """The checked file ``src`` refers to, and its key in the outputs."""
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
            self.warnings += images.warnings_for(self.manuscript, path, source.info)
        self._by_path[path] = (source, key)
        return source, key
