package planfile

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"

	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/spec"
)

const digestPrefix = "sha256:"

// digestVersion is hashed first, so that a change to the hashed form makes
// every older saved plan stale rather than falsely fresh.
const digestVersion = "riskctl spec digest 1\n"

// SpecDigest returns "sha256:<hex>", the SHA-256 of the spec files: of each
// file's path, as given, and content, in the given order, each length-
// prefixed so that no two different lists hash alike. Renaming, reordering,
// adding or removing a file changes it, as does any byte of a file; the
// same files give the same digest. Paths must name files, not directories.
func SpecDigest(paths []string) (string, error) {
	if len(paths) == 0 {
		return "", errors.New("planfile: spec digest of no spec files")
	}
	contents := make([][]byte, len(paths))
	for i, p := range paths {
		data, err := safefile.ReadConfined(p, spec.MaxSpecBytes)
		if err != nil {
			return "", fmt.Errorf("planfile: spec digest: %w", err)
		}
		contents[i] = data
	}
	return digest(paths, contents), nil
}

// digest hashes paths[i] and contents[i] in order.
func digest(paths []string, contents [][]byte) string {
	h := sha256.New()
	h.Write([]byte(digestVersion))
	for i, p := range paths {
		writeField(h, []byte(p))
		writeField(h, contents[i])
	}
	return digestPrefix + hex.EncodeToString(h.Sum(nil))
}

// writeField writes the length of b (8 bytes, big-endian), then b.
func writeField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}
