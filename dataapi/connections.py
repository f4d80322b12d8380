"""urllib3 connections that go only to addresses an `AddressPolicy` allows.

The host's name is resolved and every address it has is checked when a connection is made (each time: a pooled
connection that is re-made resolves again), and the socket connects to a checked address, so the name cannot be
re-pointed between the check and the connection. TLS still names the host (SNI and certificate checks), and the
Host header is the URL's.
"""

from socket import timeout as SocketTimeout

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection

from common.addresses import AddressPolicy, AddressRefused


def _connect(conn: HTTPConnection, policy: AddressPolicy):
    try:
        addresses = policy.resolve(conn._dns_host, conn.port)
    except AddressRefused:
        # The same words whatever the reason, and nothing was sent anywhere.
        raise NewConnectionError(conn, "Refused to connect: not an address this server may reach") from None
    error: OSError | None = None
    for address in addresses:
        try:
            return connection.create_connection(
                (address, conn.port), conn.timeout, source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except SocketTimeout as exc:
            raise ConnectTimeoutError(conn, f"Connection to {conn.host} timed out") from exc
        except OSError as exc:
            error = exc
    raise NewConnectionError(conn, f"Failed to establish a new connection: {error}")


def guarded_pool_classes(policy: AddressPolicy) -> dict[str, type[urllib3.HTTPConnectionPool]]:
    """urllib3 pool classes by scheme (a PoolManager's `pool_classes_by_scheme`) whose connections obey `policy`."""

    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self):
            return _connect(self, policy)

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self):
            return _connect(self, policy)

    class GuardedHTTPPool(urllib3.HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(urllib3.HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    return {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}
