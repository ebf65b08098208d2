"""The page's templates compiled once, not on every build: Jinja2's bytecode kept beside them.

Compiling the templates costs a small build more than everything else its page does (about
300M instructions for the default data, a third of the build). Jinja2 keeps the compiled
code in templates/__pycache__/, as Python keeps a module's, and uses it only when the
template's source, Jinja2's version and Python's version are those it was compiled from.
It is written when Python writes its own bytecode (not under PYTHONDONTWRITEBYTECODE)
or when asked (`python -m deadlinecal.page.compiled`, as `python -m compileall` is for
modules); where the folder cannot be written the templates compile on every build, as
before. The bytes of the page do not depend on it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

FOLDER = Path(__file__).parent / "templates" / "__pycache__"
TEMPLATES = ("page.html.j2", "page.css", "page.js.j2", "timeline.svg.j2")


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache in `FOLDER`, never failing a build for want of a usable one."""

    def __init__(self, *, write: bool) -> None:
        super().__init__(str(FOLDER), "%s.jinja2")
        self.write = write

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # no cache to be had there: compiled now
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if not self.write:
            return
        with contextlib.suppress(OSError):  # compiled again by the next build
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)


def environment(cache: TemplateCache | None = None) -> jinja2.Environment:
    """The page's templates, autoescaped, with `cache` (by default read always, written
    when Python writes bytecode)."""
    return jinja2.Environment(
        bytecode_cache=cache or TemplateCache(write=not sys.dont_write_bytecode),
        loader=jinja2.PackageLoader("deadlinecal.page", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def compile_all() -> None:
    """Compile every template of the page into the cache, whatever PYTHONDONTWRITEBYTECODE."""
    templates = environment(TemplateCache(write=True))
    for name in TEMPLATES:
        templates.get_template(name)


if __name__ == "__main__":
    compile_all()
