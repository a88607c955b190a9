"""refs/client.py: the polite HTTP client (respx in place of the network), and the progress bar."""

from __future__ import annotations

import io

import httpx
import pytest
import respx

from painconnect_site.refs import client as client_module
from painconnect_site.refs.client import Client, user_agent
from painconnect_site.commands.refs import Progress
from painconnect_site.refs.registry import Registries, RegistryUnavailable

URL = "https://api.crossref.org/works/10.1000/x"


@pytest.fixture
def slept(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(client_module, "_sleep", waits.append)
    monkeypatch.setattr(client_module, "_clock", lambda: 100.0)  # time stands still: every spacing is waited in full
    return waits


def answers(*responses):
    """A respx side effect giving these responses (or raising these exceptions) in turn."""
    queue = list(responses)

    def respond(request):
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return respond


def test_every_request_names_the_tool_the_site_and_the_contact(slept):
    with respx.mock() as mock:
        route = mock.get(URL).respond(200, json={"message": {}})
        with Client("editor@test.example", "https://test.example/") as http:
            reply = http.get(URL, {"mailto": "editor@test.example"})
    assert reply.status == 200 and reply.json() == {"message": {}}
    request = route.calls.last.request
    assert request.headers["User-Agent"] == "painconnect-site/0.1.0 (https://test.example/; mailto:editor@test.example)"
    assert request.url.params["mailto"] == "editor@test.example"
    assert user_agent("a@b.example") == "painconnect-site/0.1.0 (mailto:a@b.example)"


def test_requests_to_one_host_are_spaced_out(slept):
    with respx.mock() as mock:
        mock.get(URL).respond(200, json={})
        mock.get("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi").respond(200, json={})
        with Client("editor@test.example") as http:
            http.get(URL)
            http.get(URL)
            http.get("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi")  # another host: no wait
            http.get("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi")
    assert slept == pytest.approx([0.25, 0.34])


def test_server_errors_are_retried_with_exponential_backoff(slept):
    with respx.mock() as mock:
        mock.get(URL).mock(side_effect=answers(httpx.Response(503), httpx.Response(502), httpx.Response(200, json={})))
        with Client("editor@test.example", intervals={"api.crossref.org": 0}) as http:
            assert http.get(URL).status == 200
    assert slept == [1.0, 2.0]


def test_too_many_requests_honours_retry_after(slept):
    with respx.mock() as mock:
        mock.get(URL).mock(side_effect=answers(httpx.Response(429, headers={"Retry-After": "7"}),
                                               httpx.Response(200, json={})))
        with Client("editor@test.example", intervals={"api.crossref.org": 0}) as http:
            assert http.get(URL).status == 200
    assert slept == [7.0]


def test_timeouts_are_retried_then_reported_in_one_line(slept):
    with respx.mock() as mock:
        mock.get(URL).mock(side_effect=httpx.ReadTimeout("timed out"))
        with Client("editor@test.example", intervals={"api.crossref.org": 0}, timeout=5) as http:
            with pytest.raises(RegistryUnavailable) as caught:
                http.get(URL)
    assert str(caught.value) == "cannot reach api.crossref.org (no answer within 5 s)"
    assert slept == [1.0, 2.0, 4.0]  # four attempts


def test_offline_fails_fast_after_one_retry(slept):
    with respx.mock() as mock:
        route = mock.get(URL).mock(side_effect=httpx.ConnectError("[Errno -3] Temporary failure in name resolution"))
        with Client("editor@test.example", intervals={"api.crossref.org": 0}) as http:
            with pytest.raises(RegistryUnavailable) as caught:
                http.get(URL)
    assert str(caught.value) == ("cannot reach api.crossref.org "
                                 "(cannot connect: [Errno -3] Temporary failure in name resolution)")
    assert route.call_count == 2 and slept == [1.0]


def test_other_statuses_are_answers_not_retries(slept):
    with respx.mock() as mock:
        route = mock.get(URL).respond(404, text="Resource not found.")
        with Client("editor@test.example", intervals={"api.crossref.org": 0}) as http:
            assert http.get(URL).status == 404
    assert route.call_count == 1 and slept == []


def test_a_registry_answering_nonsense_is_a_one_line_error(slept):
    with respx.mock() as mock:
        mock.get(URL).respond(200, text="<html>maintenance</html>")
        with Client("editor@test.example", intervals={"api.crossref.org": 0}) as http:
            with pytest.raises(RegistryUnavailable, match="not JSON"):
                Registries(http, "editor@test.example").crossref_work("10.1000/x")


def test_a_doi_is_sent_in_the_path_percent_encoded(slept):
    with respx.mock() as mock:
        route = mock.get(url__startswith="https://api.crossref.org/works/").respond(404)
        with Client("editor@test.example", intervals={"api.crossref.org": 0}) as http:
            assert Registries(http, "editor@test.example").crossref_work("10.1016/S0140-6736(97)11096-0") is None
    assert route.calls.last.request.url.raw_path.decode().startswith("/works/10.1016/S0140-6736%2897%2911096-0?")


# --- progress ---------------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_on_a_terminal_and_clears_itself():
    stream = Terminal()
    bar = Progress(8, stream)
    bar.update(0, "smith2020")
    bar.update(4, "lee2019")
    bar.close()
    text = stream.getvalue()
    assert "verifying [" + "." * 24 + "] 0/8 smith2020" in text
    assert "verifying [" + "#" * 12 + "." * 12 + "] 4/8 lee2019" in text
    assert text.endswith("\r")


def test_no_progress_bar_in_a_log_or_for_a_few_entries():
    log = io.StringIO()
    Progress(100, log).update(50, "x")
    assert log.getvalue() == ""
    short = Terminal()
    Progress(2, short).update(1, "x")
    assert short.getvalue() == ""
