#!/usr/bin/env bash
# The signed parts of SPEC Part 4's worked example, made with Go's golang.org/x/mod/sumdb/note and
# crypto/ed25519 (Tests/Interop/emccheck), not with the Swift code under test.
# Needs tree.json (make_tree_vectors.py). Run from the repository root:
#   bash Fixtures/checkpoints/make_note_vectors.sh
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd ../../Tests/Interop/emccheck && GOPATH="$tmp:/usr/share/gocode" GO111MODULE=off GOCACHE="$tmp/cache" go build -o "$tmp/emccheck" .)
check="$tmp/emccheck"
origin="emc.ledger/v1/3f8db1efa883c4467c78c0d8f0a8736ef482e0ff246a0d0a21d33a3d69ef94a9"
alice_seed=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
bob_seed=202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
root() { python3 -c "import json,sys; print(json.load(open('tree.json'))['roots_base64'][int(sys.argv[1])])" "$1"; }
hashes() { python3 -c "import json,sys; print('\n'.join(json.load(open('tree.json'))[sys.argv[1]]['hashes_base64']))" "$1"; }

for size in 3 7; do
    printf '%s\n%s\n%s\n' "$origin" "$size" "$(root $size)" > "$tmp/body-$size"
    "$check" sign alice "$alice_seed" "$tmp/body-$size" > "example-$size.checkpoint"
    "$check" cosign bob "$bob_seed" 1700000000 "$tmp/body-$size" >> "example-$size.checkpoint"
done
{
    echo "vkey $("$check" vkey alice "$alice_seed")"
    echo "cosigner bob $(python3 -c "import sys; from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey as K; from cryptography.hazmat.primitives import serialization as s; import base64; print(base64.b64encode(K.from_private_bytes(bytes.fromhex(sys.argv[1])).public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)).decode())" "$bob_seed")"
} > example.keys
{ printf 'c2sp.org/tlog-proof@v1\nindex 3\n'; hashes inclusion; echo; cat example-7.checkpoint; } > example.tlog-proof
{ printf 'old 3\n'; hashes consistency; echo; cat example-7.checkpoint; } > example.update
python3 -c "import json; print(json.load(open('tree.json'))['lines'][3], end='')" > example-entry-3.line
cat > "$tmp/cases.txt" <<CASES
checkpoint cp7 example-7.checkpoint example.keys
checkpoint cp3 example-3.checkpoint example.keys
inclusion inc example.tlog-proof example.keys example-entry-3.line
consistency con example-3.checkpoint example.update example.keys
CASES
cp example* "$tmp/"
"$check" batch "$tmp"
