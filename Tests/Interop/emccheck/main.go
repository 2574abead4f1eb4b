// emccheck checks EMC checkpoints, cosignatures and proofs with code nobody at EMC wrote:
// golang.org/x/mod/sumdb/note, golang.org/x/mod/sumdb/tlog and crypto/ed25519.
//
// Build (Debian golang-go, golang-golang-x-mod-dev):
//
//	GOPATH=<tmp>:/usr/share/gocode GO111MODULE=off go build -o emccheck .
//
// Usage:
//
//	emccheck batch DIR          run DIR/cases.txt, print "ok ID" or "refused ID: REASON" per case
//	emccheck sign NAME SEEDHEX TEXTFILE            print the note signed with note.Sign
//	emccheck cosign NAME SEEDHEX TIME TEXTFILE     print a cosignature/v1 signature line
//	emccheck vkey NAME SEEDHEX                     print the verifier key (note.NewEd25519VerifierKey)
//
// Case lines (file names relative to DIR):
//
//	root ID LEAVES SIZE ROOTB64                 the tree over the first SIZE lines of LEAVES has ROOTB64
//	checkpoint ID CHECKPOINT KEYS               the checkpoint opens and carries every key's signature
//	inclusion ID PROOF KEYS LEAF [LEAVES]       the c2sp tlog-proof proves LEAF (one line, no newline)
//	consistency ID OLDCHECKPOINT UPDATE KEYS    the "old N" update proves OLD is a prefix of its checkpoint
//
// KEYS lines: "vkey <verifier key>" (must have signed, type 0x01) or
// "cosigner <name> <base64 public key>" (must have a valid cosignature/v1, type 0x04).
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type cosigner struct {
	name string
	key  ed25519.PublicKey
}

type keySet struct {
	verifiers []note.Verifier
	cosigners []cosigner
}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: emccheck batch DIR | sign | cosign | vkey")
	}
	switch os.Args[1] {
	case "batch":
		runBatch(os.Args[2])
	case "sign":
		skey, _ := keysFromSeed(os.Args[2], os.Args[3])
		signer, err := note.NewSigner(skey)
		check(err)
		text := readFile(os.Args[4])
		msg, err := note.Sign(&note.Note{Text: string(text)}, signer)
		check(err)
		os.Stdout.Write(msg)
	case "cosign":
		name, seed := os.Args[2], mustHex(os.Args[3])
		ts, err := strconv.ParseUint(os.Args[4], 10, 63)
		check(err)
		text := readFile(os.Args[5])
		private := ed25519.NewKeyFromSeed(seed)
		id := keyID(name, 0x04, private.Public().(ed25519.PublicKey))
		msg := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", ts)), text...)
		sig := make([]byte, 0, 4+8+64)
		sig = binary.BigEndian.AppendUint32(sig, id)
		sig = binary.BigEndian.AppendUint64(sig, ts)
		sig = append(sig, ed25519.Sign(private, msg)...)
		fmt.Printf("— %s %s\n", name, base64.StdEncoding.EncodeToString(sig))
	case "vkey":
		_, vkey := keysFromSeed(os.Args[2], os.Args[3])
		fmt.Println(vkey)
	default:
		fail("unknown command " + os.Args[1])
	}
}

func keysFromSeed(name, seedHex string) (skey, vkey string) {
	private := ed25519.NewKeyFromSeed(mustHex(seedHex))
	public := private.Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(name, public)
	check(err)
	id := keyID(name, 0x01, public)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{0x01}, private.Seed()...)))
	return skey, vkey
}

func keyID(name string, typ byte, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', typ})
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func runBatch(dir string) {
	cases, err := os.Open(filepath.Join(dir, "cases.txt"))
	check(err)
	defer cases.Close()
	scanner := bufio.NewScanner(cases)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) < 2 {
			continue
		}
		file := func(i int) []byte { return readFile(filepath.Join(dir, fields[i])) }
		var err error
		switch fields[0] {
		case "root":
			err = checkRoot(file(2), fields[3], fields[4])
		case "checkpoint":
			_, err = openCheckpoint(file(2), parseKeys(file(3)))
		case "inclusion":
			var leaves []byte
			if len(fields) > 5 {
				leaves = file(5)
			}
			err = checkInclusion(file(2), parseKeys(file(3)), file(4), leaves)
		case "consistency":
			err = checkConsistency(file(2), file(3), parseKeys(file(4)))
		default:
			err = errors.New("unknown case kind " + fields[0])
		}
		if err != nil {
			fmt.Printf("refused %s: %v\n", fields[1], err)
		} else {
			fmt.Printf("ok %s\n", fields[1])
		}
	}
	check(scanner.Err())
}

func parseKeys(text []byte) keySet {
	var keys keySet
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		fields := strings.Fields(line)
		switch {
		case len(fields) == 2 && fields[0] == "vkey":
			v, err := note.NewVerifier(fields[1])
			check(err)
			keys.verifiers = append(keys.verifiers, v)
		case len(fields) == 3 && fields[0] == "cosigner":
			key, err := base64.StdEncoding.DecodeString(fields[2])
			check(err)
			keys.cosigners = append(keys.cosigners, cosigner{fields[1], ed25519.PublicKey(key)})
		default:
			fail("bad keys line: " + line)
		}
	}
	return keys
}

// openCheckpoint opens a signed checkpoint with note.Open, requires every vkey's signature and
// every cosigner's valid cosignature, and parses the tlog-checkpoint body.
func openCheckpoint(msg []byte, keys keySet) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(keys.verifiers...))
	if err != nil {
		return checkpoint{}, fmt.Errorf("note.Open: %v", err)
	}
	for _, v := range keys.verifiers {
		found := false
		for _, s := range n.Sigs {
			found = found || (s.Name == v.Name() && s.Hash == v.KeyHash())
		}
		if !found {
			return checkpoint{}, fmt.Errorf("no signature by %s", v.Name())
		}
	}
	for _, c := range keys.cosigners {
		if err := checkCosignature(n, c); err != nil {
			return checkpoint{}, err
		}
	}
	return parseBody(n.Text)
}

func checkCosignature(n *note.Note, c cosigner) error {
	id := keyID(c.name, 0x04, c.key)
	for _, s := range n.UnverifiedSigs {
		if s.Name != c.name || s.Hash != id {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(s.Base64)
		if err != nil || len(raw) != 4+8+64 {
			return fmt.Errorf("cosignature of %s is malformed", c.name)
		}
		ts := binary.BigEndian.Uint64(raw[4:12])
		msg := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", ts)), n.Text...)
		if !ed25519.Verify(c.key, msg, raw[12:]) {
			return fmt.Errorf("cosignature of %s does not verify", c.name)
		}
		return nil
	}
	return fmt.Errorf("no cosignature by %s", c.name)
}

func parseBody(text string) (checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 || !strings.HasSuffix(text, "\n") {
		return checkpoint{}, errors.New("checkpoint body has fewer than three lines")
	}
	for _, l := range lines {
		if l == "" {
			return checkpoint{}, errors.New("checkpoint body has an empty line")
		}
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, errors.New("bad checkpoint size")
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != 32 || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return checkpoint{}, errors.New("bad checkpoint root")
	}
	var h tlog.Hash
	copy(h[:], root)
	return checkpoint{lines[0], size, h}, nil
}

// splitHashes reads base64 hash lines up to a blank line and returns them and the rest.
func splitHashes(rest []byte) ([]tlog.Hash, []byte, error) {
	var hashes []tlog.Hash
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return nil, nil, errors.New("no blank line after the hashes")
		}
		line := string(rest[:i])
		rest = rest[i+1:]
		if line == "" {
			return hashes, rest, nil
		}
		raw, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(raw) != 32 || base64.StdEncoding.EncodeToString(raw) != line {
			return nil, nil, errors.New("bad hash line")
		}
		var h tlog.Hash
		copy(h[:], raw)
		hashes = append(hashes, h)
	}
}

func takeLine(rest []byte) (string, []byte, error) {
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		return "", nil, errors.New("truncated")
	}
	return string(rest[:i]), rest[i+1:], nil
}

func checkInclusion(proof []byte, keys keySet, leaf []byte, leaves []byte) error {
	line, rest, err := takeLine(proof)
	if err != nil || line != "c2sp.org/tlog-proof@v1" {
		return errors.New("not a c2sp.org/tlog-proof@v1")
	}
	line, rest, err = takeLine(rest)
	if err == nil && strings.HasPrefix(line, "extra ") {
		line, rest, err = takeLine(rest)
	}
	if err != nil || !strings.HasPrefix(line, "index ") {
		return errors.New("no index line")
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(line, "index "), 10, 64)
	if err != nil || strconv.FormatInt(index, 10) != strings.TrimPrefix(line, "index ") {
		return errors.New("bad index")
	}
	hashes, rest, err := splitHashes(rest)
	if err != nil {
		return err
	}
	cp, err := openCheckpoint(rest, keys)
	if err != nil {
		return err
	}
	if err := tlog.CheckRecord(tlog.RecordProof(hashes), cp.size, cp.root, index, tlog.RecordHash(leaf)); err != nil {
		return fmt.Errorf("tlog.CheckRecord: %v", err)
	}
	if leaves != nil {
		reader, _ := storedHashes(leaves, cp.size)
		want, err := tlog.ProveRecord(cp.size, index, reader)
		if err != nil || !equalHashes(want, hashes) {
			return fmt.Errorf("the proof differs from tlog.ProveRecord (%v)", err)
		}
	}
	return nil
}

func checkConsistency(oldMsg, update []byte, keys keySet) error {
	old, err := openCheckpoint(oldMsg, keys)
	if err != nil {
		return fmt.Errorf("old checkpoint: %v", err)
	}
	line, rest, err := takeLine(update)
	if err != nil || !strings.HasPrefix(line, "old ") {
		return errors.New("no old line")
	}
	oldSize, err := strconv.ParseInt(strings.TrimPrefix(line, "old "), 10, 64)
	if err != nil || oldSize != old.size {
		return errors.New("the update does not start at the old checkpoint's size")
	}
	hashes, rest, err := splitHashes(rest)
	if err != nil {
		return err
	}
	cp, err := openCheckpoint(rest, keys)
	if err != nil {
		return err
	}
	if cp.origin != old.origin {
		return errors.New("different origins")
	}
	if err := tlog.CheckTree(tlog.TreeProof(hashes), cp.size, cp.root, old.size, old.root); err != nil {
		return fmt.Errorf("tlog.CheckTree: %v", err)
	}
	return nil
}

// storedHashes builds the sumdb stored-hash layout over the lines of leaves (tlog.StoredHashes).
func storedHashes(leaves []byte, size int64) (tlog.HashReaderFunc, error) {
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x < 0 || x >= int64(len(stored)) {
				return nil, errors.New("hash index out of range")
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	lines := strings.Split(strings.TrimSuffix(string(leaves), "\n"), "\n")
	if int64(len(lines)) < size {
		return nil, errors.New("fewer leaves than the size")
	}
	for i := int64(0); i < size; i++ {
		hashes, err := tlog.StoredHashes(i, []byte(lines[i]), reader)
		if err != nil {
			return nil, err
		}
		stored = append(stored, hashes...)
	}
	return reader, nil
}

func checkRoot(leaves []byte, sizeText, rootText string) error {
	size, err := strconv.ParseInt(sizeText, 10, 64)
	check(err)
	reader, err := storedHashes(leaves, size)
	if err != nil {
		return err
	}
	root, err := tlog.TreeHash(size, reader)
	if err != nil {
		return err
	}
	if got := base64.StdEncoding.EncodeToString(root[:]); got != rootText {
		return fmt.Errorf("tlog.TreeHash is %s", got)
	}
	return nil
}

func equalHashes(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func readFile(path string) []byte {
	data, err := os.ReadFile(path)
	check(err)
	return data
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	check(err)
	return b
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "emccheck:", message)
	os.Exit(2)
}
