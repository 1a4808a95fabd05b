"""Cut a query worker off the network, so a gap in the guard cannot become a request.

Called first thing in each worker process. Two mechanisms, tried in order:

1. **seccomp** (x86_64 and aarch64): ``PR_SET_NO_NEW_PRIVS`` and a BPF filter under which
   ``socket()`` and ``connect()`` fail with EPERM for every address family, ``io_uring``
   (which can open sockets without those calls) is refused, and so is any syscall made
   through another ABI (x32, i386). The pipe to the parent is an inherited descriptor and
   keeps working.
2. **a network namespace** of its own (``unshare(CLONE_NEWUSER | CLONE_NEWNET)``), holding
   only a loopback interface that is down: nothing outside is reachable.

If neither is possible the worker runs with the guard alone and says so.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct

NONE = "none (the query guard alone stops SERVICE)"
SECCOMP = "seccomp (socket() and connect() refused)"
NAMESPACE = "network namespace (no interfaces up)"


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


# Per architecture: (AUDIT_ARCH, seccomp syscall, syscalls refused, x32 bit or 0).
_ARCHES = {
    "x86_64": (0xC000003E, 317, {"socket": 41, "connect": 42, "io_uring_setup": 425}, 0x40000000),
    "aarch64": (0xC00000B7, 277, {"socket": 198, "connect": 203, "io_uring_setup": 425}, 0),
}
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_ALLOW, _EPERM = 0x7FFF0000, 0x00050000 | 1
_PR_SET_NO_NEW_PRIVS, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 38, 1, 1
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000


def seccomp_program(arch: str) -> list[tuple[int, int, int, int]]:
    """The BPF program as (code, jt, jf, k) rows (kept separate so a test can read it)."""
    audit_arch, _, refused, x32_bit = _ARCHES[arch]
    prog = [
        (_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, audit_arch),
        (_RET_K, 0, 0, _EPERM),  # another ABI: refuse everything
        (_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    if x32_bit:
        prog += [(_JGE_K, 0, 1, x32_bit), (_RET_K, 0, 0, _EPERM)]
    for number in refused.values():
        prog += [(_JEQ_K, 0, 1, number), (_RET_K, 0, 0, _EPERM)]
    prog.append((_RET_K, 0, 0, _ALLOW))
    return prog


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _install_seccomp() -> bool:
    arch = platform.machine()
    if arch not in _ARCHES:
        return False
    libc = _libc()
    rows = seccomp_program(arch)
    program = (_SockFilter * len(rows))(*(_SockFilter(*row) for row in rows))
    fprog = _SockFprog(len(rows), program)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    seccomp_nr = _ARCHES[arch][1]
    # TSYNC applies the filter to every thread of the process, not only this one.
    flags = _SECCOMP_FILTER_FLAG_TSYNC
    return bool(libc.syscall(seccomp_nr, _SECCOMP_SET_MODE_FILTER, flags, ctypes.byref(fprog)) == 0)


def _enter_network_namespace() -> bool:
    """A user namespace (to be allowed to) with a network namespace of its own."""
    uid, gid = os.getuid(), os.getgid()
    if _libc().unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return False
    try:  # keep our own uid/gid inside, so the store's files stay readable
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")
    except OSError:
        pass  # the namespace still has no network; only file ownership may look different
    return True


def block_network() -> str:
    """Install the strongest protection available; returns which one is active."""
    if struct.calcsize("P") == 8 and _install_seccomp():
        return SECCOMP
    if _enter_network_namespace():
        return NAMESPACE
    return NONE
