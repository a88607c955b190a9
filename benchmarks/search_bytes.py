#!/usr/bin/env python3
"""What a reader downloads for a first search, and how large the index is on disk.

    python3 benchmarks/search_bytes.py --n 10000                 # generate, build, measure
    python3 benchmarks/search_bytes.py --site DIR/_site          # measure a built site

For each query, a fresh copy of the site's own search client (scripts/search_query.js
runs static/js/search.js in node) searches the built index and records every file it
fetches: meta.json, the shards of the query's words, and the document files of the first
five results (what the search page shows first). The figure is their gzip size (what a
host that compresses JSON sends), plus the search page itself, its CSS and its script,
also gzipped: the whole transfer of a first query in a fresh browser. The 100 KB target
is for a 10,000-article site.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
QUERY_JS = REPO / "scripts" / "search_query.js"
# Typical reader queries on the benchmark corpus: one word, a prefix being typed, two words,
# a common word that is in every article, and three words.
QUERIES = ("sciatica ", "physio", "back pain ", "pain ", "sleep exercise routine ")
BUDGET = 100 * 1024


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


def page_bytes(site: Path) -> tuple[int, list[str]]:
    """The search page and the CSS and JS it loads, gzipped."""
    page = (site / "search" / "index.html").read_bytes()
    assets = re.findall(rb'(?:href|src)="/(static/[^"]+\.(?:css|js))"', page)
    total = gz(page) + sum(gz((site / asset.decode()).read_bytes()) for asset in assets)
    return total, ["search/index.html", *(a.decode() for a in assets)]


def index_size(site: Path) -> tuple[int, int, int]:
    """(files, bytes, bytes on disk in 4 KiB blocks) of the search index."""
    files = [p for p in (site / "search-index").rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    blocks = sum(p.stat().st_blocks * 512 for p in files)
    return len(files), size, blocks


def measure(site: Path, queries: tuple[str, ...]) -> dict:
    result = subprocess.run(["node", str(QUERY_JS), str(site), *queries], capture_output=True, text=True, check=True)
    page, page_files = page_bytes(site)
    rows = []
    for entry in json.loads(result.stdout):
        index = sum(f["gzip"] for f in entry["fetched"])
        rows.append({"query": entry["query"], "results": len(entry["results"]), "files": len(entry["fetched"]),
                     "index_gzip": index, "raw": sum(f["bytes"] for f in entry["fetched"]),
                     "total_gzip": index + page, "fetched": entry["fetched"]})
    files, size, blocks = index_size(site)
    meta = json.loads((site / "search-index" / "meta.json").read_bytes())
    return {"page_gzip": page, "page_files": page_files, "queries": rows, "index_files": files,
            "index_bytes": size, "index_disk": blocks, "documents": meta["n"], "shards": len(meta["shards"])}


def report(figures: dict) -> str:
    lines = [f"{figures['documents']:,} documents; index: {figures['index_files']:,} files, "
             f"{figures['index_bytes'] / 2**20:.1f} MiB ({figures['index_disk'] / 2**20:.1f} MiB on disk), "
             f"{figures['shards']:,} shards",
             f"search page, its CSS and script: {figures['page_gzip'] / 1024:.1f} KB gzipped",
             "",
             "| query | results | files fetched | index KB (gzip) | first query total KB (gzip) | under 100 KB |",
             "|---|---|---|---|---|---|"]
    for row in figures["queries"]:
        lines.append(f"| `{row['query']}` | {row['results']:,} | {row['files']} | {row['index_gzip'] / 1024:.1f} | "
                     f"{row['total_gzip'] / 1024:.1f} | {'yes' if row['total_gzip'] < BUDGET else 'no'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bytes a first search downloads, on a benchmark corpus.")
    parser.add_argument("--n", type=int, default=10_000, help="articles in the generated corpus (default: %(default)s)")
    parser.add_argument("--site", type=Path, help="an already built output folder to measure instead")
    parser.add_argument("--work", type=Path, help="where to generate and build (default: a temporary folder, kept)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("queries", nargs="*", help=f"queries (default: {' | '.join(QUERIES)})")
    args = parser.parse_args(argv)
    site = args.site
    if site is None:
        work = args.work or Path(tempfile.mkdtemp(prefix="painconnect-search-bytes-"))
        source = work / f"site-{args.n}"
        if not (source / "content").is_dir():
            subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "--n", str(args.n), "--format", "painconnect",
                            "--out", str(source)], check=True, stdout=subprocess.DEVNULL)
        site = work / f"out-{args.n}"
        subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--source", str(source), "--output", str(site)],
                       check=True, env={**os.environ})
    figures = measure(site, tuple(args.queries) or QUERIES)
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
