// Package assess says what a plan means for Access and for the
// integrations' wiring: which Access user_risk_score rules a plan makes
// dead, revives or changes, which rules are standing mistakes, and which
// integrations are not wired to a matching Okta identity provider. It is
// pure: it reads values (state.Access, behavior maps, integrations) and
// returns values, with no I/O; internal/remote reads the Access objects
// and the renderers print what it returns.
//
// # Access impact
//
// Access matches a user_risk_score rule by set membership: a user matches
// when their level is one of the listed ones, and a user without a score
// is "unscored" (docs/api.md#access-policies-and-identity-providers). The
// levels that can occur in an account are the levels of its enabled
// behaviors plus unscored (Levels). A rule listing L can therefore match
// the levels M = L ∩ reachable, and fails the levels U = reachable \ L.
//
// For a plan, reachable is computed before and after. A rule is reported
// when the plan changes what it can match: dead (M was non-empty and is
// empty), revived (the opposite), changed (M differs, both non-empty).
// A require rule is also reported as changed when U differs: the levels a
// require rule fails are the users it denies, so a behavior enabled at a
// level the rule does not list ("require [low medium unscored]" once a
// behavior is enabled at high) starts denying people although M is the
// same. Rules the plan does not change are not reported.
//
// Rules are found in reusable policies, in the policies embedded in
// applications (an embedded policy whose id is a reusable policy's is
// that policy: it is reported once, listing every application using
// it), and in groups, expanded where a policy's rule references the
// group ({"group": {"id": …}}), nested groups included. A rule found in a
// group is reported against each policy that uses the group, naming the
// group; its list is its own list within the group. A group that is
// referenced but not among the groups read, a cycle of groups, and groups
// nested deeper than MaxGroupDepth are reported as lint, as they leave
// rules unchecked. A group reached twice from the same list of a policy
// (a diamond) is expanded once, so the work stays linear whatever the
// server sends. A group no policy references affects no one and is not
// reported.
//
// Lint, reported whatever the plan does: a require rule without unscored
// (it denies everyone without a score), an exclude rule listing unscored
// (it excludes everyone without a score), and a listed level that is not
// low, medium, high or unscored (it never matches).
//
// # Wiring findings
//
// An integration's reference_id should be the id of an Okta identity
// provider whose config.okta_account names the same host as the
// integration's tenant_url. Hosts are compared in their ASCII (IDNA,
// punycode) form, case-insensitively, so a look-alike host never compares
// or prints alike. An active live integration that no spec manages
// streams scores to a tenant nobody declared, and is a finding too.
package assess
