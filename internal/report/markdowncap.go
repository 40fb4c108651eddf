package report

import (
	"strings"
	"unicode/utf8"
)

type pieceKind int

const (
	pieceBlock      pieceKind = iota // a block followed by a blank line
	pieceTableStart                  // a table's header and delimiter rows
	pieceRow                         // the rows of one unit (a change, an unmanaged object, ...)
	pieceTableEnd                    // the blank line that ends a table
	pieceOpen                        // <details><summary>…</summary> and a blank line
	pieceClose                       // </details> and a blank line
	pieceFooter                      // the version line, left out of a cut rendering
)

const closeDetails = "</details>\n\n"

type piece struct {
	kind   pieceKind
	text   string
	change bool // a row piece that shows one plan change
	// later marks rows kept, in a cut rendering, only with the room the
	// other rows leave (the Access impact: thousands of rows above the
	// changes must not push the changes out of a PR comment).
	later bool
	// group, when not 0, is the table (with its heading and <details>)
	// the piece belongs to: a cut leaves out a group whose rows are all
	// left out.
	group int
}

// pieces is the Markdown byte-cap engine. WriteMarkdown builds a
// rendering as a list of pieces (blocks, table starts and ends, the rows
// of one unit, <details> opens and closes, the footer), and finish joins
// them within maxBytes, cutting only between two pieces. finish
// guarantees:
//
//   - The result is never longer than maxBytes. A rendering that fits is
//     returned whole, footer included, with nothing added.
//   - A cut rendering leaves out the footer and ends with the truncation
//     note, note(shown, total): shown counts the change rows kept (all
//     rows of one change are one piece, kept or left out together).
//   - The HTML stays balanced: every <details> kept is closed and every
//     table kept is ended.
//   - When every piece but the rows fits with the note, all of them are
//     kept: every account's marker, heading, spec files, error, warnings,
//     summary and banner survive; the rows kept are the leading ones
//     (those marked later, the Access impact, only with the room the
//     others leave), and
//     a group (a table with its heading or <details>) left without rows
//     is left out whole. Otherwise the pieces are kept in order up to the
//     first that does not fit.
//   - Only a maxBytes smaller than the note itself gives a hard cut, at a
//     UTF-8 boundary, which may leave the HTML unbalanced.
type pieces struct {
	list   []piece
	group  int // the open group, 0 when none
	groups int
}

func (p *pieces) add(kind pieceKind, text string) {
	p.list = append(p.list, piece{kind: kind, text: text, group: p.group})
}

func (p *pieces) row(text string, change bool) {
	p.list = append(p.list, piece{kind: pieceRow, text: text, change: change, group: p.group})
}

// unit adds u as a row piece of the open group, keeping its flags.
func (p *pieces) unit(u piece) {
	u.kind, u.group = pieceRow, p.group
	p.list = append(p.list, u)
}

func (p *pieces) block(text string) { p.add(pieceBlock, strings.TrimRight(text, "\n")+"\n\n") }

// beginGroup starts a group; groups do not nest.
func (p *pieces) beginGroup() { p.groups++; p.group = p.groups }
func (p *pieces) endGroup()   { p.group = 0 }

// beginDetails opens a folded block whose summary line is summary (HTML:
// it is not escaped); endDetails closes it. Called within one group, the
// pair is kept or left out together.
func (p *pieces) beginDetails(summary string) {
	p.add(pieceOpen, "<details><summary>"+summary+"</summary>\n\n")
}
func (p *pieces) endDetails() { p.add(pieceClose, closeDetails) }

// finish joins the pieces when that fits in maxBytes. Otherwise it keeps
// every piece but the rows (headings, summaries, errors, banners: every
// account's section and marker survive) and as many leading rows as fit,
// leaves out the tables left without rows, and appends note(shown, total).
// When even that does not fit, it keeps the pieces in order up to the
// first that does not fit, closing the open table and <details>.
func (p *pieces) finish(maxBytes, total int, note func(shown, total int) string) string {
	var full strings.Builder
	for _, pc := range p.list {
		full.WriteString(pc.text)
	}
	if s := strings.TrimRight(full.String(), "\n") + "\n"; len(s) <= maxBytes {
		return s
	}
	noteLen := len(note(total, total)) // shown <= total: never longer
	if s, ok := p.keepSections(maxBytes-noteLen, total, note); ok {
		return s
	}
	return p.cutInOrder(maxBytes, noteLen, total, note)
}

func (p *pieces) keepSections(budget, total int, note func(shown, total int) string) (string, bool) {
	for _, pc := range p.list {
		if pc.kind != pieceRow && pc.kind != pieceFooter {
			budget -= len(pc.text)
		}
	}
	if budget < 0 {
		return "", false
	}
	keep := make([]bool, len(p.list))
	hasRows, keptRows := map[int]bool{}, map[int]bool{}
	shown := 0
	// The rows not marked later first, then the later ones with the room
	// left; of each, the rows kept are the leading ones.
	for _, later := range []bool{false, true} {
		full := false
		for i, pc := range p.list {
			if pc.kind != pieceRow || pc.later != later {
				continue
			}
			hasRows[pc.group] = true
			if full || len(pc.text) > budget {
				full = true
				continue
			}
			budget -= len(pc.text)
			keep[i], keptRows[pc.group] = true, true
			if pc.change {
				shown++
			}
		}
	}
	var out strings.Builder
	for i, pc := range p.list {
		switch {
		case pc.kind == pieceRow && !keep[i]:
		case pc.kind == pieceFooter:
		case pc.group != 0 && hasRows[pc.group] && !keptRows[pc.group]:
		default:
			out.WriteString(pc.text)
		}
	}
	out.WriteString(note(shown, total))
	return out.String(), true
}

func (p *pieces) cutInOrder(maxBytes, noteLen, total int, note func(shown, total int) string) string {
	var out strings.Builder
	depth, inTable, shown := 0, false, 0
	for _, pc := range p.list {
		d, t := depth, inTable
		switch pc.kind {
		case pieceOpen:
			d++
		case pieceClose:
			d--
		case pieceTableStart:
			t = true
		case pieceTableEnd:
			t = false
		}
		reserve := noteLen + d*len(closeDetails)
		if t {
			reserve++
		}
		if out.Len()+len(pc.text)+reserve > maxBytes {
			break
		}
		out.WriteString(pc.text)
		depth, inTable = d, t
		if pc.change {
			shown++
		}
	}
	if inTable {
		out.WriteString("\n")
	}
	for ; depth > 0; depth-- {
		out.WriteString(closeDetails)
	}
	out.WriteString(note(shown, total))
	s := out.String()
	if len(s) > maxBytes { // maxBytes is smaller than the note
		s = s[:maxBytes]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
