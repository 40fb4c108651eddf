package cli

import (
	"strconv"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/riskctl/riskctl/internal/reconcile"
)

// auditWindowFlag is drift's and plan's --audit-window: how far back the
// account's audit log is read to say who changed each drifted object
// (docs/attribution.md).
func auditWindowFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "audit-window", Value: "30d",
		Usage: "read the account's audit log this far back (e.g. 30d, 720h) to say who changed each object that differs from the spec; 0 skips the read"}
}

// maxAuditWindow bounds --audit-window: a year, past any retention the
// audit log is known to have, so a typo cannot ask for decades of pages.
const maxAuditWindow = 366 * 24 * time.Hour

// auditOptions reads --audit-window: a Go duration ("720h") or whole days
// ("30d"); "0" reads nothing.
func auditOptions(c *ucli.Context) (reconcile.AuditOptions, error) {
	v := strings.TrimSpace(c.String("audit-window"))
	w, err := parseWindow(v)
	if err != nil || w < 0 || w > maxAuditWindow {
		return reconcile.AuditOptions{}, usageErrorf("--audit-window %q: expected a duration such as 30d or 720h, at most 366d, or 0", v)
	}
	return reconcile.AuditOptions{Window: w}, nil
}

func parseWindow(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, err
		}
		if n > 366 {
			return maxAuditWindow + 1, nil
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}
