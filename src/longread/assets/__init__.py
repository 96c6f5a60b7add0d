"""The finished files a book's outputs embed: subset fonts, images at screen and
print size, and the e-book cover.  Each is made once per build (and kept in the
cache between builds), on worker threads while the PDF is laid out, and handed
to the writers: no writer decodes an image or draws a cover itself."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import Executor, Future

from ..files import Inputs
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


def start(book: Book, plan: Plan, inputs: Inputs, pool: Executor) -> Assets:
    """Subset the fonts now; start the images and the cover on ``pool``."""
    font_files = fonts.subset_faces(plan.theme, font_text(book), plan.cache_dir)
    screen: dict[str, Future] = {}
    printed: dict[str, Future] = {}
    for im in book.images:
        data, name, owner = inputs.data(im.path), im.path.name, im.owner or book.source
        if plan.needs_screen_images:
            screen[im.key] = pool.submit(
                images.resize, data, name, images.EPUB_LONG_EDGE, im.extension, owner, plan.cache_dir
            )
        if plan.needs_pdf:
            printed[im.key] = pool.submit(
                images.resize, data, name, images.PRINT_LONG_EDGE, im.extension, owner, plan.cache_dir
            )
    made_cover = None
    if plan.needs_epub:
        made_cover = pool.submit(make_cover, book, plan, inputs, screen)
    return Assets(fonts=font_files, screen_images=Pending(screen), print_images=Pending(printed), cover=made_cover)


def make_cover(book: Book, plan: Plan, inputs: Inputs, screen: dict[str, Future]) -> bytes:
    """A collection's own cover picture, else a cover drawn from the title and the
    first photo (at the size the e-book already has)."""
    if book.cover is not None:
        im = book.cover
        data = inputs.data(im.path)
        return images.resize(data, im.path.name, cover.HEIGHT, "jpg", book.source, plan.cache_dir)
    photo = next((p.article.photo for p in book.parts if p.article.photo), None)
    photo_bytes = screen[photo.key].result() if photo else None
    return cover.draw(book.meta, plan.theme, photo_bytes, plan.cache_dir)


def finished(assets: Assets) -> Assets:
    """The same assets with every file made (waiting for what is still running)."""
    return Assets(
        fonts=assets.fonts,
        screen_images={k: assets.screen_images[k] for k in assets.screen_images},
        print_images={k: assets.print_images[k] for k in assets.print_images},
        cover=assets.cover.result() if isinstance(assets.cover, Future) else assets.cover,
    )
