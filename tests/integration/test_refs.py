"""`refs verify` against the fixtures, `check` enforcing the lock offline, `build` refusing retracted citations.

`refs verify` runs in this process with respx replaying tests/fixtures/refs/
through the real httpx client (refs_replay.py); `check` and `build` run as a
user runs them, in a subprocess, which has no mock: they must not need one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from pathlib import Path

import httpx
import pytest

from conftest import SITE_YAML, run_cli
from refs_replay import FIXTURES, replay

from painconnect_site.commands.cli import main

CONTACT = "editor@test.example"
SITE_WITH_CONTACT = SITE_YAML + f"references:\n  contact: {CONTACT}\n"
REQUIRED = SITE_WITH_CONTACT + "  require_verification: true\n"
CASES_BIB = (FIXTURES / "cases.bib").read_text(encoding="utf-8")
# The repository's references.bib as the registry fixtures describe it (frozen: editing the live
# file must not break these tests; see tests/fixtures/refs/README.md).
REPOSITORY_BIB = (FIXTURES / "repository.bib").read_text(encoding="utf-8")
LOCK = "references.lock.json"


def article(*keys: str) -> str:
    cites = "; ".join(f"@{key}" for key in keys)
    return f"""\
---
title: "Touch and chronic pain"
description: "What research says about touch, closeness and living with chronic pain day to day."
date: 2026-01-15
reviewed: 2026-02-01
author: team
---

## What we know

Closeness is linked with lower pain in one study [{cites}].
"""  # the citation is on line 11


CITATION_LINE = 11


@pytest.fixture
def site(make_site):
    def factory(bib: str = REPOSITORY_BIB, site_yaml: str = SITE_WITH_CONTACT, cites: tuple[str, ...] = ("finn2018",),
                **files: str) -> Path:
        return make_site({"content/site.yaml": site_yaml, "references.bib": bib,
                          "content/articles/touch.md": article(*cites), **files})

    return factory


@pytest.fixture
def verify(monkeypatch, capsys):
    def run(root: Path, *args: str, override=None):
        capsys.readouterr()
        with replay(monkeypatch, override) as replayed:
            code = main(["refs", "verify", *args, "--source", str(root)])
        out, err = capsys.readouterr()
        assert replayed.unexpected == [], "requests without a fixture"
        return code, out, err.splitlines(), replayed

    return run


def lock_of(root: Path) -> dict:
    return json.loads((root / LOCK).read_text(encoding="utf-8"))["entries"]


def reference_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "[reference-" in line]


# --- refs verify ---------------------------------------------------------------------------------

REPOSITORY_EXPECTED = [
    "references.bib:38: warning: reference 'flegge2023': year is 2023; Crossref says 2022 (issued, online)",
    "references.bib:50: warning: reference 'allen2017' could not be verified: it has no DOI or PMID, and Crossref's "
    "title search found no work with the same title, year and first author",
]


def test_verify_the_repository_bibliography(site, verify):
    root = site()
    code, out, err, replayed = verify(root)
    assert code == 0
    assert err == REPOSITORY_EXPECTED
    assert out == ("refs verify: 9 of 10 reference(s) verified (1 could not be verified); 0 error(s), 2 warning(s); "
                   "wrote references.lock.json\n")
    entries = lock_of(root)
    assert sorted(entries) == sorted(["nimbi2024", "finn2018", "flegge2023", "allen2017", "lakhsassi2022",
                                      "sidorkewicz2014", "sidorkewicz2015", "grewen2005", "light2005", "hambach2013"])
    assert entries["lakhsassi2022"]["registry"] == "Crossref, PubMed"
    assert entries["lakhsassi2022"]["work"] == {"doi": "10.1371/journal.pone.0274331", "pmid": "36197910"}
    assert entries["allen2017"]["status"] == "unverifiable"
    assert {entry["status"] for key, entry in entries.items() if key != "allen2017"} == {"verified"}
    # one esummary for both PMIDs; every request polite
    hosts = [request.url.host for request in replayed.requests]
    assert hosts.count("eutils.ncbi.nlm.nih.gov") == 1 and hosts.count("api.crossref.org") == 10
    for request in replayed.requests:
        assert request.headers["User-Agent"] == f"painconnect-site/0.1.0 (https://test.example/; mailto:{CONTACT})"
        assert CONTACT in (request.url.params.get("mailto"), request.url.params.get("email"))


CASES_EXPECTED = [
    "references.bib:4: error: reference 'wakefield1998' was retracted: Retraction 10.1016/s0140-6736(10)60175-4 "
    "(2010-02-06, Retraction Watch); remove it and every citation of it",
    "references.bib:16: warning: reference 'notice2010': 10.1016/s0140-6736(10)60175-4 is itself a retraction notice "
    "about 10.1016/s0140-6736(97)11096-0; cite the work, not the notice",
    "references.bib:27: warning: reference 'corrected2019' has a correction: Correction "
    "10.5555/painconnect.corrected.2019.erratum (2020-01-15, publisher); read it and check that what the site says "
    "still holds",
    "references.bib:37: warning: reference 'concern2021' has an expression of concern: Expression of concern "
    "10.5555/painconnect.concern.2021.eoc (2022-06-01, Retraction Watch); read it and check that what the site says "
    "still holds",
    "references.bib:47: error: reference 'missing2020': DOI 10.5555/painconnect.does-not-exist does not exist "
    "(Crossref and the DOI agencies do not know it)",
    "references.bib:55: warning: reference 'dataset2021' could not be verified: DOI 10.5061/dryad.painconnect is "
    "registered with DataCite, which refs verify does not query",
    "references.bib:62: warning: reference 'titleonly2016' has no DOI; Crossref's title search found a work with the "
    "same title, year and first author: 10.5555/painconnect.title-only.2016; check it at "
    "https://doi.org/10.5555/painconnect.title-only.2016 and add doi = {10.5555/painconnect.title-only.2016}",
    "references.bib:71: warning: reference 'nomatch2019' could not be verified: it has no DOI or PMID, and Crossref's "
    "title search found no work with the same title, year and first author (Crossref has a work with this title but "
    "another year or first author: 10.5555/painconnect.nomatch.2019)",
    "references.bib:78: warning: reference 'typos2020': title differs from Crossref: "
    "\"Walking programmes for chronic low back pain: a randomised trial\"",
    "references.bib:78: warning: reference 'typos2020': first author is 'Okafur'; Crossref says 'Okafor, Chidi'",
    "references.bib:78: warning: reference 'typos2020': year is 2019; Crossref says 2020 (issued)",
    "references.bib:78: warning: reference 'typos2020': volume is 13; Crossref says 12",
    "references.bib:78: warning: reference 'typos2020': pages are 101–111; Crossref says 101-110",
    "references.bib:88: warning: reference 'lakhsassi2022' has no DOI; PubMed records 10.1371/journal.pone.0274331 "
    "for PMID 36197910; check it at https://doi.org/10.1371/journal.pone.0274331 and add "
    "doi = {10.1371/journal.pone.0274331}",
    "references.bib:99: warning: reference 'sidorkewicz2015': PMID 25208042 is a different work in PubMed: "
    "\"Male spine motion during coitus: implications for the low back pain patient.\" "
    "(DOI 10.1097/brs.0000000000000518); check the pmid field",
    "references.bib:111: error: reference 'badpmid2018': PMID 99999999 does not exist in PubMed",
]


def test_verify_the_known_cases(site, verify):
    root = site(CASES_BIB, cites=("corrected2019",))
    code, out, err, _ = verify(root)
    assert err == CASES_EXPECTED
    assert code == 1  # errors: a retraction and two identifiers that do not exist
    assert out == ("refs verify: 8 of 12 reference(s) verified (2 not found, 2 could not be verified); "
                   "3 error(s), 13 warning(s); wrote references.lock.json\n")
    entries = lock_of(root)
    wakefield = entries["wakefield1998"]
    assert wakefield["registry"] == "Crossref, PubMed" and wakefield["status"] == "verified"
    assert [n["type"] for n in wakefield["notices"]] == ["correction", "retraction"]
    assert wakefield["notices"][1] == {"type": "retraction", "label": "Retraction",
                                       "doi": "10.1016/s0140-6736(10)60175-4", "date": "2010-02-06",
                                       "source": "retraction-watch"}
    assert entries["missing2020"]["status"] == "not-found"
    assert entries["titleonly2016"]["registry"] == "Crossref title search"
    assert entries["titleonly2016"]["work"]["doi"] == "10.5555/painconnect.title-only.2016"
    assert (root / "references.bib").read_text(encoding="utf-8") == CASES_BIB  # a suggested DOI is never written


def test_offline_is_one_line_exit_1_and_nothing_written(site, verify):
    root = site()
    (root / LOCK).write_text("previous lock\n", encoding="utf-8")

    def unreachable(request):
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    code, out, err, replayed = verify(root, override=unreachable)
    assert code == 1 and out == ""
    assert err == ["error: cannot reach eutils.ncbi.nlm.nih.gov (cannot connect: [Errno -3] Temporary failure in "
                   "name resolution); nothing was written (`refs verify` needs the network; `check` and `build` do "
                   "not)"]
    assert len(replayed.requests) == 2 and replayed.slept[0] == 1.0  # retried once, then gave up
    assert (root / LOCK).read_text(encoding="utf-8") == "previous lock\n"


def test_offline_in_a_real_process(site):
    """No mock at all: an unreachable proxy stands in for a machine without a network."""
    root = site()
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proxy = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "ALL_PROXY": proxy, "NO_PROXY": ""}
    result = run_cli("refs", "verify", "--source", root, env=env)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach eutils.ncbi.nlm.nih.gov (")
    assert lines[0].endswith("nothing was written (`refs verify` needs the network; `check` and `build` do not)")
    assert "Traceback" not in result.stderr and not (root / LOCK).exists()


def test_a_contact_is_required_before_any_request(site, verify):
    root = site(site_yaml=SITE_YAML)
    code, out, err, replayed = verify(root)
    assert code == 1 and replayed.requests == []
    assert err == ["content/site.yaml:1: error: `refs verify` needs a contact e-mail for Crossref's and NCBI's polite "
                   "pools; add `references: {contact: editor@example.org}` to content/site.yaml"]


def test_bad_references_settings_are_site_yaml_errors(site):
    root = site(site_yaml=SITE_YAML + "references:\n  contact: nobody\n  max_age_days: soon\n  require_verify: true\n")
    result = run_cli("check", "--source", root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:3] == [
        "content/site.yaml:18: error: references contact 'nobody' must be an e-mail address (the registries' polite "
        "pools ask for one)",
        "content/site.yaml:19: error: references max_age_days must be a whole number of days, found 'soon'",
        "content/site.yaml:20: error: unknown references setting 'require_verify' (did you mean "
        "'require_verification'?)",
    ]


def test_verify_some_keys_keeps_the_other_entries(site, verify):
    root = site()
    verify(root)
    before = lock_of(root)
    code, out, err, replayed = verify(root, "flegge2023", "finn2018")
    assert code == 0 and err == [REPOSITORY_EXPECTED[0]]
    assert [request.url.path for request in replayed.requests] == ["/works/10.1093/pm/pnx056",
                                                                  "/works/10.1093/pm/pnac117"]
    after = lock_of(root)
    assert {key: value for key, value in after.items() if key not in ("flegge2023", "finn2018")} == \
        {key: value for key, value in before.items() if key not in ("flegge2023", "finn2018")}


def test_an_unknown_key_is_a_usage_error(site, verify):
    code, _, err, replayed = verify(site(), "flege2023")
    assert code == 2 and replayed.requests == []
    assert err == ["error: no entry 'flege2023' in references.bib (did you mean 'flegge2023'?)"]


def test_stale_verifies_only_what_is_not_verified_now(site, verify):
    root = site()
    verify(root)
    bib = root / "references.bib"
    bib.write_text(REPOSITORY_BIB.replace("pages   = {5--21}", "pages   = {5--22}"), encoding="utf-8")
    code, _, err, replayed = verify(root, "--stale")
    paths = [request.url.path for request in replayed.requests]
    assert paths == ["/works", "/works/10.1016/j.biopsycho.2004.11.002"]  # allen2017 (unverifiable), light2005
    assert err == [REPOSITORY_EXPECTED[1],
                   "references.bib:114: warning: reference 'light2005': pages are 5–22; Crossref says 5-21"]


def test_a_changed_registry_record_is_announced(site, verify):
    root = site()
    verify(root)

    def renumbered(request):
        if request.url.path == "/works/10.1093/pm/pnx056":
            data = json.loads((FIXTURES / "crossref/finn2018.json").read_text(encoding="utf-8"))
            data["message"]["page"] = "942-955"
            return httpx.Response(200, json=data)
        return None

    code, out, err, _ = verify(root, "finn2018", override=renumbered)
    assert out.splitlines()[0] == "registry records changed since the last verification: finn2018"
    assert err == ["references.bib:26: warning: reference 'finn2018': pages are 942–954; Crossref says 942-955"]


def test_status_reads_the_lock_offline(site, verify, capsys):
    root = site()
    assert main(["refs", "status", "--source", str(root)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "references.bib:14: nimbi2024: never verified"
    verify(root)
    assert main(["refs", "status", "--source", str(root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    day = lock_of(root)["nimbi2024"]["verified"][:10]
    assert lines[0] == f"references.bib:14: nimbi2024: verified {day} (Crossref)"
    assert lines[2] == f"references.bib:38: flegge2023: verified {day} (Crossref), 1 problem(s)"
    assert lines[3] == f"references.bib:50: allen2017: unverifiable on {day} (Crossref title search)"
    assert lines[-1] == ("refs status: 10 reference(s): 8 verified, 1 verified with problems, 1 to verify "
                         "(`refs verify --stale`)")


# --- check, offline ----------------------------------------------------------------------------------


def test_check_without_a_lock_is_quiet_unless_verification_is_required(site):
    root = site()
    assert reference_lines(run_cli("check", "--source", root).stderr) == []
    (root / "content/site.yaml").write_text(REQUIRED, encoding="utf-8")
    result = run_cli("check", "--strict", "--source", root)
    found = reference_lines(result.stderr)
    assert result.returncode == 1 and len(found) == 10
    assert found[0] == ("references.bib:14: warning: reference 'nimbi2024' has never been verified against Crossref "
                        "or PubMed; run `python build.py refs verify nimbi2024` [reference-unverified]")


def test_check_replays_what_verify_found(site, verify):
    root = site()
    verify(root)
    day = lock_of(root)["flegge2023"]["verified"][:10]
    flegge = (f"references.bib:38: warning: reference 'flegge2023': year is 2023; Crossref says 2022 (issued, online) "
              f"(refs verify, {day}) [reference-mismatch]")
    allen = (f"references.bib:50: warning: reference 'allen2017' could not be verified: it has no DOI or PMID, and "
             f"Crossref's title search found no work with the same title, year and first author (refs verify, {day}) "
             f"[reference-unverified]")
    assert reference_lines(run_cli("check", "--source", root).stderr) == [flegge]
    (root / "content/site.yaml").write_text(REQUIRED, encoding="utf-8")
    assert reference_lines(run_cli("check", "--source", root).stderr) == [flegge, allen]


def test_check_silences_a_reference_rule_with_a_reason(site, verify):
    root = site()
    verify(root)
    bib = REPOSITORY_BIB.replace("@article{flegge2023,", "% lint-ignore reference-mismatch: print year 2023, "
                                                         "confirmed on the issue's contents page\n@article{flegge2023,")
    (root / "references.bib").write_text(bib, encoding="utf-8")  # moves the entry; its fields are unchanged
    assert reference_lines(run_cli("check", "--strict", "--source", root).stderr) == []


def test_check_reports_an_entry_changed_since_verification(site, verify):
    root = site()
    verify(root)
    day = lock_of(root)["finn2018"]["verified"][:10]
    (root / "references.bib").write_text(REPOSITORY_BIB.replace("volume  = {19}", "volume  = {18}"), encoding="utf-8")
    result = run_cli("check", "--strict", "--source", root)
    assert result.returncode == 1
    assert f"references.bib:26: warning: reference 'finn2018' changed since it was verified on {day}; run " \
           f"`python build.py refs verify finn2018` [reference-unverified]" in reference_lines(result.stderr)


def test_check_reports_verifications_older_than_max_age_days(site, verify):
    root = site()
    verify(root)
    data = json.loads((root / LOCK).read_text(encoding="utf-8"))
    old = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=200)
    for entry in data["entries"].values():
        entry["verified"] = f"{old.isoformat()}T08:00:00Z"
    (root / LOCK).write_text(json.dumps(data, indent=2), encoding="utf-8")
    found = reference_lines(run_cli("check", "--source", root).stderr)
    stale = [line for line in found if "was last verified" in line]
    assert len(stale) == 9  # allen2017 never was: it is "could not be verified", shown with require_verification
    assert stale[0] == (f"references.bib:14: warning: reference 'nimbi2024' was last verified on {old.isoformat()}, "
                        f"200 days ago (more than max_age_days, 180); run `python build.py refs verify nimbi2024` "
                        f"[reference-unverified]")
    (root / "content/site.yaml").write_text(SITE_WITH_CONTACT + "  max_age_days: 365\n", encoding="utf-8")
    assert [line for line in reference_lines(run_cli("check", "--source", root).stderr) if "last verified" in line] == []


def test_check_fails_on_a_retracted_or_nonexistent_reference(site, verify):
    root = site(CASES_BIB, cites=("corrected2019",))
    verify(root)
    result = run_cli("check", "--source", root)
    assert result.returncode == 1
    errors = [line for line in reference_lines(result.stderr) if ": error: " in line]
    day = lock_of(root)["wakefield1998"]["verified"][:10]
    assert errors == [
        f"references.bib:4: error: reference 'wakefield1998' was retracted: Retraction "
        f"10.1016/s0140-6736(10)60175-4 (2010-02-06, Retraction Watch); remove it and every citation of it "
        f"(refs verify, {day}) [reference-retracted]",
        f"references.bib:47: error: reference 'missing2020': DOI 10.5555/painconnect.does-not-exist does not exist "
        f"(Crossref and the DOI agencies do not know it) (refs verify, {day}) [reference-not-found]",
        f"references.bib:111: error: reference 'badpmid2018': PMID 99999999 does not exist in PubMed "
        f"(refs verify, {day}) [reference-not-found]",
    ]
    assert "Traceback" not in result.stderr


# --- build ----------------------------------------------------------------------------------------


def test_an_article_citing_a_retracted_work_cannot_build(site, verify):
    root = site(CASES_BIB, cites=("corrected2019", "wakefield1998"))
    verify(root)
    day = lock_of(root)["wakefield1998"]["verified"][:10]
    result = run_cli("build", "--source", root)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"content/articles/touch.md:{CITATION_LINE}: error: cites 'wakefield1998', which was retracted: Retraction "
        f"10.1016/s0140-6736(10)60175-4 (2010-02-06, Retraction Watch); recorded in references.lock.json on {day}; "
        f"remove the citation",
        "failed: 1 error(s)",
    ]
    assert not (root / "_site").exists()
    # the same site without that citation builds (the lock is read offline; corrections do not block a build)
    (root / "content/articles/touch.md").write_text(article("corrected2019"), encoding="utf-8")
    assert run_cli("build", "--source", root).returncode == 0


def test_a_broken_lock_file_stops_the_build_with_its_line(site):
    root = site(**{LOCK: '{\n  "format": 1,\n  "entries": {\n'})
    result = run_cli("build", "--source", root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith("references.lock.json:4: error: not valid JSON: ")
