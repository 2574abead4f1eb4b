#!/usr/bin/env python3
"""Merkle tree vectors for SPEC Part 4, computed from RFC 9162 §2.1 directly (hashlib only),
independently of the Swift code. Run: python3 Fixtures/checkpoints/make_tree_vectors.py > Fixtures/checkpoints/tree.json"""
import base64, hashlib, json

def leaf(line: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + line).digest()

def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()

def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k

def mth(lines):  # RFC 9162 §2.1.1
    if len(lines) == 0:
        return hashlib.sha256(b"").digest()
    if len(lines) == 1:
        return leaf(lines[0])
    k = split(len(lines))
    return node(mth(lines[:k]), mth(lines[k:]))

def path(m, lines):  # RFC 9162 §2.1.3.1
    if len(lines) <= 1:
        return []
    k = split(len(lines))
    if m < k:
        return path(m, lines[:k]) + [mth(lines[k:])]
    return path(m - k, lines[k:]) + [mth(lines[:k])]

def subproof(m, lines, complete):  # RFC 9162 §2.1.4.1
    n = len(lines)
    if m == n:
        return [] if complete else [mth(lines)]
    k = split(n)
    if m <= k:
        return subproof(m, lines[:k], complete) + [mth(lines[k:])]
    return subproof(m - k, lines[k:], False) + [mth(lines[:k])]

def b64(h):
    return base64.b64encode(h).decode()

# The worked example: seven entry lines (stand-ins for canonical JSON entries).
lines = [('{"seq":%d}' % (i + 1)).encode() for i in range(7)]
out = {
    "lines": [l.decode() for l in lines],
    "leaf_hashes_hex": [leaf(l).hex() for l in lines],
    "roots_base64": [b64(mth(lines[:n])) for n in range(0, 8)],
    "inclusion": {"index": 3, "tree_size": 7, "hashes_base64": [b64(h) for h in path(3, lines[:7])]},
    "consistency": {"old_size": 3, "new_size": 7, "hashes_base64": [b64(h) for h in subproof(3, lines[:7], True)]},
    # Larger trees over the interop leaves "leaf <i>", to check the tile store beyond one tile.
    "interop_roots_base64": {str(n): b64(mth([b"leaf %d" % i for i in range(n)])) for n in [1, 2, 3, 255, 256, 257, 1000]},
}
print(json.dumps(out, indent=2))
