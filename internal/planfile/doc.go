// Package planfile reads and writes saved plans: the file `riskctl plan
// --out FILE` writes and `riskctl apply FILE` applies. A saved plan is the
// approval of exactly its actions, so it refuses to go stale: it records
// what it was computed from (a digest of the spec files and a snapshot and
// fingerprint of the live state), and apply re-reads the spec files and
// re-fetches the live state, then calls CheckStale, which refuses (a
// *StaleError, matching plan.ErrRefused, exit code 4) when either differs,
// naming every difference.
//
// A saved plan is also bound to what it was made from (bind.go): the
// riskctl version (CheckVersion), spec files that are relative paths inside
// the working directory, read through an os.Root so that neither ".." nor
// a symlink can leave it (ReadSpecs), and the account its spec declares
// (ParseSpec). Those refusals are *RefusedError, matching plan.ErrRefused,
// and never quote a spec file's content: a plan file is an artifact anyone
// who can upload one may craft.
//
// # Format, format_version "1"
//
// One JSON object, indented by 2 spaces, with a trailing newline, written
// atomically (a temporary file in the same directory, then a rename) with
// mode 0600. Arrays are never null. Within a format_version fields are only
// added, and readers ignore fields they do not know; removing a field or
// changing its meaning bumps format_version, and a riskctl refuses a
// format_version it does not read.
//
//	{
//	  "format_version": "1",            // this format's version; Read refuses any other
//	  "riskctl_version": "v0.4.0",      // the riskctl that wrote the file; apply refuses another
//	  "accounts": [                     // one per account planned, in the order planned; at least one
//	    {
//	      "account_id": "0123…",        // the Cloudflare account; unique in the file
//	      "spec_files": ["a.yaml"],     // the one spec file the plan was computed from, relative to
//	                                    // the directory riskctl ran in and inside it
//	      "spec_digest": "sha256:…",    // SpecDigest(spec_files) when the plan was made
//	      "targets": [],                // the --target filters ("behavior:KEY",
//	                                    // "integration:REFERENCE_ID"); empty: a full plan
//	      "live_fingerprint": "…",      // plan.Fingerprint of the live state the plan was
//	                                    // computed from (hex SHA-256); equals plan.live_fingerprint
//	      "live": {                     // snapshot of that live state: exactly what the fingerprint
//	                                    // covers, so that a stale plan can say what changed
//	        "behaviors": {              // every live behavior, by key
//	          "imp_travel": {"enabled": true, "risk_level": "high"}
//	        },
//	        "integrations": [           // every live integration, in API order
//	          {
//	            "id": "…",              // the server's UUID
//	            "reference_id": "…",    // "" when it has none
//	            "integration_type": "Okta",
//	            "tenant_url": "https://acme.okta.com",
//	            "active": true
//	          }
//	        ]
//	      },
//	      "plan": {…}                   // exactly the object plan.RenderJSON writes for this
//	                                    // account's plan (its own format_version, account_id,
//	                                    // has_changes, summary, changes, unmanaged,
//	                                    // live_fingerprint; see package plan), read back
//	                                    // with plan.ReadJSON
//	    }
//	  ]
//	}
//
// Values are as fetched and as written in the spec, never canonicalised.
// The file holds no credentials: none of these types has a field for one.
//
// Read checks that the file is consistent: account_id non-empty, unique and
// equal to plan.account_id; spec_files not empty; spec_digest of the form
// "sha256:<64 hex>"; live_fingerprint equal to plan.live_fingerprint and to
// the fingerprint of the live snapshot (so a hand-edited snapshot cannot
// hide a change). Write and Encode check the same before writing anything.
//
// Behavior names and other computed fields are not part of the snapshot;
// nor are Plan.Ignored (the differences a spec's ignore lists kept out of
// the plan), unless plan.RenderJSON writes them. Plan.Targets is read back
// from "targets".
package planfile
