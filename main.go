// Command riskctl keeps Cloudflare Zero Trust risk scoring in git.
package main

import (
	"context"
	"os"

	"github.com/riskctl/riskctl/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args, cli.OSStreams()))
}
