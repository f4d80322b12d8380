"""Which network addresses our servers may connect to on a user's behalf.

A user names hosts (a team's Data API URL, a link-image URL); their names resolve to addresses that we check before
connecting, and the connection goes to an address that was checked, so a name that resolves elsewhere a moment later
(DNS rebinding) changes nothing. Public addresses pass; loopback, private, link-local (cloud metadata), multicast,
reserved and unspecified addresses pass only inside networks an operator lists.
"""

import ipaddress
import socket
from collections.abc import Iterable

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# IPv6 addresses that carry an IPv4 one (NAT64): judged by the IPv4 address they carry.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(OSError):
    """The host resolves to an address we may not connect to."""


class Unresolvable(AddressRefused):
    """The host's name does not resolve."""


def is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Networks from CIDR strings (`127.0.0.1/32`, `10.0.0.0/8`, `::1`); ValueError names a bad one."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


class AddressPolicy:
    """Public addresses, plus those inside `allowed` (networks an operator listed)."""

    def __init__(self, allowed: Iterable[Network] = ()) -> None:
        self.allowed = tuple(allowed)

    def __repr__(self) -> str:
        return f"AddressPolicy(allowed={[str(network) for network in self.allowed]})"

    def allows(self, address: Address) -> bool:
        return is_public(address) or any(address in network for network in self.allowed)

    def resolve(self, host: str, port: int) -> list[str]:
        """Every address of `host`; all of them must be allowed (a host with one forbidden address is refused, so
        that which one a resolver returns first does not matter). AddressRefused otherwise."""
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise Unresolvable(f"{host} does not resolve") from exc
        addresses = [ipaddress.ip_address(sockaddr[0].split("%", 1)[0]) for *_, sockaddr in found]
        if not addresses or not all(self.allows(address) for address in addresses):
            raise AddressRefused(f"{host} resolves to an address this server may not connect to")
        return list(dict.fromkeys(str(address) for address in addresses))


PUBLIC_ONLY = AddressPolicy()
