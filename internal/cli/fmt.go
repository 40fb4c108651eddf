package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/safefile"
	"github.com/riskctl/riskctl/internal/spec"
)

func fmtCommand(g *globals) *ucli.Command {
	return withExitCodes("fmt", &ucli.Command{
		Name:      "fmt",
		Usage:     "lay spec files out canonically: key order, indentation, quoting; comments kept",
		UsageText: "riskctl fmt [-w | --check] [-f PATH]... [PATH...]",
		ArgsUsage: "[PATH...]",
		Description: "Prints each spec file in the canonical layout on stdout (as gofmt does),\n" +
			"rewrites it in place with -w (listing the files it changed), or with --check\n" +
			"lists the files that are not formatted, writing nothing. PATHs\n" +
			"are files or directories (their *.yaml and *.yml, not recursive); with none,\n" +
			"the riskscoring/ directory. Formatting never changes what a spec means, and\n" +
			"reads no variable.\n" +
			"\n" +
			"Examples:\n" +
			"  riskctl fmt -w                      # format riskscoring/*.yaml in place\n" +
			"  riskctl fmt --check riskscoring/    # in CI: fails when a file is not formatted\n" +
			"  riskctl fmt prod.yaml | diff prod.yaml -",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "write", Aliases: []string{"w"}, Usage: "write the result to each file instead of stdout"},
			&ucli.BoolFlag{Name: "check", Usage: "list the files that are not formatted and fail; write nothing"},
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
}

// fmtOptionsFrom reads fmt's flags; errors are usage errors (exit 3).
func fmtOptionsFrom(c *ucli.Context) (fmtOptions, error) {
	o := fmtOptions{Write: c.Bool("write"), Check: c.Bool("check")}
	if o.Write && o.Check {
		return fmtOptions{}, usageErrorf("-w and --check exclude each other: --check writes nothing")
	}
	o.Paths = append(c.Args().Slice(), c.StringSlice("file")...)
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
	files, err := spec.FormatFiles(o.Paths, o.Write)
	if err != nil {
		return err
	}
	switch {
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
	if len(changed) == 0 {
		return nil
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
