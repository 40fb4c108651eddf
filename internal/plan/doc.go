// Package plan is the middle of desired → plan → apply: Compute diffs the
// desired account (from a spec) against the live one (from the API) and
// returns a Plan, a plain value with no closures, credentials or I/O.
// Its JSON codec is RenderJSON and ReadJSON; human text is package
// report's. apply reads only the
// actions and values, never a Reason.
//
// # Semantics
//
// Behaviors: the spec's keys are managed; each must exist in the account
// (else *MissingBehaviorsError) and is updated when enabled or risk_level
// (compared case-insensitively) differs. Behaviors are never created or
// deleted; other live keys are listed as unmanaged.
//
// Integrations are matched on reference_id, never on id. Not live → create
// (when the spec says active: false, apply follows the POST, which takes no
// active, with an update). integration_type differs → replace (delete, then
// create). tenant_url (compared by CanonicalTenantURL) or active differs →
// update. Live integrations whose reference_id is not in the spec, or that
// have none, are unmanaged, or deleted when the spec says prune: true.
// Refused: a spec reference_id shared by two live integrations
// (*DuplicateReferenceError) unless Options.Dedupe, which keeps the one
// state.Survivor picks (the earliest created, then the lowest id) as the
// spec's and deletes each of the others, or unless Options.Copies proves
// every other one riskctl's own copy (copies.go), which deletes them alike;
// and a replace or delete of an integration
// marked protect: true (*ProtectedError); both match ErrRefused.
// Server-computed fields (id, name, ...) never cause a change.
//
// Ignore lists (Options.Policy, the spec's "ignore"; prune and protect
// come from the policy too) keep differences in the fields they name out of
// Changes; Plan.Ignored lists them, behaviors then integrations, each by
// key and in field order. An ignored field never causes an update or a
// replace, and an update or replace that another field causes carries the
// ignored field's live value, so apply never writes it. Creates are not
// affected.
//
// ComputeWith takes Options; Targets ("behavior:KEY",
// "integration:REFERENCE_ID", see ParseTarget) restrict Changes, the
// unmanaged lists and Ignored to the named objects, and are recorded in
// Plan.Targets (sorted, unique). The spec is still checked as a whole
// (*MissingBehaviorsError), but ambiguity and protection refuse only plans
// that touch the object concerned. A target naming nothing in the spec or
// the account is an *UnknownTargetError. LiveFingerprint always covers the
// whole live state.
//
// Changes come in apply order: behaviors by key, then integration updates,
// replaces, creates and deletes, each by reference_id (deletes then by id).
// Change.Fields is in the order enabled, risk_level, integration_type,
// tenant_url, active; values are text (booleans "true"/"false").
//
// # JSON format, format_version "1"
//
// RenderJSON writes one object, indented by 2 spaces, with a trailing
// newline. Arrays are never null. Fields are only added within a version;
// removing one or changing its meaning bumps format_version.
//
//	{
//	  "format_version": "1",
//	  "account_id": "0123456789abcdef0123456789abcdef",
//	  "has_changes": true,                 // len(changes) > 0
//	  "summary": {"add": 1, "change": 1, "replace": 0, "destroy": 0, "weakening": 1},
//	  "changes": [                         // in apply order (see above)
//	    {
//	      "action": "update",              // "create" | "update" | "replace" | "delete"
//	      "resource": "behavior",          // "behavior" | "integration"
//	      "key": "imp_travel",             // behavior key or reference_id ("" for an integration without one)
//	      "class": "weakening",            // "weakening" | "strengthening" | "neutral" (internal/state/classes.go); derived, not read back
//	      "live_id": "…",                  // integrations with a live side (update, replace, delete) only
//	      "tenant_url": "https://…",       // integrations: the live tenant URL, else the desired one, host in ASCII
//	      "label": "Acme workforce",       // integrations the spec labels only (local: never sent)
//	      "before": {…},                   // live value; absent for a create
//	      "after": {…},                    // desired value; absent for a delete
//	      "changed_fields": [              // fixed field order; values typed as in before/after
//	        {"field": "enabled", "before": false, "after": true},     // booleans as booleans
//	        {"field": "risk_level", "before": "low", "after": "high"} // strings as strings
//	      ],                               // create: every field, no "before"; delete: every field, no "after"
//	      "reason": "…"                    // for people; may change between releases
//	    }
//	  ],
//	  "unmanaged": {                       // live, not in the spec, left alone
//	    "behaviors": ["sentinel_one"],     // sorted
//	    "integrations": [{…}]              // integration objects, by reference_id then id
//	  },
//	  "targets": ["behavior:imp_travel"],  // sorted; [] for a plan of everything
//	  "dedupe": true,                      // only when computed with Options.Dedupe
//	  "ignored": [                         // differences the spec's ignore lists keep out
//	    {"resource": "behavior", "key": "high_dlp", "field": "risk_level",
//	     "live": "low", "desired": "high"} // values as text ("true" for a boolean)
//	  ],
//	  "live_fingerprint": "…"              // hex SHA-256, see Fingerprint
//	}
//
// A behavior object is {"enabled": bool, "risk_level": string, "name"?:
// string}, name only on the live side. An integration object is {"id"?:
// string, "reference_id", "integration_type", "tenant_url": string,
// "active": bool, "protect"?: true, "created_at"?: RFC 3339}, id and
// created_at only on the live side and protect only on the desired side
// when set. Values are as fetched or as written in
// the spec, not canonicalised. ReadJSON also reads changed_fields values
// written as text ("true", "" for none), as riskctl wrote them before
// they were typed: a saved plan's digests do not cover them, and the
// format_version stays "1". The document is ASCII: every other
// character is a \u escape (textutil.ASCIIJSON), so that a live host with
// a look-alike letter never reads as another. A change's tenant_url and
// label name it for people (Change.TenantURL, Change.Label); ReadJSON
// reads the format back into a Plan, the label included.
package plan
