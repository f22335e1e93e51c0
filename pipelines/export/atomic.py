"""Write a file so that it appears whole or not at all.

The data goes to a hidden temporary file beside the target (same file system, so the rename
is atomic), is flushed to disk, and is renamed over the target at the end. Any exception,
KeyboardInterrupt included, removes the temporary file: a killed export never leaves a half
file under the final name. (SIGKILL leaves the hidden `.NAME.tmp-*` file; never the target.)
A symbolic link is followed: the file it points to is replaced, the link stays. A path that is
not a file to replace (a FIFO, a device such as /dev/null, a stream name such as /dev/stdout)
is written into directly, never renamed over.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pipelines.files import fsync_quietly

BUFFER_BYTES = 1 << 20
NEW_FILE_MODE = 0o644


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write; renamed to `path` when the block ends without an exception."""
    if writes_in_place(path):
        with _stream_output(path) as stream:
            yield stream
        return
    path = Path(os.path.realpath(path))  # replace a link's target, not the link
    directory = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb", buffering=BUFFER_BYTES) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file 0600; an export replaces a file with its mode or is 0644.
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else NEW_FILE_MODE
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_quietly(directory)


# Names of a process's open streams: whatever they lead to (a terminal, a pipe, or a file the
# shell opened with > or >>) is written into, never replaced.
_STREAM_NAMES = ("/dev/stdout", "/dev/stderr", "/dev/fd/", "/proc/self/fd/")


def writes_in_place(path: Path) -> bool:
    """True for a FIFO, a device, a socket, or a stream name such as /dev/stdout: written
    into, not replaced. A regular file anywhere (/dev/shm included) is replaced atomically."""
    try:
        mode = os.stat(path).st_mode
    except OSError:  # missing, or unreadable: the atomic write creates it or reports it
        return False
    if stat.S_ISREG(mode):
        name = str(Path(path).absolute())
        return name in _STREAM_NAMES[:2] or name.startswith(_STREAM_NAMES[2:])
    return not stat.S_ISDIR(mode)


@contextlib.contextmanager
def _stream_output(path: Path) -> Iterator[BinaryIO]:
    # Appending and never creating: /dev/stdout may be a file the shell opened with >>.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    with os.fdopen(fd, "wb", buffering=BUFFER_BYTES) as fh:
        yield fh


@contextlib.contextmanager
def stdout_output() -> Iterator[BinaryIO]:
    """Standard output as a binary stream, flushed but not closed at the end."""
    stream = sys.stdout.buffer
    yield stream
    stream.flush()
