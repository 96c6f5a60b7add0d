"""Which manuscripts a command works on."""

from __future__ import annotations

from pathlib import Path


def find_manuscripts(paths: list[Path]) -> list[Path]:
    """The manuscript files given, and every ``.md`` file in the folders given."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(q for q in p.glob("*.md") if q.is_file())
        else:
            found.append(p)
    return found
