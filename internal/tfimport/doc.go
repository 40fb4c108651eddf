// Package tfimport reads Terraform state into riskctl's vocabulary: the
// migration path of `riskctl import terraform`. Its one job is to turn the
// state of the Cloudflare provider's two risk-scoring resources into one
// state.Account per account (which spec.Write then writes as specs), and
// to list the resource instances it took over, so that Terraform can be
// told to forget them without destroying them (WriteHandoff). Import does
// the whole of `riskctl import terraform` but the writes: it returns the
// specs, the handoff and the files to write, checked against safefile's
// output-target rule.
//
// # Input
//
// Parse reads either shape Terraform (and OpenTofu) writes:
//
//   - `terraform show -json` output (format_version 0.x or 1.x): the root
//     module's resources and every nested child module's;
//   - a state file (terraform.tfstate, `terraform state pull`) of format
//     version 4, whose resources carry their module path.
//
// Resource types, by provider version (docs/api.md#terraform-state-files):
//
//	cloudflare_zero_trust_risk_behavior             v5: behaviors = {key = {enabled, risk_level}}
//	                                                v4: behavior blocks {name, enabled, risk_level}
//	cloudflare_risk_behavior                        v4, deprecated name
//	cloudflare_zero_trust_risk_scoring_integration  v5
//	cloudflare_zero_trust_risk_score_integration    v4 ("score")
//
// count and for_each instances are read with their keys, of the resource
// and of its modules. Server-computed attributes (id, account_tag,
// created_at, well_known_url) are not carried into the spec; a null
// active is true, as the API creates integrations active.
//
// # Refusals
//
// Every problem is an Error naming the file and, when there is one, the
// instance address; all of a file's problems are returned at once
// (Errors). Refused: input that is not JSON, or is a plan, an encrypted
// OpenTofu state, an unknown format version; an integration without a
// reference_id (a spec matches integrations by it), two integrations of
// one account with one reference_id, a behavior key set differently by
// two instances; a deposed object; malformed names, keys and attribute
// types. Skipped and listed in Result.Skipped: data sources (Terraform
// manages nothing through them), other resource types, and the risk
// types of a provider that is not Cloudflare's. Values the spec format
// cannot express are left to spec.Write, which refuses them.
//
// Input is bounded: ReadFile reads regular files (or stdin) of at most
// MaxStateBytes.
package tfimport
