"""CRC32C (Castagnoli), the checksum GCS keeps for every object.

The server checks every upload's CRC32C on the same cores as the client, so
the fastest one found is used: Intel's ISA-L (Debian's libisal2, through
ctypes: the CPU's CRC32 instruction, ~48 GB/s here), else Debian's
python3-crc32c (a C extension whose Debian build is table-driven, ~2 GB/s:
~0.2 CPU-s of the benchmark's 6-file upload), else pure Python (about
10-15 MB/s, plenty for test objects). All give the same values (tested).
GCS shows the value as base64 of the 4 big-endian bytes (empty: AAAAAA==).
"""

import base64
import ctypes
import struct


def isal_crc32c():
    """ISA-L's crc32_iscsi as crc32c(data, crc), or None without libisal2."""
    try:
        function = ctypes.CDLL("libisal.so.2").crc32_iscsi
    except (OSError, AttributeError):
        return None
    function.restype = ctypes.c_uint32
    function.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint32]

    def crc32c(data, crc=0):
        # ISA-L works on the CRC register: the CRC32C value inverted. A
        # c_char_p argument reads a bytes object in place; lengths are ints.
        data = data if isinstance(data, bytes) else bytes(data)
        register = ~crc & 0xFFFFFFFF
        step = 1 << 30
        for at in range(0, len(data), step):
            piece = data if len(data) <= step else data[at:at + step]
            register = function(piece, len(piece), register)
        return ~register & 0xFFFFFFFF

    return crc32c


def c_extension_crc32c():
    try:
        from crc32c import crc32c  # python3-crc32c
    except ImportError:
        return None
    return crc32c


_fast_crc32c = isal_crc32c() or c_extension_crc32c()

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
