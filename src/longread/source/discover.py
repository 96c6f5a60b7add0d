"""Which manuscripts a command works on, and what their outputs are called."""

from __future__ import annotations

import re
from pathlib import Path


def is_collection(path: Path) -> bool:
    """A collection file (YAML listing manuscripts), not a manuscript."""
    return path.suffix.lower() in {".yaml", ".yml"}


def slug(path: Path) -> str:
    """The name a collection's outputs take (a manuscript's is its file name)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "collection"


def find_manuscripts(paths: list[Path]) -> list[Path]:
    """The manuscript files given, and every ``.md`` file in the folders given."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(q for q in p.glob("*.md") if q.is_file())
        else:
            found.append(p)
    return found
