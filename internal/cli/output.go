package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/remote"
	"github.com/riskctl/riskctl/internal/textutil"
)

// formatFlag is the --format flag of the inspection commands.
func formatFlag() *ucli.StringFlag {
	return &ucli.StringFlag{Name: "format", Value: "table", Usage: "output format: table or json"}
}

// outputFormat reads and checks --format.
func outputFormat(c *ucli.Context) (string, error) {
	switch f := c.String("format"); f {
	case "table", "json":
		return f, nil
	default:
		return "", usageErrorf("--format %q: expected table or json", f)
	}
}

// listOptions are the options of a list command that has only --format
// (behaviors list, integrations list).
type listOptions struct {
	Format string // table or json
}

// listOptionsFrom builds a list command's options from its flags.
func listOptionsFrom(c *ucli.Context) (listOptions, error) {
	format, err := outputFormat(c)
	return listOptions{Format: format}, err
}

// listing is what a list command shows: one fetch of rows, and how a table
// shows them. JSON is the rows themselves, [] when there are none.
type listing[T any] struct {
	fetch  func(ctx context.Context, api remote.API) ([]T, error)
	header []any         // the table's column titles
	row    func(T) []any // a row's cells, in header order
	empty  string        // printed instead of a table with no rows ("": the header alone)
}

// list is the skeleton every list command shares: connect, fetch once,
// then print the rows as JSON or as a table.
func list[T any](ctx context.Context, g *globals, format string, l listing[T]) error {
	s, err := g.connect("")
	if err != nil {
		return err
	}
	rows, err := l.fetch(ctx, s.api)
	if err != nil {
		return g.explain(err, s.accountID)
	}
	out := g.streams.Out
	if format == "json" {
		if rows == nil {
			rows = []T{}
		}
		return writeJSON(out, rows)
	}
	if len(rows) == 0 && l.empty != "" {
		_, err := fmt.Fprintln(out, l.empty)
		return err
	}
	tw := newTable(out)
	row(tw, l.header...)
	for _, r := range rows {
		row(tw, l.row(r)...)
	}
	return tw.Flush()
}

// writeJSON writes v with riskctl's one JSON encoder (textutil.JSON), the
// server's strings in it with textutil.VisibleJSON's escapes: still the
// same JSON to a reader, but no bidi, zero-width or C1 character of a
// name or an email reaches the terminal (docs/security.md).
func writeJSON(w io.Writer, v any) error {
	data, err := textutil.JSON(v)
	if err != nil {
		return err
	}
	_, err = w.Write(textutil.VisibleJSON(data))
	return err
}

// newTable returns a tabwriter for aligned columns; call Flush when done.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// formatTime prints API timestamps in UTC, to the second.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// row writes tab-separated cells as one table row. Every cell passes
// textutil.Visible: cells hold what a server or an identity provider sent
// (names, emails, reference ids), and a tab, a line break or a terminal
// sequence in one must not shift a column, forge a row or reach the
// terminal (docs/security.md).
func row(w io.Writer, cells ...any) {
	for i, c := range cells {
		if i > 0 {
			fmt.Fprint(w, "\t")
		}
		fmt.Fprint(w, textutil.Visible(fmt.Sprint(c)))
	}
	fmt.Fprintln(w)
}
