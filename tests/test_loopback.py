"""The loopback guard refuses the outside world and lets 127.0.0.1, ::1 and unix sockets through."""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
from collections.abc import Iterator

import aiohttp
import pytest
from aiohttp import web

from tests.loopback import (
    NonLoopbackAccess,
    install_loopback_guard,
    is_loopback_host,
    loopback_guard,
    loopback_guard_installed,
    uninstall_loopback_guard,
)

# TEST-NET-3 (RFC 5737): documentation only, never routed.
OUTSIDE_ADDRESS = "203.0.113.1"


@pytest.fixture
def guard() -> Iterator[None]:
    with loopback_guard():
        yield


def test_connect_to_an_outside_address_fails(guard: None) -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(RuntimeError, match=r"^non-loopback network access: .*203\.0\.113\.1"),
    ):
        sock.connect((OUTSIDE_ADDRESS, 443))


def test_create_connection_to_an_outside_address_fails(guard: None) -> None:
    with pytest.raises(RuntimeError, match="non-loopback network access"):
        socket.create_connection((OUTSIDE_ADDRESS, 443), timeout=1)


def test_lookup_of_slack_fails(guard: None) -> None:
    expected = r"^non-loopback network access: name lookup of 'slack\.com'"
    with pytest.raises(RuntimeError, match=expected):
        socket.getaddrinfo("slack.com", 443)
    with pytest.raises(NonLoopbackAccess):
        socket.gethostbyname("slack.com")


async def test_aiohttp_client_cannot_reach_slack(guard: None) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(RuntimeError, match="non-loopback network access"):
            await session.get("https://slack.com/api/auth.test")
        with pytest.raises(RuntimeError, match="non-loopback network access"):
            await session.get(f"http://{OUTSIDE_ADDRESS}/")


def test_bind_to_every_interface_fails(guard: None) -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(RuntimeError, match="non-loopback network access: bind"),
    ):
        sock.bind(("0.0.0.0", 0))


def test_ipv4_loopback_works(guard: None) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2) as client:
            peer, _ = server.accept()
            with peer:
                client.sendall(b"ping")
                assert peer.recv(4) == b"ping"
        # `localhost` resolves through the guarded getaddrinfo.
        assert socket.getaddrinfo("localhost", port, type=socket.SOCK_STREAM)


def test_ipv6_loopback_works(guard: None) -> None:
    if not socket.has_ipv6:
        pytest.skip("this machine has no IPv6")
    try:
        server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        server.bind(("::1", 0))
    except OSError as exc:  # the kernel may have IPv6 switched off
        pytest.skip(f"no IPv6 loopback here: {exc}")
    with server:
        server.listen(1)
        port = server.getsockname()[1]
        with socket.create_connection(("::1", port), timeout=2):
            peer, address = server.accept()
            peer.close()
    assert address[0] == "::1"


def test_unix_sockets_work(guard: None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "s")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind(path)
            server.listen(1)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.connect(path)
                peer, _ = server.accept()
                with peer:
                    client.sendall(b"hi")
                    assert peer.recv(2) == b"hi"


async def test_aiohttp_on_loopback_works(guard: None) -> None:
    async def hello(_request: web.Request) -> web.Response:
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as session:
            for host in ("127.0.0.1", "localhost"):
                async with session.get(f"http://{host}:{port}/") as response:
                    assert await response.text() == "hello"
        loop = asyncio.get_running_loop()
        with pytest.raises(RuntimeError, match="non-loopback network access"):
            await loop.getaddrinfo("slack.com", 443)
    finally:
        await runner.cleanup()


def test_guard_is_idempotent_and_can_be_removed() -> None:
    was_installed = loopback_guard_installed()
    original_connect = socket.socket.connect
    install_loopback_guard()
    install_loopback_guard()
    guarded_connect = socket.socket.connect
    assert loopback_guard_installed()
    if not was_installed:
        assert guarded_connect is not original_connect
        uninstall_loopback_guard()
        assert socket.socket.connect is original_connect
        assert not loopback_guard_installed()


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        (b"127.0.0.1", True),
        (None, True),
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("203.0.113.1", False),
        ("slack.com", False),
        ("localhost.slack.com", False),
        ("127.0.0.1.nip.io", False),
    ],
)
def test_loopback_host_recognition(host: object, expected: bool) -> None:
    assert is_loopback_host(host) is expected
