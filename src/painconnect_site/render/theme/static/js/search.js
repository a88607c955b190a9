/* Site search: reads the static index in /search-index/ (written by search/index.py) with
   fetch, ranks articles with BM25 and shows each with its title and a highlighted excerpt.
   No server, no dependencies, no inline code (the Content Security Policy forbids it).

   Words are found the way the build indexed them (words() mirrors search/text.py): the
   typed word is looked up, exactly or as a prefix, among the words as they occur in the
   articles, and leads to the postings of its stem, so "walking" also finds "walked".
   The engine (createEngine) runs in node too: scripts/search_query.js drives it in the
   tests, so the Python index and this client are checked together. Nothing here depends
   on the language: the index maps each word to its stem, in whatever language it was
   built for, and the words the page shows come from its form's data-text-* attributes. */
(function () {
  "use strict";

  var FORMAT = 1;
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var GROUP_CHARS = 2;
  var TITLE_FLAG = 32;
  var LENGTH_BASE = 1.25;
  var K1 = 1.2;
  var B = 0.75;
  var TITLE_BOOST = 1.5; // added to a word's BM25 term frequency part when it is in the title
  var PREFIX_WEIGHT = 0.5; // a word that only starts with what was typed counts half
  var MAX_PREFIX_SHARDS = 4; // a short prefix of a large site would need more: exact words only then
  var WORD = /[\p{L}\p{N}]+/gu;
  var TOKEN = /[\p{L}\p{N}'\u2019]+/gu; // what an excerpt counts as one word
  var MARKS = /\p{M}/gu;
  var APOSTROPHES = /['\u2019]/g;
  var ASCII = /^[\x00-\x7f]*$/;
  var SAFE_KEY = /^[a-z0-9]+$/;
  var DIGITS = {};
  for (var d = 0; d < ALPHABET.length; d++) {
    DIGITS[ALPHABET.charCodeAt(d)] = d;
  }

  // --- words, as search/text.py makes them ------------------------------------------------

  function words(text) {
    var found = text.toLowerCase().normalize("NFC").replace(APOSTROPHES, "").match(WORD) || [];
    var out = [];
    for (var i = 0; i < found.length; i++) {
      if (ASCII.test(found[i])) {
        out.push(found[i]);
      } else {
        var folded = found[i].normalize("NFKD").replace(MARKS, "").toLowerCase().match(WORD) || [];
        out.push.apply(out, folded);
      }
    }
    return out;
  }

  function codePoints(text) {
    return Array.from(text); // Python counts code points, not UTF-16 units
  }

  function shardOf(term, splits) {
    var chars = codePoints(term);
    var size = Math.min(GROUP_CHARS, chars.length);
    while (chars.length > size && splits.has(chars.slice(0, size).join(""))) {
      size += 1;
    }
    return chars.slice(0, size).join("");
  }

  function shardPath(key) {
    if (SAFE_KEY.test(key)) {
      return "s/" + key + ".json";
    }
    var hex = Array.from(new TextEncoder().encode(key), function (byte) {
      return (byte < 16 ? "0" : "") + byte.toString(16);
    }).join("");
    return "s/_" + hex + ".json";
  }

  // --- postings ---------------------------------------------------------------------------

  function decodeIds(gaps) {
    var ids = [];
    var id = -1;
    var value = 0;
    for (var i = 0; i < gaps.length; i++) {
      var digit = DIGITS[gaps.charCodeAt(i)];
      value = value * 32 + (digit & 31);
      if (!(digit & 32)) {
        id += value + 1;
        ids.push(id);
        value = 0;
      }
    }
    return ids;
  }

  function termFrequency(quantized) {
    return quantized < 16 ? quantized : 16 * Math.pow(2, (quantized - 16) / 4);
  }

  // Per document id: this stem's BM25 score in it.
  function stemScores(postings, meta) {
    var ids = decodeIds(postings[0]);
    var weights = postings[1];
    var lengths = postings[2];
    var n = meta.n;
    var idf = Math.log(1 + (n - ids.length + 0.5) / (ids.length + 0.5));
    var scores = new Map();
    for (var i = 0; i < ids.length; i++) {
      var weight = DIGITS[weights.charCodeAt(i)];
      var tf = termFrequency(weight & 31);
      var length = Math.pow(LENGTH_BASE, DIGITS[lengths.charCodeAt(i)]);
      var norm = 1 - B + (B * length) / (meta.avg || 1);
      var part = tf > 0 ? (tf * (K1 + 1)) / (tf + K1 * norm) : 0;
      scores.set(ids[i], idf * (part + (weight & TITLE_FLAG ? TITLE_BOOST : 0)));
    }
    return scores;
  }

  // --- the engine ---------------------------------------------------------------------------

  /* load(path) -> Promise of the parsed JSON file at search-index/<path>. */
  function createEngine(load) {
    var files = new Map();

    function get(path) {
      if (!files.has(path)) {
        files.set(path, load(path).catch(function (error) {
          files.delete(path);
          throw error;
        }));
      }
      return files.get(path);
    }

    function meta() {
      return get("meta.json").then(function (found) {
        if (found.v !== FORMAT) {
          throw new Error("search index format " + found.v + ", expected " + FORMAT);
        }
        if (!found.splitSet) {
          found.splitSet = new Set(found.splits);
          found.shardSet = new Set(found.shards);
        }
        return found;
      });
    }

    function shard(info, key) {
      return info.shardSet.has(key) ? get(shardPath(key)) : Promise.resolve({ s: {}, w: {} });
    }

    // The shards holding every word that starts with `prefix`.
    function prefixShards(info, prefix) {
      var key = shardOf(prefix, info.splitSet);
      if (!info.splitSet.has(prefix)) {
        return [key];
      }
      var below = info.shards.filter(function (k) { return k.indexOf(prefix) === 0; });
      return below.length <= MAX_PREFIX_SHARDS ? below : [key];
    }

    /* The stems a query word leads to: stem -> weight (1 for the word itself, less for a
       longer word it starts). */
    async function stemsFor(info, word, prefix) {
      var stems = new Map();
      var exact = await shard(info, shardOf(word, info.splitSet));
      if (Object.prototype.hasOwnProperty.call(exact.w, word)) {
        stems.set(exact.w[word], 1);
      }
      if (prefix && codePoints(word).length >= GROUP_CHARS) {
        var shards = await Promise.all(prefixShards(info, word).map(function (k) { return shard(info, k); }));
        shards.forEach(function (found) {
          Object.keys(found.w).forEach(function (other) {
            if (other !== word && other.indexOf(word) === 0 && !stems.has(found.w[other])) {
              stems.set(found.w[other], PREFIX_WEIGHT);
            }
          });
        });
      }
      return stems;
    }

    async function postingsOf(info, stem) {
      var found = await shard(info, shardOf(stem, info.splitSet));
      return Object.prototype.hasOwnProperty.call(found.s, stem) ? found.s[stem] : null;
    }

    /* Every word of the loaded shards whose stem is one of `stems`: what excerpts highlight. */
    async function surfaceWords(info, stems) {
      var keys = new Set();
      stems.forEach(function (stem) { keys.add(shardOf(stem, info.splitSet)); });
      var out = new Set();
      for (var entry of files) {
        if (entry[0].indexOf("s/") !== 0) continue;
        var found = await entry[1].catch(function () { return { w: {} }; });
        Object.keys(found.w).forEach(function (word) {
          if (stems.has(found.w[word])) out.add(word);
        });
      }
      return out;
    }

    /* {results: [{id, score, matched}], words: n query words found, highlight: Set} for
       `query`; documents with more of the query's words first, then by score. The last
       word counts as a prefix too unless the query ends with a space or punctuation. */
    async function search(query, tag) {
      var info = await meta();
      var terms = [];
      words(query).forEach(function (word) {
        if (terms.indexOf(word) < 0) terms.push(word);
      });
      var typing = /[\p{L}\p{N}]$/u.test(query);
      var perTerm = await Promise.all(terms.map(function (word, i) {
        return stemsFor(info, word, typing && i === terms.length - 1);
      }));
      var totals = new Map();
      var used = new Set();
      var found = 0;
      for (var t = 0; t < perTerm.length; t++) {
        var best = new Map();
        for (var entry of perTerm[t]) {
          var postings = await postingsOf(info, entry[0]);
          if (!postings) continue;
          used.add(entry[0]);
          stemScores(postings, info).forEach(function (score, id) {
            var weighted = score * entry[1];
            if (!(best.get(id) >= weighted)) best.set(id, weighted);
          });
        }
        if (!best.size) continue; // a word no article has: ignored
        found += 1;
        best.forEach(function (score, id) {
          var total = totals.get(id) || { id: id, score: 0, matched: 0 };
          total.score += score;
          total.matched += 1;
          totals.set(id, total);
        });
      }
      var results = Array.from(totals.values());
      if (tag) {
        var members = new Set(decodeIds(await get("t/" + tag + ".json").catch(function () { return ""; })));
        results = results.filter(function (result) { return members.has(result.id); });
      }
      results.sort(function (a, b) {
        return b.matched - a.matched || b.score - a.score || a.id - b.id;
      });
      return { results: results, words: found, highlight: await surfaceWords(info, used) };
    }

    function documentOf(id) {
      return get("d/" + id.toString(36) + ".json");
    }

    return { search: search, document: documentOf };
  }

  /* The `size`-word stretch of `text` with the most highlighted words (distinct ones
     first), as [{text, mark}] pieces; the start of the text when none is there. */
  function excerpt(text, highlight, size) {
    var tokens = [];
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      var hit = words(match[0]).some(function (word) { return highlight.has(word); });
      tokens.push({ start: match.index, end: match.index + match[0].length, hit: hit, key: hit ? words(match[0]).join(" ") : "" });
    }
    if (!tokens.length) return [{ text: text, mark: false }];
    var bestStart = 0;
    var bestRank = [-1, -1];
    for (var start = 0; start < Math.max(1, tokens.length - size + 1); start++) {
      var distinct = new Set();
      var hits = 0;
      for (var i = start; i < Math.min(tokens.length, start + size); i++) {
        if (tokens[i].hit) {
          hits += 1;
          distinct.add(tokens[i].key);
        }
      }
      if (distinct.size > bestRank[0] || (distinct.size === bestRank[0] && hits > bestRank[1])) {
        bestRank = [distinct.size, hits];
        bestStart = start;
      }
    }
    var last = Math.min(tokens.length, bestStart + size) - 1;
    var pieces = [];
    var at = tokens[bestStart].start;
    if (bestStart > 0) pieces.push({ text: "… ", mark: false });
    for (var j = bestStart; j <= last; j++) {
      if (!tokens[j].hit) continue;
      if (tokens[j].start > at) pieces.push({ text: text.slice(at, tokens[j].start), mark: false });
      pieces.push({ text: text.slice(tokens[j].start, tokens[j].end), mark: true });
      at = tokens[j].end;
    }
    if (tokens[last].end > at) pieces.push({ text: text.slice(at, tokens[last].end), mark: false });
    if (last < tokens.length - 1) pieces.push({ text: " …", mark: false });
    return pieces;
  }

  var api = { words: words, shardOf: shardOf, shardPath: shardPath, decodeIds: decodeIds,
              createEngine: createEngine, excerpt: excerpt };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  }
  if (typeof document === "undefined") {
    return;
  }

  // --- the search page ------------------------------------------------------------------------

  var PAGE_SIZE = 5;
  var EXCERPT_WORDS = 30;
  var DEBOUNCE_MS = 120;
  // What the page says, in English unless the form gives its language's words (data-text-*).
  var TEXTS = {
    "found-one": "{count} article found for “{query}”{where}.",
    "found-other": "{count} articles found for “{query}”{where}.",
    "none": "No articles found for “{query}”{where}. Try another word, or fewer words.",
    "in-topic": " in {topic}",
    "topics": "Topics: {topics}",
    "unavailable": "Search is not available right now. Browse all articles or topics instead."
  };

  var form = document.getElementById("search-form");
  if (!form || typeof fetch !== "function") {
    return;
  }
  var input = document.getElementById("search-input");
  var topic = document.getElementById("search-tag");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var indexUrl = form.getAttribute("data-index");
  var baseUrl = form.getAttribute("data-base-url");
  var engine = createEngine(function (path) {
    return fetch(indexUrl + path).then(function (response) {
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
      return response.json();
    });
  });
  var current = { results: [], shown: 0, highlight: new Set() };
  var sequence = 0;
  var timer = null;

  function phrase(name, values) {
    var pattern = form.getAttribute("data-text-" + name);
    return (pattern === null ? TEXTS[name] : pattern).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values || {}, key) ? String(values[key]) : whole;
    });
  }

  function say(text) {
    status.textContent = text;
  }

  function resultItem(doc, highlight) {
    var item = document.createElement("li");
    item.className = "search-result";
    var heading = document.createElement("h2");
    heading.className = "search-result-title";
    var link = document.createElement("a");
    link.href = baseUrl + doc.u;
    link.textContent = doc.t;
    heading.appendChild(link);
    item.appendChild(heading);
    var text = document.createElement("p");
    text.className = "search-result-excerpt";
    var pieces = excerpt(doc.x, highlight, EXCERPT_WORDS);
    if (!pieces.some(function (piece) { return piece.mark; })) pieces = [{ text: doc.d, mark: false }];
    pieces.forEach(function (piece) {
      if (piece.mark) {
        var mark = document.createElement("mark");
        mark.textContent = piece.text;
        text.appendChild(mark);
      } else {
        text.appendChild(document.createTextNode(piece.text));
      }
    });
    item.appendChild(text);
    if (doc.g.length) {
      var topics = document.createElement("p");
      topics.className = "search-result-topics";
      topics.textContent = phrase("topics", { topics: doc.g.join(", ") });
      item.appendChild(topics);
    }
    return item;
  }

  async function showMore(run, moveFocus) {
    var next = current.results.slice(current.shown, current.shown + PAGE_SIZE);
    var docs = await Promise.all(next.map(function (result) { return engine.document(result.id); }));
    if (run !== sequence) return;
    var first = null;
    docs.forEach(function (doc) {
      var item = resultItem(doc, current.highlight);
      first = first || item;
      list.appendChild(item);
    });
    current.shown += docs.length;
    more.hidden = current.shown >= current.results.length;
    if (moveFocus && first) first.querySelector("a").focus();
  }

  function describe(count, query) {
    var where = topic && topic.value ? phrase("in-topic", { topic: topic.options[topic.selectedIndex].text }) : "";
    var values = { count: count, query: query.trim(), where: where };
    return phrase(!count ? "none" : count === 1 ? "found-one" : "found-other", values);
  }

  async function run() {
    var query = input.value;
    var tag = topic ? topic.value : "";
    var mine = ++sequence;
    remember(query, tag);
    list.textContent = "";
    more.hidden = true;
    if (!words(query).length) {
      current = { results: [], shown: 0, highlight: new Set() };
      say("");
      return;
    }
    try {
      var found = await engine.search(query, tag);
      if (mine !== sequence) return;
      current = { results: found.results, shown: 0, highlight: found.highlight };
      say(describe(found.results.length, query));
      await showMore(mine, false);
    } catch (error) {
      if (mine === sequence) say(phrase("unavailable"));
    }
  }

  function remember(query, tag) {
    var params = new URLSearchParams();
    if (query) params.set("q", query);
    if (tag) params.set("tag", tag);
    var search = params.toString();
    history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  input.addEventListener("input", later);
  if (topic) topic.addEventListener("change", function () { clearTimeout(timer); run(); });
  more.addEventListener("click", function () { showMore(sequence, true); });

  var params = new URLSearchParams(window.location.search);
  if (topic && params.get("tag")) topic.value = params.get("tag");
  if (params.get("q")) {
    input.value = params.get("q");
    run();
  }
})();
