"""Files that appear whole or not at all: written beside their target, flushed to the disk, then
renamed over it. A crash (even SIGKILL or a power cut after the rename) never leaves a half-written
file under the target's name; at worst a hidden ``.partial-*`` file is left in the folder."""

import contextlib
import os
import tempfile

PARTIAL_PREFIX = ".partial-"


@contextlib.contextmanager
def replacing(path):
    """Yield a temporary path to write; on success it replaces ``path`` atomically."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, partial = tempfile.mkstemp(prefix=PARTIAL_PREFIX, dir=folder)
    os.close(handle)
    try:
        yield partial
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
        _sync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise


def write_bytes(path, data):
    with replacing(path) as partial:
        with open(partial, "wb") as out:
            out.write(data)


def _sync_folder(folder):
    """Make the rename itself durable (the folder's entry), where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
