"""Shared fixtures: small, generic helpers for writing manuscripts in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from PIL import Image as PILImage

REPO = Path(__file__).resolve().parent.parent

DEFAULT_BODY = "A first paragraph of body text, long enough to read.\n"
DEFAULT_TITLE = "A Test Story"


def write_image(path: Path, size: tuple[int, int] = (32, 24), color: str = "steelblue") -> Path:
    """A small real raster image made with Pillow; the format follows the suffix
    (``.png`` → PNG, anything else → JPEG)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".png":
        PILImage.new("RGBA", size, color).save(path, "PNG")
    else:
        PILImage.new("RGB", size, color).save(path, "JPEG")
    return path


@pytest.fixture
def make_manuscript(tmp_path: Path):
    """Write a manuscript into ``tmp_path`` and return its Path.

    ``make_manuscript(body="...", name="story.md", image=None, **front_matter)``

    - ``front_matter`` keys become the YAML front matter (``title`` defaults to
      ``"A Test Story"``; pass ``title=None`` to leave it out);
    - ``yaml_text="..."`` writes that text verbatim as the front matter instead
      (for YAML that a dict cannot express, e.g. syntax errors or tags);
    - ``image`` is a path (or a list of paths) relative to the manuscript's folder,
      e.g. ``"images/photo.jpg"``: a small JPEG (or PNG for ``.png``) is written there;
    - ``name`` may contain folders (``"sub/story.md"``); they are created.
    """

    def make(
        body: str = DEFAULT_BODY,
        name: str = "story.md",
        image: str | list[str] | tuple[str, ...] | None = None,
        yaml_text: str | None = None,
        **front_matter: object,
    ) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if yaml_text is None:
            front_matter.setdefault("title", DEFAULT_TITLE)
            front_matter = {k: v for k, v in front_matter.items() if v is not None}
            yaml_text = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False) if front_matter else ""
        if yaml_text and not yaml_text.endswith("\n"):
            yaml_text += "\n"
        path.write_text(f"---\n{yaml_text}---\n\n{body}", encoding="utf-8")
        for rel in [image] if isinstance(image, str) else image or ():
            write_image(path.parent / rel)
        return path

    return make


@pytest.fixture
def image_file():
    """``image_file(path, size=(32, 24))``: write a small JPEG/PNG anywhere (e.g. outside
    the manuscript's folder) and return its Path."""
    return write_image


@pytest.fixture(scope="session")
def review_path() -> Path:
    """The bundled review manuscript."""
    path = REPO / "manuscript" / "last-take-review.md"
    assert path.is_file(), path
    return path


# The quick subset for the edit loop (`pytest -m 'not slow'`, about a minute): the
# stages' own tests, which build no whole edition.  Every other file builds, lays
# out or validates whole outputs and is marked slow, new files included.
QUICK = {
    "test_read",
    "test_typeset",
    "test_render",
    "test_limits",
    "test_images",
    "test_config",
    "test_check",
    "test_imports",
    "test_theme",
    "test_new",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.stem not in QUICK:
            item.add_marker(pytest.mark.slow)
