"""Peak memory of a benchmark's child process, measured the same way by every benchmark."""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MiB.

    On Linux, ``VmHWM`` of ``/proc/self/status``: ``ru_maxrss`` would not do, as the kernel
    carries the parent's peak over into a child started by ``subprocess`` (``vfork`` +
    ``exec``), so every child would report at least the benchmark's own peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
