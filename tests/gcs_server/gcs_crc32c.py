"""CRC32C (Castagnoli), the checksum GCS keeps for every object.

With Debian's python3-crc32c (a C extension, ~2 GB/s here) when it is
installed, so the server keeps up with nc2zarr in the benchmark instead of
setting its pace; else pure Python and table-driven (about 10-15 MB/s, plenty
for test objects). Both give the same values (tested). GCS shows the value as
base64 of the 4 big-endian bytes (empty object: AAAAAA==).
"""

import base64
import struct

try:
    from crc32c import crc32c as _fast_crc32c  # python3-crc32c
except ImportError:
    _fast_crc32c = None

_POLY = 0x82F63B78  # Castagnoli polynomial 0x1EDC6F41, bit-reversed


def _make_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _make_table()


def crc32c(data, crc=0):
    """CRC32C of data; pass the CRC of earlier bytes as crc to continue it."""
    if _fast_crc32c is not None:
        return _fast_crc32c(data, crc)
    return crc32c_pure_python(data, crc)


def crc32c_pure_python(data, crc=0):
    table = _TABLE
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def to_base64(crc):
    """The GCS spelling of a CRC32C value."""
    return base64.b64encode(struct.pack(">I", crc)).decode("ascii")


def crc32c_base64(data):
    return to_base64(crc32c(data))
