"""Command line: `build`, `check`, `serve`, `new`, `refs`.

Exit codes: 0 success, 1 content errors (or warnings with --strict), 2 usage
errors. Every content problem is one `path:line: severity: message` line on
stderr; a Python traceback only appears with --debug.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Sequence

from ..core.errors import BuildError, Diagnostic

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def make_parser(default_source: Path) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="painconnect-site", description="Build, check and serve a PainConnect site.")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_source(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--source", type=Path, default=default_source, help="site folder (default: %(default)s)")
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return sub

    build = with_source(commands.add_parser("build", help="build the site into the output folder"))
    build.add_argument("--output", type=Path, help="output folder (default: SOURCE/_site)")
    build.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    build.add_argument("--base-url", help="override base_url from content/site.yaml")
    build.add_argument("--no-cache", action="store_true", help="ignore the build cache and rebuild everything")

    check = with_source(commands.add_parser("check", help="validate content and run the editorial checks; writes nothing"))
    check.add_argument("--strict", action="store_true", help="fail on warnings too")

    serve = with_source(commands.add_parser("serve", help="build, serve on 127.0.0.1 and rebuild on every save"))
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument("--drafts", action="store_true", help="include drafts")

    new = with_source(commands.add_parser("new", help="create a new article with a complete front-matter skeleton"))
    new.add_argument("title", help="the article title")

    refs = with_source(commands.add_parser("refs", help="verify references.bib against Crossref and PubMed"))
    refs.add_argument("action", choices=("verify", "status"), help="verify: look entries up online and write "
                      "references.lock.json; status: what the lock says, offline")
    refs.add_argument("keys", nargs="*", help="only these BibTeX keys (default: every entry)")
    refs.add_argument("--stale", action="store_true", help="only entries never verified, changed or verified too long ago")
    return parser


def main(argv: Sequence[str] | None = None, default_source: Path | None = None) -> int:
    parser = make_parser(default_source or Path.cwd())
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    args.source = args.source.resolve()
    if not args.source.is_dir():
        print(f"error: source folder '{args.source}' does not exist", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except BuildError as exc:
        print_diagnostics(exc.diagnostics)
        print(f"failed: {len(exc.diagnostics)} error(s)", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        if getattr(args, "debug", False):
            raise
        print(f"error: internal error: {type(exc).__name__}: {exc} (re-run with --debug for a traceback)", file=sys.stderr)
        return EXIT_CONTENT


def console_main(default_source: Path | None = None) -> int:
    """`main` for a process that ends when it returns: build.py, `painconnect-site`, `python -m`."""
    code = main(default_source=default_source)
    # The interpreter's last collection would walk every object the command left alive
    # (~80 ms after an edit build of 1,000 articles) to free memory the OS takes back anyway.
    gc.freeze()
    return code


def print_diagnostics(diagnostics: Sequence[Diagnostic] | object) -> None:
    for diagnostic in diagnostics:  # type: ignore[attr-defined]
        print(diagnostic.format(), file=sys.stderr)


def _options(args: argparse.Namespace):
    from ..pipeline import BuildOptions

    return BuildOptions(
        root=args.source,
        out_dir=getattr(args, "output", None),
        drafts=getattr(args, "drafts", False),
        base_url=getattr(args, "base_url", None),
        use_cache=not getattr(args, "no_cache", False),
    )


def cmd_build(args: argparse.Namespace) -> int:
    from ..pipeline.options import open_cache
    from ..pipeline.up_to_date import check_up_to_date

    started = time.perf_counter()
    options = _options(args)
    cache = open_cache(options)
    freshness = check_up_to_date(options, cache)  # before the stages load: a repeat build stops here
    if freshness.record is not None:
        print_diagnostics(freshness.record.warnings)
        _print_built(len(freshness.record.outputs), freshness.record.articles, time.perf_counter() - started,
                     options.output, " (nothing changed since the last build)")
        return EXIT_OK
    from ..pipeline import run_build

    result, diags = run_build(options, cache, snapshot=freshness.snapshot)
    print_diagnostics(diags.warnings)
    _print_built(result.files_written, result.articles, result.seconds, result.out_dir)
    return EXIT_OK


def _print_built(files: int, articles: int, seconds: float, out_dir: Path, note: str = "") -> None:
    counted = f"{articles} article{'' if articles == 1 else 's'}"
    print(f"built {files} files ({counted}) in {seconds:.2f} s -> {out_dir}{note}")


def cmd_check(args: argparse.Namespace) -> int:
    from ..pipeline import run_check

    diags = run_check(_options(args))
    print_diagnostics(diags)
    errors, warnings = len(diags.errors), len(diags.warnings)
    failed = errors or (args.strict and warnings)
    print(f"check: {errors} error(s), {warnings} warning(s){' (strict)' if args.strict else ''}",
          file=sys.stderr if failed else sys.stdout)
    return EXIT_CONTENT if failed else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve.server import serve

    return serve(_options(args), host=args.host, port=args.port)


def cmd_new(args: argparse.Namespace) -> int:
    from .new import new_article

    return new_article(args.source, args.title)


def cmd_refs(args: argparse.Namespace) -> int:
    from .refs import run_refs

    return run_refs(args.source, args.action, args.keys, stale=args.stale)


COMMANDS = {"build": cmd_build, "check": cmd_check, "serve": cmd_serve, "new": cmd_new, "refs": cmd_refs}
