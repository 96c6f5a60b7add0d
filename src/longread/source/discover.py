"""Which manuscripts a command works on, and what their outputs are called."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import ManuscriptError, shown


def is_collection(path: Path) -> bool:
    """A collection file (YAML listing manuscripts), not a manuscript."""
    return path.suffix.lower() in {".yaml", ".yml"}


def output_name(path: Path) -> str:
    """The name a source's outputs take: a manuscript's file name, or a collection's
    made safe (``issue 12.yaml`` → ``issue-12``)."""
    if is_collection(path):
        return re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "collection"
    return path.stem


def find_manuscripts(paths: list[Path]) -> tuple[list[Path], dict[Path, str]]:
    """The sources given, and every ``.md`` file in the folders given; and, apart,
    the folder entries refused (a link leading out of its folder), with why."""
    found: list[Path] = []
    refused: dict[Path, str] = {}
    for p in paths:
        if p.is_dir():
            folder = os.path.realpath(p)
            for q in sorted(p.glob("*.md")):
                if not Path(os.path.realpath(q)).is_relative_to(folder):
                    refused[q] = (
                        f"{shown(q)}: a link to a file outside {shown(p)}; not built (name the file to build it)"
                    )
                elif q.is_file():
                    found.append(q)
        else:
            found.append(p)
    return found, refused


def distinct(paths: list[Path]) -> list[Path]:
    """Each source once, however it was named."""
    seen: dict[str, Path] = {}
    for p in paths:
        seen.setdefault(os.path.realpath(p), p)
    return list(seen.values())


def check_names(paths: list[Path]) -> None:
    """Refuse two sources whose outputs would have the same names."""
    owners: dict[str, Path] = {}
    for p in paths:
        name = output_name(p)
        if name in owners:
            raise ManuscriptError(p, f"its outputs would overwrite those of {shown(owners[name])}; rename one")
        owners[name] = p
