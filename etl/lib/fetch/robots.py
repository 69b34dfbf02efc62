"""robots.txt rules per origin, read with protego and cached for the run.

Status handling follows RFC 9309: a 4xx (no robots.txt) allows everything; a 5xx or an unreachable server
disallows everything, since the site may be overloaded and its rules unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from protego import Protego

from etl.lib.records import FetchAttempt


@dataclass
class RobotsRules:
    """The rules of one origin; `parser` is None when everything is allowed or everything is denied."""

    origin: str
    parser: Protego | None = None
    deny_all: bool = False
    reason: str | None = None  # why everything is denied
    # the outcome of pages denied this way: robots_denied, or the network failure that kept robots.txt away
    deny_outcome: str = "robots_denied"
    sitemaps: list[str] = field(default_factory=list)

    @classmethod
    def allow_all(cls, origin: str) -> RobotsRules:
        return cls(origin)

    @classmethod
    def deny_everything(cls, origin: str, reason: str, outcome: str = "robots_denied") -> RobotsRules:
        return cls(origin, deny_all=True, reason=reason, deny_outcome=outcome)

    @classmethod
    def parse(cls, origin: str, text: str) -> RobotsRules:
        parser = Protego.parse(text)
        return cls(origin, parser=parser, sitemaps=list(parser.sitemaps))

    @classmethod
    def from_fetch(cls, origin: str, final: FetchAttempt, body: bytes | None) -> RobotsRules:
        """The rules that the final attempt at `origin`'s robots.txt (and its body) stand for."""
        if final.outcome == "ok" and body is not None:
            return cls.parse(origin, body.decode("utf-8", "replace"))
        if final.status is not None and 400 <= final.status < 500:
            return cls.allow_all(origin)
        if final.outcome in ("blocked_private", "invalid_url", "too_large"):
            # the page fetch reports the address itself; an oversized robots.txt is ignored like Google does
            return cls.allow_all(origin)
        if final.outcome in ("timeout", "connection_error"):
            # the host itself is unreachable: say so, rather than blame robots.txt
            return cls.deny_everything(origin, f"host unreachable: {final.error}", outcome=final.outcome)
        return cls.deny_everything(origin, f"robots.txt unavailable ({final.outcome}: {final.error})")

    def allows(self, url: str, user_agent: str) -> bool:
        if self.deny_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        """Seconds between requests that the site asks for: Crawl-delay, or Request-rate (`1/5s`) as a delay."""
        if self.parser is None:
            return None
        delays = []
        if (delay := self.parser.crawl_delay(user_agent)) is not None:
            delays.append(float(delay))
        rate = self.parser.request_rate(user_agent)
        if rate is not None and rate.requests > 0:
            delays.append(rate.seconds / rate.requests)
        return max(delays) if delays else None


def robots_user_agent(user_agent: str) -> str:
    """The product token robots.txt groups are matched against: `Akhbar/0.1 (+...)` -> `Akhbar`."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"
