"""Every page of two full builds passes the W3C Nu HTML Checker (vnu.jar).

The sites: the repository's own, and tests/fixtures/every-feature/, which uses every
Markdown and front-matter feature the generator supports. The checker runs once per
site over the whole output folder (one JVM start, a few seconds) and the test fails
on any error, each shown as `page:line.column: message` with the offending markup.
Warnings do not fail the test; they are reported as pytest warnings.

Needs Java 11+ and `node_modules/vnu-jar` (`npm ci --omit=dev`; the version is locked
in package.json). Skipped, with the reason shown, where either is missing, except
under CI=true, where a missing checker fails the test so CI can never skip it.
Only HTML is checked: the checker's CSS profile does not know container queries.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from conftest import REPO, build_site, copy_fixture

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Checked in the same run as each site: proves the checker read files and reported
# errors we can parse, with the mistake issue 16 fixed (roles on native table parts).
CANARY = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>canary</title></head>
<body><table><tr role="row"><td>x</td></tr></table></body></html>
"""


def java_and_vnu() -> list[str]:
    """The command that starts the checker, or skip (fail under CI=true) saying what is missing."""
    java = shutil.which("java")
    reason = None
    if java is None:
        reason = "the Nu HTML Checker needs Java 11+ on PATH (apt-get install default-jre-headless)"
    elif not VNU_JAR.is_file():
        reason = f"the Nu HTML Checker needs {VNU_JAR.relative_to(REPO)}: run `npm ci --omit=dev`"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, so the HTML check must run: {reason}")
        pytest.skip(reason)
    return [java, "-jar", str(VNU_JAR)]


def check_html(command: list[str], *paths: Path) -> list[dict]:
    proc = subprocess.run([*command, "--skip-non-html", "--format", "json", "--stdout", "--exit-zero-always",
                           *map(str, paths)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"vnu.jar did not run:\n{proc.stderr or proc.stdout}"
    return json.loads(proc.stdout)["messages"]


def describe(message: dict, root: Path) -> str:
    page = message.get("url", "").removeprefix("file:")
    where = Path(page).relative_to(root).as_posix() if page.startswith(str(root)) else page
    line, column = message.get("lastLine", message.get("firstLine")), message.get("firstColumn")
    position = f":{line}.{column}" if line else ""
    extract = " ".join(message.get("extract", "").split())
    return f"{where}{position}: {message.get('message')}" + (f"\n    {extract}" if extract else "")


def test_every_page_passes_the_nu_html_checker(full_site, tmp_path):
    command = java_and_vnu()
    site, out = full_site.name, full_site.out
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 5, f"the {site} build should have pages to check"
    canary = tmp_path / "canary" / "canary.html"
    canary.parent.mkdir()
    canary.write_text(CANARY, encoding="utf-8")

    messages = check_html(command, out, canary)

    on_canary = [m for m in messages if m.get("url", "").endswith("/canary/canary.html")]
    assert any(m["type"] == "error" and "“role” attribute" in m["message"] for m in on_canary), (
        "the checker did not report the canary page's invalid table role: is it really checking files?\n"
        + "\n".join(describe(m, tmp_path) for m in messages))
    messages = [m for m in messages if m not in on_canary]
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    for m in messages:
        if m["type"] == "info" and m.get("subType") == "warning":
            warnings.warn(f"Nu HTML Checker warning ({site}): {describe(m, out)}", stacklevel=1)
    assert not errors, (f"the Nu HTML Checker found {len(errors)} error(s) in the {site} site's "
                        f"{len(pages)} pages:\n" + "\n".join(describe(m, out) for m in errors))


# What the every-feature fixture must keep showing, so the checker keeps seeing every feature.
FIXTURE_FEATURES = {
    "articles/every-feature/index.html": (
        '<div class="admonition danger">', '<div class="admonition warning">', '<div class="admonition tip">',
        '<div class="admonition note">', '<caption id="table-caption-1">', 'aria-label="Table: Tables"',
        'class="align-center"', 'class="align-right"', '<pre><code class="language-python">', "<pre><code>",
        "<blockquote>", "<hr>", "<li>First step", "<li>A nested item", '<img class="hero"',
        '<sup class="cite"', "(pp. 12-14)", 'class="key-takeaways"', 'class="faq"', 'class="toc"',
        'class="reference-list"', "<h4", "&lt;b onclick",
        # responsive images: the hero (JPEG) and a body image (PNG with a title), sized, with variants
        '<picture><source type="image/webp" srcset="/static/variants/sofa-', 'fetchpriority="high"',
        '<img src="/static/images/pillow.png" srcset="/static/variants/pillow-', 'loading="lazy"',
        'title="Support under the knees"', '<meta property="og:image:width" content="1600">',
        '<a href="/people/jane/">Jane Smith</a>',
    ),
    "articles/buying-a-cushion/index.html": ('rel="sponsored noopener"', 'class="callout disclosure"'),
    "about/index.html": ('<div class="table-scroll"', "<li>We read the study.</li>"),
    # pagination (page_size: 2), aliases, people
    "articles/index.html": ('<nav class="pagination" aria-label="Pagination">', 'rel="next"', 'aria-current="page"'),
    "articles/page/2/index.html": ('<link rel="prev" href="https://fixture.example/articles/">', "(page 2 of 2)"),
    "tags/back-pain/page/2/index.html": ('<nav class="pagination" aria-label="Pagination">',),
    "articles/all-features/index.html": ('<meta http-equiv="refresh" content="0; url=https://fixture.example/articles/every-feature/">',
                                          '<meta name="robots" content="noindex">'),
    "every-feature.html": ('<link rel="canonical" href="https://fixture.example/articles/every-feature/">',),
    "_redirects": ("/articles/all-features/ /articles/every-feature/ 301",),
    "people/jane/index.html": ('"@type":"ProfilePage"', "Medically reviewed", "Physiatrist"),
    "people/team/page/2/index.html": ('"@type":"ProfilePage"', "(page 2 of 2)"),
}


def test_the_fixture_site_uses_every_feature(tmp_path):
    out = build_site(copy_fixture("every-feature", tmp_path / "source"), tmp_path / "out")
    missing = [f"{page}: {marker}" for page, markers in FIXTURE_FEATURES.items()
               for marker in markers if marker not in (out / page).read_text(encoding="utf-8")]
    assert not missing, "tests/fixtures/every-feature/ no longer shows:\n" + "\n".join(missing)
