"""Stage 4b: static files, with content-hashed names for CSS and JS.

Fingerprinted names let hosts cache assets forever (see `_headers`); the
mapping is computed before rendering so templates can link the hashed names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Mapping

from ..core.model import OutputFile
from .templates import THEME_DIR

FINGERPRINTED = (".css", ".js")


@dataclass(frozen=True, slots=True)
class Assets:
    urls: Mapping[str, str]  # logical path ("css/site.css") -> output path ("static/css/site.1a2b3c4d.css")
    files: tuple[OutputFile, ...]
    sources: Mapping[str, Path]  # logical path -> file it came from

    def output_path(self, logical: str) -> str:
        return self.urls[logical]


def collect_assets(root: Path, extra: Iterable[OutputFile] = ()) -> Assets:
    """Theme static files, overridden file by file by the site's static/; `extra` files (resized
    images, already named by their content) are written beside them."""
    sources: dict[str, Path] = {}
    for folder in (THEME_DIR / "static", root / "static"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    sources[path.relative_to(folder).as_posix()] = path
    urls: dict[str, str] = {}
    files = []
    for logical, path in sorted(sources.items()):
        data = path.read_bytes()
        output = f"static/{fingerprint(logical, data)}"
        urls[logical] = output
        files.append(OutputFile(output, data))
    files.extend(extra)
    return Assets(urls, tuple(files), sources)


def fingerprint(logical: str, data: bytes) -> str:
    pure = PurePosixPath(logical)
    if pure.suffix not in FINGERPRINTED:
        return logical
    digest = hashlib.sha256(data).hexdigest()[:10]
    return str(pure.with_name(f"{pure.stem}.{digest}{pure.suffix}"))
