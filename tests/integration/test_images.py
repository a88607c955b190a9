"""Responsive images: sizes, resized WebP and original-format variants, srcset/sizes, lazy loading,
og:image with its size, EXIF orientation, and the cache (an unchanged image is never reprocessed)."""

from __future__ import annotations

import functools
import io
import random
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ARTICLE, SITE_YAML, build_site, write_site
from PIL import Image
from test_errors import tree_digest

import painconnect_site.pipeline.cached_stages as cached_stages
from painconnect_site.commands.cli import main


@functools.cache
def _pixels(width: int, height: int, seed: int) -> Image.Image:
    grain = random.Random(seed)
    image = Image.new("RGB", (width, height))
    image.putdata([((x * 255 // width + seed + (g := grain.randrange(24))) % 256, (y * 255 // height + g) % 256,
                    (x + y + seed) % 256) for y in range(height) for x in range(width)])
    return image


def photo(width: int, height: int, fmt: str = "JPEG", seed: int = 0, **save) -> bytes:
    """A photo-like image: gradients with grain, so a resized copy is smaller, as with real photos."""
    buffer = io.BytesIO()
    _pixels(width, height, seed).save(buffer, fmt, **save)
    return buffer.getvalue()


HERO = ARTICLE.replace("tags: [chronic-pain, intimacy]\n",
                       "tags: [chronic-pain, intimacy]\nimage: images/hero.jpg\nimage_alt: \"A couple on a sofa\"\n")
BODY = """
## Pictures

![A pillow under the knees](/static/images/knees.png)

Some text between the pictures.

![An animated stretch](/static/images/stretch.gif)

![A diagram](/static/images/diagram.svg)

![Elsewhere](https://images.example/x.jpg)
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n'


SMALL = SITE_YAML + "images:\n  widths: [100, 200, 300]\n"  # small images resize fast: most tests use these


def image_files(hero: tuple[int, int] = (400, 250)) -> dict[str, bytes | str]:
    return {"static/images/hero.jpg": photo(*hero), "static/images/knees.png": photo(360, 240, "PNG"),
            "static/images/stretch.gif": photo(120, 80, "GIF"), "static/images/diagram.svg": SVG,
            "content/site.yaml": SMALL}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def pictures(make_site) -> Path:
    return build_site(make_site({**image_files(), "content/articles/touch.md": HERO + BODY}))


@pytest.fixture
def photo_site(make_site) -> Path:
    """A 1600-pixel hero and the default settings."""
    return build_site(make_site({**image_files((1600, 1000)), "content/site.yaml": SITE_YAML,
                                 "content/articles/touch.md": HERO}))


def candidates(srcset: str) -> list[tuple[str, int]]:
    return [(url, int(width.removesuffix("w"))) for url, width in (c.split() for c in srcset.split(", "))]


def test_the_hero_is_a_sized_picture_with_webp_and_jpeg_variants(photo_site: Path):
    pictures = photo_site
    page = soup(pictures / "articles/touch/index.html")
    hero = page.select_one("img.hero")
    assert (hero["width"], hero["height"], hero["src"]) == ("1600", "1000", "/static/images/hero.jpg")
    assert hero["alt"] == "A couple on a sofa" and hero["fetchpriority"] == "high" and "loading" not in hero.attrs
    assert hero["sizes"] == "(min-width: 684px) 648px, calc(100vw - 36px)"
    jpeg = candidates(hero["srcset"])
    assert [w for _, w in jpeg] == [400, 800, 1200, 1600] and jpeg[-1][0] == "/static/images/hero.jpg"
    source = hero.find_parent("picture").find("source")
    assert source["type"] == "image/webp" and source["sizes"] == hero["sizes"]
    webp = candidates(source["srcset"])
    assert [w for _, w in webp] == [400, 800, 1200, 1600]
    for url, width in jpeg[:-1] + webp:  # every variant exists, at its width, in its format
        with Image.open(pictures / url.lstrip("/")) as variant:
            assert variant.width == width and variant.height == round(1000 * width / 1600)
            assert variant.format == ("WEBP" if url.endswith(".webp") else "JPEG")
            assert re.fullmatch(r"/static/variants/hero-[0-9a-f]{10}-\d+\.(webp|jpg)", url)


def test_body_images_are_sized_and_lazy_below_the_hero(pictures: Path):
    body = soup(pictures / "articles/touch/index.html").select_one(".article-body")
    knees = body.find("img", alt="A pillow under the knees")
    assert (knees["width"], knees["height"], knees["loading"], knees["decoding"]) == ("360", "240", "lazy", "async")
    assert [w for _, w in candidates(knees["srcset"])] == [100, 200, 300, 360]
    assert [w for _, w in candidates(knees.find_parent("picture").find("source")["srcset"])] == [100, 200, 300, 360]
    gif = body.find("img", alt="An animated stretch")  # size only: resizing would drop its frames
    assert (gif["width"], gif["height"], gif["loading"]) == ("120", "80", "lazy") and "srcset" not in gif.attrs
    assert gif.find_parent("picture") is None
    svg = body.find("img", alt="A diagram")  # shown as written
    assert svg.attrs == {"alt": "A diagram", "src": "/static/images/diagram.svg"}
    assert body.find("img", alt="Elsewhere").attrs == {"alt": "Elsewhere", "src": "https://images.example/x.jpg"}


def test_without_a_hero_the_first_body_image_loads_at_once(make_site):
    out = build_site(make_site({**image_files(), "content/articles/touch.md": ARTICLE + BODY}))
    images = soup(out / "articles/touch/index.html").select(".article-body img")
    assert [img.get("loading") for img in images[:2]] == [None, "lazy"]


def test_the_article_image_is_og_image_with_its_size(photo_site: Path):
    page = soup(photo_site / "articles/touch/index.html")
    og = {m["property"]: m["content"] for m in page.find_all("meta", property=re.compile("^og:image"))}
    assert og == {"og:image": "https://test.example/static/images/hero.jpg", "og:image:type": "image/jpeg",
                  "og:image:width": "1600", "og:image:height": "1000", "og:image:alt": "A couple on a sofa"}


def test_exif_orientation_is_applied(make_site):
    """A phone photo stored sideways with an Orientation tag: shown upright, sized upright."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    sideways = photo(360, 240, exif=exif.tobytes())
    out = build_site(make_site({"static/images/hero.jpg": sideways, "content/site.yaml": SMALL,
                                "content/articles/touch.md": HERO}))
    hero = soup(out / "articles/touch/index.html").select_one("img.hero")
    assert (hero["width"], hero["height"]) == ("240", "360")
    url = candidates(hero["srcset"])[0][0]
    with Image.open(out / url.lstrip("/")) as variant:
        assert variant.size == (100, 150) and variant.getexif().get(0x0112) is None


def test_image_settings_choose_the_widths(make_site):
    yaml = SITE_YAML + "images:\n  widths: [150, 2000]\n  sizes: 100vw\n  quality: 60\n"
    out = build_site(make_site({**image_files(), "content/site.yaml": yaml,
                                "content/articles/touch.md": HERO}))
    hero = soup(out / "articles/touch/index.html").select_one("img.hero")
    assert [w for _, w in candidates(hero["srcset"])] == [150, 400] and hero["sizes"] == "100vw"


def test_images_follow_a_base_path(make_site):
    site = make_site({**image_files(), "content/articles/touch.md": HERO})
    out = build_site(site, site / "_sub", "--base-url", "https://user.example.io/health/")
    hero = soup(out / "articles/touch/index.html").select_one("img.hero")
    assert hero["src"] == "/health/static/images/hero.jpg"
    assert all(url.startswith("/health/static/") for url, _ in candidates(hero["srcset"]))


def test_variants_are_cached_immutable(pictures: Path):
    headers = (pictures / "_headers").read_text().splitlines()
    assert headers[headers.index("/static/variants/*") + 1] == "  Cache-Control: public, max-age=31536000, immutable"


# --- the cache: unchanged images are not reprocessed ------------------------------------------------


def test_an_unchanged_image_is_not_reprocessed_and_a_changed_one_is(make_site, tmp_path, monkeypatch):
    site = make_site({**image_files(), "content/articles/touch.md": HERO + BODY})
    build_site(site, tmp_path / "out")
    encoded: list[str] = []
    real = cached_stages.encode_variants
    monkeypatch.setattr(cached_stages, "encode_variants", lambda info, *a: encoded.append(info.path) or real(info, *a))
    (site / "content/articles/touch.md").write_text(HERO + BODY + "\nAn edit.\n", encoding="utf-8")
    build_site(site, tmp_path / "out")
    assert encoded == []  # the article changed, its images did not
    write_site(site, {"static/images/hero.jpg": photo(350, 250, seed=9)}, base={})
    build_site(site, tmp_path / "out")
    assert encoded == ["images/hero.jpg"]
    hero = soup(tmp_path / "out/articles/touch/index.html").select_one("img.hero")
    assert hero["width"] == "350" and [w for _, w in candidates(hero["srcset"])] == [100, 200, 300, 350]
    build_site(site, tmp_path / "clean", "--no-cache")
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "clean")
    assert not list((tmp_path / "out/static/variants").glob("hero-*-400.*"))  # the old variants are gone


def test_check_reads_images_without_resizing_them(make_site, monkeypatch, capsys):
    site = make_site({**image_files(), "content/articles/touch.md": HERO + BODY})
    monkeypatch.setattr(cached_stages, "encode_variants", lambda *a: pytest.fail("check resized an image"))
    assert main(["check", "--source", str(site)]) == 0
    assert not (site / "_site").exists()


def test_image_builds_are_deterministic(make_site, tmp_path):
    site = make_site({**image_files(), "content/articles/touch.md": HERO + BODY})
    build_site(site, tmp_path / "one", "--no-cache")
    build_site(site, tmp_path / "two", "--no-cache")
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_a_narrow_image_gets_no_narrower_copies(make_site):
    out = build_site(make_site({"static/images/hero.jpg": photo(90, 60), "content/site.yaml": SMALL,
                                "content/articles/touch.md": HERO}))
    hero = soup(out / "articles/touch/index.html").select_one("img.hero")
    assert (hero["width"], hero["height"]) == ("90", "60") and "srcset" not in hero.attrs


def test_images_in_takeaways_and_answers_are_responsive_too(make_site):
    article = HERO.replace('a: "For some people it does [@smith2020]."',
                           'a: "For some people it does [@smith2020]. ![A stretch](/static/images/knees.png)"')
    out = build_site(make_site({**image_files(), "content/articles/touch.md": article}))
    answer = soup(out / "articles/touch/index.html").select_one(".faq-answer img")
    assert (answer["width"], answer["loading"]) == ("360", "lazy") and answer.find_parent("picture")
