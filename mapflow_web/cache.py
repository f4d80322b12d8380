"""Django's Redis cache backend, keeping its redis client instead of building one for every call.

Building a `redis.Redis` (it fills a table of a few hundred response callbacks) costs about a tenth of a proxied
tile's whole time in the dashboard; the client is thread-safe and wraps the same connection pool anyway. Keys are not
checked for memcached's rules (Django's warnings that a key would not be portable to memcached): Redis takes any key,
and the check walked every character of every key, 3 us a key, three keys a cached tile.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key) -> None:
        pass
