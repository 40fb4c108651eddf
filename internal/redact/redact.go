// Package redact removes the secret values of a run from text before it
// leaves riskctl. It is the one place that knows how a secret is matched:
// in any letter case, whole, or as a partial echo (a prefix or suffix of at
// least PartialLen bytes, as left by a server that cut a message short).
//
// It may hold secret values and compare text against them; it never logs,
// prints or returns a secret.
package redact

import (
	"bytes"
	"io"
	"slices"
	"sync"
)

// Replacement is what a redacted secret becomes.
const Replacement = "[REDACTED]"

// MinLen is the shortest value treated as a secret. No Cloudflare or CI
// credential is shorter (API tokens are 40 characters, global API keys
// 37); redacting "true" or "1" everywhere would mangle every output.
const MinLen = 6

// PartialLen is the shortest prefix or suffix of a secret that is redacted
// on its own: a server message cut in the middle of an echoed token must
// not print the token's first characters. Shorter fragments carry too
// little of a 40-character token to matter and match ordinary text.
const PartialLen = 8

// Set is the secret values of a run. Values can be added as they become
// known (flags are parsed after the output streams exist); a Set is safe
// for concurrent use. The zero value is empty and ready to use, and a nil
// *Set holds no secret (it may be read, not added to).
type Set struct {
	mu      sync.RWMutex
	secrets [][]byte // ASCII lower-case, longest first, no duplicates
}

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
		if slices.ContainsFunc(s.secrets, func(have []byte) bool { return bytes.Equal(have, low) }) {
			continue
		}
		s.secrets = append(s.secrets, low)
	}
	slices.SortFunc(s.secrets, func(a, b []byte) int { return len(b) - len(a) })
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

// spans finds every range of b that is a secret, a prefix of one at least
// PartialLen long, or a suffix of one at least PartialLen long, in any
// ASCII letter case, and also when a renderer escaped its punctuation with
// backslashes (Markdown writes "a_b" as "a\_b"); sorted and merged.
func (s *Set) spans(b []byte) []span {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.secrets) == 0 || len(b) == 0 {
		return nil
	}
	text, offsets := normalize(b)
	var found []span
	add := func(start, end int) { // a range of text, mapped back to b
		if offsets != nil {
			start, end = offsets[start], offsets[end-1]+1
			if start > 0 && b[start-1] == '\\' && isPunct(b[start]) {
				start-- // the dropped escape of the first character
			}
		}
		found = append(found, span{start, end})
	}
	for _, secret := range s.secrets {
		if len(secret) <= PartialLen {
			for i := range occurrences(text, secret) {
				add(i, i+len(secret))
			}
			continue
		}
		// A prefix match, extended as far as the text goes on matching.
		for i := range occurrences(text, secret[:PartialLen]) {
			n := PartialLen
			for n < len(secret) && i+n < len(text) && text[i+n] == secret[n] {
				n++
			}
			add(i, i+n)
		}
		// A suffix match, extended backwards the same way.
		tail := secret[len(secret)-PartialLen:]
		for i := range occurrences(text, tail) {
			end, n := i+PartialLen, PartialLen
			for n < len(secret) && end-n-1 >= 0 && text[end-n-1] == secret[len(secret)-n-1] {
				n++
			}
			add(end-n, end)
		}
	}
	return merge(found)
}

// normalize returns b lower-cased (ASCII), with every backslash that
// escapes ASCII punctuation dropped, and for each byte of the result its
// offset in b; offsets is nil when nothing was dropped.
func normalize(b []byte) (text []byte, offsets []int) {
	text = lower(b)
	if bytes.IndexByte(b, '\\') < 0 {
		return text, nil
	}
	out := text[:0:0]
	offsets = make([]int, 0, len(b))
	for i := 0; i < len(text); i++ {
		if text[i] == '\\' && i+1 < len(text) && isPunct(text[i+1]) {
			i++
		}
		out = append(out, text[i])
		offsets = append(offsets, i)
	}
	return out, offsets
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
