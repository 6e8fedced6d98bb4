"""Raw sources: files imported or uploaded but not yet parsed, and how to open their bytes.

H2O calls these raw frames: ImportFiles and PostFile create them, ParseSetup looks at their
first bytes, Parse turns them into frames and (by default) deletes them.
"""

import bz2
import gzip
import os
import zipfile

import pyarrow as pa

# How each compressed or binary format announces itself in its first bytes.
MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"PK\x03\x04", "zip"),
    (b"PAR1", "parquet"),
)


class RawFile:
    """Bytes waiting to be parsed: a server-side file, or an upload spooled to disk.

    Parameters
    ----------
    key : str
        The raw frame's key (``nfs://...`` for imports, the upload's destination for uploads).
    path : str
        Where the bytes are on disk.
    owned : bool
        True when the file is a spool of an upload that must be removed with the raw frame.
    """

    is_text = True

    def __init__(self, key, path, owned=False, display_name=None):
        self.key = key
        self.path = path
        self.owned = owned
        self.display_name = display_name or os.path.basename(path)
        self.byte_size = os.path.getsize(path)

    @property
    def nrows(self):
        return -1

    def container(self):
        """The outer format of the file: gzip, bz2, zip, xlsx, parquet or plain."""
        with open(self.path, "rb") as fh:
            head = fh.read(8)
        for magic, kind in MAGIC:
            if head.startswith(magic):
                if kind == "zip" and _is_xlsx(self.path):
                    return "xlsx"
                return kind
        return "plain"

    def open_text_bytes(self):
        """A binary stream of the (decompressed) content, for text formats."""
        kind = self.container()
        if kind == "gzip":
            return gzip.open(self.path, "rb")
        if kind == "bz2":
            return bz2.open(self.path, "rb")
        if kind == "zip":
            archive = zipfile.ZipFile(self.path)
            members = [m for m in archive.infolist() if not m.is_dir() and not _is_hidden(m.filename)]
            if not members:
                raise ValueError(f"The zip archive '{self.display_name}' holds no file.")
            return archive.open(members[0])
        return open(self.path, "rb")

    def open_native(self):
        """The content as an Arrow stream where Arrow can decompress it itself: its readers
        then run without taking the GIL for every read, as a Python file object would make them."""
        compression = {"plain": None, "gzip": "gzip", "bz2": "bz2"}
        kind = self.container()
        if kind in compression:
            return pa.input_stream(self.path, compression=compression[kind])
        return self.open_text_bytes()

    def head(self, size=1 << 20):
        """Up to ``size`` decompressed bytes from the start of the content."""
        with self.open_text_bytes() as stream:
            return stream.read(size)

    def release(self):
        """Remove the spooled file of an upload (imports belong to the user and are kept)."""
        if self.owned:
            try:
                os.remove(self.path)
            except OSError:
                pass


def _is_xlsx(path):
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _is_hidden(name):
    base = os.path.basename(name)
    return base.startswith(".") or name.startswith("__MACOSX/")
