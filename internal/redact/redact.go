// Package redact removes the secret values of a run from text before it
// leaves riskctl. It is the one place that knows how a secret is matched:
// in any ASCII letter case, whole, or as a partial echo: any piece of at
// least PartialLen consecutive bytes of it, wherever in the secret the piece
// starts (a server that cut a message short, or an echo split in several
// pieces around other text, leaves every such piece redacted).
//
// It may hold secret values and compare text against them; it never logs,
// prints or returns a secret.
package redact

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"sync"
	"unicode/utf8"
)

// Replacement is what a redacted secret becomes.
const Replacement = "[REDACTED]"

// MinLen is the shortest value treated as a secret. No Cloudflare or CI
// credential is shorter (API tokens are 40 characters, global API keys
// 37); redacting "true" or "1" everywhere would mangle every output.
const MinLen = 6

// PartialLen is the shortest piece of a secret that is redacted on its
// own, wherever it starts in the secret: a server message cut in the
// middle of an echoed token must not print the token's first characters,
// nor an echo split around other text its middle ones. Shorter fragments
// carry too little of a 40-character token to matter and match ordinary
// text. Secrets shorter than PartialLen are redacted only whole.
//
// The matcher keys on PartialLen-byte windows packed in a uint64, so it
// must stay 8.
const PartialLen = 8

// Set is the secret values of a run. Values can be added as they become
// known (flags are parsed after the output streams exist); a Set is safe
// for concurrent use. The zero value is empty and ready to use, and a nil
// *Set holds no secret (it may be read, not added to).
type Set struct {
	mu sync.RWMutex
	// short holds the secrets shorter than PartialLen (ASCII lower-case,
	// no duplicates), matched whole.
	short [][]byte
	// windows holds every PartialLen-byte window (ASCII lower-case,
	// packed little-endian) of every secret at least PartialLen long.
	windows map[uint64]struct{}
	// filter is a one-hash Bloom filter over windows: most positions of a
	// text start no window of a secret, and a bit test rejects them
	// without a map look-up.
	filter [filterWords]uint64
	// inSecret tells the bytes that occur in windows.
	inSecret [256]bool
}

const (
	filterBits  = 16 // log2 of the filter's size in bits (8 KiB)
	filterWords = 1 << filterBits / 64
)

// filterBit is the filter's bit for window w (Fibonacci hashing).
func filterBit(w uint64) uint64 { return (w * 0x9E3779B97F4A7C15) >> (64 - filterBits) }

// New returns a Set holding values (see Add).
func New(values ...string) *Set {
	s := &Set{}
	s.Add(values...)
	return s
}

// Add adds values to the set. Values shorter than MinLen are not secrets
// and are ignored.
func (s *Set) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) < MinLen {
			continue
		}
		low := lower([]byte(v))
		if len(low) < PartialLen {
			if !slices.ContainsFunc(s.short, func(have []byte) bool { return bytes.Equal(have, low) }) {
				s.short = append(s.short, low)
			}
			continue
		}
		if s.windows == nil {
			s.windows = make(map[uint64]struct{})
		}
		for i := 0; i+PartialLen <= len(low); i++ {
			w := binary.LittleEndian.Uint64(low[i:])
			s.windows[w] = struct{}{}
			bit := filterBit(w)
			s.filter[bit/64] |= 1 << (bit % 64)
		}
		for _, c := range low {
			s.inSecret[c] = true
		}
	}
}

// Contains reports whether text holds a secret of the set, or a partial
// echo of one: whether String would change it.
func (s *Set) Contains(text string) bool {
	return len(s.spans([]byte(text))) > 0
}

// String returns text with every secret (and partial echo) replaced.
func (s *Set) String(text string) string {
	spans := s.spans([]byte(text))
	if len(spans) == 0 {
		return text
	}
	return string(replace([]byte(text), spans))
}

// Bytes returns b with every secret (and partial echo) replaced. It
// returns b itself when there is nothing to redact.
func (s *Set) Bytes(b []byte) []byte {
	spans := s.spans(b)
	if len(spans) == 0 {
		return b
	}
	return replace(b, spans)
}

func replace(b []byte, spans []span) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	at := 0
	for _, sp := range spans {
		out.Write(b[at:sp.start])
		out.WriteString(Replacement)
		at = sp.end
	}
	out.Write(b[at:])
	return out.Bytes()
}

// span is a half-open byte range [start, end) of text to redact.
type span struct{ start, end int }

// spans finds every range of b that is a short secret whole, or a run of
// consecutive bytes every PartialLen-byte window of which is a window of a
// secret (so a piece of a secret, as far as the text goes on matching it),
// in any ASCII letter case, as written and also when a renderer escaped
// its punctuation with backslashes (Markdown writes "a_b" as "a\_b");
// widened to whole UTF-8 sequences, sorted and merged.
func (s *Set) spans(b []byte) []span {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if (len(s.short) == 0 && len(s.windows) == 0) || len(b) == 0 {
		return nil
	}
	var found []span
	add := func(start, end int) { found = append(found, span{start, end}) }
	// As written: a secret that itself holds a backslash is found too.
	s.scan(lower(b), add)
	if text, offsets := unescape(b); offsets != nil {
		s.scan(text, func(start, end int) { // a range of text, mapped back to b
			start, end = offsets[start], offsets[end-1]+1
			if start > 0 && b[start-1] == '\\' && isPunct(b[start]) {
				start-- // the dropped escape of the first character
			}
			add(start, end)
		})
	}
	// A secret with non-ASCII bytes can match part of a UTF-8 sequence:
	// redact the whole sequence rather than print a broken one (a sequence
	// has at most UTFMax-1 continuation bytes; invalid text is not walked
	// further).
	for i := range found {
		sp := &found[i]
		for n := 1; n < utf8.UTFMax && sp.start > 0 && !utf8.RuneStart(b[sp.start]); n++ {
			sp.start--
		}
		for n := 1; n < utf8.UTFMax && sp.end < len(b) && !utf8.RuneStart(b[sp.end]); n++ {
			sp.end++
		}
	}
	return merge(found)
}

// scan calls add for every occurrence of a short secret in text
// (lower-cased) and for every maximal run of text covered by windows of the
// secrets. Each position of text costs a byte test, then a bit test, then a
// map look-up, each only when the one before passed, whatever the number
// or length of the secrets: the union of the windows found is the run, so
// no run is extended byte by byte.
func (s *Set) scan(text []byte, add func(start, end int)) {
	for _, secret := range s.short {
		for i := range occurrences(text, secret) {
			add(i, i+len(secret))
		}
	}
	if len(s.windows) == 0 {
		return
	}
	start, end := 0, -1 // the run being built; none while end < 0
	for i := 0; i+PartialLen <= len(text); i++ {
		if !s.inSecret[text[i+PartialLen-1]] {
			// No window holding this byte matches: skip them all.
			i += PartialLen - 1
			continue
		}
		w := binary.LittleEndian.Uint64(text[i:])
		if bit := filterBit(w); s.filter[bit/64]&(1<<(bit%64)) == 0 {
			continue
		}
		if _, ok := s.windows[w]; !ok {
			continue
		}
		if end >= i { // overlaps or touches the run
			end = i + PartialLen
			continue
		}
		if end >= 0 {
			add(start, end)
		}
		start, end = i, i+PartialLen
	}
	if end >= 0 {
		add(start, end)
	}
}

// unescape returns b lower-cased (ASCII) with every backslash that escapes
// ASCII punctuation dropped, and for each byte of the result its offset in
// b; offsets is nil when b holds no such escape.
func unescape(b []byte) (text []byte, offsets []int) {
	if !hasEscape(b) {
		return nil, nil
	}
	text = make([]byte, 0, len(b))
	offsets = make([]int, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) && isPunct(b[i+1]) {
			i++
		}
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		text = append(text, c)
		offsets = append(offsets, i)
	}
	return text, offsets
}

// hasEscape reports whether b holds a backslash before ASCII punctuation.
func hasEscape(b []byte) bool {
	for i := bytes.IndexByte(b, '\\'); i >= 0 && i+1 < len(b); {
		if isPunct(b[i+1]) {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '\\')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func isPunct(c byte) bool {
	return '!' <= c && c <= '~' && !('0' <= c && c <= '9') && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z')
}

// occurrences yields the start of every (possibly overlapping) occurrence
// of sub in text.
func occurrences(text, sub []byte) func(func(int) bool) {
	return func(yield func(int) bool) {
		for at := 0; at+len(sub) <= len(text); {
			i := bytes.Index(text[at:], sub)
			if i < 0 || !yield(at+i) {
				return
			}
			at += i + 1
		}
	}
}

func merge(spans []span) []span {
	if len(spans) == 0 {
		return nil
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	out := spans[:1]
	for _, sp := range spans[1:] {
		last := &out[len(out)-1]
		if sp.start <= last.end {
			last.end = max(last.end, sp.end)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// lower is ASCII lower-casing that keeps every byte offset (unlike
// bytes.ToLower, which may change the length of invalid or non-ASCII text).
// Non-ASCII letters of a secret therefore match only in the case given.
func lower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// Writer redacts everything written through it. It holds back an
// incomplete line until its newline arrives or Flush is called, so a
// secret split across two writes is still seen whole. Safe for concurrent
// use; each Write is passed on whole-line-atomically.
type Writer struct {
	mu      sync.Mutex
	set     *Set
	w       io.Writer
	pending []byte
}

// NewWriter returns a Writer that redacts s's secrets from what it passes
// to w.
func NewWriter(w io.Writer, s *Set) *Writer { return &Writer{set: s, w: w} }

// Write buffers p and passes on every complete line, redacted. It reports
// len(p) written unless the underlying writer fails.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, p...)
	nl := bytes.LastIndexByte(w.pending, '\n')
	if nl < 0 {
		return len(p), nil
	}
	lines := w.pending[:nl+1]
	_, err := w.w.Write(w.set.Bytes(lines))
	w.pending = append(w.pending[:0], w.pending[nl+1:]...)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush passes on an incomplete last line (a prompt, say), redacted.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return nil
	}
	_, err := w.w.Write(w.set.Bytes(w.pending))
	w.pending = w.pending[:0]
	return err
}
