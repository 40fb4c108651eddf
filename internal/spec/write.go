package spec

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/riskctl/riskctl/internal/state"
)

// Write prints a as a version-1 spec that Parse accepts and that plans no
// changes against the account it came from. Every behavior is written (so
// every one becomes managed); server-computed fields are left out.
// Integrations without a reference_id cannot be matched by a spec, so they
// are listed in a comment instead.
func Write(w io.Writer, a state.Account) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Exported by riskctl from account %s.\n", a.AccountID)
	fmt.Fprintln(bw, "version: 1")
	fmt.Fprintf(bw, "account_id: %s\n", yamlString(a.AccountID))

	keys := make([]string, 0, len(a.Behaviors))
	for k := range a.Behaviors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		fmt.Fprintln(bw, "behaviors: {}")
	} else {
		fmt.Fprintln(bw, "behaviors:")
	}
	for _, k := range keys {
		b := a.Behaviors[k]
		if b.Name != "" {
			fmt.Fprintf(bw, "  # %s\n", b.Name)
		}
		fmt.Fprintf(bw, "  %s: {enabled: %t, risk_level: %s}\n", k, b.Enabled, yamlString(b.RiskLevel))
	}

	var managed, unmatchable []state.Integration
	for _, in := range a.Integrations {
		if in.ReferenceID == "" {
			unmatchable = append(unmatchable, in)
		} else {
			managed = append(managed, in)
		}
	}
	sort.Slice(managed, func(i, j int) bool { return managed[i].ReferenceID < managed[j].ReferenceID })
	if len(managed) == 0 {
		fmt.Fprintln(bw, "integrations: []")
	} else {
		fmt.Fprintln(bw, "integrations:")
	}
	for _, in := range managed {
		fmt.Fprintf(bw, "  - reference_id: %s\n", yamlString(in.ReferenceID))
		fmt.Fprintf(bw, "    integration_type: %s\n", yamlString(in.IntegrationType))
		fmt.Fprintf(bw, "    tenant_url: %s\n", yamlString(in.TenantURL))
		fmt.Fprintf(bw, "    active: %t\n", in.Active)
	}
	for _, in := range unmatchable {
		fmt.Fprintf(bw, "  # not exported: integration %s (%s) has no reference_id, so a spec cannot name it\n",
			in.ID, in.TenantURL)
	}
	fmt.Fprintln(bw, "prune: false")
	return bw.Flush()
}

// yamlString writes s as a double-quoted scalar. JSON string syntax is a subset
// of YAML's double-quoted style, so every value round-trips exactly.
func yamlString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
