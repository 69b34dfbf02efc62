"""The HTTP clients of one run: one small connection pool per host, every connection through the address guard.

httpx lets a client take any `httpx.AsyncBaseTransport`, and httpcore lets a pool take any network backend;
`GuardedTransport` joins the two public hooks, so every TCP connection, on every redirect hop, goes only to
addresses `netguard.AddressGuard` checked.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import contextmanager

import httpcore
import httpx

from etl.lib.fetch.content_decoding import ACCEPT_ENCODING
from etl.lib.fetch.netguard import AddressGuard, GuardedBackend
from etl.lib.fetch.settings import FetchSettings

# httpcore's errors and the httpx errors a client raises for them, the more specific first; the httpcore error
# stays the httpx error's __cause__, which is where a refused address (BlockedAddressError) is read from.
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        for core_error, httpx_error in _HTTPX_ERRORS:
            if isinstance(error, core_error):
                raise httpx_error(str(error)) from error
        raise


class _ResponseStream(httpx.AsyncByteStream):
    """A response body whose read errors (a reset, a truncated body) reach the caller as httpx errors."""

    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        if hasattr(self._stream, "aclose"):
            await self._stream.aclose()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an httpcore pool whose connections all go through `GuardedBackend`."""

    def __init__(self, guard: AddressGuard, ssl_context: ssl.SSLContext, max_connections: int) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            network_backend=GuardedBackend(guard),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class HostClients:
    """One client per host, each with a pool as large as the host's concurrency: httpcore scans its whole pool
    on every request, so one shared pool of hundreds of connections would cost more CPU than the requests."""

    def __init__(self, settings: FetchSettings, guard: AddressGuard) -> None:
        self.settings = settings
        self.guard = guard
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._ssl_context = httpx.create_ssl_context()  # built once: it loads the CA bundle
        if settings.ca_bundle:
            self._ssl_context.load_verify_locations(settings.ca_bundle)

    def for_host(self, host: str, size: int) -> httpx.AsyncClient:
        """The client of `host` (a URL's netloc); `size` sizes its pool when it is first made."""
        client = self._clients.get(host)
        if client is not None:
            return client
        settings = self.settings
        client = self._clients[host] = httpx.AsyncClient(
            transport=GuardedTransport(self.guard, self._ssl_context, size),
            trust_env=False,  # an environment proxy would bypass the address guard
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.total_timeout,
            ),
            headers={
                "User-Agent": settings.user_agent,
                "Accept-Encoding": ACCEPT_ENCODING,
                "Accept-Language": "*",
            },
        )
        return client

    async def aclose(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self._clients.values()))
