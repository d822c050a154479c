"""Checksums and all-or-nothing file writes.

Together they guarantee that a data file at its final path is either absent or
complete and verified: new files are written next to it under a temporary name,
checked, and only then renamed into place (a rename on one file system is
atomic), and temporaries are deleted whatever happens.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

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


def digest_file(path: Path) -> Digest:
    """Digest of a file's bytes."""
    with open(path, "rb") as stream:
        return digest_stream(stream)


def digest_gunzipped(path: Path) -> Digest | None:
    """Digest of a gzip file's decompressed bytes, or None if it does not decompress.

    Decompressed bytes are what loaders read, and they stay the same when a
    distributor recompresses the file. A truncated or damaged file returns None
    rather than raising; a missing or unreadable one still raises OSError.
    """
    with open(path, "rb") as raw:
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
    with open(source, "rb") as reader, open(destination, "wb") as writer:
        while chunk := reader.read(CHUNK_SIZE):
            writer.write(chunk)


@contextmanager
def staging_folder(final_path: Path) -> Iterator[Path]:
    """A fresh hidden folder beside final_path, deleted with its contents afterwards.

    Build or download a file in it, verify it, then ``os.replace`` it onto
    final_path: being on the same file system makes that rename atomic, so an
    interruption at any point leaves final_path untouched and nothing behind.
    """
    final_path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=final_path.parent, prefix=f".{final_path.name}."))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
