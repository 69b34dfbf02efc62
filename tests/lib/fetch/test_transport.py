"""The guarded transport on its own, in a plain httpx client: it refuses private addresses before connecting and
hands httpx its own errors, as httpx's transport would, with the address guard's reason kept as the cause."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from etl.lib.fetch.netguard import AddressGuard, BlockedAddressError
from etl.lib.fetch.transport import GuardedTransport
from tests.hostile_server import LoopbackServer, article_html, page, truncated


def _get(url: str, *, allow_private_networks: bool) -> httpx.Response:
    async def get() -> httpx.Response:
        guard = AddressGuard(allow_private_networks=allow_private_networks)
        transport = GuardedTransport(guard, httpx.create_ssl_context(), max_connections=2)
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.get(url)

    return asyncio.run(get())


def test_a_private_address_is_refused_before_any_connection():
    with LoopbackServer({"/p": page(article_html("p"))}) as server:
        with pytest.raises(httpx.ConnectError) as refused:
            _get(server.url("/p"), allow_private_networks=False)
        assert isinstance(refused.value.__cause__, BlockedAddressError)
        assert "non-public address 127.0.0.1" in str(refused.value)
        assert server.counter.calls == {}


def test_an_allowed_address_is_fetched_through_the_pool():
    with LoopbackServer({"/p": page(article_html("through the pool"))}) as server:
        response = _get(server.url("/p"), allow_private_networks=True)
        assert response.status_code == 200
        assert "through the pool" in response.text
        assert server.counter.calls == {"/p": 1}


def test_a_body_cut_short_is_an_httpx_protocol_error():
    # raised while the body streams, after the transport returned: the stream maps httpcore's error too
    with LoopbackServer({"/cut": truncated}) as server, pytest.raises(httpx.RemoteProtocolError):
        _get(server.url("/cut"), allow_private_networks=True)
