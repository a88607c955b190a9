"""HTTP for `refs verify`: the only module that imports httpx.

A polite client for public registries:

* every request carries a `User-Agent` naming this tool, the site and a
  contact e-mail (Crossref routes such requests to its "polite" pool; NCBI asks
  for `tool` and `email` parameters, which registry.py adds);
* requests to one host are spaced out (`MIN_INTERVAL`), one at a time;
* timeouts, dropped connections, 429 and 5xx answers are retried with
  exponential backoff, honouring `Retry-After`;
* when a host cannot be reached after the retries, `RegistryUnavailable` says
  so in one line; the caller writes nothing.

Any other answer (200, 404, 400, ...) is returned as a `Reply`; what it means
is registry.py's business.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

import httpx

from .registry import RegistryUnavailable

TOOL = "painconnect-site"
TIMEOUT_SECONDS = 20.0
RETRIES = 3  # after the first attempt: 4 attempts in all
CONNECT_RETRIES = 1  # a refused or unresolvable host is retried once: offline should fail fast
BACKOFF_SECONDS = 1.0  # 1 s, 2 s, 4 s between attempts
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Seconds between two requests to one host: Crossref's public limits are several requests
# a second; NCBI allows 3 a second without an API key.
MIN_INTERVAL = {"api.crossref.org": 0.25, "eutils.ncbi.nlm.nih.gov": 0.34}
DEFAULT_INTERVAL = 0.5

# Indirections so tests can run without waiting (and check what would have been waited).
_sleep = time.sleep
_clock = time.monotonic


@dataclass(frozen=True, slots=True)
class Reply:
    url: str
    status: int
    text: str

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.text)
        except ValueError as exc:
            host = urlsplit(self.url).netloc
            raise RegistryUnavailable(f"{host} answered {self.status} with something that is not JSON ({exc})") from None


def user_agent(contact: str, site_url: str | None = None, version: str = "0.1.0") -> str:
    about = f"{site_url}; " if site_url else ""
    return f"{TOOL}/{version} ({about}mailto:{contact})"


class Client:
    """`get(url, params)` with the politeness above. Use as a context manager (closes the connection pool)."""

    def __init__(self, contact: str, site_url: str | None = None, *, timeout: float = TIMEOUT_SECONDS,
                 retries: int = RETRIES, backoff: float = BACKOFF_SECONDS,
                 intervals: Mapping[str, float] | None = None, transport: httpx.BaseTransport | None = None) -> None:
        self.contact = contact
        self.retries = retries
        self.backoff = backoff
        self.intervals = dict(MIN_INTERVAL if intervals is None else intervals)
        self._last: dict[str, float] = {}
        self._retry_after: float | None = None  # from the last 429/503, for the next delay
        self._http = httpx.Client(
            headers={"User-Agent": user_agent(contact, site_url), "Accept": "application/json"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            transport=transport,
        )

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, url: str, params: Mapping[str, str] | None = None) -> Reply:
        host = urlsplit(url).netloc
        problem = "no answer"
        connect_failures = 0
        for attempt in range(self.retries + 1):
            if attempt:
                _sleep(self._delay(attempt, problem))
            self._wait_turn(host)
            try:
                response = self._http.get(url, params=dict(params or {}))
            except httpx.ConnectError as exc:
                connect_failures += 1
                problem = f"cannot connect: {_reason(exc)}"
                if connect_failures > CONNECT_RETRIES:
                    break
                continue
            except httpx.TimeoutException:
                problem = f"no answer within {self._http.timeout.read:g} s"
                continue
            except httpx.TransportError as exc:
                problem = f"connection failed: {_reason(exc)}"
                continue
            if response.status_code in RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
                self._retry_after = _retry_after(response)
                continue
            return Reply(str(response.url), response.status_code, response.text)
        raise RegistryUnavailable(f"cannot reach {host} ({problem})")

    def _delay(self, attempt: int, problem: str) -> float:
        wait = self.backoff * 2 ** (attempt - 1)
        if self._retry_after is not None:
            wait = max(wait, min(self._retry_after, MAX_RETRY_AFTER))
            self._retry_after = None
        return wait

    def _wait_turn(self, host: str) -> None:
        interval = self.intervals.get(host, DEFAULT_INTERVAL)
        last = self._last.get(host)
        if last is not None and interval > 0:
            wait = last + interval - _clock()
            if wait > 0:
                _sleep(wait)
        self._last[host] = _clock()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text and text[-1] else type(exc).__name__
