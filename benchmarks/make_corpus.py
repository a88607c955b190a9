#!/usr/bin/env python3
# Copied verbatim (below this line) from shared/bench/make_corpus.py, generator version 1, so the repository stands alone.
"""Deterministic corpus generator for static-site-generator benchmarks.

    python3 make_corpus.py --n N --format FMT --out DIR [--seed S]

FMT is one of: painconnect, hugo, eleventy, pelican, mkdocs.
(painconnect: the content format of painconnect_site — content/site.yaml with people,
articles whose author/reviewer are ids, summary, about, FAQ.)

Every format carries the *same* N articles (same titles, slugs, dates, tags,
body text and FAQ); only the wrapping differs (front-matter syntax, site
configuration, templates).  Article i depends only on (seed, i), so the first
1000 articles of an N=4000 corpus are identical to an N=1000 corpus.

Each article is ~1,500 words of seeded pseudo-English health prose with:
YAML front matter (title, description, date, updated, reviewed, author,
reviewer, tags, faq), 6-8 ##/### headings, paragraphs with **bold**, *italic*
and [links](https://example.org/x), 2 bullet lists, 1 numbered list, 1 pipe
table (header + 4 rows, 3 columns), 1 blockquote, 3-6 pandoc-style citations
([@key12] or [@key3; @key40]) drawn from a pool of 200 BibTeX keys, and 4 FAQ
entries.

Per format:
  painconnect  DIR/content/articles/<slug>.md  (YAML front matter incl. faq)
               DIR/references.bib              (200 @article entries)
  hugo         DIR/hugo.toml, DIR/layouts/_default/{baseof,single,list}.html,
               DIR/content/articles/<slug>.md (YAML front matter incl. faq,
               rendered by single.html), taxonomy "tags".
  eleventy     DIR/eleventy.config.cjs, DIR/content/_includes/*.njk,
               DIR/content/articles/<slug>.md, DIR/content/index.njk,
               DIR/content/tags.njk (one page per tag via pagination),
               DIR/content/tags-index.njk.  Markdown: Eleventy defaults
               (markdown-it, Liquid pre-processing of .md).
  pelican      DIR/pelicanconf.py (default theme), DIR/content/articles/<slug>.md
               with Pelican's native "Key: value" metadata header; the FAQ is
               appended to the body as a "Frequently asked questions" section
               because the default theme cannot render structured metadata.
  mkdocs       DIR/mkdocs.yml (default theme, auto nav, plugins: [] i.e. search
               disabled), DIR/mkdocs-search.yml (same, search enabled),
               DIR/docs/index.md, DIR/docs/articles/<slug>.md with YAML meta
               (faq omitted from meta; the FAQ is appended to the body as for
               pelican).

Citations stay literal text for the peers (no citeproc).  references.bib is
written for every format (harmless for the peers) so a citation-aware tool can
be pointed at the identical bibliography.

The only dependency is the Python 3 standard library.  A manifest
DIR/corpus-manifest.json records the parameters, word counts and a SHA-256
over the canonical article content (identical across formats for equal
N and seed).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import random
import re
import shutil
import sys

GENERATOR_VERSION = "1"
FORMATS = ("painconnect", "hugo", "eleventy", "pelican", "mkdocs")
N_BIB_KEYS = 200
TARGET_WORDS = 1500

# --------------------------------------------------------------------------
# word lists
# --------------------------------------------------------------------------

NOUNS = """pain back neck shoulder knee hip joint muscle nerve spine tendon ligament
patient doctor clinician therapist physiotherapist nurse pharmacist surgeon
treatment therapy exercise stretch posture movement activity rest sleep diet
medication dose tablet injection inflammation swelling stiffness fatigue
headache migraine arthritis fibromyalgia sciatica disc cartilage bone
symptom sign diagnosis scan assessment review guideline trial study evidence
risk benefit outcome recovery flare episode routine habit strategy plan goal
week month day morning evening night heat ice massage brace cushion mattress
walking swimming cycling yoga pilates strength balance flexibility endurance
stress anxiety mood energy appetite weight hydration circulation breathing
clinic hospital practice service referral appointment follow-up programme
research trial cohort sample measure score scale questionnaire interview""".split()

ADJS = """chronic acute mild moderate severe persistent recurrent gradual sudden
gentle regular daily weekly simple practical useful effective safe common rare
early late short long low high lower upper inflammatory mechanical neuropathic
active passive structured supervised personal individual shared careful clear
small large steady modest significant important relevant limited reliable
consistent typical physical emotional social healthy painful comfortable""".split()

VERBS = """reduce improve ease manage support relieve increase decrease prevent
protect strengthen stretch monitor track record discuss review assess measure
describe suggest recommend help allow encourage limit avoid adjust change
maintain restore build plan explain compare test report explore identify""".split()

ADVS = """often usually sometimes rarely gradually slowly quickly carefully gently
regularly consistently safely clearly typically generally""".split()

FUNC = """the a an this that these many some most several each every other
and or but because while although when if as so yet
in on at with without for from into over under after before during between""".split()

TAGS = """back pain|neck pain|migraine|headache|arthritis|osteoarthritis|
rheumatoid arthritis|fibromyalgia|sciatica|knee pain|hip pain|shoulder pain|
chronic pain|acute pain|nerve pain|sleep|exercise|physiotherapy|medication|
painkillers|nutrition|mental health|stress|posture|yoga|pilates|swimming|
walking|heat therapy|cold therapy|massage|ergonomics|work|pregnancy|older adults|
children|sport injuries|recovery|self-management|research""".replace("\n", "").split("|")

FIRST = """Alex Sam Jordan Taylor Morgan Casey Riley Jamie Robin Charlie Avery
Quinn Rowan Emery Harper Kai""".split()
LAST = """Okafor Lindqvist Moreau Tanaka Fernandes Kowalski Nguyen Haddad Byrne
Petrov Mensah Castillo Novak Ahmed Schmidt Rossi""".split()

JOURNALS = """Journal of Pain Research|Pain Medicine|The Clinical Journal of Pain|
European Journal of Pain|Rheumatology Reviews|Spine Health Quarterly|
Journal of Physiotherapy|Headache Studies|Musculoskeletal Care|
BMC Musculoskeletal Disorders|Sleep and Recovery|Journal of Rehabilitation""".replace("\n", "").split("|")


def _slugify(text: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", text.lower())
    return text.strip("-")


class Writer:
    """Seeded pseudo-English prose."""

    def __init__(self, rng: random.Random):
        self.r = rng

    def word(self) -> str:
        r = self.r
        x = r.random()
        if x < 0.42:
            return r.choice(NOUNS)
        if x < 0.62:
            return r.choice(ADJS)
        if x < 0.78:
            return r.choice(VERBS)
        if x < 0.83:
            return r.choice(ADVS)
        return r.choice(FUNC)

    def words(self, n: int) -> list[str]:
        return [self.word() for _ in range(n)]

    def phrase(self, lo: int, hi: int) -> str:
        return " ".join(self.words(self.r.randint(lo, hi)))

    def title(self) -> str:
        r = self.r
        pats = [
            "{A} {N}: how to {V} {N2}",
            "Living with {A} {N}",
            "{N}: a {A} guide to {N2}",
            "What helps {A} {N}?",
            "{V} your {N}: {A} {N2} explained",
            "Understanding {A} {N} and {N2}",
        ]
        t = r.choice(pats).format(
            A=r.choice(ADJS), N=r.choice(NOUNS), N2=r.choice(NOUNS), V=r.choice(VERBS)
        )
        return t[0].upper() + t[1:]

    def sentence(self, lo: int = 10, hi: int = 22, inline: bool = True) -> tuple[str, int]:
        """Return (markdown sentence, word count)."""
        r = self.r
        ws = self.words(r.randint(lo, hi))
        n = len(ws)
        if inline:
            x = r.random()
            if x < 0.18 and n > 4:
                i = r.randrange(0, n - 2)
                ws[i] = "**" + ws[i]
                ws[i + 1] = ws[i + 1] + "**"
            elif x < 0.34 and n > 3:
                i = r.randrange(0, n - 1)
                ws[i] = "*" + ws[i] + "*"
            elif x < 0.46 and n > 4:
                i = r.randrange(0, n - 2)
                ws[i] = "[" + ws[i]
                ws[i + 1] = ws[i + 1] + "](https://example.org/" + _slugify(ws[i][1:]) + ")"
        s = _cap(" ".join(ws))
        if r.random() < 0.15 and n > 8:
            cut = r.randint(3, n - 3)
            parts = s.split(" ")
            parts[cut] = parts[cut] + ","
            s = " ".join(parts)
        return s + ".", n


def _cap(s: str) -> str:
    """Upper-case the first letter (skipping leading markup such as ** or [)."""
    m = re.search(r"[a-z]", s)
    if m is None:
        return s
    return s[: m.start()] + s[m.start()].upper() + s[m.start() + 1:]


def _cite(r: random.Random) -> str:
    k = r.choice((1, 1, 1, 2, 2, 3))
    keys = r.sample(range(1, N_BIB_KEYS + 1), k)
    return "[" + "; ".join("@key%d" % x for x in keys) + "]"


def make_article(seed: int, i: int) -> dict:
    """Canonical, format-neutral model of article i."""
    r = random.Random("%s:article:%d" % (seed, i))
    w = Writer(r)
    title = w.title()
    slug = "%s-%05d" % (_slugify(title), i)
    description = w.sentence(14, 24, inline=False)[0]
    base = _dt.date(2015, 1, 1)
    date = base + _dt.timedelta(days=r.randrange(0, 3650))
    updated = date + _dt.timedelta(days=r.randrange(0, 400))
    reviewed = updated + _dt.timedelta(days=r.randrange(0, 120))
    author = "%s %s" % (r.choice(FIRST), r.choice(LAST))
    reviewer = "Dr %s %s" % (r.choice(FIRST), r.choice(LAST))
    tags = r.sample(TAGS, r.randint(2, 5))
    faq = []
    for _ in range(4):
        q = w.phrase(7, 12)
        q = q[0].upper() + q[1:] + "?"
        a = " ".join(w.sentence(10, 20, inline=False)[0] for _ in range(r.randint(2, 3)))
        faq.append({"q": q, "a": a})

    # ---- body -------------------------------------------------------------
    n_sections = r.randint(6, 8)
    levels = [2]
    for _ in range(n_sections - 1):
        levels.append(2 if levels[-1] == 3 or r.random() < 0.55 else 3)
    # which section carries which block element
    slots = list(range(n_sections))
    bullet_secs = r.sample(slots, 2)
    numbered_sec = r.choice(slots)
    table_sec = r.choice(slots)
    quote_sec = r.choice(slots)

    def bullet_list() -> tuple[list[str], int]:
        items, n = [], 0
        for _ in range(r.randint(3, 6)):
            s, k = w.sentence(4, 10)
            items.append("- " + s)
            n += k
        return items, n

    def numbered_list() -> tuple[list[str], int]:
        items, n = [], 0
        for j in range(r.randint(3, 6)):
            s, k = w.sentence(5, 12)
            items.append("%d. %s" % (j + 1, s))
            n += k
        return items, n

    def table() -> tuple[list[str], int]:
        head = [w.word().capitalize() for _ in range(3)]
        rows = ["| " + " | ".join(head) + " |", "| --- | --- | --- |"]
        n = 3
        for _ in range(4):
            cells = [w.phrase(1, 3) for _ in range(3)]
            n += sum(len(c.split()) for c in cells)
            rows.append("| " + " | ".join(cells) + " |")
        return rows, n

    def blockquote() -> tuple[list[str], int]:
        s1, k1 = w.sentence(10, 18)
        s2, k2 = w.sentence(8, 14)
        return ["> " + s1 + " " + s2], k1 + k2

    blocks_per_sec: list[list[tuple[list[str], int]]] = [[] for _ in range(n_sections)]
    for s in bullet_secs:
        blocks_per_sec[s].append(bullet_list())
    blocks_per_sec[numbered_sec].append(numbered_list())
    blocks_per_sec[table_sec].append(table())
    blocks_per_sec[quote_sec].append(blockquote())
    struct_words = sum(k for sec in blocks_per_sec for _, k in sec)

    heading_texts = []
    for _ in range(n_sections):
        h = w.phrase(2, 6)
        heading_texts.append(h[0].upper() + h[1:])
    head_words = sum(len(h.split()) for h in heading_texts)

    target = int(TARGET_WORDS * r.uniform(0.95, 1.05))
    # paragraphs: intro + sections; average ~ 4.5 sentences x 16 words = 72
    # the paragraph loop overshoots by half a paragraph on average
    budget = max(0, target - struct_words - head_words - 40)
    paras: list[list[str]] = [[] for _ in range(n_sections + 1)]  # [0] = intro
    para_words = 0
    order = 0
    while para_words < budget:
        sec = order % (n_sections + 1)
        order += 1
        sents, k = [], 0
        for _ in range(r.randint(3, 6)):
            s, kk = w.sentence()
            sents.append(s)
            k += kk
        paras[sec].append(" ".join(sents))
        para_words += k

    # citations: 3-6, appended to the end of sentences in randomly chosen paragraphs
    all_paras = [(si, pi) for si in range(len(paras)) for pi in range(len(paras[si]))]
    n_cites = r.randint(3, 6)
    for si, pi in r.sample(all_paras, min(n_cites, len(all_paras))):
        p = paras[si][pi]
        # put the citation before the final full stop of a random sentence
        stops = [m.start() for m in re.finditer(r"\.(?= |$)", p)]
        pos = r.choice(stops)
        paras[si][pi] = p[:pos] + " " + _cite(r) + p[pos:]

    lines: list[str] = []
    for p in paras[0]:
        lines += [p, ""]
    for s in range(n_sections):
        lines += ["#" * levels[s] + " " + heading_texts[s], ""]
        sec_paras = paras[s + 1] or []
        blocks = blocks_per_sec[s]
        # interleave: paragraph, block, paragraph, block ...
        bi = 0
        for p in sec_paras:
            lines += [p, ""]
            if bi < len(blocks):
                lines += blocks[bi][0] + [""]
                bi += 1
        for blk, _ in blocks[bi:]:
            lines += blk + [""]
    body = "\n".join(lines).rstrip("\n") + "\n"
    words = len(re.findall(r"[A-Za-z][A-Za-z'-]*", re.sub(r"\(https://[^)]*\)|@key\d+", "", body)))
    return {
        "i": i,
        "title": title,
        "slug": slug,
        "description": description,
        "date": date.isoformat(),
        "updated": updated.isoformat(),
        "reviewed": reviewed.isoformat(),
        "author": author,
        "reviewer": reviewer,
        "tags": tags,
        "faq": faq,
        "body": body,
        "words": words,
    }


def make_bib(seed: int) -> str:
    r = random.Random("%s:bib" % seed)
    w = Writer(r)
    out = []
    for k in range(1, N_BIB_KEYS + 1):
        authors = " and ".join(
            "%s, %s" % (r.choice(LAST), r.choice(FIRST)) for _ in range(r.randint(1, 5))
        )
        t = w.phrase(6, 14)
        t = t[0].upper() + t[1:]
        year = r.randint(1995, 2025)
        vol = r.randint(1, 60)
        num = r.randint(1, 12)
        p1 = r.randint(1, 1900)
        p2 = p1 + r.randint(4, 30)
        doi = "10.%d/bench.%d.%04d" % (r.randint(1000, 9999), year, k)
        out.append(
            "@article{key%d,\n"
            "  author  = {%s},\n"
            "  title   = {%s},\n"
            "  journal = {%s},\n"
            "  year    = {%d},\n"
            "  volume  = {%d},\n"
            "  number  = {%d},\n"
            "  pages   = {%d--%d},\n"
            "  doi     = {%s}\n"
            "}\n" % (k, authors, t, r.choice(JOURNALS), year, vol, num, p1, p2, doi)
        )
    return "\n".join(out)


# --------------------------------------------------------------------------
# front matter / per-format writers
# --------------------------------------------------------------------------

def _q(s: str) -> str:
    # JSON strings of ASCII text are valid YAML double-quoted scalars
    return json.dumps(s)


def yaml_front_matter(a: dict, with_faq: bool = True) -> str:
    fm = [
        "---",
        "title: " + _q(a["title"]),
        "description: " + _q(a["description"]),
        "date: " + a["date"],
        "updated: " + a["updated"],
        "reviewed: " + a["reviewed"],
        "author: " + _q(a["author"]),
        "reviewer: " + _q(a["reviewer"]),
        "tags:",
    ]
    fm += ["  - " + _q(t) for t in a["tags"]]
    if with_faq:
        fm.append("faq:")
        for f in a["faq"]:
            fm.append("  - q: " + _q(f["q"]))
            fm.append("    a: " + _q(f["a"]))
    fm.append("---")
    return "\n".join(fm) + "\n"


def _id(name: str) -> str:
    return _slugify(name)


def painconnect_front_matter(a: dict) -> str:
    """The painconnect_site content format: people are ids defined in content/site.yaml."""
    desc = a["description"]
    if len(desc) > 155:
        desc = desc[:150].rsplit(" ", 1)[0].rstrip(",;") + "."
    fm = [
        "---",
        "title: " + _q(a["title"]),
        "description: " + _q(desc),
        "date: " + a["date"],
        "updated: " + a["updated"],
        "reviewed: " + a["reviewed"],
        "author: " + _id(a["author"]),
        "reviewer: " + _id(a["reviewer"]),
        "tags: [" + ", ".join(_q(_slugify(t)) for t in a["tags"]) + "]",
        "about: [" + ", ".join(_q(t.capitalize()) for t in a["tags"][:2]) + "]",
        "summary:",
    ]
    fm += ["  - " + _q(f["a"].split(". ")[0].rstrip(".") + ".") for f in a["faq"][:3]]
    fm.append("faq:")
    for f in a["faq"]:
        fm.append("  - q: " + _q(f["q"]))
        fm.append("    a: " + _q(f["a"]))
    fm.append("---")
    return "\n".join(fm) + "\n"


def painconnect_site_yaml() -> str:
    lines = [
        "title: Bench Health",
        "base_url: https://bench.example",
        "language: en",
        "description: A synthetic health site used to benchmark the generator.",
        "organization:",
        "  name: Bench Health",
        "  url: https://bench.example",
        "  logo: images/logo.png",
        "people:",
    ]
    for first in FIRST:
        for last in LAST:
            name = "%s %s" % (first, last)
            lines += ["  %s:" % _id(name), "    name: %s" % name]
            lines += ["  %s:" % _id("Dr " + name), "    name: Dr %s" % name, "    credentials: MD"]
    return "\n".join(lines) + "\n"


def faq_as_markdown(a: dict) -> str:
    out = ["", "## Frequently asked questions", ""]
    for f in a["faq"]:
        out += ["### " + f["q"], "", f["a"], ""]
    return "\n".join(out)


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


HUGO_CONFIG = """baseURL = "https://example.org/"
languageCode = "en-gb"
title = "Bench health site"
disableKinds = []

[taxonomies]
  tag = "tags"

[markup.goldmark.renderer]
  unsafe = false
"""

HUGO_BASEOF = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ block "title" . }}{{ .Title }} | {{ .Site.Title }}{{ end }}</title>
{{ with .Description }}<meta name="description" content="{{ . }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a> <a href="{{ "/tags/" | relURL }}">Tags</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"""

HUGO_SINGLE = """{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p class="meta">By {{ .Params.author }}, reviewed by {{ .Params.reviewer }}.
Published <time>{{ .Date.Format "2006-01-02" }}</time>,
updated {{ .Params.updated }}, reviewed {{ .Params.reviewed }}.</p>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}
{{ with .Params.faq }}
<section class="faq">
<h2>Frequently asked questions</h2>
{{ range . }}<h3>{{ .q }}</h3>
<p>{{ .a }}</p>
{{ end }}
</section>
{{ end }}
</article>
{{ end }}
"""

HUGO_LIST = """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ with .Description }} - {{ . }}{{ end }}</li>
{{ end }}
</ul>
{{ end }}
"""

ELEVENTY_CONFIG = """// Eleventy 3 benchmark site config (CommonJS so no package.json is needed).
module.exports = function (eleventyConfig) {
  eleventyConfig.addCollection("articles", function (collectionApi) {
    return collectionApi.getFilteredByGlob("content/articles/*.md");
  });
  eleventyConfig.addCollection("tagList", function (collectionApi) {
    const set = new Set();
    for (const item of collectionApi.getAll()) {
      for (const t of item.data.tags || []) set.add(t);
    }
    return [...set].sort();
  });
  eleventyConfig.addFilter("isoDate", (d) => (d instanceof Date ? d.toISOString().slice(0, 10) : d));
  return {
    dir: { input: "content", includes: "_includes", output: "_site" },
  };
};
"""

ELEVENTY_BASE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }} | Bench health site</title>
{% if description %}<meta name="description" content="{{ description }}">{% endif %}
</head>
<body>
<header><a href="/">Bench health site</a> <a href="/tags/">Tags</a></header>
<main>
{{ content | safe }}
</main>
</body>
</html>
"""

ELEVENTY_ARTICLE = """---
layout: base.njk
---
<article>
<h1>{{ title }}</h1>
<p class="meta">By {{ author }}, reviewed by {{ reviewer }}.
Published <time>{{ page.date | isoDate }}</time>,
updated {{ updated | isoDate }}, reviewed {{ reviewed | isoDate }}.</p>
<ul class="tags">{% for t in tags %}<li><a href="/tags/{{ t | slugify }}/">{{ t }}</a></li>{% endfor %}</ul>
{{ content | safe }}
{% if faq %}
<section class="faq">
<h2>Frequently asked questions</h2>
{% for f in faq %}<h3>{{ f.q }}</h3>
<p>{{ f.a }}</p>
{% endfor %}
</section>
{% endif %}
</article>
"""

ELEVENTY_ARTICLES_DATA = """{ "layout": "article.njk" }
"""

ELEVENTY_INDEX = """---
layout: base.njk
title: Articles
permalink: /
---
<h1>Articles</h1>
<ul>
{% for a in collections.articles %}<li><a href="{{ a.url }}">{{ a.data.title }}</a> - {{ a.data.description }}</li>
{% endfor %}
</ul>
"""

ELEVENTY_TAGS = """---
layout: base.njk
pagination:
  data: collections.tagList
  size: 1
  alias: tag
permalink: "/tags/{{ tag | slugify }}/"
eleventyComputed:
  title: "Tag: {{ tag }}"
---
<h1>Tag: {{ tag }}</h1>
<ul>
{% for a in collections[tag] %}<li><a href="{{ a.url }}">{{ a.data.title }}</a> - {{ a.data.description }}</li>
{% endfor %}
</ul>
"""

ELEVENTY_TAGS_INDEX = """---
layout: base.njk
title: Tags
permalink: /tags/
---
<h1>Tags</h1>
<ul>
{% for t in collections.tagList %}<li><a href="/tags/{{ t | slugify }}/">{{ t }}</a> ({{ collections[t].length }})</li>
{% endfor %}
</ul>
"""

PELICAN_CONF = """# Pelican benchmark config: pelican-quickstart defaults (development flavour),
# default theme, pagination 10, feeds off.
AUTHOR = "Bench"
SITENAME = "Bench health site"
SITEURL = ""
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

# Feed generation is usually not desired when developing (quickstart default)
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

LINKS = ()
SOCIAL = ()

DEFAULT_PAGINATION = 10
RELATIVE_URLS = True
"""

MKDOCS_YML = """site_name: Bench health site
site_url: https://example.org/
docs_dir: docs
site_dir: site
theme:
  name: mkdocs
# nav omitted: MkDocs builds it automatically from docs/
plugins: {plugins}
"""


LOGO_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf500f0002870180eb47ba92"
    "0000000049454e44ae426082")


def write_site_files(fmt: str, out: str) -> None:
    if fmt == "painconnect":
        _write(os.path.join(out, "content", "site.yaml"), painconnect_site_yaml())
        os.makedirs(os.path.join(out, "static", "images"), exist_ok=True)
        with open(os.path.join(out, "static", "images", "logo.png"), "wb") as fh:
            fh.write(LOGO_PNG)
    elif fmt == "hugo":
        _write(os.path.join(out, "hugo.toml"), HUGO_CONFIG)
        lay = os.path.join(out, "layouts", "_default")
        _write(os.path.join(lay, "baseof.html"), HUGO_BASEOF)
        _write(os.path.join(lay, "single.html"), HUGO_SINGLE)
        _write(os.path.join(lay, "list.html"), HUGO_LIST)
        _write(os.path.join(out, "content", "articles", "_index.md"),
               "---\ntitle: \"Articles\"\n---\n")
        _write(os.path.join(out, "content", "_index.md"),
               "---\ntitle: \"Bench health site\"\n---\n")
    elif fmt == "eleventy":
        _write(os.path.join(out, "eleventy.config.cjs"), ELEVENTY_CONFIG)
        inc = os.path.join(out, "content", "_includes")
        _write(os.path.join(inc, "base.njk"), ELEVENTY_BASE)
        _write(os.path.join(inc, "article.njk"), ELEVENTY_ARTICLE)
        _write(os.path.join(out, "content", "articles", "articles.11tydata.json"),
               ELEVENTY_ARTICLES_DATA)
        _write(os.path.join(out, "content", "index.njk"), ELEVENTY_INDEX)
        _write(os.path.join(out, "content", "tags.njk"), ELEVENTY_TAGS)
        _write(os.path.join(out, "content", "tags-index.njk"), ELEVENTY_TAGS_INDEX)
    elif fmt == "pelican":
        _write(os.path.join(out, "pelicanconf.py"), PELICAN_CONF)
    elif fmt == "mkdocs":
        _write(os.path.join(out, "mkdocs.yml"), MKDOCS_YML.format(plugins="[]"))
        _write(os.path.join(out, "mkdocs-search.yml"), MKDOCS_YML.format(plugins="[search]"))
        _write(os.path.join(out, "docs", "index.md"),
               "# Bench health site\n\nArticles are listed in the navigation.\n")


def article_file(fmt: str, out: str, a: dict) -> tuple[str, str]:
    if fmt == "painconnect":
        return (os.path.join(out, "content", "articles", a["slug"] + ".md"),
                painconnect_front_matter(a) + "\n" + a["body"])
    if fmt in ("hugo", "eleventy"):
        return (os.path.join(out, "content", "articles", a["slug"] + ".md"),
                yaml_front_matter(a) + "\n" + a["body"])
    if fmt == "pelican":
        head = [
            "Title: " + a["title"],
            "Slug: " + a["slug"],
            "Date: " + a["date"],
            "Modified: " + a["updated"],
            "Reviewed: " + a["reviewed"],
            "Author: " + a["author"],
            "Reviewer: " + a["reviewer"],
            "Tags: " + ", ".join(a["tags"]),
            "Summary: " + a["description"],
        ]
        return (os.path.join(out, "content", "articles", a["slug"] + ".md"),
                "\n".join(head) + "\n\n" + a["body"] + faq_as_markdown(a))
    if fmt == "mkdocs":
        return (os.path.join(out, "docs", "articles", a["slug"] + ".md"),
                yaml_front_matter(a, with_faq=False) + "\n# " + a["title"] + "\n\n"
                + a["body"] + faq_as_markdown(a))
    raise ValueError(fmt)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, required=True, help="number of articles")
    ap.add_argument("--format", required=True, choices=FORMATS)
    ap.add_argument("--out", required=True, help="output directory (replaced if it exists)")
    ap.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("--n must be >= 1")

    out = os.path.abspath(args.out)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)

    write_site_files(args.format, out)
    _write(os.path.join(out, "references.bib"), make_bib(args.seed))

    h = hashlib.sha256()
    total_words = 0
    wmin, wmax = 10**9, 0
    for i in range(args.n):
        a = make_article(args.seed, i)
        canon = json.dumps({k: v for k, v in a.items() if k != "words"}, sort_keys=True)
        h.update(canon.encode("utf-8"))
        total_words += a["words"]
        wmin, wmax = min(wmin, a["words"]), max(wmax, a["words"])
        path, text = article_file(args.format, out, a)
        _write(path, text)

    manifest = {
        "generator": "make_corpus.py",
        "generator_version": GENERATOR_VERSION,
        "format": args.format,
        "n": args.n,
        "seed": args.seed,
        "bib_keys": N_BIB_KEYS,
        "body_words_total": total_words,
        "body_words_min": wmin,
        "body_words_max": wmax,
        "body_words_mean": round(total_words / args.n, 1),
        "content_sha256": h.hexdigest(),
    }
    with open(os.path.join(out, "corpus-manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
