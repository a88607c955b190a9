"""The sitemap and the Atom feeds of full builds validate against their published schemas.

`sitemap.xml` against the sitemaps.org 0.9 XML Schema and every `feed.xml` (one per
language) against the RELAX NG schema of RFC 4287 (appendix B), both vendored under
tests/data/xml-schemas/ with their sources, plus the two Schematron rules that schema
carries as annotations (a feed or each of its entries has an author; an entry has an
alternate link or content), which libxml2 does not run, evaluated here with XPath. A
multilingual site's sitemap also carries `xhtml:link` alternates, which the sitemaps.org
schema admits only when declared: `xhtml-link.xsd` (ours, see its comment) declares them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO, build_site, copy_fixture
from lxml import etree

SCHEMAS = REPO / "tests" / "data" / "xml-schemas"
SCHEMATRON = "http://www.ascc.net/xml/schematron"
ATOM = "http://www.w3.org/2005/Atom"


XHTML = "http://www.w3.org/1999/xhtml"
SITEMAP_AND_ALTERNATES = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <xsd:import namespace="http://www.sitemaps.org/schemas/sitemap/0.9" schemaLocation="{(SCHEMAS / 'sitemap.xsd').as_uri()}"/>
  <xsd:import namespace="{XHTML}" schemaLocation="{(SCHEMAS / 'xhtml-link.xsd').as_uri()}"/>
</xsd:schema>"""


@pytest.fixture(scope="module")
def sitemap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(SITEMAP_AND_ALTERNATES))


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


@pytest.fixture(scope="module")
def atom_rules() -> list[tuple[str, str, str]]:
    """(context, test, message) of every s:rule/s:assert in the Atom schema."""
    grammar = etree.parse(str(SCHEMAS / "atom.rng"))
    rules = [(rule.get("context"), check.get("test"), " ".join(check.text.split()))
             for rule in grammar.iter(f"{{{SCHEMATRON}}}rule") for check in rule.iter(f"{{{SCHEMATRON}}}assert")]
    assert len(rules) == 3, "RFC 4287's schema has three Schematron assertions"
    return rules


def schema_problems(schema: etree._Validator, document: etree._ElementTree, name: str) -> list[str]:
    schema.validate(document)
    return [f"{name}:{error.line}: {error.message}" for error in schema.error_log]


def rule_problems(rules: list[tuple[str, str, str]], document: etree._ElementTree, name: str) -> list[str]:
    problems = []
    for context, test, message in rules:
        for element in document.xpath("//" + context, namespaces={"atom": ATOM}):
            if not element.xpath(f"boolean({test})", namespaces={"atom": ATOM}):
                problems.append(f"{name}:{element.sourceline}: {message}")
    return problems


def test_the_sitemap_matches_the_sitemaps_org_schema(full_site, sitemap_schema):
    document = etree.parse(str(full_site.out / "sitemap.xml"))
    assert len(document.getroot()) > 5, "the sitemap should list the site's pages"
    problems = schema_problems(sitemap_schema, document, "sitemap.xml")
    assert not problems, f"{full_site.name} sitemap.xml is not a valid sitemap:\n" + "\n".join(problems)


def test_the_feed_matches_the_atom_schema(full_site, atom_schema, atom_rules):
    feeds = sorted(full_site.out.rglob("feed.xml"))  # one per language
    assert full_site.out / "feed.xml" in feeds
    for feed in feeds:
        name = feed.relative_to(full_site.out).as_posix()
        document = etree.parse(str(feed))
        assert document.getroot().findall(f"{{{ATOM}}}entry"), f"{name} should have entries"
        problems = schema_problems(atom_schema, document, name) + rule_problems(atom_rules, document, name)
        assert not problems, f"{full_site.name} {name} is not a valid Atom feed:\n" + "\n".join(problems)


# The validators really reject what they should: the fixture's files, each broken one way
# (pattern, replacement, how many matches to replace; 0 for all).
BROKEN_SITEMAPS = {
    "a date that is not a date": (r"<lastmod>[^<]*</lastmod>", "<lastmod>22 November 2026</lastmod>", 1),
    "a relative address": (r"<loc>[^<]*</loc>", "<loc>articles/</loc>", 1),
    "an element the protocol lacks": (r"</loc>", "</loc><title>x</title>", 1),
}
BROKEN_FEEDS = {
    "no feed id": (r"<id>[^<]*</id>", "", 1),
    "a date without a time": (r"<updated>(\d{4}-\d\d-\d\d)T[^<]*</updated>", r"<updated>\1</updated>", 1),
    "an entry without a title": (r"(<entry>\s*)<title>[^<]*</title>", r"\1", 1),
    "no author anywhere": (r"<author>.*?</author>", "", 0),
    "an entry without a link or content": (r'(<entry>(?:(?!</entry>).)*?)<link [^>]*rel="alternate"[^>]*/>', r"\1", 1),
}


def built(name: str, tmp_path_factory) -> Path:
    """A copy of tests/fixtures/<name>/, built: the files the broken cases change."""
    work = tmp_path_factory.mktemp(f"broken-{name}")
    return build_site(copy_fixture(name, work / "source"), work / "out")


@pytest.fixture(scope="module")
def fixture_out(tmp_path_factory) -> Path:
    return built("every-feature", tmp_path_factory)


def broken(path: Path, pattern: str, replacement: str, count: int) -> etree._ElementTree:
    text, replaced = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=count, flags=re.DOTALL)
    assert replaced, f"the test's pattern {pattern!r} no longer matches {path.name}"
    return etree.ElementTree(etree.fromstring(text.encode("utf-8")))


# A multilingual sitemap's alternates, each broken one way.
BROKEN_ALTERNATES = {
    "an alternate without hreflang": (r'<xhtml:link rel="alternate" hreflang="[^"]*"', '<xhtml:link rel="alternate"', 1),
    "an alternate with a relative address": (r'(<xhtml:link [^>]*href=")https://[^"]*"', r'\1es/"', 1),
    "another relation than alternate": (r'<xhtml:link rel="alternate"', '<xhtml:link rel="canonical"', 1),
    "an XHTML element the schema does not declare": (r"</loc>", f'</loc><xhtml:meta xmlns:xhtml="{XHTML}" />', 1),
}


@pytest.fixture(scope="module")
def multilingual_out(tmp_path_factory) -> Path:
    return built("multilingual", tmp_path_factory)


def test_a_multilingual_sitemap_has_alternates_to_validate(multilingual_out, sitemap_schema):
    document = etree.parse(str(multilingual_out / "sitemap.xml"))
    assert document.getroot().findall(f".//{{{XHTML}}}link")
    assert schema_problems(sitemap_schema, document, "sitemap.xml") == []


@pytest.mark.parametrize("case", [*BROKEN_SITEMAPS, *BROKEN_ALTERNATES])
def test_a_broken_sitemap_is_rejected(fixture_out, multilingual_out, sitemap_schema, case):
    out, change = (multilingual_out, BROKEN_ALTERNATES[case]) if case in BROKEN_ALTERNATES else (
        fixture_out, BROKEN_SITEMAPS[case])
    document = broken(out / "sitemap.xml", *change)
    assert schema_problems(sitemap_schema, document, "sitemap.xml"), f"{case} passed the sitemap schema"


@pytest.mark.parametrize("case", list(BROKEN_FEEDS))
def test_a_broken_feed_is_rejected(fixture_out, atom_schema, atom_rules, case):
    document = broken(fixture_out / "feed.xml", *BROKEN_FEEDS[case])
    problems = schema_problems(atom_schema, document, "feed.xml") + rule_problems(atom_rules, document, "feed.xml")
    assert problems, f"{case} passed the Atom schema and its rules"
