"""Shared fixtures: the one way tests make and build a site.

* `write_site(root, files, base=DEFAULT_FILES)`: a site from {path: text} on top of a
  base set of files (Hugo txtar / MkDocs @tempdir style); `make_site` is its pytest fixture.
* `copy_fixture(name, target)`: a copy of a realistic site under tests/fixtures/<name>/
  (frozen content: an editorial change to the repository's own site never breaks a test);
  only the output validators (`full_site`) also check the repository's site as published.
* `build_site(source, out, *args)`: `build` through the CLI entry point, asserting success.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUILD_PY = REPO / "build.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE_PARTS = ("content", "static", "templates", "references.bib")  # what a site folder holds

SITE_YAML = """\
title: Test Health
base_url: https://test.example/
description: A small site used by the test suite to check the generator.
organization:
  name: Test Health
  url: https://test.example/
  logo: images/logo.png
default_author: team
people:
  team:
    name: Test Health Editorial Team
    kind: organization
  jane:
    name: Jane Smith
    credentials: MD
    role: Physiotherapist
"""

BIB = """\
@article{smith2020,
  author  = {Smith, Jane A. and Doe, John},
  title   = {Touch and pain in adults},
  journal = {Pain Medicine},
  year    = {2020},
  volume  = {21},
  number  = {3},
  pages   = {100--110},
  doi     = {10.1000/pm.2020.1}
}

@article{lee2019,
  author  = {Lee, Min},
  title   = {Social support and back pain},
  journal = {Journal of Pain},
  year    = {2019},
  volume  = {5},
  pages   = {1--9}
}

@article{khan2021,
  author  = {Khan, Aisha},
  title   = {Sleep and chronic pain},
  journal = {Sleep Health},
  year    = {2021},
  volume  = {7},
  pages   = {50--58}
}
"""

# One entry, for tests that need a citable key and nothing else.
ONE_ENTRY_BIB = """\
@article{smith2020,
  author  = {Smith, Jane},
  title   = {Walking and back pain},
  journal = {Pain Medicine},
  year    = {2020}
}
"""

ARTICLE = """\
---
title: "Touch and chronic pain"
description: "What research says about touch, closeness and living with chronic pain day to day."
date: 2026-01-15
reviewed: 2026-02-01
author: team
tags: [chronic-pain, intimacy]
about: [Chronic pain]
summary:
  - "Touch may help some people [@lee2019]."
faq:
  - q: "Does touch help?"
    a: "For some people it does [@smith2020]."
---

## What we know

Closeness is linked with lower pain in one study [@smith2020; @lee2019].

## What we do not know

More research is needed [@khan2021].
"""

PAGE = """\
---
title: "About us"
description: "Who writes this site, how it is funded, and how we choose our sources."
date: 2026-01-01
---

We are a small team.
"""

# 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000"
    "0500010d0a2db40000000049454e44ae426082"
)


DEFAULT_FILES: dict[str, str | bytes] = {
    "content/site.yaml": SITE_YAML,
    "references.bib": BIB,
    "content/articles/touch.md": ARTICLE,
    "content/pages/about.md": PAGE,
    "static/images/logo.png": PNG,
}


def write_site(root: Path, files: dict[str, str | bytes | None] | None = None,
               base: dict[str, str | bytes] = DEFAULT_FILES) -> Path:
    """Write a site from {relative path: text or bytes} over the `base` files; None drops a base file."""
    for rel, data in {**base, **(files or {})}.items():
        if data is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data) if data.startswith("\n") else data, encoding="utf-8")
    return root


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, env: dict[str, str] | None = None) -> Run:
    """Run `python build.py ...` as a user would, in a subprocess."""
    proc = subprocess.run(
        [sys.executable, str(BUILD_PY), *map(str, args)], capture_output=True, text=True, timeout=300, env=env
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def copy_fixture(name: str, target: Path) -> Path:
    """A copy of the site tests/fixtures/<name>/, so tests never write into the checkout."""
    return copy_site(FIXTURES / name, target)


def copy_site(source: Path, target: Path) -> Path:
    """A copy of the site folder `source` (what a site holds: SITE_PARTS)."""
    for part in SITE_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
        elif (source / part).is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / part, target / part)
    return target


def build_site(source: Path, out: Path | None = None, *args: str) -> Path:
    """Build `source` into `out` (default SOURCE/_site) through the CLI entry point; the output folder."""
    from painconnect_site.commands.cli import main

    out = out or source / "_site"
    assert main(["build", "--source", str(source), "--output", str(out), *args]) == 0, "the site must build"
    return out


@pytest.fixture
def make_site(tmp_path: Path):
    def factory(files: dict[str, str | bytes | None] | None = None, name: str = "site") -> Path:
        return write_site(tmp_path / name, files or {})

    return factory


# --- full builds of whole sites, shared by the output validators ------------------------

# The validators (HTML, sitemap, feed) check the repository's own site, as published, a
# fixture that uses every Markdown and front-matter feature, and a site in two languages
# (see their README.md).
FULL_SITES = {"repository": REPO, "every-feature": FIXTURES / "every-feature", "multilingual": FIXTURES / "multilingual"}


@dataclass(frozen=True)
class BuiltSite:
    name: str
    out: Path


@pytest.fixture(scope="session", params=list(FULL_SITES))
def full_site(request, tmp_path_factory) -> BuiltSite:
    """The repository's own site, the every-feature and multilingual fixtures, each built once per session (read-only)."""
    name = request.param
    work = tmp_path_factory.mktemp(f"full-{name}")
    return BuiltSite(name, build_site(copy_site(FULL_SITES[name], work / "source"), work / "out"))


@pytest.fixture
def style_fails_for_lee(monkeypatch):
    """The citation style raises on the lee2019 entry (as citeproc-py does on some entries):
    the build warns and prints that one reference plainly."""
    import citeproc.source.json as citeproc_json  # the formatter imports it when it formats

    real = citeproc_json.CiteProcJSON

    def fails_for_lee(items):
        if items[0].get("title", "").startswith("Social support"):
            raise KeyError("issued")
        return real(items)

    monkeypatch.setattr(citeproc_json, "CiteProcJSON", fails_for_lee)
