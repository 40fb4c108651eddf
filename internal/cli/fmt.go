package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/spec"
)

func fmtCommand(g *globals) *ucli.Command {
	return withExitCodes("fmt", &ucli.Command{
		Name:      "fmt",
		Usage:     "lay spec files out canonically: key order, indentation, quoting; comments kept",
		UsageText: "riskctl fmt [-w | --check | -d] [-f PATH]... [PATH... | -]",
		ArgsUsage: "[PATH...]",
		Description: "Prints each spec file in the canonical layout on stdout (as gofmt does),\n" +
			"rewrites it in place with -w (listing the files it changed), with --check\n" +
			"lists the files that are not formatted, and with -d prints a unified diff\n" +
			"of each; --check and -d write nothing, and fail when a file is not\n" +
			"formatted. PATHs are files or directories (their *.yaml and *.yml, not\n" +
			"recursive); with none, the riskscoring/ directory; - alone reads one spec\n" +
			"from stdin (at most 4 MiB) and prints it formatted. Formatting never\n" +
			"changes what a spec means, and reads no variable.\n" +
			"\n" +
			"Examples:\n" +
			"  riskctl fmt -w                      # format riskscoring/*.yaml in place\n" +
			"  riskctl fmt --check riskscoring/    # in CI: fails when a file is not formatted\n" +
			"  riskctl fmt -d prod.yaml            # what fmt -w would change, as a diff\n" +
			"  riskctl fmt - < prod.yaml           # stdin to stdout, for editors",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "write", Aliases: []string{"w"}, Usage: "write the result to each file instead of stdout"},
			&ucli.BoolFlag{Name: "check", Usage: "list the files that are not formatted and fail; write nothing"},
			&ucli.BoolFlag{Name: "diff", Aliases: []string{"d"}, Usage: "print a unified diff of each file that is not formatted and fail; write nothing"},
			fileFlag(),
		},
		Action: action(fmtOptionsFrom, g.fmt),
	})
}

// fmtOptions are fmt's flags and arguments, checked.
type fmtOptions struct {
	Paths []string // spec files and directories: the arguments and -f, else the spec directory
	Write bool     // -w: rewrite the files
	Check bool     // --check: only list the files that would change
	Diff  bool     // -d: print the changes as unified diffs
	Stdin bool     // "-": format stdin to stdout
}

// fmtOptionsFrom reads fmt's flags; errors are usage errors (exit 3).
func fmtOptionsFrom(c *ucli.Context) (fmtOptions, error) {
	o := fmtOptions{Write: c.Bool("write"), Check: c.Bool("check"), Diff: c.Bool("diff")}
	if o.Write && (o.Check || o.Diff) {
		return fmtOptions{}, usageErrorf("-w excludes --check and -d: they write nothing")
	}
	o.Paths = append(c.Args().Slice(), c.StringSlice("file")...)
	if slices.Contains(o.Paths, "-") {
		if len(o.Paths) > 1 {
			return fmtOptions{}, usageErrorf("- (stdin) is the only PATH when given")
		}
		if o.Write {
			return fmtOptions{}, usageErrorf("-w cannot write to stdin: fmt - prints the result on stdout")
		}
		o.Paths, o.Stdin = nil, true
		return o, nil
	}
	if len(o.Paths) == 0 {
		dir, err := discoverSpecDir()
		if err != nil {
			return fmtOptions{}, err
		}
		o.Paths = []string{dir}
	}
	return o, nil
}

// formatted is one spec file and its canonical layout.
type formatted struct {
	path    string
	in, out []byte
}

func (f formatted) changed() bool { return string(f.in) != string(f.out) }

func (g *globals) fmt(_ context.Context, o fmtOptions) error {
	var files []spec.Formatted
	if o.Stdin {
		f, err := spec.FormatStdin(g.streams.In)
		if err != nil {
			return err
		}
		files = []spec.Formatted{f}
	} else {
		var err error
		if files, err = spec.FormatFiles(o.Paths, o.Write); err != nil {
			return err
		}
	}
	switch {
	case o.Diff:
		return g.fmtDiff(files)
	case o.Check:
		return g.fmtCheck(files)
	case o.Write:
		return g.fmtWrite(files)
	}
	for _, f := range files {
		if _, err := g.streams.Out.Write(f.Out); err != nil {
			return err
		}
	}
	return nil
}

// fmtCheck lists the files that are not formatted, on stdout, and fails
// (exit 3) when there is one.
func (g *globals) fmtCheck(files []spec.Formatted) error {
	var changed []string
	for _, f := range files {
		if f.Changed() {
			changed = append(changed, f.Path)
			fmt.Fprintln(g.streams.Out, f.Path)
		}
	}
	return notFormatted(changed)
}

// fmtDiff prints a unified diff of each file that is not formatted, on
// stdout, and fails as fmtCheck does.
func (g *globals) fmtDiff(files []spec.Formatted) error {
	var changed []string
	for _, f := range files {
		if d := spec.UnifiedDiff(f.Path, f.In, f.Out); d != "" {
			changed = append(changed, f.Path)
			if _, err := io.WriteString(g.streams.Out, d); err != nil {
				return err
			}
		}
	}
	return notFormatted(changed)
}

// notFormatted is the failure of --check and -d when a file differs.
func notFormatted(changed []string) error {
	if len(changed) == 0 {
		return nil
	}
	if len(changed) == 1 && changed[0] == spec.StdinPath {
		return usageErrorf("the spec on stdin is not formatted: riskctl fmt - prints it formatted")
	}
	return usageErrorf("%s not formatted: run riskctl fmt -w %s", plural(len(changed), "spec file is", "spec files are"), strings.Join(changed, " "))
}

// fmtWrite rewrites the files that are not formatted, which FormatFiles
// checked as targets (no symbolic link on the way), and lists them on
// stdout.
func (g *globals) fmtWrite(files []spec.Formatted) error {
	for _, f := range files {
		if !f.Changed() {
			continue
		}
		if err := writeInPlace(f.Path, f.Out); err != nil {
			return err
		}
		fmt.Fprintln(g.streams.Out, f.Path)
	}
	return nil
}

// writeInPlace replaces path with data atomically, keeping path's
// permission bits, so an interrupted fmt -w leaves the old file or the new
// one, never a part of either; through no link, even one that appeared
// since FormatFiles looked (safefile.WriteTarget).
func writeInPlace(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	return safefile.WriteTarget(path, data, info.Mode().Perm(), true)
}

// plural says "1 file is" or "3 files are".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
