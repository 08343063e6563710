"""How a build uses memory: returned to the system, and without the cycle collector.

What a long build frees goes back to the system (glibc's allocator only); a short one
runs without Python's cycle collector.
"""

from __future__ import annotations

import contextlib
import gc
import platform
import sys
from collections.abc import Iterator

# mallopt's parameter for the size from which a block gets a mapping of its own (malloc.h).
_M_MMAP_THRESHOLD = -3
_THRESHOLD = 128 * 1024  # glibc's default, kept from moving


def return_large_blocks() -> None:
    """Give every block of 128 KiB or more a mapping of its own, returned when freed.

    glibc starts so, then raises the threshold to the size of any such block freed (up
    to 32 MiB) and serves the sizes below it from the heap, which a full build leaves
    fragmented: writing the search's word files of 100,000 scenarios (126,000 files, the
    largest a few MB, each freed once written) grew the process to 4.9 GB while its live
    objects took 0.03 GB; with the threshold kept, 1.1 GB at most (2026-12-05,
    bench/README.md). No cost measured at 10,000 scenarios (30.9 s against 31.1 s), and
    its peak fell from 413 to 298 MB. Forked workers inherit it. Other C libraries (musl,
    macOS, Windows) do not move their threshold: nothing to do there.
    """
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return
    import ctypes  # here: only a full build pays for the import

    with contextlib.suppress(OSError, AttributeError):  # a C library without it: as it is
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, _THRESHOLD)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run without the cycle collector: for a short run that makes many lasting objects.

    A rebuild reads a row and a card for every file (tens of thousands of objects, all
    alive until it ends) and frees little; each collection the allocations set off walked
    them all again: about a tenth of a title's rebuild at 10,000 scenarios (40 ms of
    450, measured in-process). What it leaves in cycles is freed when it is turned back on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
