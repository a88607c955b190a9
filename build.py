#!/usr/bin/env python3
"""Thin entry point: `python build.py build|check|serve|new` (same as `painconnect-site`)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))  # works from a plain checkout, before `pip install`

from painconnect_site.commands.cli import console_main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(console_main(default_source=ROOT))
