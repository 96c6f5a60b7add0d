"""The finished files a book's outputs embed: subset fonts, images at screen and
print size, and the e-book cover.  Each is made once per build (and kept in the
cache between builds), on worker threads while the PDF is laid out, and handed
to the writers: no writer decodes an image or draws a cover itself."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path

from ..model import Assets, Book, Plan
from . import cover, fonts, images


class Pending(Mapping):
    """Files still being made: reading a key waits for that one file (and raises
    the error that made it fail)."""

    def __init__(self, futures: dict[str, Future]) -> None:
        self._futures = futures

    def __getitem__(self, key: str) -> bytes:
        return self._futures[key].result()

    def __iter__(self) -> Iterator[str]:
        return iter(self._futures)

    def __len__(self) -> int:
        return len(self._futures)


def font_text(book: Book) -> str:
    """Every character the outputs set: the text, and the titles (running heads)."""
    parts = [*book.parts, *((book.front,) if book.front else ())]
    return "".join("".join(p.body.itertext()) + p.title + p.article.short_title for p in parts) + book.meta.title_text


def start(book: Book, plan: Plan, pool: Executor) -> Assets:
    """Subset the fonts now; start the images and the cover on ``pool``.

    Each picture is decoded once, into every copy the outputs need, and one after
    another (so memory holds one decoded image at a time): the same content under
    two keys (two articles of a collection showing one photo) is decoded once too."""
    cache = plan.cache_dir if plan.cache_dir is not None and plan.cache_dir.is_dir() else None
    font_files = fonts.subset_faces(plan.theme, font_text(book), cache)
    copies = (("screen",) if plan.needs_screen_images else ()) + (("print",) if plan.needs_pdf else ())
    decoding = ThreadPoolExecutor(max_workers=1, thread_name_prefix="longread-images")
    pictures: dict[str, dict[str, Future]] = {}
    by_content: dict[str, dict[str, Future]] = {}
    for im in book.images:
        if im.file is None or not copies:
            continue
        if im.file.digest not in by_content:
            by_content[im.file.digest] = copies_of(im.file, im.owner or book.source, copies, decoding)
        pictures[im.key] = by_content[im.file.digest]
    decoding.shutdown(wait=False)
    screen = Pending({k: f["screen"] for k, f in pictures.items()} if "screen" in copies else {})
    printed = Pending({k: f["print"] for k, f in pictures.items()} if "print" in copies else {})
    made_cover = pool.submit(make_cover, book, plan, screen, cache) if plan.needs_epub else None
    return Assets(fonts=font_files, screen_images=screen, print_images=printed, cover=made_cover)


def copies_of(file: images.Source, owner: Path, copies: tuple[str, ...], decoding: Executor) -> dict[str, Future]:
    """A future for each copy of one picture: a JPEG that needs no change for a
    copy is that copy at once (see :func:`.images.as_is`); the others come from
    one decode on ``decoding`` (errors name the manuscript ``owner``)."""
    made: dict[str, Future] = {}
    for name, data in images.as_is_copies(file, copies).items():
        made[name] = Future()
        made[name].set_result(data)
    rest = tuple(c for c in copies if c not in made)
    if rest:
        picture = decoding.submit(images.prepare, file, owner, rest)
        made.update({name: copy_of(picture, name) for name in rest})
    return made


def copy_of(picture: Future, name: str) -> Future:
    """A future of one copy of a picture still being made."""
    out: Future = Future()

    def done(f: Future) -> None:
        if f.exception() is not None:
            out.set_exception(f.exception())
        else:
            out.set_result(getattr(f.result(), name))

    picture.add_done_callback(done)
    return out


def make_cover(book: Book, plan: Plan, screen: Pending, cache) -> bytes:
    """A collection's own cover picture, else a cover drawn from the title and the
    first photo (at the size the e-book already has)."""
    if book.cover is not None and book.cover.file is not None:
        return images.prepare(book.cover.file, book.source, ("cover",)).cover
    photo = next((p.article.photo for p in book.parts if p.article.photo), None)
    photo_bytes = screen[photo.key] if photo else None
    return cover.draw(book.meta, plan.theme, photo_bytes, cache)


def finished(assets: Assets) -> Assets:
    """The same assets with every file made (waiting for what is still running)."""
    return Assets(
        fonts=assets.fonts,
        screen_images={k: assets.screen_images[k] for k in assets.screen_images},
        print_images={k: assets.print_images[k] for k in assets.print_images},
        cover=assets.cover.result() if isinstance(assets.cover, Future) else assets.cover,
    )
