#!/usr/bin/env python3
"""State cache vectors of SPEC.md §1.9, computed from the SPEC alone (Python hashlib, hmac and the
`cryptography` package's Ed25519; nothing of emc). Regenerate with
    python3 Fixtures/vectors/make_state_cache_vectors.py > Fixtures/vectors/state-cache.json
"""
import base64, hashlib, hmac, json
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# The fixture key yu and the ledger id of the worked example (§1.10).
seed = hashlib.sha256(b"emc-fixture-key/yu").digest()
ledger_id = "3f8db1efa883c4467c78c0d8f0a8736ef482e0ff246a0d0a21d33a3d69ef94a9"
other_ledger_id = hashlib.sha256(b"another ledger").hexdigest()
key_id = "1642173c0e0f24a6"

# Cache key = SHA-256("emc-v1/state-cache" 0x00 || s), s = Ed25519 signature over
# "emc-v1/state-cache-key" 0x00 || ledger id (ASCII hex).
signed = b"emc-v1/state-cache-key\x00" + ledger_id.encode()
signature = Ed25519PrivateKey.from_private_bytes(seed).sign(signed)
cache_key = hashlib.sha256(b"emc-v1/state-cache\x00" + signature).digest()

# A cache file: six lines, then the MAC line over every byte before it. The state is
# implementation-defined; these bytes are only there to be authenticated.
state = base64.b64encode(b"an implementation-defined state").decode()
body = (f"emc-state-cache v3\nledger {ledger_id}\nkey {key_id}\nbytes 2048\nhead-line 1500\n"
        f"state {state}\n").encode()
mac = hmac.new(cache_key, body, hashlib.sha256).hexdigest()
cache_file = body.decode() + f"mac {mac}\n"

def header(format_line, ledger):
    return f"{format_line}\nledger {ledger}\n"

# Which existing files a save may overwrite (as the cache, and as its temporary `<cache>.tmp`):
# a regular file whose first line is a known cache format line and whose second line is exactly
# "ledger <this ledger id>", both ending in "\n". The temporary name may also be an empty file.
cases = [
    ("current format, same ledger", cache_file, True),
    ("v2 cache, same ledger", header("emc-state-cache v2", ledger_id) + f"key {key_id}\n", True),
    ("v1 cache, same ledger", header("emc-state-cache v1", ledger_id) + "state {}\n", True),
    ("two lines only", header("emc-state-cache v3", ledger_id), True),
    ("another ledger's cache", header("emc-state-cache v3", other_ledger_id), False),
    ("unknown format version", header("emc-state-cache v4", ledger_id), False),
    ("format line with a trailing space", header("emc-state-cache v3 ", ledger_id), False),
    ("CRLF line ends", f"emc-state-cache v3\r\nledger {ledger_id}\r\n", False),
    ("ledger id in upper case", header("emc-state-cache v3", ledger_id.upper()), False),
    ("second line without its newline", f"emc-state-cache v3\nledger {ledger_id}", False),
    ("ledger line first", f"ledger {ledger_id}\nemc-state-cache v3\n", False),
    ("a ledger line", '{"body":{},"kind":"genesis"}\n', False),
    ("a user's notes", "my notes about the ledger\n", False),
    ("empty file", "", False),
]
print(json.dumps({
    "seed": seed.hex(),
    "key_id": key_id,
    "ledger_id": ledger_id,
    "signed_message": signed.hex(),
    "signature": signature.hex(),
    "cache_key": cache_key.hex(),
    "cache_file": cache_file,
    "overwrite": [{"name": name, "content": content, "may_overwrite": may,
                   "may_overwrite_as_temporary": may or content == ""} for name, content, may in cases],
}, indent=2, sort_keys=True))
