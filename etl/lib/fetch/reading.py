"""Reading the response that ends the redirect walk: its status and headers, its body within the wire and decoded
caps (`content_decoding`), and for a page, its charset (`charset`) and whether it is an article at all
(`pagecheck`) before the raw archive keeps it."""

from __future__ import annotations

import asyncio
import hashlib

import httpx

from etl.lib.fetch.attempts import AttemptError, AttemptResult, Exchange, FetchJob
from etl.lib.fetch.charset import detect_charset
from etl.lib.fetch.content_decoding import BodyTooLargeError, BoundedDecoder, ContentDecodingError
from etl.lib.fetch.pagecheck import HTML_TYPES, binary_kind, classify_html, media_type
from etl.lib.fetch.retries import parse_retry_after
from etl.lib.records import FetchRequest
from etl.lib.warehouse import RawArchive

_CHALLENGE_STATUSES = frozenset({403, 429, 503})
_CHALLENGE_READ_BYTES = 256 * 1024


class ResponseReader:
    """Turns a final response into an `AttemptResult`, or raises `AttemptError` saying why it is not one.

    With `check_pages` False a new page body is not judged here but left "ok" for the caller to judge on the
    parse it makes anyway (see `fetch_pages`); an unchanged one is judged here still.
    """

    def __init__(self, archive: RawArchive | None, *, check_pages: bool, min_text_chars: int) -> None:
        self.archive = archive
        self.check_pages = check_pages
        self.min_text_chars = min_text_chars

    async def read(self, response: httpx.Response, job: FetchJob, exchange: Exchange) -> AttemptResult:
        status = response.status_code
        exchange.content_type = response.headers.get("content-type")
        exchange.etag = response.headers.get("etag")
        exchange.last_modified = response.headers.get("last-modified")
        if status == 304:
            return AttemptResult("not_modified")
        kind = media_type(exchange.content_type)
        if status in _CHALLENGE_STATUSES and kind in HTML_TYPES:
            await self._raise_if_challenge(response, job, exchange)
        if status >= 400 or status < 200:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            raise AttemptError("http_error", f"HTTP {status} {response.reason_phrase}".strip(),
                                 retry_after=retry_after)  # fmt: skip
        if job.purpose == "page" and kind is not None and kind not in HTML_TYPES:
            raise AttemptError("not_html", f"content type {kind} is not HTML")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > job.max_wire:
            raise AttemptError("too_large", f"Content-Length {declared} exceeds {job.max_wire} bytes")
        body = await self._read_body(response, exchange, job.max_wire, job.max_decoded)
        exchange.body_sha256 = hashlib.sha256(body).hexdigest()
        if job.purpose != "page":
            return AttemptResult(body=body)
        return await asyncio.to_thread(self._check_page, body, job.request, exchange)

    async def _raise_if_challenge(self, response: httpx.Response, job: FetchJob, exchange: Exchange) -> None:
        """Bot walls answer 403 or 503 with a challenge page; that is not a server error worth retrying."""
        try:
            body = await self._read_body(response, exchange, job.max_wire, _CHALLENGE_READ_BYTES)
        except AttemptError:
            return
        html = body.decode(detect_charset(body, exchange.content_type) or "utf-8", "replace")
        outcome, why = classify_html(html, min_text_chars=0)
        if outcome == "bot_challenge":
            raise AttemptError(outcome, f"HTTP {response.status_code}: {why}")

    @staticmethod
    async def _read_body(
        response: httpx.Response, exchange: Exchange, max_wire: int, max_decoded: int
    ) -> bytes:
        try:
            decoder = BoundedDecoder(response.headers.get("content-encoding"), max_decoded)
        except ContentDecodingError as error:
            raise AttemptError("decode_error", str(error)) from None
        parts: list[bytes] = []
        try:
            async for chunk in response.aiter_raw():
                exchange.bytes_received += len(chunk)
                if exchange.bytes_received > max_wire:
                    raise AttemptError("too_large", f"body exceeds {max_wire} bytes on the wire")
                decoded = decoder.feed(chunk)
                exchange.bytes_decoded += len(decoded)
                parts.append(decoded)
            decoder.finish()
        except BodyTooLargeError as error:
            raise AttemptError("too_large", str(error)) from None
        except ContentDecodingError as error:
            raise AttemptError("decode_error", str(error)) from None
        return b"".join(parts)

    def _check_page(self, body: bytes, request: FetchRequest | None, exchange: Exchange) -> AttemptResult:
        """Decode and judge an HTML page, then archive it (runs in a worker thread: CPU and disk)."""
        binary = binary_kind(body)
        if binary is not None:
            raise AttemptError("not_html", f"body is {binary}, though served as {exchange.content_type}")
        charset = detect_charset(body, exchange.content_type)
        if charset is None:
            raise AttemptError("decode_error", "no charset decodes the body")
        unchanged = request is not None and request.previous_content_hash == exchange.body_sha256
        outcome, error = "ok", None
        # A new body the caller judges on its own parse (see fetch_pages); an unchanged one is never extracted.
        if self.check_pages or unchanged:
            outcome, error = classify_html(body.decode(charset), min_text_chars=self.min_text_chars)
        archive_key = self.archive.put(body) if self.archive is not None else None
        return AttemptResult(
            outcome, error, body, encoding=charset, unchanged=unchanged, archive_key=archive_key
        )
