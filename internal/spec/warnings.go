package spec

import (
	"fmt"
	"regexp"
)

// uuidForm is the form Access gives its Okta IdP ids, which is what a
// risk-scoring integration's reference_id should hold (docs/api.md#integrations): 8-4-4-4-12
// hex digits.
var uuidForm = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Warnings are what is allowed in f but most likely a mistake: for now, a
// reference_id that is not a UUID, so the integration cannot be found from
// its Access IdP. validate prints them; they never fail a run.
func (f *File) Warnings() []*Error {
	var out []*Error
	for _, in := range f.Account.Integrations {
		if in.ReferenceID == "" || uuidForm.MatchString(in.ReferenceID) {
			continue
		}
		out = append(out, &Error{Pos: f.IntegrationPos[in.ReferenceID], Msg: fmt.Sprintf(
			"reference_id %s is not a UUID: set it to the id of the Access Okta identity provider the integration belongs to, so the integration can be found from it",
			quoteASCII(in.ReferenceID))})
	}
	return out
}
