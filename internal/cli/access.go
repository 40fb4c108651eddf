package cli

import (
	ucli "github.com/urfave/cli/v2"
)

// accessImpactFlag is --access-impact of plan, drift and apply: "off"
// skips the read-only Access reads, so plans carry no Access impact and no
// identity provider findings (reconcile.Inputs.NoAccess). plan and drift
// read by default: they are where a reviewer or the on-call person looks.
// apply does not (def "off"): it carries out a plan that plan already
// showed, and four more reads per account would spend the token's shared
// request budget just when the writes need it.
func accessImpactFlag(def string) ucli.Flag {
	return &ucli.StringFlag{Name: "access-impact", Value: def,
		Usage: "on: read Access policies, applications, groups and identity providers to show what the plan does to Access rules and to check the integrations' wiring; off: skip those reads"}
}

// accessOff reads --access-impact: true for "off".
func accessOff(c *ucli.Context) (bool, error) {
	switch v := c.String("access-impact"); v {
	case "on":
		return false, nil
	case "off":
		return true, nil
	default:
		return false, usageErrorf("--access-impact %q: expected on or off", v)
	}
}
