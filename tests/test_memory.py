"""A full build keeps glibc from serving large blocks from its heap (`memory`).

Checked on the allocator itself, in a new process each time: a block of 8 MB freed
raises glibc's threshold, and a block of 1 MB allocated after it comes from the heap
(where freed memory stays with the process) unless the threshold was kept.
"""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

SCRIPT = """
import ctypes, sys
from scenariokit.memory import return_large_blocks

NAMES = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"

class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in NAMES.split()]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
if sys.argv[1] == "kept":
    return_large_blocks()
big = bytes(8 << 20)
del big
before = libc.mallinfo2().hblks
block = bytes(1 << 20)
print(libc.mallinfo2().hblks - before)
"""

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc", reason="glibc's allocator"
)


@pytest.mark.parametrize(("how", "mapped"), [("kept", "1"), ("glibc's own", "0")])
def test_a_large_block_gets_its_own_mapping_once_the_threshold_is_kept(
    how: str, mapped: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, how], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == mapped
