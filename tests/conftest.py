"""Shared fixtures: small sites written into tmp folders (Hugo txtar / MkDocs @tempdir style)."""

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
# A site using every Markdown and front-matter feature (see its README.md).
EVERY_FEATURE_SITE = REPO / "tests" / "fixtures" / "every-feature"

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


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write a site from {relative path: text}; defaults fill in what a test leaves out."""
    defaults: dict[str, str | bytes] = {
        "content/site.yaml": SITE_YAML,
        "references.bib": BIB,
        "content/articles/touch.md": ARTICLE,
        "content/pages/about.md": PAGE,
        "static/images/logo.png": PNG,
    }
    for rel, data in {**defaults, **files}.items():
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


@pytest.fixture
def make_site(tmp_path: Path):
    def factory(files: dict[str, str | bytes | None] | None = None, name: str = "site") -> Path:
        return write_site(tmp_path / name, files or {})

    return factory


# --- full builds of whole sites, shared by the output validators ------------------------

SITE_PARTS = ("content", "static", "templates", "references.bib")  # what a site folder holds
FULL_SITES = {"repository": REPO, "every-feature": EVERY_FEATURE_SITE}


def build_site_copy(source: Path, work: Path) -> Path:
    """Build a copy of a site folder into work/out, so a test never writes into the checkout."""
    from painconnect_site.cli import main

    copy = work / "source"
    copy.mkdir(parents=True)
    for part in SITE_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, copy / part)
        elif (source / part).is_file():
            shutil.copy2(source / part, copy / part)
    out = work / "out"
    assert main(["build", "--source", str(copy), "--output", str(out)]) == 0, f"{source} must build"
    return out


@dataclass(frozen=True)
class BuiltSite:
    name: str
    out: Path


@pytest.fixture(scope="session", params=list(FULL_SITES))
def full_site(request, tmp_path_factory) -> BuiltSite:
    """The repository's own site and the every-feature fixture, each built once per session (read-only)."""
    name = request.param
    return BuiltSite(name, build_site_copy(FULL_SITES[name], tmp_path_factory.mktemp(f"full-{name}")))
