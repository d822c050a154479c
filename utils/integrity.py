"""Checksums and all-or-nothing file writes.

Together they guarantee that a data file at its final path is either absent or
complete and verified: new files are written next to it under a temporary name,
checked, and only then renamed into place (a rename on one file system is
atomic), and temporaries are deleted whatever happens, or, after a hard kill,
by the next run.

Every read goes through ``open_regular_file``: a FIFO, device or directory where
a data file should be is an error naming the path, never a read that blocks.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from utils.i18n import N_, _

CHUNK_SIZE = 1 << 20
"""Bytes read at a time: hashing tens of MB never holds them all in memory."""


@dataclass(frozen=True)
class Digest:
    """Size and SHA-256 of some bytes: what a checksum manifest records."""

    size: int
    sha256: str


def digest_stream(stream: BinaryIO) -> Digest:
    """Hash a binary stream chunk by chunk."""
    hasher = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        hasher.update(chunk)
        size += len(chunk)
    return Digest(size, hasher.hexdigest())


class NotARegularFileError(OSError):
    """Something other than a regular file (a folder, FIFO, device) sits where a file should."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(_("{path} is {kind}, not a regular file").format(path=path, kind=_(kind)))
        self.path = Path(path)
        self.kind = kind


def file_kind(mode: int) -> str:
    """What st_mode says a path is, in words: 'a directory', 'a FIFO (named pipe)' ...

    In English, as code compares it; a message shows it translated, ``_(kind)``.
    """
    kinds = [
        (stat.S_ISREG, N_("a regular file")),
        (stat.S_ISDIR, N_("a directory")),
        (stat.S_ISFIFO, N_("a FIFO (named pipe)")),
        (stat.S_ISCHR, N_("a character device")),
        (stat.S_ISBLK, N_("a block device")),
        (stat.S_ISSOCK, N_("a socket")),
    ]
    return next((name for test, name in kinds if test(mode)), N_("a special file"))


def open_regular_file(path: Path) -> BinaryIO:
    """Open a regular file for reading; anything else raises NotARegularFileError at once.

    Opening a FIFO for reading waits for a writer, so the file is opened
    non-blocking and checked with fstat on the open descriptor (no race between
    a check and the open); on a regular file the flag changes nothing.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except (IsADirectoryError, PermissionError):
        if os.path.isdir(path):  # Windows refuses to open folders with PermissionError
            raise NotARegularFileError(path, "a directory") from None
        raise
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFileError(path, file_kind(mode))
        if hasattr(os, "O_NONBLOCK"):  # POSIX; Windows opens without the flag
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def digest_file(path: Path) -> Digest:
    """Digest of a file's bytes."""
    with open_regular_file(path) as stream:
        return digest_stream(stream)


def digest_gunzipped(path: Path) -> Digest | None:
    """Digest of a gzip file's decompressed bytes, or None if it does not decompress.

    Decompressed bytes are what loaders read, and they stay the same when a
    distributor recompresses the file. A truncated or damaged file returns None
    rather than raising; a missing or unreadable one still raises OSError.
    """
    with open_regular_file(path) as raw:
        try:
            with gzip.GzipFile(fileobj=raw) as stream:
                return digest_stream(stream)
        except (gzip.BadGzipFile, EOFError, zlib.error):
            return None


def digest_array(array: np.ndarray) -> Digest:
    """Digest of an array's values as little-endian float64 in C order.

    Hashing values rather than a file suits caches whose compressed bytes vary
    with the library version that wrote them.
    """
    values = np.ascontiguousarray(array, dtype="<f8")
    return Digest(values.nbytes, hashlib.sha256(values).hexdigest())


def copy_file(source: Path, destination: Path) -> None:
    """Copy source's bytes to destination, chunk by chunk."""
    with open_regular_file(source) as reader, open(destination, "wb") as writer:
        while chunk := reader.read(CHUNK_SIZE):
            writer.write(chunk)


STALE_AFTER_SECONDS = 3600
"""A staging folder this old is a leftover even when its owner cannot be checked."""


def _host_tag() -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", socket.gethostname())[:40] or "host"


def _staging_prefix(final_path: Path) -> str:
    return f".{final_path.name}.staging-"


def _owner_is_gone(host: str, pid: int) -> bool:
    """Whether the process that made a staging folder has ended (False if unsure)."""
    if host != _host_tag() or sys.platform == "win32":
        return False  # os.kill on Windows would terminate it; another host's pid means nothing
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists but belongs to another user
        return False
    return False


def remove_stale_staging(final_path: Path) -> list[Path]:
    """Delete staging folders beside final_path left by runs that were killed.

    A folder is stale when the process that made it (named in the folder's
    name) no longer runs on this host, or when it is older than
    STALE_AFTER_SECONDS; a live concurrent run's folder is left alone.
    Folders in the older unnamed format (``.NAME.xxxxxxxx``) go by age only.
    """
    pattern = re.compile(
        rf"^{re.escape(_staging_prefix(final_path))}(?P<host>\w+)-(?P<pid>\d+)-"
        rf"|^\.{re.escape(final_path.name)}\.[a-z0-9_]{{8}}$"
    )
    removed = []
    try:
        entries = list(os.scandir(final_path.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = pattern.match(entry.name)
        if not match or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            too_old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_SECONDS
        except OSError:
            continue
        owner_gone = match["pid"] is not None and _owner_is_gone(match["host"], int(match["pid"]))
        if too_old or owner_gone:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


@contextmanager
def staging_folder(final_path: Path) -> Iterator[Path]:
    """A fresh hidden folder beside final_path, deleted with its contents afterwards.

    Build or download a file in it, verify it, then ``os.replace`` it onto
    final_path: being on the same file system makes that rename atomic, so an
    interruption at any point leaves final_path untouched. The folder's name
    records host and process id, so that the next run can tell the leftover of
    a killed run (removed first) from a concurrent run's folder.
    """
    final_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(final_path)
    prefix = f"{_staging_prefix(final_path)}{_host_tag()}-{os.getpid()}-"
    folder = Path(tempfile.mkdtemp(dir=final_path.parent, prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
