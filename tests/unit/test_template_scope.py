"""Which templates may show every document (render/templates.py `shows_whole_site`): page keys
rely on it, so a template that reaches the whole site is re-rendered on any front matter change."""

from __future__ import annotations

from pathlib import Path

import pytest

from painconnect_site.render.templates import TemplateRenderer


def renderer(tmp_path: Path, templates: dict[str, str]) -> TemplateRenderer:
    for name, text in templates.items():
        path = tmp_path / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return TemplateRenderer(tmp_path, {})


def test_the_bundled_theme_shows_the_whole_site_only_where_it_lists_it(tmp_path):
    theme = TemplateRenderer(tmp_path, {})
    narrow = ["article.html", "page.html", "list.html", "tag.html", "person.html", "404.html"]
    assert [name for name in narrow if theme.shows_whole_site(name)] == []
    # index.html counts every article ("all articles" link); the topics and search pages list every tag.
    assert all(theme.shows_whole_site(name) for name in ["index.html", "tags.html", "search.html"])


@pytest.mark.parametrize("text, whole", [
    ("{{ site.build_date.year }} {{ config.title }} {{ doc.meta.title }}", False),
    ("{% for page in edition.pages %}{{ page.url }}{% endfor %}", False),
    ("{% for a in edition.articles[:3] %}{{ a.meta.title }}{% endfor %}", True),
    ("{{ site.documents | length }}", True),
    ("{% set s = site %}{{ s.build_date }}", True),  # the whole object, under another name
    ("{{ site['articles'] }}", True),
    ("{{ tag_names | length }}", True),
    ("{{ 'about/' in site_paths }}", True),
    ("{% include doc.meta.layout %}", True),  # which template is not known before rendering
    ("{% extends 'missing.html' %}", True),  # rendering reports it
    ("{{ broken", True),
])
def test_a_template_shows_the_whole_site_when_it_reads_past_the_pages(tmp_path, text, whole):
    assert renderer(tmp_path, {"probe.html": text}).shows_whole_site("probe.html") is whole


def test_what_a_template_extends_includes_or_imports_counts(tmp_path):
    templates = renderer(tmp_path, {
        "base-wide.html": "{% block content %}{% endblock %}{% include 'latest.html' %}",
        "latest.html": "{% for a in edition.articles[:5] %}{{ a.meta.title }}{% endfor %}",
        "macros.html": "{% macro count() %}{{ site.articles | length }}{% endmacro %}",
        "child.html": "{% extends 'base-wide.html' %}{% block content %}{{ doc.meta.title }}{% endblock %}",
        "uses-macro.html": "{% from 'macros.html' import count %}{{ doc.url }}",
        "plain.html": "{% extends 'base.html' %}{% block content %}{{ doc.meta.title }}{% endblock %}",
    })
    assert templates.shows_whole_site("child.html")
    assert templates.shows_whole_site("uses-macro.html")
    assert not templates.shows_whole_site("plain.html")  # the theme's base.html shows pages only
