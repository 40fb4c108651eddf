package cli

import (
	"fmt"
	"runtime/debug"

	ucli "github.com/urfave/cli/v2"
)

// version is set at link time by release builds:
//
//	go build -ldflags "-X github.com/riskctl/riskctl/internal/cli.version=v1.2.3"
var version string

// Version is riskctl's version: the link-time value, else the module
// version from the build info (set by `go install ...@vX`), else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// revision is the VCS commit the binary was built from, when Go recorded it.
func revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		}
	}
	if rev == "" {
		return ""
	}
	return rev + modified
}

// versionCommand has no flags and takes no arguments: nothing to map into
// options, its action is the one write.
func versionCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "version",
		Usage:     "print riskctl's version and commit",
		UsageText: "riskctl version",
		Description: "Prints the version and, when the build recorded it, the commit\n" +
			"(with -dirty for a modified tree). --version and -v print the same.\n\n" +
			"Examples:\n" +
			"  riskctl version\n" +
			"  riskctl --version",
		ArgsUsage: " ",
		Action: func(c *ucli.Context) error {
			line := "riskctl " + Version()
			if rev := revision(); rev != "" {
				line += " (commit " + rev + ")"
			}
			_, err := fmt.Fprintln(c.App.Writer, line)
			return err
		},
	}
}
