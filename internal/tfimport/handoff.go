package tfimport

import (
	"bytes"
	"fmt"
	"io"
)

// WriteHandoff writes what makes Terraform forget the imported instances
// without destroying them, as one HCL file (it can be saved as a .tf file
// in the root module as it is): a removed block with destroy = false for
// each resource, and, as comments, the `terraform state rm` commands that
// do the same on any Terraform version.
//
// A removed block's `from` takes no instance key, of the resource or of
// its modules (Terraform refuses them), so there is one block per
// resource, however many count/for_each instances it has; every instance
// of a resource has its type, so all of them were imported. state rm
// takes each instance's address, shell-quoted: for_each keys hold quotes
// and brackets.
//
// Every address is rebuilt from checked parts (Address), so nothing from
// the file can end a comment or an HCL string.
func WriteHandoff(w io.Writer, imported []Imported) error {
	var b bytes.Buffer
	b.WriteString(`# Handoff from "riskctl import terraform": riskctl now manages these
# resources, so Terraform must forget them WITHOUT destroying them.
# (Destroying an integration resource deletes the integration.)
#
# Terraform 1.7 or later: remove the resource blocks from the
# configuration, add these removed blocks to the root module (this file
# can be saved there as it is), and run terraform apply: it plans to
# forget, not to destroy. Then these blocks can go too.
`)
	seen := make(map[string]bool)
	for _, im := range imported {
		from := im.Address.Resource()
		if seen[from] {
			continue
		}
		seen[from] = true
		fmt.Fprintf(&b, "\nremoved {\n  from = %s\n\n  lifecycle {\n    destroy = false\n  }\n}\n", from)
	}
	b.WriteString(`
# Any Terraform version: instead of the removed blocks, run these
# commands (tofu state rm with OpenTofu), then remove the resource blocks
# from the configuration.
#
`)
	for _, im := range imported {
		fmt.Fprintf(&b, "#   terraform state rm %s\n", shellQuote(im.Address.String()))
	}
	_, err := w.Write(b.Bytes())
	return err
}
