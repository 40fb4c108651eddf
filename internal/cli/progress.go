package cli

import (
	"fmt"
	"strings"
)

// progress is a one-line progress bar on stderr, redrawn in place with a
// carriage return. It is drawn only when stderr is a terminal: a CI log
// or a file would keep every redraw.
type progress struct {
	g     *globals
	label string
	on    bool
	last  int // the last width drawn, to redraw only on a change
	drawn bool
}

// progressBarWidth is the bar's length in characters.
const progressBarWidth = 30

// progressBar returns a bar labelled label, off unless stderr is a
// terminal.
func (g *globals) progressBar(label string) *progress {
	return &progress{g: g, label: label, last: -1,
		on: g.streams.ErrIsTerminal != nil && g.streams.ErrIsTerminal()}
}

// update draws done of total; it is called from one goroutine at a time.
func (p *progress) update(done, total int) {
	if !p.on || total <= 0 {
		return
	}
	filled := progressBarWidth * done / total
	if filled == p.last && done != total {
		return
	}
	p.last = filled
	fmt.Fprintf(p.g.streams.Err, "\r%s [%s%s] %d/%d", p.label,
		strings.Repeat("#", filled), strings.Repeat(".", progressBarWidth-filled), done, total)
	p.flush()
	p.drawn = true
}

// done clears the bar's line, so what follows starts on a clean line.
func (p *progress) done() {
	if !p.drawn {
		return
	}
	fmt.Fprint(p.g.streams.Err, "\r"+strings.Repeat(" ", len(p.label)+progressBarWidth+24)+"\r")
	p.flush()
}

// flush passes the line on: stderr's redacting writer holds back a line
// without its newline (internal/redact/redact.go).
func (p *progress) flush() {
	if f, ok := p.g.streams.Err.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
}
