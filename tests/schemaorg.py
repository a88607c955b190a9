"""Offline checks of JSON-LD against the schema.org vocabulary (release 30.0).

Two checks, both returning a list of human-readable problems (empty = fine):

* :func:`validate_jsonld` - is this well-formed schema.org? Every ``@type`` is a
  schema.org class, every property a schema.org property that applies to the
  node's type (via ``domainIncludes`` and the class hierarchy), typed values fit
  the property's range, every ``{"@id": ...}`` reference resolves to a node of
  the graph, URLs are absolute, dates are ISO 8601, and nothing is empty.
* :func:`required_problems` - does it carry what consumers need? The required
  properties of Google's Article and FAQPage documentation, schema.org's
  MedicalWebPage review properties, and complete breadcrumbs.

The vocabulary is read once from tests/data/schemaorg/ (see the README there),
so the tests run from a clone alone, offline.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

VOCABULARY_FILE = Path(__file__).parent / "data" / "schemaorg" / "schemaorg-current-https.jsonld"
SCHEMA_CONTEXTS = {"https://schema.org", "https://schema.org/", "http://schema.org", "http://schema.org/"}
JSONLD_KEYWORDS = {"@context", "@graph", "@id", "@type"}
HEADLINE_MAX = 110
_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?")
_ABSOLUTE_URL = re.compile(r"https?://[^\s/]+(/\S*)?")
# Kept as text by schema.org but a URL by every consumer (Google's BreadcrumbList `item`).
_URL_VALUED = {"item"}
_TEXT_LIKE = {"Text", "Number", "Integer", "Float", "Boolean", "DataType"}


@dataclass(frozen=True)
class Property:
    domains: frozenset[str]
    ranges: frozenset[str]
    superseded_by: str | None


@dataclass(frozen=True)
class Vocabulary:
    classes: Mapping[str, frozenset[str]]  # class -> itself and all its ancestors
    properties: Mapping[str, Property]


# --- the vocabulary -----------------------------------------------------------------


@functools.cache
def vocabulary() -> Vocabulary:
    nodes = json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))["@graph"]
    parents: dict[str, set[str]] = {}
    properties: dict[str, Property] = {}
    for node in nodes:
        name = _schema_name(node["@id"])
        if name is None:
            continue
        types = _as_list(node["@type"])
        if "rdfs:Class" in types:
            parents[name] = set(_names(node.get("rdfs:subClassOf")))
        if "rdf:Property" in types:
            superseded = _names(node.get("schema:supersededBy"))
            properties[name] = Property(
                domains=frozenset(_names(node.get("schema:domainIncludes"))),
                ranges=frozenset(_names(node.get("schema:rangeIncludes"))),
                superseded_by=superseded[0] if superseded else None,
            )
    classes = {name: frozenset(_ancestors(name, parents)) for name in parents}
    return Vocabulary(classes=classes, properties=properties)


def _ancestors(name: str, parents: Mapping[str, set[str]]) -> set[str]:
    seen = {name}
    pending = [name]
    while pending:
        for parent in parents.get(pending.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                pending.append(parent)
    return seen


def _schema_name(node_id: str) -> str | None:
    return node_id.removeprefix("schema:") if node_id.startswith("schema:") else None


def _names(value: object) -> list[str]:
    """schema: names from {"@id": ...} or a list of them; other vocabularies ignored."""
    names = (_schema_name(item["@id"]) for item in _as_list(value) if isinstance(item, dict))
    return [name for name in names if name is not None]


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# --- graph helpers ----------------------------------------------------------------------


def graph_nodes(data: object) -> list[dict]:
    """The top-level nodes: the ``@graph`` list, or the document itself."""
    if isinstance(data, list):
        return [node for node in data if isinstance(node, dict)]
    if isinstance(data, dict):
        if "@graph" in data:
            return [node for node in _as_list(data["@graph"]) if isinstance(node, dict)]
        return [data]
    return []


def is_reference(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {"@id"}


def node_types(node: Mapping) -> list[str]:
    return [item for item in _as_list(node.get("@type")) if isinstance(item, str)]


def walk_nodes(value: object) -> Iterator[dict]:
    """Every dict in the document, depth first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk_nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_nodes(item)


def nodes_by_id(data: object) -> dict[str, dict]:
    """Every node carrying an @id and something else, anywhere in the document."""
    return {
        node["@id"]: node
        for node in walk_nodes(data)
        if isinstance(node.get("@id"), str) and not is_reference(node)
    }


# --- validate_jsonld ----------------------------------------------------------------------


def validate_jsonld(data: object) -> list[str]:
    """Problems making ``data`` invalid or empty-valued schema.org JSON-LD."""
    if not isinstance(data, dict):
        return ["the document is not a JSON object"]
    problems: list[str] = []
    if data.get("@context") not in SCHEMA_CONTEXTS:
        problems.append(f"@context is {data.get('@context')!r}, not https://schema.org")
    if "@graph" in data and not isinstance(data["@graph"], list):
        problems.append("@graph is not a list")
    problems.extend(_duplicate_ids(data))
    validator = _Validator(vocabulary(), nodes_by_id(data), problems)
    for index, node in enumerate(graph_nodes(data)):
        validator.node(node, f"@graph[{index}]" if "@graph" in data else "$")
    return problems


def _duplicate_ids(data: object) -> list[str]:
    seen: set[str] = set()
    problems = []
    for node in walk_nodes(data):
        node_id = node.get("@id")
        if isinstance(node_id, str) and not is_reference(node):
            if node_id in seen:
                problems.append(f"@id {node_id} is defined twice")
            seen.add(node_id)
    return problems


@dataclass
class _Validator:
    vocab: Vocabulary
    by_id: Mapping[str, dict]
    problems: list[str]

    def node(self, node: dict, path: str) -> None:
        if is_reference(node):
            self.reference(node, path)
            return
        types = node_types(node)
        if not types:
            self.problems.append(f"{path}: node without @type")
        for type_name in types:
            if type_name not in self.vocab.classes:
                hint = _did_you_mean(type_name, self.vocab.classes)
                self.problems.append(f"{path}: @type {type_name!r} is not a schema.org type{hint}")
        ancestors = self.ancestors(types)
        for key, value in node.items():
            self.entry(key, value, ancestors, types, f"{path}.{key}")

    def entry(self, key: str, value: object, ancestors: frozenset[str], types: list[str], path: str) -> None:
        if key.startswith("@"):
            self.keyword(key, value, path)
            return
        prop = self.vocab.properties.get(key)
        if prop is None:
            hint = _did_you_mean(key, self.vocab.properties)
            self.problems.append(f"{path}: {key!r} is not a schema.org property{hint}")
        else:
            if prop.superseded_by:
                self.problems.append(f"{path}: {key!r} is superseded by {prop.superseded_by!r}")
            if ancestors and prop.domains and not (prop.domains & ancestors):
                self.problems.append(f"{path}: {key!r} is not a property of {'/'.join(types)}")
        values = value if isinstance(value, list) else [value]
        if not values:
            self.problems.append(f"{path}: empty list")
        for index, item in enumerate(values):
            item_path = f"{path}[{index}]" if isinstance(value, list) else path
            self.value(key, prop, item, item_path)

    def keyword(self, key: str, value: object, path: str) -> None:
        if key not in JSONLD_KEYWORDS:
            self.problems.append(f"{path}: unexpected JSON-LD keyword {key!r}")
        elif key == "@id" and not (isinstance(value, str) and _ABSOLUTE_URL.fullmatch(value)):
            self.problems.append(f"{path}: @id {value!r} is not an absolute URL")
        elif key == "@type" and not _as_list(value):
            self.problems.append(f"{path}: empty @type")

    def value(self, key: str, prop: Property | None, value: object, path: str) -> None:
        if value is None:
            self.problems.append(f"{path}: null")
        elif isinstance(value, str):
            self.text(key, prop, value, path)
        elif isinstance(value, list):
            self.problems.append(f"{path}: nested list")
        elif isinstance(value, dict):
            if not value:
                self.problems.append(f"{path}: empty object")
                return
            self.node(value, path)
            target = self.by_id.get(value["@id"]) if is_reference(value) else value
            if prop is not None and target is not None:
                self.range(key, prop, target, path)

    def text(self, key: str, prop: Property | None, value: str, path: str) -> None:
        if not value.strip():
            self.problems.append(f"{path}: empty string")
            return
        if prop is None:
            return
        text_allowed = bool(prop.ranges & _TEXT_LIKE)
        if (key in _URL_VALUED or ("URL" in prop.ranges and not text_allowed)) and not _ABSOLUTE_URL.fullmatch(value):
            self.problems.append(f"{path}: {value!r} is not an absolute URL")
        if prop.ranges & {"Date", "DateTime"} and not text_allowed and not _ISO_DATE.fullmatch(value):
            self.problems.append(f"{path}: {value!r} is not an ISO 8601 date")

    def range(self, key: str, prop: Property, target: Mapping, path: str) -> None:
        types = node_types(target)
        if types and prop.ranges and not (prop.ranges & self.ancestors(types)):
            expected = ", ".join(sorted(prop.ranges))
            self.problems.append(f"{path}: a {'/'.join(types)} is not a valid {key!r} (expects {expected})")

    def reference(self, node: dict, path: str) -> None:
        if node["@id"] not in self.by_id:
            self.problems.append(f"{path}: @id reference {node['@id']!r} does not resolve to a node of the graph")

    def ancestors(self, types: list[str]) -> frozenset[str]:
        return frozenset().union(*(self.vocab.classes.get(name, frozenset()) for name in types))


def _did_you_mean(word: str, choices: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.8)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- required_problems ----------------------------------------------------------------------


def required_problems(graph: object) -> list[str]:
    """Missing properties that Google (Article, FAQPage, BreadcrumbList) or
    schema.org's MedicalWebPage need, for the top-level nodes of ``graph``
    (a JSON-LD document with ``@graph``, or the list of nodes)."""
    checker = _Required(nodes_by_id(graph))
    for node in graph_nodes(graph):
        checker.node(node)
    return checker.problems


class _Required:
    def __init__(self, by_id: Mapping[str, dict]) -> None:
        self.by_id = by_id
        self.problems: list[str] = []
        self._classes = vocabulary().classes

    def node(self, node: dict) -> None:
        kinds = frozenset().union(*(self._classes.get(name, frozenset()) for name in node_types(node)))
        label = f"{'/'.join(node_types(node)) or 'node'} {node.get('@id', '')}".strip()
        checks = {
            "Article": self.article,
            "FAQPage": self.faq_page,
            "MedicalWebPage": self.medical_web_page,
            "BreadcrumbList": self.breadcrumb_list,
            "WebSite": self.website,
            "Organization": self.organization,
        }
        if "WebPage" in kinds and "FAQPage" not in kinds:
            self.require(label, node, "url", "name")
        for kind, check in checks.items():
            if kind in kinds:
                check(label, node)

    # Google, Article: headline, image (optional), datePublished, dateModified, author.name.
    def article(self, label: str, node: dict) -> None:
        self.require(label, node, "headline", "datePublished", "dateModified", "author")
        headline = node.get("headline")
        if isinstance(headline, str) and len(headline) > HEADLINE_MAX:
            self.problems.append(f"{label}: headline longer than {HEADLINE_MAX} characters")
        for author in _as_list(node.get("author")):
            self.agent(label, "author", author)
        for image in _as_list(node.get("image")):
            if not (_non_empty_text(image) or (isinstance(image, dict) and _non_empty_text(image.get("url")))):
                self.problems.append(f"{label}: image without a URL")

    # Google, FAQPage: mainEntity Questions with name and acceptedAnswer.text.
    def faq_page(self, label: str, node: dict) -> None:
        self.require(label, node, "mainEntity")
        for index, question in enumerate(_as_list(node.get("mainEntity"))):
            question = self.resolve(question)
            where = f"{label}: mainEntity[{index}]"
            if "Question" not in node_types(question):
                self.problems.append(f"{where} is not a Question")
            self.require(where, question, "name", "acceptedAnswer")
            for answer in _as_list(question.get("acceptedAnswer")):
                answer = self.resolve(answer)
                if "Answer" not in node_types(answer):
                    self.problems.append(f"{where}.acceptedAnswer is not an Answer")
                self.require(f"{where}.acceptedAnswer", answer, "text")

    # schema.org MedicalWebPage: what it is about; a medical review says when and by whom.
    def medical_web_page(self, label: str, node: dict) -> None:
        self.require(label, node, "description", "inLanguage", "about")
        if node.get("reviewedBy") or node.get("lastReviewed"):
            self.require(label, node, "reviewedBy", "lastReviewed")
        for subject in _as_list(node.get("about")):
            self.require(f"{label}: about", self.resolve(subject), "name")
        for reviewer in _as_list(node.get("reviewedBy")):
            self.agent(label, "reviewedBy", reviewer)

    # Google, BreadcrumbList: ListItems with position (1, 2, ...), name and item.
    def breadcrumb_list(self, label: str, node: dict) -> None:
        self.require(label, node, "itemListElement")
        items = [self.resolve(item) for item in _as_list(node.get("itemListElement"))]
        for index, item in enumerate(items, start=1):
            where = f"{label}: itemListElement[{index - 1}]"
            self.require(where, item, "name", "item")
            if item.get("position") != index:
                self.problems.append(f"{where}: position is {item.get('position')!r}, expected {index}")

    def website(self, label: str, node: dict) -> None:
        self.require(label, node, "url", "name")

    def organization(self, label: str, node: dict) -> None:
        self.require(label, node, "name", "url")
        for logo in _as_list(node.get("logo")):
            if not (_non_empty_text(logo) or (isinstance(logo, dict) and _non_empty_text(logo.get("url")))):
                self.problems.append(f"{label}: logo without a URL")

    def agent(self, label: str, role: str, value: object) -> None:
        agent = self.resolve(value)
        if not ({"Person", "Organization"} & set(node_types(agent))):
            self.problems.append(f"{label}: {role} is neither a Person nor an Organization")
        self.require(f"{label}: {role}", agent, "name")

    def resolve(self, value: object) -> dict:
        if is_reference(value):
            return self.by_id.get(value["@id"], {})
        return value if isinstance(value, dict) else {}

    def require(self, label: str, node: Mapping, *keys: str) -> None:
        for key in keys:
            value = node.get(key)
            if value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip()):
                self.problems.append(f"{label}: missing {key}")


def _non_empty_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
