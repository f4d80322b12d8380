"""glibc's malloc arenas: two for each process of the project rather than one for each thread that allocates.

With an arena a thread, memory freed on one thread is not reused by an allocation on another: during a 1 GB upload
to an object store a web process (8 threads) grew by 33-104 MB, with two arenas by 41-50 (bench/storage.py, 64 MB of
block cache); a worker's 1 GB COG build (GDAL's threads) by 63-77 MB, with two by 32-48. As MALLOC_ARENA_MAX=2, for
every way a process is started; not glibc, nothing to set.
"""

import contextlib
import ctypes

M_ARENA_MAX = -8
ARENAS = 2


def arenas_limit() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, ARENAS)
