#!/usr/bin/env python3
"""Build-speed benchmark: whole `python build.py build` processes on synthetic sites.

    python3 benchmarks/run.py                      # 100, 1,000 and 10,000 articles, 5 runs each
    python3 benchmarks/run.py --sizes 100,1000 --runs 3

For each size it generates a corpus with `make_corpus.py` (our content format:
~1,500-word articles with tables, lists, 3-6 citations from a 200-entry
references.bib and 4 FAQ items) and measures, as the median of several runs:

* cold       full build with no cache and no previous output
* no change  the same build again, nothing edited
* 1 article  rebuild after editing the body of one article
* bib entry  rebuild after editing a references.bib entry cited by ~5% of articles

plus the peak resident memory of a cold build (the largest single process of
the build's process tree: ours or a pool worker). When Pelican or
MkDocs are on PATH (or in --peer-bin), the same corpus is built by them in the
same run and shown as a ratio (their seconds / ours). Results are printed as a
table and written as JSON. Speed is measured here, never in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MAKE_CORPUS = HERE / "make_corpus.py"
CACHE_DIRS = ("_cache", ".cache")  # ours (and any older location): removed for a cold build
BIB_SHARE = 0.05  # the edited references.bib entry is cited by about this share of articles


@dataclass
class Measure:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_mib: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


@dataclass
class SizeResult:
    articles: int
    measures: dict[str, Measure] = field(default_factory=dict)
    peers: dict[str, dict[str, float]] = field(default_factory=dict)  # tool -> {"cold": s, "no change": s}
    notes: list[str] = field(default_factory=list)


# --- running processes ------------------------------------------------------------------


def run_isolated(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(seconds, peak MiB) of one process tree, measured in a fresh helper so maxrss starts at zero."""
    helper = (
        "import json, resource, subprocess, sys, time\n"
        "cmd = json.loads(sys.argv[1]); cwd = sys.argv[2] or None\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)\n"
        "s = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'seconds': s, 'peak_kib': peak, 'code': p.returncode, 'out': p.stdout[-2000:], 'err': p.stderr[-4000:]}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", helper, json.dumps(command), str(cwd or "")],
                          capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout)
    if report["code"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({report['code']}):\n{report['out']}\n{report['err']}")
    return report["seconds"], report["peak_kib"] / 1024


# --- corpus and edits -------------------------------------------------------------------


def make_corpus(n: int, fmt: str, out: Path) -> None:
    subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(n), "--format", fmt, "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)


def clear_build_state(site: Path, output: Path) -> None:
    shutil.rmtree(output, ignore_errors=True)
    for name in CACHE_DIRS:
        shutil.rmtree(site / name, ignore_errors=True)


def edit_article(site: Path, run: int) -> None:
    """Append a sentence to the body of one article (the middle one, by name): a real content change."""
    articles = sorted((site / "content" / "articles").glob("*.md"))
    path = articles[len(articles) // 2]
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n\nBenchmark edit \d+\.\n$", "\n", text)
    path.write_text(text + f"\nBenchmark edit {run}.\n", encoding="utf-8")


def bib_key_near_share(site: Path, share: float) -> tuple[str, int]:
    """The references.bib key cited by the number of articles closest to `share` of them."""
    articles = sorted((site / "content" / "articles").glob("*.md"))
    users: dict[str, int] = {}
    for path in articles:
        for key in set(re.findall(r"@(key\d+)", path.read_text(encoding="utf-8"))):
            users[key] = users.get(key, 0) + 1
    target = share * len(articles)
    key = min(sorted(users), key=lambda k: (abs(users[k] - target), k))
    return key, users[key]


def edit_bib_entry(site: Path, key: str, run: int) -> None:
    """Change the title of one entry (a different title each run)."""
    path = site / "references.bib"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r"(@\w+\{" + re.escape(key) + r",.*?title\s*=\s*\{)(?:Edited \d+: )?", re.DOTALL)
    edited, count = pattern.subn(lambda m: f"{m.group(1)}Edited {run}: ", text, count=1)
    if count != 1:
        raise RuntimeError(f"could not find the title of '{key}' in {path}")
    path.write_text(edited, encoding="utf-8")


# --- our generator ----------------------------------------------------------------------


def build_command(build_py: Path, site: Path, output: Path) -> list[str]:
    return [sys.executable, str(build_py), "build", "--source", str(site), "--output", str(output)]


def bench_size(n: int, runs: int, work: Path, build_py: Path, peers: bool, peer_bin: Path | None, log) -> SizeResult:
    result = SizeResult(n)
    site, output = work / f"site-{n}", work / f"out-{n}"
    log(f"[{n}] generating the corpus")
    make_corpus(n, "painconnect", site)
    command = build_command(build_py, site, output)

    def measure(name: str, label: str, log_label: str, before_each) -> None:
        """`runs` timed builds, each after `before_each(run)` prepares the change."""
        measured = result.measures.setdefault(name, Measure(label))
        for run in range(runs):
            before_each(run)
            seconds, peak = run_isolated(command)
            measured.seconds.append(seconds)
            measured.peak_mib = max(measured.peak_mib, peak)
            log(f"[{n}] {log_label} {run + 1}/{runs}: {seconds:.2f} s, peak {peak:.0f} MiB")

    measure("cold", "cold full build", "cold", lambda run: clear_build_state(site, output))
    measure("no change", "second build, nothing changed", "no change", lambda run: None)
    measure("1 article", "one article edited", "one article edited", lambda run: edit_article(site, run))
    key, users = bib_key_near_share(site, BIB_SHARE)
    result.notes.append(f"edited references.bib entry '{key}' is cited by {users} of {n} articles")
    measure("bib entry", f"one references.bib entry edited ({users} citing articles)", "bib entry edited",
            lambda run: edit_bib_entry(site, key, run))

    if peers:
        result.peers = bench_peers(n, runs, work, peer_bin, log)
    shutil.rmtree(output, ignore_errors=True)
    return result


# --- peers --------------------------------------------------------------------------------


def find_tool(name: str, peer_bin: Path | None) -> str | None:
    if peer_bin is not None and (peer_bin / name).is_file():
        return str(peer_bin / name)
    return shutil.which(name)


def bench_peers(n: int, runs: int, work: Path, peer_bin: Path | None, log) -> dict[str, dict[str, float]]:
    peers: dict[str, dict[str, float]] = {}
    pelican = find_tool("pelican", peer_bin)
    if pelican:
        site = work / f"pelican-{n}"
        make_corpus(n, "pelican", site)
        base = [pelican, "content", "-o", "output", "-s", "pelicanconf.py", "-q"]
        # Pelican's content cache (as in the "Pelican (content cache)" figure).
        cached = base + ["-e", "CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true"]
        cold, warm = [], []
        for run in range(runs):
            shutil.rmtree(site / "output", ignore_errors=True)
            shutil.rmtree(site / "cache", ignore_errors=True)
            cold.append(run_isolated(cached, cwd=site)[0])
            warm.append(run_isolated(cached, cwd=site)[0])
            log(f"[{n}] pelican {run + 1}/{runs}: cold {cold[-1]:.2f} s, cached {warm[-1]:.2f} s")
        peers["Pelican"] = {"cold": statistics.median(cold), "no change": statistics.median(warm)}
        shutil.rmtree(site, ignore_errors=True)
    else:
        log(f"[{n}] Pelican not installed: skipped")
    mkdocs = find_tool("mkdocs", peer_bin)
    if mkdocs:
        site = work / f"mkdocs-{n}"
        make_corpus(n, "mkdocs", site)
        cold, dirty = [], []
        for run in range(runs):
            shutil.rmtree(site / "site", ignore_errors=True)
            cold.append(run_isolated([mkdocs, "build", "-q", "-f", "mkdocs.yml"], cwd=site)[0])
            dirty.append(run_isolated([mkdocs, "build", "-q", "--dirty", "-f", "mkdocs.yml"], cwd=site)[0])
            log(f"[{n}] mkdocs {run + 1}/{runs}: cold {cold[-1]:.2f} s, --dirty {dirty[-1]:.2f} s")
        peers["MkDocs"] = {"cold": statistics.median(cold), "no change": statistics.median(dirty)}
        shutil.rmtree(site, ignore_errors=True)
    else:
        log(f"[{n}] MkDocs not installed: skipped")
    return peers


# --- report -------------------------------------------------------------------------------

ORDER = ("cold", "no change", "1 article", "bib entry")


def table(results: list[SizeResult]) -> str:
    peer_names = sorted({name for r in results for name in r.peers})
    header = ["articles", "build", "median s", "runs (s)", "articles/s", "peak MiB"]
    header += [f"{name} / ours" for name in peer_names]
    rows = [header]
    for result in results:
        for key in ORDER:
            measure = result.measures.get(key)
            if measure is None:
                continue
            row = [f"{result.articles:,}", measure.name, f"{measure.median:.2f}",
                   " ".join(f"{s:.2f}" for s in measure.seconds),
                   f"{result.articles / measure.median:,.0f}", f"{measure.peak_mib:.0f}"]
            for name in peer_names:
                peer = result.peers.get(name, {}).get(key)
                row.append(f"{peer:.2f} s = {peer / measure.median:.1f}x" if peer else "")
            rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def machine() -> dict[str, str]:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": str(os.cpu_count())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `build.py build` on synthetic sites.")
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated article counts (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is shown (default: %(default)s)")
    parser.add_argument("--build-py", type=Path, default=REPO / "build.py", help="the build.py to measure (default: this checkout's)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary folder, removed afterwards)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the figures (default: %(default)s)")
    parser.add_argument("--peer-bin", type=Path, help="folder holding pelican and mkdocs executables (default: PATH)")
    parser.add_argument("--no-peers", action="store_true", help="skip Pelican and MkDocs even when installed")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.runs < 1 or not sizes:
        parser.error("need at least one size and one run")

    import tempfile

    work = args.work or Path(tempfile.mkdtemp(prefix="painconnect-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    # Installed packages ship compiled bytecode; precompile a plain checkout the same way
    # (it matters when PYTHONDONTWRITEBYTECODE is set, as in some sandboxes).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(args.build_py.parent / "src")],
                   check=False, stdout=subprocess.DEVNULL)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results = []
    try:
        for n in sizes:
            results.append(bench_size(n, args.runs, work, args.build_py.resolve(), not args.no_peers, args.peer_bin, log))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    command = "python3 benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"\n{command.strip()}\n{machine()}\n")
    print(table(results))
    for result in results:
        for note in result.notes:
            print(f"- {result.articles:,} articles: {note}")
    report = {
        "command": command.strip(),
        "machine": machine(),
        "results": [
            {"articles": r.articles, "notes": r.notes, "peers": r.peers,
             "measures": {k: {**asdict(m), "median": m.median, "articles_per_second": r.articles / m.median}
                          for k, m in r.measures.items()}}
            for r in results
        ],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
