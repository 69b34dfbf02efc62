"""Refusing private, loopback and link-local addresses, checked on the address a connection really uses.

A check on the URL's host name alone is not enough: a public name can resolve to 127.0.0.1 or to the cloud
metadata address, and a DNS answer can change between the check and the connect (DNS rebinding). So the
resolver here caches each host's checked addresses for the run, and `GuardedBackend` makes every TCP
connection (every redirect hop included, since each hop opens or reuses a connection through it) to exactly
those addresses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence

import httpcore

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddressError(httpcore.ConnectError):
    """The host resolves to an address that the guard refuses; httpx wraps it in a ConnectError."""


class ResolutionError(httpcore.ConnectError):
    """The host name does not resolve."""


def is_public_address(address: IpAddress) -> bool:
    """Whether `address` is globally routable: not private, loopback, link-local, multicast or reserved."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback in disguise
    return address.is_global and not address.is_multicast


class AddressGuard:
    """Resolves host names once per run and refuses non-public addresses unless private networks are allowed.

    `allowlist` names networks that stay reachable even when private networks are refused (an internal mirror,
    a test server).
    """

    def __init__(
        self, *, allow_private_networks: bool, allowlist: Iterable[str] = (), resolve_timeout: float = 10.0
    ) -> None:
        self.allow_private_networks = allow_private_networks
        self.allowlist: tuple[IpNetwork, ...] = tuple(ipaddress.ip_network(net) for net in allowlist)
        self.resolve_timeout = resolve_timeout
        self._cache: dict[tuple[str, int], list[str]] = {}
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}

    def is_allowed(self, address: IpAddress) -> bool:
        if self.allow_private_networks or is_public_address(address):
            return True
        return any(address in network for network in self.allowlist)

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for `host`; raises `BlockedAddressError` if any is refused."""
        host = host.strip("[]").lower()
        key = (host, port)
        if key in self._cache:
            return self._cache[key]
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self._cache:
                self._cache[key] = await self._resolve_and_check(host, port)
        return self._cache[key]

    async def _resolve_and_check(self, host: str, port: int) -> list[str]:
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            loop = asyncio.get_running_loop()
            try:
                infos = await asyncio.wait_for(
                    loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), self.resolve_timeout
                )
            except (OSError, TimeoutError) as error:
                raise ResolutionError(f"cannot resolve {host}: {error}") from None
            addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        # One refused address refuses the host: connecting to "the other one" would let an attacker choose.
        refused = [str(address) for address in addresses if not self.is_allowed(address)]
        if refused:
            raise BlockedAddressError(f"{host} resolves to non-public address {', '.join(refused)}")
        if not addresses:
            raise ResolutionError(f"cannot resolve {host}: no addresses")
        return [str(address) for address in addresses]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses the guard has checked."""

    def __init__(self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.guard = guard
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[tuple[int, int, int | bytes]] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses: Sequence[str] = await self.guard.resolve(host, port)
        last_error: Exception | None = None
        for address in addresses:
            try:
                # TLS still verifies against the host name: httpcore passes the origin host as server_hostname.
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last_error = error
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[tuple[int, int, int | bytes]] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddressError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
