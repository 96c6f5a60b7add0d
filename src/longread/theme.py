"""Themes: a folder of stylesheets and fonts described by a small ``theme.yaml``."""

from __future__ import annotations

from pathlib import Path

import yaml

from . import theme_css
from .errors import ManuscriptError
from .model import FontFace, Theme

PACKAGE_DIR = Path(__file__).resolve().parent


def search_path() -> list[Path]:
    """Where a theme NAME is looked for: the project's ``styles/`` in the working
    directory, the copy installed with the package, and the source checkout."""
    return [Path.cwd() / "styles", PACKAGE_DIR / "styles", PACKAGE_DIR.parents[1] / "styles"]


def find(name_or_dir: str) -> Path:
    candidate = Path(name_or_dir)
    if (candidate / "theme.yaml").is_file():
        return candidate.resolve()
    if "/" not in name_or_dir and "\\" not in name_or_dir:
        for root in search_path():
            if (root / name_or_dir / "theme.yaml").is_file():
                return (root / name_or_dir).resolve()
    raise ManuscriptError(name_or_dir, "no such theme (a theme is a folder with a theme.yaml)")


def load(name_or_dir: str) -> Theme:
    folder = find(name_or_dir)
    manifest = folder / "theme.yaml"
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as e:
        raise ManuscriptError(manifest, f"not a valid theme manifest ({e.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ManuscriptError(manifest, "not a valid theme manifest")
    try:
        return _theme(folder, manifest, data)
    except (AttributeError, TypeError, ValueError) as e:  # a list where a mapping belongs, a bad weight
        raise ManuscriptError(manifest, f"not a valid theme manifest ({e})") from None


def _theme(folder: Path, manifest: Path, data: dict) -> Theme:

    def file(rel: object, what: str) -> Path:
        if not isinstance(rel, str):
            raise ManuscriptError(manifest, f"{what} must be a file name")
        path = (folder / rel).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            raise ManuscriptError(manifest, f"{what} {rel!r} is not a file inside the theme")
        return path

    sheets = data.get("stylesheets") or {}
    faces, licences = [], []
    for family in data.get("fonts") or []:
        licences.append(file(family.get("licence"), "font licence"))
        for face in family.get("faces") or []:
            faces.append(
                FontFace(
                    family=str(family.get("family")),
                    path=file(face.get("file"), "font"),
                    weight=int(face.get("weight", 400)),
                    style=str(face.get("style", "normal")),
                )
            )
    if not faces:
        raise ManuscriptError(manifest, "the theme lists no fonts")
    for sheet in (*(sheets.get(k) for k in ("base", "epub", "print", "press")), *(data.get("paper") or {}).values()):
        if sheet:
            theme_css.check(file(sheet, "stylesheet"), folder)
    dash_style = (data.get("typography") or {}).get("dashes", "closed")
    if dash_style not in {"closed", "spaced"}:
        raise ManuscriptError(manifest, "typography.dashes must be 'closed' or 'spaced'")
    return Theme(
        name=str(data.get("name") or folder.name),
        folder=folder,
        base_css=file(sheets.get("base"), "stylesheet"),
        epub_css=file(sheets.get("epub"), "stylesheet"),
        print_css=file(sheets.get("print"), "stylesheet"),
        paper_css={k: file(v, "paper stylesheet") for k, v in (data.get("paper") or {}).items()},
        press_css=file(sheets["press"], "stylesheet") if sheets.get("press") else None,
        faces=tuple(faces),
        licences=tuple(licences),
        dash_style=dash_style,
        cover={k: str(v) for k, v in (data.get("cover") or {}).items()},
    )
