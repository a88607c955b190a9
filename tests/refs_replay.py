"""Replay tests/fixtures/refs/ through the real httpx client with respx (no network).

`replay()` mocks every HTTP request: a request matching a route of
routes.json (host, path compared case-insensitively since DOIs are, and the
listed query parameters) gets its fixture; anything else is recorded in
`unexpected` and answered 418, which `refs verify` reports as a registry
failure, so a missing fixture fails loudly. Waiting (rate limit, backoff) is
recorded in `slept` instead of slept.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import httpx
import respx

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "refs"


@dataclass
class Replay:
    requests: list[httpx.Request] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    slept: list[float] = field(default_factory=list)
    routes: list[dict] = field(default_factory=lambda: json.loads((FIXTURES / "routes.json").read_text("utf-8")))
    override: Callable[[httpx.Request], httpx.Response | None] | None = None

    def respond(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.override is not None:
            answer = self.override(request)
            if answer is not None:
                return answer
        for route in self.routes:
            if (route["host"] == request.url.host and route["path"].lower() == request.url.path.lower()
                    and all(request.url.params.get(k) == v for k, v in route.get("params", {}).items())):
                if "body" in route:
                    data = (FIXTURES / route["body"]).read_bytes()
                    return httpx.Response(route["status"], content=data,
                                          headers={"Content-Type": "application/json"})
                return httpx.Response(route["status"], text=route["text"])
        self.unexpected.append(str(request.url))
        return httpx.Response(418, text="no fixture for this request")


@contextmanager
def replay(monkeypatch, override=None) -> Iterator[Replay]:
    from painconnect_site.refs import client

    state = Replay(override=override)
    monkeypatch.setattr(client, "_sleep", state.slept.append)
    with respx.mock(assert_all_called=False) as mock:
        mock.route().mock(side_effect=state.respond)
        yield state
