"""Responsive images: the one module that owns Pillow.

An image under static/ that a page shows (front-matter `image`, or `![alt](/static/...)`
in the body) is read once per content hash: its size (after EXIF orientation) gives
`width`/`height`, so the page does not shift while it loads, and it is resized to
the widths of site.yaml `images.widths` narrower than itself, in WebP and in its
own format (JPEG or PNG). Pages show it as a `<picture>` with `srcset`/`sizes`;
the original file stays where it was and is the largest candidate of its format.
Variants are named after a hash of the original's bytes and the settings
(`static/variants/<name>-<hash>-<width>.<ext>`), so a changed image gets new
names and hosts may cache them forever.

GIFs (often animated) keep their frames: they get `width`/`height` only. SVG and
other formats are shown as written. Pillow is imported only when an image must be
read or resized, so builds whose images all come from the cache never load it.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Mapping, Sequence

from ..core.model import ImageInfo, ImageSettings, ImageVariant, OutputFile
from ..core.urls import STATIC_PREFIX, VARIANTS_PREFIX, site_path, slugify, static_rel

# Pillow format -> (MIME type, variant extension); these are resized.
RESIZED = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
SIZED_ONLY = {"GIF": "image/gif"}  # width/height only: resizing would drop an animation's frames
RASTER_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})
WEBP = "image/webp"
MAX_PIXELS = 60_000_000  # a larger "image" is more likely a mistake (or a decompression bomb)


class ImageError(Exception):
    """An image that cannot be read: the message says why, for a `path:line: error:`."""


def is_raster(path: str) -> bool:
    """Does this path under static/ name an image the build reads (by its extension)?"""
    return PurePosixPath(path).suffix.lower() in RASTER_SUFFIXES


# --- reading and resizing (Pillow) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Decoded:
    image: object  # PIL.Image.Image, oriented
    format: str


def _decode(path: str, data: bytes) -> _Decoded:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ImageError(f"it is {opened.width}x{opened.height} pixels; the limit is {MAX_PIXELS:,} pixels")
            fmt = opened.format or ""
            opened.load()  # decodes everything: a truncated or corrupt file fails here, not in a browser
            image = ImageOps.exif_transpose(opened)
    except UnidentifiedImageError:
        raise ImageError("it is not an image Pillow can read (is it really a JPEG, PNG, WebP or GIF?)") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ImageError("the file is damaged or cut short; export it again") from None
    if fmt not in RESIZED and fmt not in SIZED_ONLY:
        raise ImageError(f"it is a {fmt or 'unknown'} file; use JPEG, PNG, WebP or GIF (or SVG, shown as it is)")
    return _Decoded(image, fmt)


def describe_image(path: str, data: bytes, settings: ImageSettings) -> ImageInfo:
    """Read an image (fully, so a damaged file is an error now) and plan its variants."""
    decoded = _decode(path, data)
    width, height = decoded.image.size  # type: ignore[attr-defined]
    if decoded.format in SIZED_ONLY:
        return ImageInfo(path, width, height, SIZED_ONLY[decoded.format])
    mime, extension = RESIZED[decoded.format]
    stem = f"{VARIANTS_PREFIX}{slugify(PurePosixPath(path).stem) or 'image'}-{_hash(data, settings)}"
    widths = [w for w in settings.widths if w < width]
    variants = [ImageVariant(f"{stem}-{w}.webp", w, WEBP) for w in (*widths, width)] if mime != WEBP else \
        [ImageVariant(f"{stem}-{w}.webp", w, WEBP) for w in widths]
    if mime != WEBP:
        variants += [ImageVariant(f"{stem}-{w}.{extension}", w, mime) for w in widths]
    return ImageInfo(path, width, height, mime, tuple(variants))


def encode_variants(info: ImageInfo, data: bytes, settings: ImageSettings) -> tuple[ImageInfo, tuple[OutputFile, ...]]:
    """The variant files `describe_image` planned, resized and encoded (deterministic bytes), and the
    image with only the variants worth offering. A narrower copy in the original's format that is
    no smaller than the original file is dropped (a resized flat-colour PNG often is): the original
    serves better. The WebP set must reach the full width (a `<source>` is used whole), so when the
    full-width WebP is no smaller than the original, no WebP is offered at all."""
    if not info.variants:
        return info, ()
    from PIL import Image

    decoded = _decode(info.path, data)
    image = decoded.image
    icc = image.info.get("icc_profile")  # type: ignore[attr-defined]
    files = []
    for variant in info.variants:
        height = max(1, round(info.height * variant.width / info.width))
        resized = _for_format(image, variant.mime)
        if variant.width != info.width:
            resized = resized.resize((variant.width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        options: dict[str, object] = {"icc_profile": icc} if icc else {}
        if variant.mime == WEBP:
            resized.save(buffer, "WEBP", quality=settings.quality, method=4, **options)
        elif variant.mime == "image/jpeg":
            resized.save(buffer, "JPEG", quality=settings.quality, optimize=True, progressive=True, **options)
        else:
            resized.save(buffer, "PNG", optimize=True, **options)
        files.append(OutputFile(variant.path, buffer.getvalue()))
    pairs = list(zip(info.variants, files))
    full_webp = [output for variant, output in pairs if variant.mime == WEBP and variant.width == info.width]
    webp_worth_it = info.mime == WEBP or (bool(full_webp) and len(full_webp[0].data) < len(data))
    kept = [(variant, output) for variant, output in pairs
            if (webp_worth_it if variant.mime == WEBP and info.mime != WEBP else len(output.data) < len(data))]
    return replace(info, variants=tuple(v for v, _ in kept)), tuple(output for _, output in kept)


def _for_format(image, mime: str):
    """The image in a mode the target format stores (JPEG has no alpha; palettes are expanded to resize)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if mime == "image/jpeg":
        return image.convert("RGB") if image.mode not in ("RGB", "L") else image
    if image.mode in ("RGB", "RGBA", "L", "LA") and not (mime == WEBP and image.mode in ("L", "LA")):
        return image
    return image.convert("RGBA" if has_alpha else "RGB")


def _hash(data: bytes, settings: ImageSettings) -> str:
    from PIL import __version__ as pillow_version

    identity = f"{settings.quality} {pillow_version}".encode()
    return hashlib.sha256(identity + b"\0" + data).hexdigest()[:10]


# --- showing them (no Pillow) --------------------------------------------------------------------

_IMG_RE = re.compile(r"<img\b([^>]*?)\s*/?>")
_ATTR_RE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)="([^"]*)"')


def picture_html(info: ImageInfo, alt: str, base_path: str, sizes: str, *, eager: bool, css_class: str | None = None,
                 title: str | None = None, priority: bool = False) -> str:
    """The image as a `<picture>` (WebP first) with srcset/sizes, or a sized `<img>` without variants."""
    def url(path: str) -> str:
        return html.escape(site_path(base_path, path))

    original = site_path(base_path, static_rel(info.path))
    attrs = [f'class="{html.escape(css_class)}"' if css_class else "", f'src="{html.escape(original)}"']
    own = [(v.path, v.width) for v in info.variants if v.mime == info.mime]
    if own:
        candidates = ", ".join([*(f"{url(path)} {width}w" for path, width in own),
                                f"{html.escape(original)} {info.width}w"])
        attrs += [f'srcset="{candidates}"', f'sizes="{html.escape(sizes)}"']
    attrs += [f'width="{info.width}"', f'height="{info.height}"', f'alt="{html.escape(alt)}"']
    if title:
        attrs.append(f'title="{html.escape(title)}"')
    attrs.append('fetchpriority="high"' if priority else "" if eager else 'loading="lazy"')
    attrs.append('decoding="async"')
    img = "<img " + " ".join(a for a in attrs if a) + ">"
    webp = [(v.path, v.width) for v in info.variants if v.mime == WEBP and info.mime != WEBP]
    if not webp:
        return img
    candidates = ", ".join(f"{url(path)} {width}w" for path, width in webp)
    return f'<picture><source type="image/webp" srcset="{candidates}" sizes="{html.escape(sizes)}">{img}</picture>'


def responsive_parts(parts: Sequence[str], images: Mapping[str, ImageInfo], base_path: str, sizes: str,
                     eager_count: int) -> list[str]:
    """Every `<img>` of rendered Markdown (a page's parts, in reading order) that shows a known image
    under static/, made responsive; the first `eager_count` images of the page load at once, the
    rest lazily."""
    if not images or not any("<img" in part for part in parts):
        return list(parts)
    prefix = site_path(base_path, STATIC_PREFIX)
    seen = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        attrs = {name: html.unescape(value) for name, value in _ATTR_RE.findall(match.group(1))}
        src = attrs.get("src", "")
        info = images.get(src[len(prefix):]) if src.startswith(prefix) else None
        if info is None:
            return match.group(0)
        return picture_html(info, attrs.get("alt", ""), base_path, sizes, eager=seen <= eager_count,
                            title=attrs.get("title"))

    return [_IMG_RE.sub(replace, part) if "<img" in part else part for part in parts]


def static_image_path(url: str) -> str | None:
    """The path under static/ of an image as written in Markdown ("/static/images/x.png"), if it is one."""
    if not url.startswith("/" + STATIC_PREFIX):
        return None
    path = url[len(STATIC_PREFIX) + 1:].split("?", 1)[0].split("#", 1)[0]
    return path if path and is_raster(path) else None
