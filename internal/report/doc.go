// Package report renders what riskctl prints for machines and reviewers
// about plan, apply and drift, over one or more accounts: text (WriteText),
// JSON (WriteJSON), Markdown for pull-request comments and job summaries
// (WriteMarkdown), and GitHub Actions step outputs (GitHub.Publish); and
// the lines beside a report on a terminal: apply's closing line
// (WriteApplyResult: "Apply complete! 2 added, 3 changed, 0 replaced, 1
// destroyed." only when every action applied, else "Apply incomplete: …;
// N failed, N not started."; WriteApplyCancelled: "Apply cancelled."), a
// --target plan's warning (WritePartialWarning) and what
// became of plan --out (WriteSaveNote). Every renderer reads the values
// (plan.Plan, apply.Result); none parses text.
//
// # Emulated runs
//
// A Report with Emulated (the run used --emulate's embedded emulator)
// says so in every format: text opens with "Emulated (--emulate): no
// Cloudflare account was read or changed." (and apply's closing line is
// followed by it), Markdown opens with that sentence in a [!NOTE] and
// every title reads "riskctl plan (emulated)", JSON has "emulated": true
// and the step outputs emulated=true. A base URL pointing at `riskctl
// emulator serve` cannot be told from Cloudflare, so it is not marked.
//
// # Weakening changes
//
// A plan (KindPlan: plan, and the plan apply shows before asking) in text
// and Markdown opens with a banner naming each weakening change
// (plan.Change.Class, decided in internal/state/classes.go), at most 10
// then "… and N more", each with what it weakens, and saying that apply
// refuses it without --approve-weakening:
//
//	Warning: This plan weakens detection or the flow of risk scores: 1 change. riskctl apply refuses it without --approve-weakening.
//	  - behavior "imp_travel": disabled — "Impossible Travel" detections stop raising risk scores
//
// In Markdown it is a [!WARNING] alert after the refusal's CAUTION (if
// any) and before the accounts, the title and the effect of each change
// in code spans. Every change in the JSON has its "class", every summary
// its "weakening" count, and the GitHub outputs weakening=N.
//
// # Text
//
// Accounts in order, under "=== account ID (files) ===" when there are
// several, then a "Total (…)" line. plan and apply: the plan text (plantext.go) per
// account; apply adds one line per action result ("applied", "failed",
// "skipped") and "Apply: 2 added, 3 changed, 0 replaced, 1 destroyed; 0
// failed, 0 not started.". drift: "Drift
// detected on account X:" and one line per drifted field
//
//	  ~ behavior "imp_travel" enabled: live false, desired true
//	-/+ integration "idp-rep" integration_type: live "AzureAD", desired "Okta" (forces replacement)
//	  + integration "idp-new": missing from the account (desired integration_type "Okta", tenant_url "…", active true)
//	  - integration "idp-old": not in the spec (live id "…", integration_type "Okta", tenant_url "…", active true)
//
// or "No drift: account X matches the spec.", or, when the only drift is an
// active integration no spec manages, "Drift detected on account X: an
// active integration no spec manages (findings above); …". Before the plan
// or drift of an account come what it means (meaning.go): "Findings (N):"
// with one "! KIND "REF": detail" line each, "Access impact (N):" with one
// line per rule the plan makes dead, revives or changes, "Access lint
// (standing mistakes) (N):", and "Note: … not checked: …" when Access
// could not be read. The plan text itself
// lists ignored differences and warns of a targeted plan; the report adds
// the count after it: "N differences ignored by the spec's ignore
// lists.". A drift report starts with "Warning: partial plan (targets:
// …): other differences are not shown." when targeted, and lists the
// ignored differences under that count line. An account's error is
// "Error: account X: …".
//
// # JSON format, format_version "1"
//
// WriteJSON writes one object, indented by 2 spaces, with a trailing
// newline. Arrays are never null. Fields are only added within a version;
// removing one or changing its meaning bumps format_version.
//
//	{
//	  "format_version": "1",
//	  "kind": "plan",                      // "plan" | "apply" | "drift"
//	  "riskctl_version": "v0.4.0",         // "" when unknown
//	  "emulated": false,                   // always present: true when the embedded emulator (--emulate) answered
//	  "has_changes": true,                 // any account has changes (drift: drifted, an active integration no spec manages included)
//	  "apply_refusal": "…",                // plan only, when apply will refuse this plan: why, and the fix, on one line
//	  "delete_limit": {                    // with apply_refusal, when the delete limit refuses
//	    "message": "the plan deletes 200 integrations, …", // the sentence: the counts and the fix
//	    "deletes": 200, "limit": 3,
//	    "names": ["idp-1 (https://a.okta.com)", …], // at most 10
//	    "more": 190                        // the names left out
//	  },
//	  "summary": {"add": 1, "change": 2, "replace": 0, "destroy": 0, "weakening": 1,  // totals over the accounts; weakening: changes of class weakening
//	              "applied": {"add": 1, "change": 2, "replace": 0, "destroy": 0,    // kind "apply" only: the applied actions by what they did
//	                          "failed": 0, "not_started": 0}},                       // (a behavior update is a change), then the others
//	  "writes": [{"method": "PUT", …}],   // kind "apply" only: every write the run made and had answered, as in results[].writes,
//	                                       // the checks after creates included (riskctl's own audit-log entries)
//	  "accounts": [                        // in the order given
//	    {
//	      "account_id": "0123…",
//	      "spec_files": ["prod.yaml"],
//	      "has_changes": true,
//	      "summary": {"add": 1, "change": 2, "replace": 0, "destroy": 0, "weakening": 1},  // and "applied" for kind "apply"
//	      "targets": ["behavior:imp_travel"],   // --target; [] for a full plan
//	      "ignored": [                     // differences kept out by the spec's ignore lists
//	        {"resource": "integration", "key": "idp-a", "field": "active", "live": "false", "desired": "true"}
//	      ],
//	      "plan": {…},                     // the plan in package plan's JSON format; null when the account failed before planning;
//	                                       // for drift and plan, each change whose live object differs from the spec also has
//	                                       // "changed_by": [{"actor_email", "actor_token_name", "actor_type", "actor_context",
//	                                       //   "time", "action", "ray_id"}] (latest first, at most 3; attribution.go) and, when
//	                                       // that is [], "changed_by_unknown": "why" (never "nobody")
//	      "audit_note": "…",               // drift and plan, when the audit log could not be read: why nobody is named
//	      "error": "…",                    // only when the account failed
//	      "exit_code": 0,                  // this account's exit code
//	      "access_impact": [               // Access rules the plan makes dead, revives or changes, and lint (package assess)
//	        {"policy_id": "…", "policy_name": "Block high risk", "decision": "allow", "list": "exclude",
//	         "levels": ["high"], "apps": ["Intranet"], "effect": "dead", "detail": "…"}
//	      ],
//	      "access_checked": true,          // every Access list was read (false for an applied saved plan: not assessed)
//	      "access_not_checked": "…",       // when false and known: what was not checked, and why
//	      "findings": [                    // wiring breaks: unmanaged_active_integration, idp_missing, idp_not_okta, idp_tenant_mismatch
//	        {"kind": "unmanaged_active_integration", "reference_id": "…", "detail": "…"}
//	      ],
//	      "results": [                     // kind "apply" only: one per plan change, in plan order; [] when apply did not start
//	        {
//	          "action": "create",          // as in the plan
//	          "resource": "integration",
//	          "key": "idp-new",
//	          "tenant_url": "https://…",   // integrations: as on the plan's change (host in ASCII)
//	          "label": "…",                // integrations the spec labels only
//	          "status": "applied",         // "applied" | "failed" | "skipped"
//	          "error": "…",                // failed and skipped only
//	          "id": "…",                   // the integration's server id, when one was reached
//	          "note": "…",                 // when a concurrent run's copy decided the outcome
//	          "duration_ms": 120,          // wall time of the action's API calls
//	          "writes": [                  // the action's answered writes: riskctl's own audit-log entries
//	            {"method": "PUT", "path": "/client/v4/accounts/…/zt_risk_scoring/behaviors", "status": 200,
//	             "audit_log_id": "…", "ray_id": "…"}  // Cf-Auditlog-Id and cf-ray; "" when not sent
//	          ]
//	        }
//	      ]
//	    }
//	  ]
//	}
//
// # Markdown
//
// For GitHub (GFM). Per account, a section that starts with a hidden
// marker, so that a workflow can find and update its own comment:
//
//	<!-- riskctl:plan account=ID -->     (riskctl:apply, riskctl:drift; characters
//	                                      other than [A-Za-z0-9._-] in ID become _)
//
// then a heading, the spec files, the account's error (a [!CAUTION]
// alert), the partial-plan warning (a [!WARNING] alert), the summary line
// in bold ("Plan: 1 to add, …", or "No changes", "No drift"), a [!WARNING]
// alert naming every deleted or replaced integration (at most 10, then "and
// N more"), for apply a table of the failed actions and their errors, one
// table per resource type ("Behaviors", "Integrations") with one row per
// changed field:
//
//	plan:  | Action | Key | Field | Before → After |   (🟢 create, 🟡 update, 🟣 replace, 🔴 delete)
//	apply: | Status | Action | Key | Field | Before → After |   (✅ applied, ❌ failed, ⏭ skipped)
//	drift: | Drift | Key | Field | Live | Desired |   (🟡 changed, 🟡 missing, 🟣 changed (replace), 🔴 not in spec)
//
// (drift is a problem: an integration the spec declares that is missing
// from the account is marked as drift, never as a green create), then the
// unmanaged objects and the ignored differences. Before the change tables,
// after the alerts, come the findings (| Finding | reference_id | Detail |),
// the Access impact (| Effect | Policy | Decision | List | Levels | Apps |
// Detail |), the Access lint folded, and a [!NOTE] when Access could not be
// read. A table of at most 10
// changes (changes, not rows: an update of several fields is one change)
// is open under its "####" heading; a bigger one is folded in <details>
// whose summary counts what is inside, in the plan's order and action
// words, zero counts left out:
//
//	<details><summary>Integrations: 2 create · 2 update · 5 delete</summary>
//	<details><summary>Errors: 11 failed actions</summary>
//
// The unmanaged behaviors and the ignored differences are not changes: they
// are always folded, with their counts ("Unmanaged, left alone (not in the
// spec): 2 behaviors", "2 differences ignored by the spec's ignore
// lists"). The unmanaged integrations are news (each may stream risk
// scores to a tenant nobody declared): an open table "Unmanaged
// integrations (not in any spec, left alone): N" with reference_id, id,
// tenant_url and active. Values are code spans (| escaped as \|, the lines
// of a multi-line value joined with " · ", the fence longer than any
// backtick run inside). Several accounts get a title and a totals line
// first.
//
// The output is at most maxBytes (60,000 by default, below GitHub's 65,536
// characters per comment). A longer rendering is cut before the first
// table row (all rows of one change together), block or section that does
// not fit (the Access impact rows, which come first, only with the room
// the changes leave), the open <details> are closed and a last line says so: "…
// output truncated: N of M changes shown. Run `riskctl plan` locally or
// download the plan artifact for the full plan."
//
// # GitHub Actions
//
// GitHub.Publish appends the Markdown to $GITHUB_STEP_SUMMARY and these
// lines to $GITHUB_OUTPUT: has_changes=true|false, add=N, change=N,
// replace=N, destroy=N, weakening=N, exit_code=N, exit_reason=R, access_impact=N (Access
// impact entries, lint included), findings=N (over every account),
// emulated=true|false, where the code and
// R come from the CLI's status table (internal/cli/exitcode.go): R is one
// of no-changes, changes, applied, partial, stale-plan, refused,
// cancelled, invalid, error, in-sync, drift; and apply_refusal=REASON when a
// plan's Report.ApplyRefusal is set. The Markdown of such a plan starts
// with a CAUTION alert saying apply will refuse it, the reason in a fenced
// block (its names are live values, never Markdown). A delete-limit
// refusal is the same everywhere: one sentence with the counts and the
// fix, at most 10 names and "… and N more"
// (reconcile.DeleteLimitError.Lines, OneLine).
package report
