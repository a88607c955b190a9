#!/usr/bin/env node
/* Run the site's own search client (theme static/js/search.js) against a built site, as
   the browser would, and print what it finds as JSON.

     node scripts/search_query.js SITE_DIR QUERY [QUERY...] [--tag SLUG] [--shown N] [--language CODE]

   For each query: the result URLs in rank order, the first N results' titles and
   excerpts (highlighted words in [brackets]), and every index file the client fetched
   for it (a fresh client per query: a first search), with its size and its gzip size,
   which is what a host that compresses JSON sends. The index searched is the default
   language's (search-index/), or with --language that language's (search-index/<code>/,
   what /<code>/search/ reads). The tests use it to check the Python index and the
   JavaScript client together; benchmarks/search_bytes.py sums the bytes. */
"use strict";

const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const CLIENT = path.join(__dirname, "..", "src", "painconnect_site", "render", "theme", "static", "js", "search.js");

function parseArgs(argv) {
  const args = { site: null, queries: [], tag: "", shown: 5, language: "" };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--tag") args.tag = argv[++i];
    else if (argv[i] === "--language") args.language = argv[++i];
    else if (argv[i] === "--shown") args.shown = Number(argv[++i]);
    else if (args.site === null) args.site = argv[i];
    else args.queries.push(argv[i]);
  }
  return args;
}

async function runQuery(client, indexDir, query, tag, shown) {
  const fetched = [];
  const engine = client.createEngine(async (file) => {
    const data = fs.readFileSync(path.join(indexDir, file));
    fetched.push({ file, bytes: data.length, gzip: zlib.gzipSync(data, { level: 6 }).length });
    return JSON.parse(data.toString("utf-8"));
  });
  const found = await engine.search(query, tag);
  const results = [];
  for (const [rank, result] of found.results.entries()) {
    const entry = { id: result.id, matched: result.matched, score: Number(result.score.toFixed(6)) };
    if (rank < shown) {
      const doc = await engine.document(result.id);
      entry.url = doc.u;
      entry.title = doc.t;
      entry.excerpt = client.excerpt(doc.x, found.highlight, 30)
        .map((piece) => (piece.mark ? `[${piece.text}]` : piece.text)).join("");
    }
    results.push(entry);
  }
  return { query, tag, words: found.words, results, fetched };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.site || !args.queries.length) {
    process.stderr.write("usage: search_query.js SITE_DIR QUERY [QUERY...] [--tag SLUG] [--shown N] [--language CODE]\n");
    process.exit(2);
  }
  const client = require(CLIENT);
  const indexDir = path.join(args.site, "search-index", args.language);
  const out = [];
  for (const query of args.queries) {
    out.push(await runQuery(client, indexDir, query, args.tag, args.shown));
  }
  process.stdout.write(JSON.stringify(out, null, 1) + "\n");
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + "\n");
  process.exit(1);
});
