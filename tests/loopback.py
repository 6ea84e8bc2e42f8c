"""Keep the test run on this machine: any non-loopback network access fails loudly.

`install_loopback_guard()` patches the name lookups and the socket calls that reach a peer
(`getaddrinfo`, `gethostbyname(_ex)`, `socket.connect`/`connect_ex`/`bind`/`sendto`, and
`create_connection` through them). Loopback (127.0.0.0/8, ::1, `localhost`) and unix sockets pass;
anything else raises `RuntimeError("non-loopback network access: ...")` before a packet leaves.

Call it once from `tests/conftest.py` (at import time or from `pytest_configure`). It is idempotent
and is never reset between tests, unlike pytest-socket. Clients written in C that open their own
sockets (libpq) are not seen; they only ever get 127.0.0.1 from the test settings.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})

_originals: dict[str, Any] = {}


class NonLoopbackAccess(RuntimeError):
    """Raised instead of reaching a host that is not this machine."""


def _refuse(what: str) -> NonLoopbackAccess:
    return NonLoopbackAccess(f"non-loopback network access: {what}")


def is_loopback_host(host: object) -> bool:
    """True for loopback names and addresses (str or bytes), and for no host at all."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().rstrip(".").lower()
    if name in _LOOPBACK_NAMES:
        return True
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    name = name.split("%", 1)[0]  # IPv6 zone id
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _check_address(family: int, address: object, verb: str) -> None:
    unix_family = getattr(socket, "AF_UNIX", None)
    if unix_family is not None and family == unix_family:
        return
    if family not in (socket.AF_INET, socket.AF_INET6):
        raise _refuse(f"{verb} on socket family {family!r} to {address!r}")
    if isinstance(address, tuple) and address and is_loopback_host(address[0]):
        return
    raise _refuse(f"{verb} {address!r}")


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    # An empty host is what servers pass to bind every interface: the bind guard judges that.
    if host in ("", b"") or is_loopback_host(host):
        return _originals["getaddrinfo"](host, *args, **kwargs)
    raise _refuse(f"name lookup of {host!r}")


def _guarded_gethostbyname(host: Any) -> Any:
    if is_loopback_host(host):
        return _originals["gethostbyname"](host)
    raise _refuse(f"name lookup of {host!r}")


def _guarded_gethostbyname_ex(host: Any) -> Any:
    if is_loopback_host(host):
        return _originals["gethostbyname_ex"](host)
    raise _refuse(f"name lookup of {host!r}")


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    _check_address(self.family, address, "connect to")
    return _originals["connect"](self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    _check_address(self.family, address, "connect to")
    return _originals["connect_ex"](self, address)


def _guarded_bind(self: socket.socket, address: Any) -> Any:
    _check_address(self.family, address, "bind to")
    return _originals["bind"](self, address)


def _guarded_sendto(self: socket.socket, data: Any, *args: Any) -> Any:
    # sendto(data, address) or sendto(data, flags, address)
    if args:
        _check_address(self.family, args[-1], "send to")
    return _originals["sendto"](self, data, *args)


_PATCHES: dict[str, tuple[Any, str, Callable[..., Any]]] = {
    "getaddrinfo": (socket, "getaddrinfo", _guarded_getaddrinfo),
    "gethostbyname": (socket, "gethostbyname", _guarded_gethostbyname),
    "gethostbyname_ex": (socket, "gethostbyname_ex", _guarded_gethostbyname_ex),
    "connect": (socket.socket, "connect", _guarded_connect),
    "connect_ex": (socket.socket, "connect_ex", _guarded_connect_ex),
    "bind": (socket.socket, "bind", _guarded_bind),
    "sendto": (socket.socket, "sendto", _guarded_sendto),
}


def loopback_guard_installed() -> bool:
    return bool(_originals)


def install_loopback_guard() -> None:
    """Patch the socket module so that only loopback and unix-socket traffic is possible."""
    if _originals:
        return
    for key, (owner, attribute, replacement) in _PATCHES.items():
        _originals[key] = getattr(owner, attribute)
        setattr(owner, attribute, replacement)


def uninstall_loopback_guard() -> None:
    """Undo `install_loopback_guard` (for the guard's own tests)."""
    for key, (owner, attribute, _replacement) in _PATCHES.items():
        if key in _originals:
            setattr(owner, attribute, _originals[key])
    _originals.clear()


@contextmanager
def loopback_guard() -> Iterator[None]:
    """Install the guard for a block; leave it in place if it was installed before."""
    was_installed = loopback_guard_installed()
    install_loopback_guard()
    try:
        yield
    finally:
        if not was_installed:
            uninstall_loopback_guard()
