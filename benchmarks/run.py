#!/usr/bin/env python3
"""Build-speed benchmark: whole `python build.py build` processes on synthetic sites.

    python3 benchmarks/run.py                      # 100, 1,000 and 10,000 articles, 5 runs each
    python3 benchmarks/run.py --n 1000 --runs 3    # one size

For each size it generates a corpus with `make_corpus.py` (our content format:
~1,500-word articles with tables, lists, 3-6 citations from a 200-entry
references.bib and 4 FAQ items) and measures, as the median of several runs:

* cold       full build with no cache and no previous output
* no change  the same build again, nothing edited
* 1 article  rebuild after editing the body of one article
* bib entry  rebuild after editing a references.bib entry cited by ~5% of articles

plus the peak memory of each build (the whole process tree summed as
proportional set size, sampled every 20 ms: ours, the pool workers and any
indexer), its CPU
utilisation (2.0 = both cores busy), and the save-to-served latency of `serve`
(an edited article, a new article, a references.bib entry cited by ~10
articles: the served page is polled until it shows the change). When Pelican,
MkDocs or Hugo (with Pagefind over Hugo's output: `hugo && pagefind`, the stack
a Hugo user runs) are on PATH (or in --peer-bin), the same corpus is built by
them in the same run and shown as a ratio (their seconds / ours); the issue's
targets are printed last, each met or MISSED. Results are printed as a table
and written as JSON. Speed is measured here, never in the test suite.
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
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MAKE_CORPUS = HERE / "make_corpus.py"
CACHE_DIRS = ("_cache", ".cache")  # ours (and any older location): removed for a cold build
BIB_SHARE = 0.05  # the edited references.bib entry is cited by about this share of articles
# Appended to the generated site.yaml (make_corpus.py is a shared copy, kept verbatim): the article
# list, tag and people pages are paginated, 20 articles a page, as a large site would configure it.
SITE_SETTINGS = "page_size: 20\nfeed_size: 20\n"


@dataclass
class Measure:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_mib: float = 0.0  # the whole process tree's resident memory at its largest (all processes summed)
    cpu: list[float] = field(default_factory=list)  # CPU seconds / wall seconds: 2.0 uses both cores fully

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


@dataclass
class SizeResult:
    articles: int
    measures: dict[str, Measure] = field(default_factory=dict)
    peers: dict[str, dict[str, float]] = field(default_factory=dict)  # tool -> {"cold": s, "no change": s}
    serve: dict[str, list[float]] = field(default_factory=dict)  # change -> save-to-served seconds per run
    notes: list[str] = field(default_factory=list)


# --- running processes ------------------------------------------------------------------


# Runs one command and samples the memory of its whole process tree (build, pool workers,
# indexers) every 20 ms from /proc (proportional set size, so pages the forked workers share
# count once), so the peak is what the machine must hold at once.
_HELPER = r"""
import json, os, resource, subprocess, sys, threading, time
cmd = json.loads(sys.argv[1]); cwd = sys.argv[2] or None

def tree_rss_kib(root):
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        total += _pss_kib(pid)
    return total

def _pss_kib(pid):
    # Proportional set size: a page shared by forked workers counts once in the sum, not once per
    # process (VmRSS would count the parent's copy-on-write pages again in every worker).
    for path, label in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as f:
                return next((int(l.split()[1]) for l in f if l.startswith(label)), 0)
        except OSError:
            continue
    return 0

t = time.perf_counter()
p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
peak = [0]
def sample():
    while p.poll() is None:
        peak[0] = max(peak[0], tree_rss_kib(p.pid))
        time.sleep(0.02)
sampler = threading.Thread(target=sample, daemon=True); sampler.start()
out, err = p.communicate()
s = time.perf_counter() - t
sampler.join()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": s, "peak_kib": max(peak[0], usage.ru_maxrss), "cpu": usage.ru_utime + usage.ru_stime,
                  "code": p.returncode, "out": out[-2000:], "err": err[-4000:]}))
"""


def run_isolated(command: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """(seconds, peak MiB of the process tree, CPU utilisation) of one command, in a fresh helper."""
    proc = subprocess.run([sys.executable, "-c", _HELPER, json.dumps(command), str(cwd or "")],
                          capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout)
    if report["code"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({report['code']}):\n{report['out']}\n{report['err']}")
    return report["seconds"], report["peak_kib"] / 1024, report["cpu"] / report["seconds"]


# --- corpus and edits -------------------------------------------------------------------


def make_corpus(n: int, fmt: str, out: Path) -> None:
    subprocess.run([sys.executable, str(MAKE_CORPUS), "--n", str(n), "--format", fmt, "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    if fmt == "painconnect":
        with open(out / "content" / "site.yaml", "a", encoding="utf-8") as settings:
            settings.write(SITE_SETTINGS)


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


def bench_size(n: int, runs: int, work: Path, build_py: Path, peers: bool, peer_bin: Path | None, log,
               serve: bool = True) -> SizeResult:
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
            seconds, peak, cpu = run_isolated(command)
            measured.seconds.append(seconds)
            measured.cpu.append(cpu)
            measured.peak_mib = max(measured.peak_mib, peak)
            log(f"[{n}] {log_label} {run + 1}/{runs}: {seconds:.2f} s, peak {peak:.0f} MiB, CPU {cpu:.2f}")

    measure("cold", "cold full build", "cold", lambda run: clear_build_state(site, output))
    measure("no change", "second build, nothing changed", "no change", lambda run: None)
    measure("1 article", "one article edited", "one article edited", lambda run: edit_article(site, run))
    key, users = bib_key_near_share(site, BIB_SHARE)
    result.notes.append(f"edited references.bib entry '{key}' is cited by {users} of {n} articles")
    measure("bib entry", f"one references.bib entry edited ({users} citing articles)", "bib entry edited",
            lambda run: edit_bib_entry(site, key, run))

    if serve:
        result.serve = bench_serve(n, runs, site, build_py, log)
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
    hugo = find_tool("hugo", peer_bin)
    if hugo:
        site = work / f"hugo-{n}"
        make_corpus(n, "hugo", site)
        pagefind = pagefind_binary()
        cold, with_search = [], []
        for run in range(runs):
            shutil.rmtree(site / "public", ignore_errors=True)
            shutil.rmtree(site / "resources", ignore_errors=True)
            cold.append(run_isolated([hugo, "--quiet"], cwd=site)[0])
            if pagefind:
                with_search.append(cold[-1] + run_isolated([pagefind, "--site", "public", "--silent"], cwd=site)[0])
            log(f"[{n}] hugo {run + 1}/{runs}: {cold[-1]:.2f} s" + (f", + pagefind {with_search[-1]:.2f} s" if pagefind else ""))
        peers["Hugo"] = {"cold": statistics.median(cold)}
        if with_search:
            peers["Hugo+Pagefind"] = {"cold": statistics.median(with_search)}
        else:
            log(f"[{n}] Pagefind not installed (pip install 'pagefind[bin]'): Hugo+Pagefind skipped")
        shutil.rmtree(site, ignore_errors=True)
    else:
        log(f"[{n}] Hugo not installed (apt-get install hugo): skipped")
    return peers


def pagefind_binary() -> str | None:
    """The Pagefind binary of the `pagefind[bin]` PyPI package, or one on PATH (peers only)."""
    try:
        from pagefind.service import get_executable

        found = get_executable()
        if found:
            return str(found)
    except ImportError:
        pass
    return shutil.which("pagefind") or shutil.which("pagefind_extended")


# --- serve: save to served page -------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def wait_until(condition, seconds: float, poll: float = 0.002) -> float | None:
    """Seconds until `condition()` holds, polled every `poll` s; None after `seconds`."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if condition():
            return time.perf_counter() - start
        time.sleep(poll)
    return None


def bench_serve(n: int, runs: int, site: Path, build_py: Path, log) -> dict[str, list[float]]:
    """Save-to-served latency of `serve`: a save, then the served page polled until it shows the change."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, str(build_py), "serve", "--source", str(site), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    figures: dict[str, list[float]] = {}
    try:
        if wait_until(lambda: fetch(base) is not None, 600, poll=0.2) is None:
            raise RuntimeError("serve did not start")
        articles = sorted((site / "content" / "articles").glob("*.md"))
        edited = articles[len(articles) // 3]
        slug = edited.stem
        key, users = bib_key_near_share(site, 10 / len(articles))
        citing = next(p for p in articles if f"@{key}" in p.read_text(encoding="utf-8"))
        for run in range(runs):
            marker = f"Serve edit {run} zq{run}x."
            text = edited.read_text(encoding="utf-8")
            edited.write_text(re.sub(r"\nServe edit \d+ zq\d+x\.\n$", "\n", text) + f"\n{marker}\n", encoding="utf-8")
            took = wait_until(lambda: marker in (fetch(f"{base}articles/{slug}/") or ""), 30)
            figures.setdefault("edited article", []).append(took if took is not None else float("inf"))
            time.sleep(0.5)
            new = site / "content" / "articles" / f"bench-new-{run}.md"
            new.write_text(edited.read_text(encoding="utf-8").replace("\ntitle:", f"\ntitle: New {run}", 1)
                           .replace(f"slug: {slug}\n", ""), encoding="utf-8")
            took = wait_until(lambda: fetch(f"{base}articles/bench-new-{run}/") is not None, 30)
            figures.setdefault("new article", []).append(took if took is not None else float("inf"))
            new.unlink()  # a change of its own (every page lists one article fewer): let it finish
            wait_until(lambda: fetch(f"{base}articles/bench-new-{run}/") is None, 30)
            time.sleep(0.5)
            edit_bib_entry(site, key, 100 + run)
            took = wait_until(lambda: f"Edited {100 + run}: " in (fetch(f"{base}articles/{citing.stem}/") or ""), 30)
            figures.setdefault(f"references.bib entry cited by {users} articles", []).append(
                took if took is not None else float("inf"))
            time.sleep(0.5)
            log(f"[{n}] serve {run + 1}/{runs}: " + ", ".join(f"{k} {v[-1] * 1000:.0f} ms" for k, v in figures.items()))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return figures


# --- report -------------------------------------------------------------------------------

ORDER = ("cold", "no change", "1 article", "bib entry")


def table(results: list[SizeResult]) -> str:
    peer_names = sorted({name for r in results for name in r.peers})
    header = ["articles", "build", "median s", "runs (s)", "articles/s", "peak MiB", "CPU"]
    header += [f"{name} / ours" for name in peer_names]
    rows = [header]
    for result in results:
        for key in ORDER:
            measure = result.measures.get(key)
            if measure is None:
                continue
            row = [f"{result.articles:,}", measure.name, f"{measure.median:.2f}",
                   " ".join(f"{s:.2f}" for s in measure.seconds),
                   f"{result.articles / measure.median:,.0f}", f"{measure.peak_mib:.0f}",
                   f"{statistics.median(measure.cpu):.2f}" if measure.cpu else ""]
            for name in peer_names:
                peer = result.peers.get(name, {}).get(key)
                row.append(f"{peer:.2f} s = {peer / measure.median:.1f}x" if peer else "")
            rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def targets(results: list[SizeResult]) -> list[str]:
    """The issue's targets, each with our figure and whether it is met."""
    lines = []
    by_size = {r.articles: r for r in results}

    def check(label: str, value: float, limit: float, unit: str = "s") -> None:
        verdict = "met" if value <= limit else "MISSED"
        lines.append(f"- {label}: {value:.2f} {unit} (target <= {limit:.2f} {unit}): {verdict}")

    for n, result in sorted(by_size.items()):
        cold = result.measures.get("cold")
        if cold and "Hugo+Pagefind" in result.peers:
            check(f"{n:,}: cold / (hugo && pagefind)", cold.median / result.peers["Hugo+Pagefind"]["cold"], 1.5, "x")
        if cold and "Hugo" in result.peers:
            check(f"{n:,}: cold / hugo", cold.median / result.peers["Hugo"]["cold"], 2.5, "x")
        if cold and cold.cpu:
            lines.append(f"- {n:,}: cold build CPU utilisation {statistics.median(cold.cpu):.2f} (2.0 = both cores)")
        if n == 1000 and "no change" in result.measures:
            check("1,000: no-change rebuild", result.measures["no change"].median, 0.5)
        if n == 1000 and "1 article" in result.measures:
            check("1,000: one article edited, build", result.measures["1 article"].median, 0.6)
        for change, seconds in result.serve.items():
            # At 10,000 articles the edit figures may be twice the 1,000-article targets.
            limit, note = (300, " (2x the 1,000 target)") if n == 10000 else (150, "")
            check(f"{n:,}: serve, {change}, save to served page{note}", statistics.median(seconds) * 1000, limit, "ms")
    if 1000 in by_size and 10000 in by_size:
        small, large = by_size[1000].measures.get("cold"), by_size[10000].measures.get("cold")
        if small and large:
            check("cold 10,000 / cold 1,000 (linear)", large.median / small.median, 11, "x")
    if 10000 in by_size and by_size[10000].measures:  # these need no 1,000-article run
        peak = max(m.peak_mib for m in by_size[10000].measures.values())
        check("10,000: peak memory of the whole build", peak, 1024, "MiB")
        if "1 article" in by_size[10000].measures:
            check("10,000: one article edited, build (2x the 1,000 target)", by_size[10000].measures["1 article"].median, 1.2)
    return lines


def machine() -> dict[str, str]:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": str(os.cpu_count())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `build.py build` on synthetic sites.")
    parser.add_argument("--sizes", "--n", default="100,1000,10000",
                        help="comma-separated article counts (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is shown (default: %(default)s)")
    parser.add_argument("--build-py", type=Path, default=REPO / "build.py", help="the build.py to measure (default: this checkout's)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary folder, removed afterwards)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the figures (default: %(default)s)")
    parser.add_argument("--peer-bin", type=Path, help="folder holding pelican and mkdocs executables (default: PATH)")
    parser.add_argument("--no-peers", action="store_true", help="skip Pelican, MkDocs and Hugo even when installed")
    parser.add_argument("--no-serve", action="store_true", help="skip the save-to-served latency of `serve`")
    args = parser.parse_args(argv)
    # Builds are timed as a user runs them, with Python's bytecode cache: where the environment
    # turns it off (some sandboxes and CI images do), every fresh-process build would compile
    # the package's ~150 modules again (0.1-0.4 s a build on this machine), which no user pays.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
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
            results.append(bench_size(n, args.runs, work, args.build_py.resolve(), not args.no_peers, args.peer_bin, log,
                                      serve=not args.no_serve))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    command = "python3 benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"\n{command.strip()}\n{machine()}\n")
    print(table(results))
    for result in results:
        for note in result.notes:
            print(f"- {result.articles:,} articles: {note}")
        for change, seconds in result.serve.items():
            runs = " ".join(f"{s * 1000:.0f}" for s in seconds)
            print(f"- {result.articles:,} articles: serve, {change}: median {statistics.median(seconds) * 1000:.0f} ms "
                  f"save to served page (runs: {runs} ms)")
    print("\nTargets (issue 12):")
    print("\n".join(targets(results)) or "- (none measured)")
    report = {
        "command": command.strip(),
        "machine": machine(),
        "results": [
            {"articles": r.articles, "notes": r.notes, "peers": r.peers, "serve": r.serve,
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
