package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"
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

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
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

// row writes tab-separated cells as one table row.
func row(w io.Writer, cells ...any) {
	for i, c := range cells {
		if i > 0 {
			fmt.Fprint(w, "\t")
		}
		fmt.Fprint(w, c)
	}
	fmt.Fprintln(w)
}
