#!/usr/bin/env python3
"""Independent reference for Lifeboat's sealed-object format (known-answer vectors in SealedStreamTests).

Written from the format description only, with Python's `cryptography` package, so that a shared bug in
the Swift code cannot make the test pass. Re-run with: python3 Tests/CipherTests/make_vector.py
"""
import hashlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DATA_KEY = bytes(range(0x00, 0x20))     # 32 bytes
KEY_ID = bytes(range(0xA0, 0xB0))       # 16 bytes
SALT = bytes(range(0x40, 0x60))         # 32 bytes
CHUNK_LOG2 = 12


def plaintext(n):
    return bytes((i * 31 + 7) % 251 for i in range(n))


def seal(data, chunk_log2=CHUNK_LOG2):
    chunk = 1 << chunk_log2
    header = b"LIFEBOAT" + bytes([0x01, 0x01, chunk_log2, 0x00]) + KEY_ID + SALT
    assert len(header) == 60
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=b"lifeboat object v1").derive(DATA_KEY)
    aead = AESGCM(key)
    # Every chunk but the last is full; the last holds 1..chunk bytes (0 only for empty input).
    pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)] or [b""]
    out = bytearray(header)
    for index, piece in enumerate(pieces):
        final = 1 if index == len(pieces) - 1 else 0
        nonce = index.to_bytes(11, "big") + bytes([final])
        out += aead.encrypt(nonce, piece, header)
    return bytes(out), key


if __name__ == "__main__":
    for n in (0, 5, 8192, 10000):
        sealed, key = seal(plaintext(n))
        print(f"plaintext({n}): length {len(sealed)} sha256 {hashlib.sha256(sealed).hexdigest()}")
        if n <= 5:
            print(f"  sealed hex {sealed.hex()}")
    print(f"object key {key.hex()}")
