"""Every class of bad input: one exact `path:line: error:` line, exit 1, old output untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import ARTICLE, PNG, SITE_YAML, run_cli

from painconnect_site.commands.cli import main


def _truncated_png() -> bytes:
    """A real PNG cut in half: its header reads, its pixels do not."""
    import io
    import random

    from PIL import Image

    noise = random.Random(1)
    image = Image.frombytes("RGB", (64, 64), bytes(noise.randrange(256) for _ in range(64 * 64 * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


TRUNCATED_PNG = _truncated_png()


def fm(front: str, body: str = "Body text.\n") -> str:
    return f"---\n{front}---\n\n{body}"


BASE = 'title: "T"\ndescription: "A description that is long enough to pass every check here."\n'
ARTICLE_FM = BASE + "date: 2026-01-15\nreviewed: 2026-02-01\nauthor: team\n"

CASES = {
    "broken-yaml": (
        {"content/articles/a.md": fm(ARTICLE_FM + "tags: [one, two\n")},
        "content/articles/a.md:8: error: invalid YAML: while parsing a flow sequence, did not find expected ',' or ']'",
    ),
    "unknown-citation-key": (
        {"content/articles/a.md": fm(ARTICLE_FM, "Intro.\n\nA claim [@smith2021].\n")},
        "content/articles/a.md:11: error: unknown citation key 'smith2021' (not in references.bib) (did you mean 'smith2020'?)",
    ),
    "missing-field": (
        {"content/articles/a.md": fm(BASE + "date: 2026-01-15\nauthor: team\n")},
        "content/articles/a.md:1: error: missing required field 'reviewed'",
    ),
    "bad-date": (
        {"content/articles/a.md": fm(BASE + "date: 2026-13-45\nreviewed: 2026-02-01\nauthor: team\n")},
        "content/articles/a.md:4: error: field 'date' has invalid date '2026-13-45' (expected YYYY-MM-DD, a real calendar day)",
    ),
    "unknown-field-suggestion": (
        {"content/articles/a.md": fm(ARTICLE_FM + "reveiwed: 2026-02-01\n")},
        "content/articles/a.md:7: error: unknown field 'reveiwed' (did you mean 'reviewed'?)",
    ),
    "duplicate-slug": (
        {"content/articles/b.md": fm(ARTICLE_FM + "slug: touch\n")},
        "content/articles/touch.md:1: error: duplicate slug 'touch': content/articles/b.md already uses URL /articles/touch/",
    ),
    "invalid-slug": (
        {"content/articles/a.md": fm(ARTICLE_FM + "slug: ../etc\n")},
        "content/articles/a.md:7: error: invalid slug '../etc': use lowercase letters, digits and single hyphens ([a-z0-9-])",
    ),
    "unknown-person": (
        {"content/articles/a.md": fm(ARTICLE_FM + "reviewer: jane-smth\n")},
        "content/articles/a.md:7: error: unknown person 'jane-smth' in 'reviewer' (not in content/site.yaml people) (did you mean 'jane'?)",
    ),
    "updated-before-date": (
        {"content/articles/a.md": fm(ARTICLE_FM + "updated: 2025-01-01\n")},
        "content/articles/a.md:7: error: 'updated' (2025-01-01) is before 'date' (2026-01-15)",
    ),
    "wrong-type": (
        {"content/articles/a.md": fm(ARTICLE_FM + "draft: maybe\n")},
        "content/articles/a.md:7: error: field 'draft' must be true or false, found 'maybe'",
    ),
    "missing-front-matter": (
        {"content/articles/a.md": "# Just a heading\n"},
        "content/articles/a.md:1: error: missing front matter: the file must start with a '---' line, YAML fields, and a closing '---' line",
    ),
    "empty-file": (
        {"content/articles/a.md": ""},
        "content/articles/a.md:1: error: missing front matter: the file must start with a '---' line, YAML fields, and a closing '---' line",
    ),
    "not-utf8": (
        {"content/articles/a.md": ("---\ntitle: caf\xe9\n---\n").encode("latin-1")},
        "content/articles/a.md:2: error: file is not valid UTF-8 (byte 0xe9); save it as UTF-8",
    ),
    "image-missing": (
        {"content/articles/a.md": fm(ARTICLE_FM + "image: images/nope.jpg\nimage_alt: A photo\n")},
        "content/articles/a.md:7: error: image 'images/nope.jpg' not found under static/",
    ),
    "image-without-alt": (
        {"content/articles/a.md": fm(ARTICLE_FM + "image: images/logo.png\n")},
        "content/articles/a.md:7: error: 'image' needs 'image_alt' (describe the image for readers who cannot see it)",
    ),
    "broken-internal-link": (
        {"content/articles/a.md": fm(ARTICLE_FM, "Intro.\n\nSee [help](/urgent-help/).\n")},
        "content/articles/a.md:11: error: link '/urgent-help/' does not resolve to a page or file of the site",
    ),
    "reserved-page-slug": (
        {"content/pages/tags.md": fm(BASE + "date: 2026-01-15\n")},
        "content/pages/tags.md:1: error: page slug 'tags' is reserved by the generator; choose another",
    ),
    "site-yaml-missing-title": (
        {"content/site.yaml": "base_url: https://x.example/\ndescription: d\norganization: {name: X, url: https://x.example/}\n"},
        "content/site.yaml:1: error: missing required setting 'title'",
    ),
    "site-yaml-bad-base-url": (
        {"content/site.yaml": "title: X\nbase_url: x.example\ndescription: d\norganization: {name: X, url: https://x.example/}\n"},
        "content/site.yaml:2: error: base_url 'x.example' must be an absolute http(s) URL like https://example.org/",
    ),
    "duplicate-yaml-key": (
        {"content/articles/a.md": fm(ARTICLE_FM + "title: again\n")},
        "content/articles/a.md:7: error: duplicate field 'title'",
    ),
    "template-syntax-error": (
        {"templates/page.html": "{% extends 'base.html' %}\n{% block content %}\n{{ doc.meta.title \n{% endblock %}\n"},
        "templates/page.html:4: error: template syntax error: expected token 'end of print statement', got '{'",
    ),
    # --- redirects (front-matter aliases) ---
    "alias-is-a-page": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases: [/about/]\n")},
        "content/articles/a.md:7: error: alias '/about/' is the URL of content/pages/about.md; a redirect cannot replace a page",
    ),
    "alias-is-its-own-url": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases:\n  - /articles/old/\n  - /articles/a\n")},
        "content/articles/a.md:9: error: alias '/articles/a/' is this page's own URL; a redirect cannot replace a page",
    ),
    "alias-taken-twice": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases: [/old/]\n"),
         "content/articles/b.md": fm(ARTICLE_FM + "aliases: [/old]\n")},
        "content/articles/b.md:7: error: alias '/old/' is already an alias (content/articles/a.md:7); each old URL redirects to one page",
    ),
    "alias-is-generated": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases: [/tags/]\n")},
        "content/articles/a.md:7: error: alias '/tags/' is a page or file the generator writes; choose another",
    ),
    "alias-over-a-file": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases: [/feed.xml]\n")},
        "content/articles/a.md:7: error: alias '/feed.xml/' is a page or file the generator writes; choose another",
    ),
    "alias-under-a-page-file": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases: [/about/index.html/old/]\n")},
        "content/articles/a.md:7: error: alias '/about/index.html/old/' is a page or file the generator writes; choose another",
    ),
    "alias-is-a-person-page": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases: [/people/jane/]\n")},
        "content/articles/a.md:7: error: alias '/people/jane/' is a page or file the generator writes; choose another",
    ),
    "alias-under-static": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases: [/static/old/]\n")},
        "content/articles/a.md:7: error: alias '/static/old/' is under /static/, which holds files, not pages",
    ),
    "alias-not-from-the-root": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases: [old/path/]\n")},
        "content/articles/a.md:7: error: invalid alias 'old/path/': write it from the site root, like '/articles/old-slug/'",
    ),
    "alias-with-a-query": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases: ['/old/?id=3']\n")},
        "content/articles/a.md:7: error: invalid alias '/old/?id=3': it may not contain spaces, quotes, '?', '#', '%', '<', '>' or backslashes",
    ),
    "link-to-an-old-url": (
        {"content/articles/a.md": fm(ARTICLE_FM + "aliases: [/old/]\n", "Intro.\n\nSee [this](/old/).\n"),
         "content/articles/b.md": fm(ARTICLE_FM, "Intro.\n\nSee [that](/old/).\n")},
        "content/articles/b.md:11: error: link '/old/' is an old URL that redirects to /articles/a/; link /articles/a/ instead",
    ),
    # --- pagination ---
    "article-slug-page": (
        {"content/articles/page.md": fm(ARTICLE_FM)},
        "content/articles/page.md:1: error: article slug 'page' is reserved by the generator; choose another",
    ),
    "page-size-zero": (
        {"content/site.yaml": SITE_YAML + "page_size: 0\n"},
        "content/site.yaml:17: error: field 'page_size' must be a whole number of at least 1, found '0'",
    ),
    "feed-size-text": (
        {"content/site.yaml": SITE_YAML + "feed_size: many\n"},
        "content/site.yaml:17: error: field 'feed_size' must be a whole number of at least 1, found 'many'",
    ),
    # --- people ---
    "people-page-taken-twice": (
        {"content/site.yaml": SITE_YAML + "  Jane:\n    name: Jane Other\n"},
        "content/site.yaml:17: error: person id 'Jane' gives the same page /people/jane/ as 'jane'; rename one",
    ),
    "reserved-page-slug-people": (
        {"content/pages/people.md": fm(BASE + "date: 2026-01-15\n")},
        "content/pages/people.md:1: error: page slug 'people' is reserved by the generator; choose another",
    ),
    # --- images ---
    "image-settings-widths": (
        {"content/site.yaml": SITE_YAML + "images:\n  widths: [400, wide]\n"},
        "content/site.yaml:18: error: field 'widths' must be a list of whole numbers of at least 1, found 'wide' in the list",
    ),
    "image-settings-unknown": (
        {"content/site.yaml": SITE_YAML + "images:\n  width: [400]\n"},
        "content/site.yaml:18: error: unknown images setting 'width' (did you mean 'widths'?)",
    ),
    "image-in-body-missing": (
        {"content/articles/a.md": fm(ARTICLE_FM, "Intro.\n\n![A chart](/static/images/nope.png)\n")},
        "content/articles/a.md:11: error: image '/static/images/nope.png' not found under static/",
    ),
    "image-broken-in-front-matter": (
        {"static/images/broken.jpg": b"not a jpeg at all",
         "content/articles/a.md": fm(ARTICLE_FM + "image: images/broken.jpg\nimage_alt: A photo\n")},
        "content/articles/a.md:7: error: image 'static/images/broken.jpg' cannot be shown: it is not an image Pillow can read (is it really a JPEG, PNG, WebP or GIF?)",
    ),
    "image-broken-in-body": (
        {"static/images/broken.png": TRUNCATED_PNG,
         "content/articles/a.md": fm(ARTICLE_FM, "Intro.\n\n![A chart](/static/images/broken.png)\n")},
        "content/articles/a.md:11: error: image 'static/images/broken.png' cannot be shown: the file is damaged or cut short; export it again",
    ),
    "variants-folder-is-reserved": (
        {"static/variants/mine.png": PNG},
        "static/variants/mine.png: error: /static/variants/ is where the build writes resized images; move this file",
    ),
    "bibtex-duplicate-key": (
        {"references.bib": "@article{smith2020, title={A}, author={B, C}, journal={J}, year={2020}}\n\n@article{smith2020, title={D}, author={E, F}, journal={J}, year={2021}}\n"},
        "references.bib:3: error: duplicate BibTeX key 'smith2020' (first defined on line 1)",
    ),
}


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_one_line_and_keeps_previous_output(case, make_site, capsys):
    assert_bad_input_reported(make_site(), *CASES[case], capsys)


def assert_bad_input_reported(site: Path, files: dict, expected: str, capsys) -> None:
    """Build `site`, add `files`, build again: exit 1, the `expected` line, no traceback, the
    previous output untouched and no staging folder left."""
    assert main(["build", "--source", str(site)]) == 0
    before = tree_digest(site / "_site")
    capsys.readouterr()
    from conftest import write_site

    write_site(site, files)
    code = main(["build", "--source", str(site)])
    err = capsys.readouterr().err
    assert code == 1
    assert expected in err.splitlines(), err
    assert "Traceback" not in err
    assert tree_digest(site / "_site") == before
    leftovers = [p.name for p in site.iterdir() if ".staging-" in p.name or ".old-" in p.name or ".patch-" in p.name]
    assert leftovers == [], "a failed build left staging folders behind"


def test_all_errors_are_reported_in_one_run(make_site, capsys):
    site = make_site(
        {
            "content/articles/a.md": fm(ARTICLE_FM + "reveiwed: 2026-02-01\n"),
            "content/articles/b.md": fm(BASE + "date: 2026-02-30\nreviewed: 2026-02-01\nauthor: team\n"),
        }
    )
    assert main(["check", "--source", str(site)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert "content/articles/a.md:7: error: unknown field 'reveiwed' (did you mean 'reviewed'?)" in err
    assert any(line.startswith("content/articles/b.md:4: error: field 'date' has invalid date") for line in err)


def test_unknown_citation_keys_all_reported_with_lines(make_site, capsys):
    body = "One [@nope1].\n\nTwo `[@incode]` and [@smith2020; @nope2].\n"
    site = make_site({"content/articles/touch.md": ARTICLE.split("## What")[0] + body})
    assert main(["check", "--source", str(site)]) == 1
    err = capsys.readouterr().err
    assert "content/articles/touch.md:16: error: unknown citation key 'nope1' (not in references.bib)" in err
    assert "content/articles/touch.md:18: error: unknown citation key 'nope2' (not in references.bib)" in err
    assert "incode" not in err


def test_cli_never_shows_a_traceback_for_bad_input(make_site):
    site = make_site({"content/site.yaml": "title: [unclosed\n"})
    result = run_cli("build", "--source", site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("content/site.yaml:")
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2(make_site):
    assert run_cli("build", "--no-such-flag").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_internal_errors_are_one_line_unless_debug(make_site, capsys, monkeypatch):
    import painconnect_site.pipeline as pipeline

    def broken(options, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pipeline, "run_build", broken)
    site = make_site()
    assert main(["build", "--source", str(site)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: internal error: RuntimeError: disk on fire (re-run with --debug for a traceback)"
    ]
    with pytest.raises(RuntimeError, match="disk on fire"):
        main(["--debug", "build", "--source", str(site)])
