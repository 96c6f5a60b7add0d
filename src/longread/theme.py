"""Themes: a folder of stylesheets and fonts described by a small ``theme.yaml``.

A theme may extend another (``extends: magazine``) and then holds only what it
changes: a stylesheet layer appended after its parent's, fonts replaced or added,
design values overridden.  Every key is described in docs/themes.md.

A theme NAME is looked up in the project's ``styles/`` folder (the project being
the folder that holds ``longread.yaml``, else the top of the repository), then
among the themes that come with longread; a folder path is used as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from . import theme_css
from .errors import ManuscriptError
from .model import FontFace, Paper, Theme

PACKAGE_DIR = Path(__file__).resolve().parent
#: The themes that come with longread: inside the installed package, or at the top
#: of a source checkout.
BUNDLED = (PACKAGE_DIR / "styles", PACKAGE_DIR.parents[1] / "styles")
MANIFEST = "theme.yaml"
PROJECT_FILE = "longread.yaml"

#: The design values a theme declares, by group: each ``group: {name: value}`` becomes
#: the custom property ``--<prefix>-<name>``.
VALUE_GROUPS = {"colours": "colour", "sizes": "size", "leading": "leading", "spacing": "space"}
STYLESHEETS = ("base", "epub", "print", "press", "web")
COVER_LAYOUTS = {"banner", "centred"}
#: Absolute CSS lengths in points, for the paper geometry.
UNITS = {"pt": 1.0, "in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pc": 12.0, "px": 0.75, "q": 72 / 101.6}
PAGE_SIZES = {
    "letter": (612.0, 792.0),
    "legal": (612.0, 1008.0),
    "a4": (595.28, 841.89),
    "a5": (419.53, 595.28),
    "b5": (498.9, 708.66),
    "trade": (432.0, 648.0),
}
NAME = re.compile(r"[a-z][a-z0-9-]*\Z")
# A value goes into a stylesheet as it is: nothing that could end the declaration.
UNSAFE = re.compile(r"[;{}<>\\]|/\*|\*/")


# --- finding themes ---------------------------------------------------------------


def project_root(start: Path | None = None) -> Path | None:
    """The project a build belongs to: the nearest folder, from ``start`` (the
    working folder) upwards, that holds ``longread.yaml``; else the top of the
    repository it is in; else none."""
    here = (start or Path.cwd()).resolve()
    chain = [here, *here.parents]
    for marker in (PROJECT_FILE, ".git"):
        for folder in chain:
            if (folder / marker).exists():
                return folder
    return None


def search_path(project: Path | None = None) -> list[tuple[Path, str]]:
    """The folders a theme NAME is looked for in, in order, each with its origin."""
    root = project if project is not None else project_root()
    bundled = [folder.resolve() for folder in BUNDLED if folder.is_dir()]
    found = []
    if root is not None and (root / "styles").is_dir() and (root / "styles").resolve() not in bundled:
        found.append(((root / "styles").resolve(), "project"))
    return found + [(folder, "bundled") for folder in dict.fromkeys(bundled)]


def available(project: Path | None = None) -> list[tuple[str, str, Path, str]]:
    """Every theme a NAME can reach, as (name, description, folder, origin); a
    project theme hides a bundled one of the same name."""
    themes: dict[str, tuple[str, str, Path, str]] = {}
    for root, origin in search_path(project):
        for folder in sorted(p for p in root.iterdir() if (p / MANIFEST).is_file()):
            if folder.name not in themes:
                themes[folder.name] = (folder.name, _description(folder), folder, origin)
    return sorted(themes.values())


def _description(folder: Path) -> str:
    try:
        data = yaml.safe_load((folder / MANIFEST).read_text(encoding="utf-8"))
        return " ".join(str(data.get("description") or "").split()) if isinstance(data, dict) else ""
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return ""


def find(name_or_dir: str, project: Path | None = None) -> Path:
    """The folder of a theme given by path or by name (see the module's notes)."""
    return _locate(name_or_dir, project)[0]


def _locate(name_or_dir: str, project: Path | None, skip: tuple[Path, ...] = ()) -> tuple[Path, str]:
    candidate = Path(name_or_dir).expanduser()
    if not skip and (candidate / MANIFEST).is_file():
        return candidate.resolve(), "folder"
    if NAME.match(name_or_dir):
        for root, origin in search_path(project):
            folder = root / name_or_dir
            if (folder / MANIFEST).is_file() and folder.resolve() not in skip:
                return folder.resolve(), origin
    names = ", ".join(t[0] for t in available(project)) or "none"
    raise ManuscriptError(name_or_dir, f"no such theme (the themes are: {names}; or give a theme folder)")


def lineage(folder: Path, project: Path | None = None) -> list[tuple[Path, str, dict]]:
    """A theme folder and the folders of its parents, nearest first, each with its
    origin and its manifest read.  A parent is looked for beside the theme first,
    then as a NAME is; a theme that names itself as its parent means the next theme
    of that name along the search path (a project's own ``magazine`` may extend the
    bundled one)."""
    chain = [(folder, "folder", _manifest(folder))]
    while (parent := chain[-1][2].get("extends")) is not None:
        manifest = chain[-1][0] / MANIFEST
        if not isinstance(parent, str) or not NAME.match(parent):
            raise ManuscriptError(manifest, "'extends' must be the name of a theme, such as magazine")
        seen = tuple(f for f, _, _ in chain)
        beside = chain[-1][0].parent / parent
        if (beside / MANIFEST).is_file() and beside.resolve() != chain[-1][0]:
            found, origin = beside.resolve(), chain[-1][1]
        else:
            try:
                found, origin = _locate(parent, project, skip=(chain[-1][0],))
            except ManuscriptError as e:
                raise ManuscriptError(manifest, f"extends '{parent}', which is {e.reason}") from None
        if found in seen:
            loop = " → ".join([f.name for f in seen] + [found.name])
            raise ManuscriptError(manifest, f"the themes extend each other in a circle ({loop})")
        chain.append((found, origin, _manifest(found)))
    return chain


def _manifest(folder: Path) -> dict:
    manifest = folder / MANIFEST
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as e:
        raise ManuscriptError(manifest, f"not a valid theme manifest ({e.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ManuscriptError(manifest, "not a valid theme manifest (it must be a mapping of keys)")
    return data


def describe(theme: Theme) -> str:
    """One line for ``--verbose``: which folders the theme was read from."""
    folders = theme.folders or (theme.folder,)
    parts = [f"theme {theme.name} from {folders[0]} ({theme.origin or 'folder'})"]
    parts += [f"extends {f.name} from {f}" for f in folders[1:]]
    return "; ".join(parts)


# --- loading ----------------------------------------------------------------------


def load(name_or_dir: str, project: Path | None = None) -> Theme:
    folder, origin = _locate(name_or_dir, project)
    chain = lineage(folder, project)
    merged: dict = {}
    for theme_folder, _, data in reversed(chain):  # the root first, each child over it
        manifest = theme_folder / MANIFEST
        try:
            merged = _merge(merged, _resolved(theme_folder, manifest, data))
        except (AttributeError, TypeError, ValueError) as e:  # a list where a mapping belongs
            raise ManuscriptError(manifest, f"not a valid theme manifest ({e})") from None
        except KeyError as e:
            raise ManuscriptError(manifest, f"not a valid theme manifest (a font has no {e})") from None
    # A theme's name and description are its own, never its parent's.
    merged["name"] = chain[0][2].get("name") or folder.name
    merged["description"] = chain[0][2].get("description") or ""
    return _theme(folder, folder / MANIFEST, merged, tuple(f for f, _, _ in chain), origin)


def _resolved(folder: Path, manifest: Path, data: dict) -> dict:
    """One manifest with every file it names checked and made an absolute path (so
    that a child's files and its parent's can be told apart once merged)."""

    def file(rel: object, what: str) -> Path:
        if not isinstance(rel, str):
            raise ManuscriptError(manifest, f"{what} must be a file name")
        path = (folder / rel).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            raise ManuscriptError(manifest, f"{what} {rel!r} is not a file inside the theme")
        return path

    out = {k: v for k, v in data.items() if k not in {"extends", "stylesheets", "fonts", "paper", "press"}}
    sheets = data.get("stylesheets") or {}
    unknown = sorted(set(sheets) - set(STYLESHEETS))
    if unknown:
        raise ManuscriptError(manifest, f"unknown stylesheet '{unknown[0]}' (use {', '.join(STYLESHEETS)})")
    out["stylesheets"] = {k: [file(v, "stylesheet")] for k, v in sheets.items() if v}
    out["fonts"] = {role: _font_role(role, spec, file) for role, spec in _font_roles(data.get("fonts")).items()}
    out["paper"] = {}
    for name, spec in (data.get("paper") or {}).items():
        spec = {"stylesheet": spec} if isinstance(spec, str) else dict(spec)  # the old form: a file
        if spec.get("stylesheet"):
            spec["stylesheet"] = file(spec["stylesheet"], "paper stylesheet")
        out["paper"][str(name)] = spec
    press = dict(data.get("press") or {})
    for key in ("profile", "licence"):
        if press.get(key):
            press[key] = file(press[key], f"press {key}")
    out["press"] = press
    return out


def _font_roles(value: object) -> dict:
    """Fonts by role.  The older form, a list of families, gives the first one the
    body role (and the others roles of their own)."""
    if isinstance(value, list):
        return {("body" if i == 0 else f"family-{i + 1}"): spec for i, spec in enumerate(value)}
    return dict(value or {})


def _font_role(role: str, spec: object, file) -> object:
    if not NAME.match(str(role)):
        raise ValueError(f"font role {role!r} must be a lowercase name such as body or display")
    if isinstance(spec, str):
        return spec  # another role's name: the same family
    faces = [
        FontFace(
            family=str(spec["family"]),
            path=file(face.get("file"), "font"),
            weight=int(face.get("weight", 400)),
            style=str(face.get("style", "normal")),
        )
        for face in spec.get("faces") or []
    ]
    if not faces:
        raise ValueError(f"font role '{role}' lists no faces")
    return {
        "family": str(spec["family"]),
        "fallback": str(spec.get("fallback", "serif")),
        "licence": file(spec.get("licence"), "font licence"),
        "faces": faces,
    }


def _merge(parent: dict, child: dict) -> dict:
    """A child's values over its parent's: mappings key by key (a paper, a colour, a
    font role), stylesheets appended as a layer after the parent's."""
    out = dict(parent)
    for key, value in child.items():
        if key == "stylesheets":
            out[key] = {k: parent.get(key, {}).get(k, []) + child[key].get(k, []) for k in STYLESHEETS}
        elif key == "paper":
            papers = dict(parent.get(key, {}))
            for name, spec in value.items():
                papers[name] = {**papers.get(name, {}), **spec}
            out[key] = papers
        elif isinstance(value, dict) and isinstance(parent.get(key), dict):
            out[key] = {**parent[key], **value}
        else:
            out[key] = value
    return out


def _theme(folder: Path, manifest: Path, data: dict, folders: tuple[Path, ...], origin: str) -> Theme:
    sheets = data.get("stylesheets") or {}
    for needed in ("base", "epub", "print"):
        if not sheets.get(needed):
            raise ManuscriptError(manifest, f"the theme has no {needed} stylesheet (stylesheets: {needed}: FILE)")
    # Each stylesheet obeys the rule manuscripts do: nothing from outside its theme.
    papers = _papers(manifest, data.get("paper") or {})
    sheet_files = [path for layer in sheets.values() for path in layer]
    sheet_files += [paper.stylesheet for paper in papers.values() if paper.stylesheet]
    for path in sheet_files:
        theme_css.check(path, next((f for f in folders if path.is_relative_to(f)), folder))
    roles, faces, licences = _fonts(manifest, data.get("fonts") or {})
    tokens = {f"font-{role}": _font_stack(manifest, family, data["fonts"]) for role, family in roles.items()}
    colours = {}
    for group, prefix in VALUE_GROUPS.items():
        values = data.get(group) or {}
        if not isinstance(values, dict):
            raise ManuscriptError(manifest, f"'{group}' must be a mapping of names to values")
        for key, value in values.items():
            tokens[f"{prefix}-{_name(manifest, group, key)}"] = _value(manifest, f"{group}.{key}", value)
        if group == "colours":
            colours = {str(k): tokens[f"colour-{k}"] for k in values}
    for key, value in colours.items():
        if srgb(value) is None:
            raise ManuscriptError(manifest, f"colours.{key}: {value!r} is not a colour (write it as #rrggbb)")
    dash_style = (data.get("typography") or {}).get("dashes", "closed")
    if dash_style not in {"closed", "spaced"}:
        raise ManuscriptError(manifest, "typography.dashes must be 'closed' or 'spaced'")
    press = data.get("press") or {}
    return Theme(
        name=str(data.get("name") or folder.name),
        folder=folder,
        base_layers=tuple(sheets.get("base", ())),
        epub_layers=tuple(sheets.get("epub", ())),
        print_layers=tuple(sheets.get("print", ())),
        press_layers=tuple(sheets.get("press", ())),
        web_layers=tuple(sheets.get("web", ())),
        papers=papers,
        faces=faces,
        licences=licences,
        dash_style=dash_style,
        cover=_cover(manifest, data.get("cover") or {}, colours),
        description=" ".join(str(data.get("description") or "").split()),
        folders=folders,
        origin=origin,
        roles=roles,
        tokens=tokens,
        press_colours=_press_colours(manifest, press.get("colours") or {}, colours),
        press_profile=press.get("profile"),
        press_condition=str(press.get("condition") or ""),
    )


def _name(manifest: Path, group: str, key: object) -> str:
    if not NAME.match(str(key)):
        raise ManuscriptError(manifest, f"{group}: {str(key)!r} is not a name (lowercase letters, digits, hyphens)")
    return str(key)


def _value(manifest: Path, where: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ManuscriptError(manifest, f"{where} must be a CSS value such as 1.2em or #8c2f1b")
    text = " ".join(str(value).split())
    if not text or UNSAFE.search(text):
        raise ManuscriptError(manifest, f"{where}: {text!r} is not a single CSS value")
    return text


def _fonts(manifest: Path, fonts: dict) -> tuple[dict[str, str], tuple[FontFace, ...], tuple[Path, ...]]:
    roles: dict[str, str] = {}
    faces: list[FontFace] = []
    licences: list[Path] = []
    for role, spec in fonts.items():
        target, seen = spec, {role}
        while isinstance(target, str):  # a role that borrows another role's family
            if target not in fonts or target in seen:
                raise ManuscriptError(manifest, f"fonts.{role}: '{spec}' is not another font role of the theme")
            seen.add(target)
            target = fonts[target]
        roles[role] = target["family"]
        if isinstance(spec, dict):
            faces += [f for f in spec["faces"] if f not in faces]
            licences += [spec["licence"]] if spec["licence"] not in licences else []
    if "body" not in roles:
        raise ManuscriptError(manifest, "the theme has no body font (fonts: body: family, licence, faces)")
    roles.setdefault("display", roles["body"])
    return roles, tuple(faces), tuple(licences)


def _font_stack(manifest: Path, family: str, fonts: dict) -> str:
    fallback = next((s["fallback"] for s in fonts.values() if isinstance(s, dict) and s["family"] == family), "serif")
    for name in (family, fallback):
        if UNSAFE.search(name) or '"' in name:
            raise ManuscriptError(manifest, f"font family {name!r} cannot be named in a stylesheet")
    return f'"{family}", {fallback}'


def _length(manifest: Path, where: str, text: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(pt|in|mm|cm|pc|px|q)", text.strip().lower())
    if text.strip() == "0":
        return 0.0
    if not m:
        raise ManuscriptError(manifest, f"{where}: {text!r} is not a length such as 8.5in, 210mm or 12pt")
    return float(m.group(1)) * UNITS[m.group(2)]


def _papers(manifest: Path, papers: dict) -> dict[str, Paper]:
    out = {}
    for name, spec in papers.items():
        where = f"paper.{name}"

        def length(key: str, given: str, whole: str = where) -> float:
            return _length(manifest, f"{whole}.{key}", given)

        # A paper given as a stylesheet alone (the older form) is known by its name.
        size = str(spec.get("size") or (name if name in PAGE_SIZES else "")).strip().lower()
        if size in PAGE_SIZES:
            width, height = PAGE_SIZES[size]
        elif len(size.split()) == 2:
            width, height = (length("size", s) for s in size.split())
        else:
            raise ManuscriptError(manifest, f"{where}.size must be two lengths (8.5in 11in) or letter, a4, a5, trade")
        sides = [length("margin", s) for s in str(spec.get("margin") or "1in").split()]
        if not 1 <= len(sides) <= 4:
            raise ManuscriptError(manifest, f"{where}.margin must be one to four lengths, as in CSS")
        top, right, bottom, left = _box(sides)
        if spec.get("measure"):
            # The text block is the measure wide; the margins share what is left.
            right = left = (width - length("measure", str(spec["measure"]))) / 2
        if left + right >= width or top + bottom >= height:
            raise ManuscriptError(manifest, f"{where}: the margins leave no room for text")
        out[str(name)] = Paper(
            name=str(name),
            label=str(spec.get("label") or name),
            width=round(width, 2),
            height=round(height, 2),
            margin=tuple(round(v, 2) for v in (top, right, bottom, left)),
            type_size=_value(manifest, f"{where}.type-size", spec.get("type-size", "12pt")),
            stylesheet=spec.get("stylesheet"),
        )
    if not out:
        raise ManuscriptError(manifest, "the theme has no paper (paper: letter: size, margin, type-size)")
    return out


def _box(sides: list[float]) -> tuple[float, float, float, float]:
    """CSS's margin shorthand: one to four values, top, right, bottom, left."""
    top = sides[0]
    right = sides[1] if len(sides) > 1 else top
    bottom = sides[2] if len(sides) > 2 else top
    left = sides[3] if len(sides) > 3 else right
    return top, right, bottom, left


def _cover(manifest: Path, cover: dict, colours: dict[str, str]) -> dict[str, str]:
    out = {"layout": "banner", "background": "#1f1b18", "ink": "#f6f1e7", "accent": colours.get("accent", "#d9a441")}
    for key, value in cover.items():
        value = str(value)
        out[str(key)] = colours.get(value, value)  # a colour's name stands for its value
        if key != "layout" and srgb(out[key]) is None:
            raise ManuscriptError(manifest, f"cover.{key}: {value!r} is neither a colour nor a name in colours")
    if out["layout"] not in COVER_LAYOUTS:
        raise ManuscriptError(manifest, f"cover.layout must be one of {', '.join(sorted(COVER_LAYOUTS))}")
    return out


CMYK = re.compile(r"device-cmyk\(\s*(?:\d*\.?\d+%?\s+){3}\d*\.?\d+%?\s*\)")


def _press_colours(manifest: Path, given: dict, colours: dict[str, str]) -> dict[str, str]:
    for key, value in given.items():
        if key not in colours:
            raise ManuscriptError(manifest, f"press.colours.{key}: there is no colour '{key}' in colours")
        if not CMYK.fullmatch(str(value).strip()):
            raise ManuscriptError(manifest, f"press.colours.{key} must be device-cmyk(c m y k), each 0 to 1")
    return {str(k): str(v).strip() for k, v in given.items()}


def srgb(value: str) -> tuple[float, float, float] | None:
    """A CSS colour's sRGB components (0 to 1), or None if it is not a colour."""
    import tinycss2.color4

    colour = tinycss2.color4.parse_color(value)
    if colour is None or not hasattr(colour, "to"):
        return None
    return tuple(min(1.0, max(0.0, c)) for c in colour.to("srgb").coordinates)
