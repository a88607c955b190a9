"""Editorial lint: one positive and one negative case per rule, plus both ways of silencing a rule."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import ONE_ENTRY_BIB, REPO, write_site

from painconnect_site.checks import registry as checks
from painconnect_site.checks.registry import all_rules, rules_by_id
from painconnect_site.checks.text import find_claim, prose
from painconnect_site.core.errors import Diagnostic, Diagnostics
from painconnect_site.pipeline import BuildOptions, run_check

TODAY = dt.date(2026, 6, 1)

SITE_YAML = """\
title: Lint Test
base_url: https://lint.example/
description: A tiny site for the editorial lint tests.
organization:
  name: Lint Test
  url: https://lint.example/
default_author: team
people:
  team:
    name: Lint Test Editorial Team
    kind: organization
  drlee:
    name: Min Lee
    credentials: MD
    role: Physician
"""

BIB = ONE_ENTRY_BIB

FRONT = {
    "title": '"Gentle movement for back pain"',
    "description": '"How gentle daily movement can ease everyday back pain, and when to see a doctor about it."',
    "date": "2026-05-01",
    "reviewed": "2026-05-01",
    "author": "team",
    "reviewer": "drlee",
    "tags": "[back-pain]",
    "about": "[Low back pain]",
}
BODY = "Most back pain gets better with time [@smith2020].\n\n## Moving gently\n\nShort walks help many people stay active.\n"


def article(body: str = BODY, **front: str | None) -> str:
    """An article that passes every rule; keyword arguments replace (or with None, drop) front-matter lines."""
    fields = {**FRONT, **front}
    lines = "\n".join(f"{key}: {value}" for key, value in fields.items() if value is not None)
    return f"---\n{lines}\n---\n\n{body}"


def page(body: str = "We are a small team.\n", title: str = '"About us"') -> str:
    return (f"---\ntitle: {title}\ndescription: \"Who writes this site, how it is funded, and how we choose sources.\"\n"
            f"date: 2026-01-01\n---\n\n{body}")


def make_site(tmp_path: Path, files: dict[str, str], bib: str | None = BIB) -> Path:
    return write_site(tmp_path, {"references.bib": bib, **files}, base={"content/site.yaml": SITE_YAML})


def lint(root: Path) -> list[Diagnostic]:
    return run_check(BuildOptions(root=root), today=TODAY).sorted()


def found(root: Path, rule: str) -> list[int | None]:
    return [d.line for d in lint(root) if d.rule == rule]


def lint_one(tmp_path: Path, text: str, rule: str, **site: str) -> tuple[list[int | None], str]:
    """Lint a site with one article `a.md`; (lines where `rule` fired, the article's text)."""
    root = make_site(tmp_path, {"content/articles/a.md": text, **site})
    return found(root, rule), text


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1


# --- baseline and registry ------------------------------------------------------------


def test_a_clean_site_has_no_findings(tmp_path):
    root = make_site(tmp_path, {"content/articles/a.md": article(), "content/pages/about.md": page()})
    assert lint(root) == []


def test_rule_ids_are_the_documented_contract():
    assert sorted(rule.id for rule in all_rules()) == sorted([
        "uncited-claim", "review-overdue", "review-due-soon", "no-reviewer", "reading-grade", "image-alt",
        "heading-skip", "multiple-h1", "broken-anchor", "insecure-link", "affiliate-link", "description-length",
        "title-length", "mojibake", "faq-answer-length", "structured-data", "bad-lint-ignore",
        "unused-reference", "reference-fields", "citation-after-advice", "missing-alias", "removed-page",
        "reference-retracted", "reference-not-found", "reference-notice", "reference-mismatch", "reference-unverified",
    ])
    for rule in all_rules():
        assert rule.check.__name__ == "check_" + rule.id.replace("-", "_")
        assert rule.severity in ("warning", "error") and rule.description


def test_every_rule_is_documented_for_editors():
    docs = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in all_rules():
        assert f"`{rule.id}`" in docs, rule.id


# --- uncited-claim ----------------------------------------------------------------------


@pytest.mark.parametrize("sentence", [
    "About 40% of people with back pain feel better within six weeks.",
    "One study found that walking helps.",
    "Studies show that staying active helps.",
    "Research suggests yoga can ease pain.",
    "1 in 4 adults has back pain.",
    "One in five adults lives with chronic pain.",
    "A 2019 survey of 500 adults found the same.",
    "Around 20 million adults live with chronic pain.",
    "Smokers are three times more likely to have back pain.",
    "There is good evidence that movement helps.",
])
def test_claim_patterns_catch_statistics_and_study_phrases(sentence):
    assert find_claim(prose(sentence)) is not None


@pytest.mark.parametrize("sentence", [
    "Call 911 in the US, 999 in the UK or 112 in the EU.",
    "See a doctor within 24 hours if the pain gets worse.",
    "Take 1 tablet every 4 hours, no more than 4 in 24 hours.",
    "If you are over 50, ask about a check-up in 2026.",
    "You do not need to be 100% pain-free to enjoy sex.",
    "We could not find a study that has properly tested this.",
    "Read [the guide](https://example.org/?share=40%25) first.",
])
def test_claim_patterns_ignore_advice_numbers(sentence):
    assert find_claim(prose(sentence)) is None


def test_uncited_claim_in_paragraphs_list_items_tables_summary_and_faq(tmp_path):
    body = (
        "Intro without numbers.\n\n"
        "Back pain is common.\nAbout 40% of people feel better in six weeks.\n\n"
        "- Stay active.\n- 1 in 4 adults has back pain.\n\n"
        "| Treatment | Helped |\n|---|---|\n| Walking | 30% |\n\n"
        "One study found that walking helps.\n"
    )
    text = article(body, summary='\n  - "Research suggests yoga helps."',
                   faq='\n  - q: "Does rest help?"\n    a: "Studies show that bed rest slows recovery."')
    lines, text = lint_one(tmp_path, text, "uncited-claim")
    assert lines == [
        line_of(text, "Research suggests"),
        line_of(text, "- q:"),
        line_of(text, "About 40%"),
        line_of(text, "1 in 4"),
        line_of(text, "| Walking"),
        line_of(text, "One study"),
    ]


def test_uncited_claim_message(tmp_path):
    text = article("Intro.\n\nAbout 40% of people feel better.\n")
    root = make_site(tmp_path, {"content/articles/a.md": text})
    messages = [d.format() for d in lint(root) if d.rule == "uncited-claim"]
    assert messages == [
        f"content/articles/a.md:{line_of(text, 'About')}: warning: '40%' reads like a research claim but its "
        "paragraph cites no source; add a citation like [@key] [uncited-claim]"
    ]


def test_cited_claims_advice_numbers_code_and_headings_pass(tmp_path):
    body = (
        "About 40% of people feel better\nin six weeks [@smith2020].\n\n"
        "## 40% of people recover\n\n"
        "Call 999 or 911 straight away. Rest for 2 days at most.\n\n"
        "```\n50% of lines in code are fine\n```\n\n"
        "In one survey [@smith2020], people rated what helped:\n\n"
        "| Treatment | Helped |\n|---|---|\n| Walking | 30% |\n"
    )
    assert lint_one(tmp_path, article(body), "uncited-claim")[0] == []


# --- review dates and reviewer --------------------------------------------------------------


def test_review_overdue_at_the_reviewed_line_when_review_due_is_implied(tmp_path):
    lines, text = lint_one(tmp_path, article(date="2025-01-01", reviewed="2025-05-01"), "review-overdue")
    assert lines == [line_of(text, "reviewed:")]


def test_review_overdue_at_the_review_due_line(tmp_path):
    text = article(date="2025-01-01", reviewed="2025-02-01", review_due="2026-05-31")
    root = make_site(tmp_path, {"content/articles/a.md": text})
    assert [d.format() for d in lint(root) if d.rule == "review-overdue"] == [
        f"content/articles/a.md:{line_of(text, 'review_due')}: warning: review overdue: review_due 2026-05-31 "
        "was 1 day(s) ago; re-review the article, then update 'reviewed' [review-overdue]"
    ]
    assert found(root, "review-due-soon") == []



def test_a_page_with_review_dates_is_held_to_them(tmp_path):
    """Clinical pages (urgent help) may carry review dates; the review rules then apply to them too."""
    text = ('---\ntitle: "Urgent help"\ndescription: "When to call emergency services and where to get help fast."\n'
            "date: 2025-01-01\nreviewed: 2025-02-01\n---\n\nCall emergency services for chest pain.\n")
    root = make_site(tmp_path, {"content/articles/a.md": article(), "content/pages/urgent-help.md": text})
    problems = [d.format() for d in lint(root) if d.rule in ("review-overdue", "no-reviewer")]
    assert problems == [f"content/pages/urgent-help.md:{line_of(text, 'reviewed:')}: warning: review overdue: "
                        "review_due 2026-02-01 was 120 day(s) ago; re-review the article, then update 'reviewed' "
                        "[review-overdue]"]

def test_review_not_overdue_when_due_later(tmp_path):
    assert lint_one(tmp_path, article(review_due="2026-08-01"), "review-overdue")[0] == []


def test_review_due_soon(tmp_path):
    lines, text = lint_one(tmp_path, article(review_due="2026-07-01"), "review-due-soon")
    assert lines == [line_of(text, "review_due")]


def test_review_due_later_than_30_days_is_not_soon(tmp_path):
    assert lint_one(tmp_path, article(review_due="2026-07-02"), "review-due-soon")[0] == []


def test_no_reviewer_on_articles_only(tmp_path):
    text = article(reviewer=None)
    root = make_site(tmp_path, {"content/articles/a.md": text, "content/pages/about.md": page()})
    assert [(d.path, d.line) for d in lint(root) if d.rule == "no-reviewer"] == [
        ("content/articles/a.md", line_of(text, "reviewed:"))
    ]


def test_reviewed_article_passes_no_reviewer(tmp_path):
    assert lint_one(tmp_path, article(), "no-reviewer")[0] == []


# --- reading-grade ---------------------------------------------------------------------------

HARD = ("Musculoskeletal rehabilitation interventions incorporating graduated multidimensional physiotherapeutic "
        "methodologies demonstrate considerable heterogeneity regarding neurophysiological mechanisms, "
        "psychosocial determinants and socioeconomic accessibility considerations [@smith2020].")
EASY = "Walk a little each day. Rest when you need to. Ask for help if the pain gets worse. Keep going. "


def test_reading_grade_names_the_hardest_paragraphs(tmp_path):
    body = f"{EASY * 4}\n\n{HARD}\n\n{EASY * 4}\n\n{HARD} {HARD}\n"
    text = article(body)
    root = make_site(tmp_path, {"content/articles/a.md": text})
    [diagnostic] = [d for d in lint(root) if d.rule == "reading-grade"]
    assert diagnostic.line == line_of(text, "title:")
    hard_lines = [line_of(text, "Musculoskeletal", 1), line_of(text, "Musculoskeletal", 2)]
    assert re.search(r"reading grade \d+\.\d \(Flesch-Kincaid\) is above 8", diagnostic.message)
    named = [int(n) for n in re.findall(r"line (\d+) \(grade", diagnostic.message)]
    assert sorted(named) == sorted(hard_lines)


def test_plain_language_passes_reading_grade(tmp_path):
    assert lint_one(tmp_path, article(f"{EASY * 10} [@smith2020]\n"), "reading-grade")[0] == []


# --- structure -----------------------------------------------------------------------------------


def test_image_alt(tmp_path):
    body = ("Intro [@smith2020].\n\n![](https://img.example/a.png)\n\n![A spine model](https://img.example/b.png)\n\n"
            '<img src="https://img.example/c.png">\n\n<img src="https://img.example/d.png" alt="A chair">\n')
    lines, text = lint_one(tmp_path, article(body), "image-alt")
    assert lines == [line_of(text, "![]("), line_of(text, "c.png")]


def test_heading_skip(tmp_path):
    body = "### Too deep at the start\n\nText.\n\n## Fine\n\n### Fine too\n\n## Back up\n\n#### Skipped\n\nText.\n"
    lines, text = lint_one(tmp_path, article(body), "heading-skip")
    assert lines == [line_of(text, "### Too deep"), line_of(text, "#### Skipped")]


def test_multiple_h1(tmp_path):
    body = "# A second title\n\nText.\n\n## Section\n\n```\n# a shell comment, not a heading\n```\n\nAnother\n===\n"
    lines, text = lint_one(tmp_path, article(body), "multiple-h1")
    assert lines == [line_of(text, "# A second"), line_of(text, "Another")]


# --- links ---------------------------------------------------------------------------------------


def test_broken_anchor_on_the_same_page_and_another_page_is_an_error(tmp_path):
    other = article(title='"Other article"', faq='\n  - q: "Does walking help?"\n    a: "Yes, for most people it does."')
    body = (
        "Links [@smith2020]: [ok](#moving-gently), [top](#main), [refs](#references), [cite](#ref-1), "
        "[faq](/articles/other/#faq), [home](/#anything).\n\n"
        "[gone](#moving-gentle) and [elsewhere](/articles/other/#nope).\n\n## Moving gently\n\nText.\n"
    )
    text = article(body)
    root = make_site(tmp_path, {"content/articles/a.md": text, "content/articles/other.md": other})
    bad_line = line_of(text, "[gone]")
    assert [d.format() for d in lint(root) if d.rule == "broken-anchor"] == [
        f"content/articles/a.md:{bad_line}: error: link '#moving-gentle' points to '#moving-gentle', which does not "
        "exist on this page (did you mean 'moving-gently'?) [broken-anchor]",
        f"content/articles/a.md:{bad_line}: error: link '/articles/other/#nope' points to '#nope', which does not "
        "exist on /articles/other/ [broken-anchor]",
    ]



def test_broken_anchor_reads_the_ids_of_the_sites_own_templates(tmp_path):
    """A site whose article template drops the FAQ id and adds its own: anchors follow the pages."""
    theme = Path(__file__).resolve().parents[2] / "src/painconnect_site/render/theme/templates/article.html"
    template = theme.read_text(encoding="utf-8").replace('id="faq"', 'id="questions"')
    assert template != theme.read_text(encoding="utf-8")
    body = "Links [@smith2020]: [faq](#faq) and [questions](#questions).\n"
    text = article(body, faq='\n  - q: "Does walking help?"\n    a: "Yes, for most people it does."')
    root = make_site(tmp_path, {"content/articles/a.md": text, "templates/article.html": template})
    assert [d.message for d in lint(root) if d.rule == "broken-anchor"] == [
        "link '#faq' points to '#faq', which does not exist on this page",
    ]

def test_insecure_link(tmp_path):
    body = "See [the NHS](http://www.nhs.uk/back-pain) [@smith2020].\n\nAnd [this](https://www.nhs.uk/).\n"
    lines, text = lint_one(tmp_path, article(body), "insecure-link")
    assert lines == [line_of(text, "http://")]


def test_affiliate_links_need_affiliate_true(tmp_path):
    body = ("Cushions [@smith2020]: [one](https://amzn.to/3abc), [two](https://www.amazon.com/dp/B01?tag=pc-20),\n"
            "[three](https://shop.example/chair?utm_source=painconnect), [four](https://www.nhs.uk/).\n")
    lines, text = lint_one(tmp_path, article(body), "affiliate-link")
    assert lines == [line_of(text, "amzn.to"), line_of(text, "amazon.com"), line_of(text, "utm_source")]


def test_affiliate_links_pass_when_disclosed(tmp_path):
    body = "Cushions [@smith2020]: [one](https://amzn.to/3abc).\n"
    assert lint_one(tmp_path, article(body, affiliate="true"), "affiliate-link")[0] == []


# --- metadata -------------------------------------------------------------------------------------


def test_description_length(tmp_path):
    lines, text = lint_one(tmp_path, article(description='"Too short."'), "description-length")
    assert lines == [line_of(text, "description:")]


def test_title_length(tmp_path):
    long_title, fine_title = "x" * 71, "y" * 70
    lines, text = lint_one(tmp_path, article(title=f'"{long_title}"'), "title-length")
    assert lines == [line_of(text, "title:")]
    assert lint_one(tmp_path, article(title=f'"{fine_title}"'), "title-length")[0] == []


def test_structured_data_problems_are_reported(tmp_path):
    lines, text = lint_one(tmp_path, article(about="[]"), "structured-data")
    assert lines == [line_of(text, "about:")]


def test_faq_answer_length(tmp_path):
    long_answer = "Walking helps. " * 151
    faq = ('\n  - q: "Short?"\n    a: "Yes."'
           '\n  - q: "No full stop?"\n    a: "Yes it is fine for most people"'
           '\n  - q: "Good?"\n    a: "Yes, gentle walking is safe for most people with back pain."'
           '\n  - q: "Brief but whole?"\n    a: "Gentle walking often helps [@smith2020]."'
           '\n  - q: "Hedged?"\n    a: "Not usually, no."'
           '\n  - q: "Depends?"\n    a: "It depends."'
           f'\n  - q: "Long?"\n    a: "{long_answer}"')
    lines, text = lint_one(tmp_path, article(faq=faq), "faq-answer-length")
    assert lines == [line_of(text, '"Short?"'), line_of(text, '"No full stop?"'), line_of(text, '"Hedged?"'),
                     line_of(text, '"Depends?"'), line_of(text, '"Long?"')]


@pytest.mark.parametrize(("answer", "fragment"), [
    ("Yes.", True), ("Sometimes", True), ("Sometimes, yes.", True), ("Not always.", True),
    ("Gentle walking often helps.", False), ("Heat can ease stiffness.", False), ("Yes, ask your GP.", False),
])
def test_a_fragment_is_told_from_a_short_sentence(answer, fragment):
    from painconnect_site.checks.rules.content import is_fragment

    assert is_fragment(answer) is fragment


# --- citation-after-advice ------------------------------------------------------------------------


def test_citation_after_advice_is_flagged_and_findings_are_not(tmp_path):
    body = ("Walking is safe. A couples therapist can help when talking gets stuck [@smith2020].\n\n"
            "- Talk to your doctor about pain during sex [@smith2020].\n\n"
            "Closeness was linked with lower pain in one study [@smith2020].\n\n"
            "Gentle touch may help some people, because it eased pain in the lab [@smith2020].\n\n"
            "In a survey, 40% said heat can help [@smith2020].\n")
    text = article(body)
    lines, _ = lint_one(tmp_path, text, "citation-after-advice")
    assert lines == [line_of(text, "A couples therapist"), line_of(text, "- Talk to your doctor")]


# --- mojibake ---------------------------------------------------------------------------------------


def test_mojibake_in_title_body_and_faq(tmp_path):
    faq = '\n  - q: "Is it safe?"\n    a: "Yes, gentle movement is safe for most people \u0e40\u0e21."'
    body = "Good text: it\u2019s caf\u00e9 \u2014 fine [@smith2020].\n\nItâ€™s broken.\n\nAlso \ufffd here.\n"
    text = article(body, title='"Caf\u00c3\u00a9 and back pain"', faq=faq)
    lines, text = lint_one(tmp_path, text, "mojibake")
    assert lines == [line_of(text, "title:"), line_of(text, "- q:"), line_of(text, "Itâ€™s"), line_of(text, "\ufffd")]


def test_thai_letters_are_fine_on_a_thai_site(tmp_path):
    faq = '\n  - q: "Is it safe?"\n    a: "Yes, gentle movement is safe for most people \u0e40\u0e21."'
    lines, _ = lint_one(tmp_path, article(faq=faq), "mojibake",
                        **{"content/site.yaml": SITE_YAML.replace("description:", "language: th\ndescription:", 1)})
    assert lines == []


# --- bibliography --------------------------------------------------------------------------------------

FULL_BIB = BIB + """
@article{lee2019,
  author  = {Lee, Min},
  title   = {Social support and back pain},
  journal = {Journal of Pain},
  year    = {2019}
}

@article{khan2021,
  author = {Khan, Aisha},
  title  = {Sleep and chronic pain},
  year   = {2021}
}
"""


def test_unused_reference_at_its_line_in_references_bib(tmp_path):
    body = "Walking helps [@smith2020]. Sleep matters [@khan2021].\n"
    root = make_site(tmp_path, {"content/articles/a.md": article(body)}, bib=FULL_BIB)
    assert [d.format() for d in lint(root) if d.rule == "unused-reference"] == [
        f"references.bib:{line_of(FULL_BIB, '@article{lee2019')}: warning: reference 'lee2019' is never cited; "
        "cite it or remove it [unused-reference]"
    ]


def test_reference_fields(tmp_path):
    body = "Walking helps [@smith2020]. Support helps [@lee2019]. Sleep matters [@khan2021].\n"
    root = make_site(tmp_path, {"content/articles/a.md": article(body)}, bib=FULL_BIB)
    assert [(d.path, d.line, d.message) for d in lint(root) if d.rule == "reference-fields"] == [
        ("references.bib", line_of(FULL_BIB, "@article{khan2021"), "reference 'khan2021' (@article) is missing journal")
    ]
    assert found(root, "unused-reference") == []


def test_bib_comment_silences_unused_reference(tmp_path):
    bib = FULL_BIB.replace("@article{lee2019", "% lint-ignore unused-reference: cited in a forthcoming article\n@article{lee2019")
    body = "Walking helps [@smith2020]. Sleep matters [@khan2021].\n"
    root = make_site(tmp_path, {"content/articles/a.md": article(body)}, bib=bib)
    assert found(root, "unused-reference") == []


# --- silencing ----------------------------------------------------------------------------------------


def test_front_matter_lint_ignore_silences_a_rule_for_the_file(tmp_path):
    text = article("About 40% of readers told us this.\n\nOne study found it too.\n",
                   lint_ignore='\n  uncited-claim: "figures from our own reader survey"')
    root = make_site(tmp_path, {"content/articles/a.md": text})
    assert found(root, "uncited-claim") == [] and found(root, "bad-lint-ignore") == []


def test_inline_comment_silences_only_the_next_paragraph(tmp_path):
    body = (
        "<!-- lint-ignore uncited-claim: our own reader survey -->\n"
        "About 40% of readers told us this.\n\n"
        "<!-- lint-ignore uncited-claim, insecure-link: quoted from the survey report -->\n\n"
        "About 30% said so, see [report](http://survey.example/).\n\n"
        "About 20% of people were not asked.\n\n"
        "About 10% agreed. <!-- lint-ignore uncited-claim: same survey -->\n"
    )
    lines, text = lint_one(tmp_path, article(body), "uncited-claim")
    assert lines == [line_of(text, "About 20%")]
    root = make_site(tmp_path, {"content/articles/a.md": text})
    assert found(root, "insecure-link") == []


def test_inline_comment_in_an_faq_answer_silences_that_answer(tmp_path):
    faq = ('\n  - q: "How common is it?"\n    a: "About 40% of our readers. <!-- lint-ignore uncited-claim: reader survey -->"'
           '\n  - q: "And pain?"\n    a: "About 30% of people have it, it seems."')
    lines, text = lint_one(tmp_path, article(faq=faq), "uncited-claim")
    assert lines == [line_of(text, '"And pain?"')]


def test_ignores_without_a_reason_or_with_unknown_rules_are_reported(tmp_path):
    body = "<!-- lint-ignore uncited-claim -->\nAbout 40% of readers told us this.\n\n<!-- lint-ignore uncited-claims: typo -->\nText.\n"
    text = article(body, lint_ignore='\n  no-reviewr: "typo"')
    root = make_site(tmp_path, {"content/articles/a.md": text})
    assert found(root, "uncited-claim") == [line_of(text, "About 40%")]  # no reason: not silenced
    messages = [(d.line, d.message) for d in lint(root) if d.rule == "bad-lint-ignore"]
    assert messages == [
        (line_of(text, "lint_ignore:"), "lint_ignore names unknown rule 'no-reviewr' (did you mean 'no-reviewer'?)"),
        (line_of(text, "<!-- lint-ignore uncited-claim -->"),
         "lint-ignore comment needs a reason: <!-- lint-ignore rule-id: why it does not apply -->"),
        (line_of(text, "uncited-claims:"),
         "lint-ignore comment names unknown rule 'uncited-claims' (did you mean 'uncited-claim'?)"),
    ]


def test_severity_comes_from_the_registry(tmp_path):
    root = make_site(tmp_path, {"content/articles/a.md": article(BODY + "\n[x](#nowhere)\n")})
    severities = {d.rule: d.severity for d in lint(root)}
    assert severities == {"broken-anchor": rules_by_id()["broken-anchor"].severity} == {"broken-anchor": "error"}
