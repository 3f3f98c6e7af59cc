"""64-bit SimHash over word 3-shingles: near-duplicate wire copy differs in a few bits."""

import hashlib
import re

import numpy as np

_WORD = re.compile(r"\w+")


def fingerprint(text: str) -> str:
    """SimHash of `text` as 16 hex digits."""
    words = _WORD.findall(text.casefold())
    shingles = [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]
    digests = b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8)).reshape(len(shingles), 64)
    # A bit is set when most shingles set it: similar texts share most shingles, so most bits.
    majority = bits.sum(axis=0) * 2 > len(shingles)
    return np.packbits(majority).tobytes().hex()


def hamming_distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
