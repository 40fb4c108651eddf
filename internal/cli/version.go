package cli

import (
	"fmt"
	"runtime/debug"

	ucli "github.com/urfave/cli/v2"
)

// version, commit and date are set at link time by release builds
// (.goreleaser.yaml):
//
//	go build -ldflags "-X github.com/riskctl/riskctl/internal/cli.version=v1.2.3 \
//	  -X github.com/riskctl/riskctl/internal/cli.commit=<full sha> \
//	  -X github.com/riskctl/riskctl/internal/cli.date=<commit date, RFC 3339>"
//
// Without them, riskctl falls back to what Go recorded in the build info.
var (
	version string
	commit  string
	date    string
)

// Version is riskctl's version: the link-time value, else the module
// version from the build info (set by `go install ...@vX`), else "dev".
// Saved plans are bound to it.
func Version() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// buildVCS returns the commit (with -dirty for a modified tree) and the
// commit time Go recorded in the build info, when it did (a build in a git
// checkout without -buildvcs=false).
func buildVCS() (rev, at string) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	var modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if rev == "" {
		return "", at
	}
	return rev + modified, at
}

// buildCommit returns the commit and its date: the link-time values, else
// the build info's.
func buildCommit() (rev, at string) {
	rev, at = buildVCS()
	if commit != "" {
		rev = commit
	}
	if date != "" {
		at = date
	}
	return rev, at
}

// versionLine is what `riskctl version` prints:
//
//	riskctl v1.2.3 (commit 0123abc..., date 2026-03-30T17:47:26Z)
//
// with the parts that are unknown left out.
func versionLine(version, commit, date string) string {
	line := "riskctl " + version
	switch {
	case commit != "" && date != "":
		line += " (commit " + commit + ", date " + date + ")"
	case commit != "":
		line += " (commit " + commit + ")"
	case date != "":
		line += " (date " + date + ")"
	}
	return line
}

// versionCommand has no flags and takes no arguments: nothing to map into
// options, its action is the one write.
func versionCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "version",
		Usage:     "print riskctl's version and commit",
		UsageText: "riskctl version",
		Description: "Prints the version and, when the build recorded them, the commit\n" +
			"(with -dirty for a modified tree) and its date. --version and -v print\n" +
			"the same.\n\n" +
			"Examples:\n" +
			"  riskctl version\n" +
			"  riskctl --version",
		ArgsUsage: " ",
		Action: func(c *ucli.Context) error {
			rev, at := buildCommit()
			_, err := fmt.Fprintln(c.App.Writer, versionLine(Version(), rev, at))
			return err
		},
	}
}
