// Package spec loads riskctl spec files: the desired side of
// desired → plan → apply. It turns YAML into a state.Account and remembers
// where each piece was written, so that every later complaint (a behavior
// key the account lacks, a protected integration a plan would delete) can
// point at file:line:col.
//
// # Format (version 1)
//
//	version: 1                             # required; only 1 is understood
//	account_id: ${CLOUDFLARE_ACCOUNT_ID}   # 32 lower-case hex characters
//	behaviors:                             # behavior id → settings; only these keys are managed
//	  imp_travel: {enabled: true, risk_level: high}
//	  high_dlp:   {enabled: true, risk_level: medium, ignore: [risk_level]}
//	integrations:                          # matched on reference_id, unique in the file
//	  - reference_id: 0b3f1c4e-5d6a-4e7b-8c9d-0e1f2a3b4c5d
//	    integration_type: Okta
//	    tenant_url: https://acme.okta.com
//	    active: true                       # optional, default true
//	    protect: true                      # optional, default false: plans may not delete or replace it
//	    ignore: [active]                   # optional: differences in these fields are not changes
//	prune: false                           # optional, default false
//
// # Ignore lists
//
// A behavior or an integration may carry "ignore", a list of fields whose
// differences plans keep out of their changes and only report: enabled and
// risk_level for a behavior; integration_type, tenant_url and active for an
// integration (File.Policy, beside the account: prune, protect and ignore
// say how to reconcile, not what the account holds). An ignored field is
// never written to an object that exists: it never causes an update or a
// replace, and an update caused by another field carries its live value.
// A create does write it: there is no live value to keep. The ignored
// fields stay required, so that removing them from the ignore list gives a
// complete spec. A null list ignores nothing.
//
// # Files and directories
//
// Load takes files and directories; a directory stands for its *.yaml and
// *.yml files, sorted by name, not recursing and leaving out hidden files
// (Expand). Each file declares one account.
//
// # Strictness
//
// Loading is strict and reports every problem of every file at once, each
// as an Error at the position of the offending node. Parse walks yaml.Node
// trees itself rather than decoding into structs: yaml's KnownFields does not
// reach custom unmarshalers, decoding would silently keep the last of two
// duplicate keys, and only nodes carry positions. These are errors:
//
//   - YAML syntax errors (at the line yaml reports, which has no column),
//     a top level that is not a mapping, more than one YAML document;
//   - a missing version, or a version other than 1 (an unsupported version
//     stops the check: the rest of the file may follow other rules); an
//     empty file, or one holding only comments, is a missing version at
//     line 1, column 1: it is most likely the wrong file or a cut-off one;
//   - unknown keys at any level (the message lists the allowed keys and
//     suggests a near miss), duplicate keys in any mapping, and keys that
//     Cloudflare computes (id, account_tag, created_at, well_known_url on an
//     integration; name, description on a behavior);
//   - wrong types. Booleans are true or false only (YAML 1.2: yes, no, on,
//     off are strings). Strings must be YAML strings: an unquoted number is
//     an error asking to quote it, since YAML would have read it as a number;
//   - risk_level other than low, medium, high; integration_type other than
//     Okta (both case-insensitive, normalised to "high", "Okta", ...);
//   - an ignore that is not a list, names a field that cannot be ignored
//     (with a suggestion for a near miss, and the reason for fields that
//     plans never compare, and for reference_id), or names a field twice;
//   - a directory without spec files, a file that cannot be read, a path
//     that is not a regular file (a named pipe, a device, a socket), a file
//     larger than MaxSpecBytes (Load);
//   - a behavior without enabled or risk_level; an integration without
//     reference_id, integration_type or tenant_url; a behavior id that is not
//     made of a-z, 0-9 and _;
//   - a tenant_url that is not an absolute https URL with a host, or that
//     carries user info, a query, a fragment, or a port outside 1–65535;
//   - a reference_id that is empty, that holds anything but printable ASCII
//     (control, bidi and other non-ASCII characters; messages quote it with
//     those escaped), or that starts or ends with a space;
//   - a reference_id used twice in a file; an account id that is not 32
//     lower-case hex characters, or that is empty when Options gives no
//     default; one account declared by two files (Load).
//
// A file holding only "version: 1" declares nothing to manage. A null
// behaviors or integrations value ("behaviors:" with every entry commented
// out) means none. YAML aliases are followed; errors inside aliased content
// point at the anchored original.
//
// # Limits
//
// Nothing in a spec can make loading it take long or say much:
//
//   - Load reads regular files only, checked before opening (so a named
//     pipe never blocks it), and at most MaxSpecBytes (4 MiB) of each, a
//     size checked before reading and enforced while reading;
//   - aliases may add at most 100,000 nodes to what a file writes out (a
//     "billion laughs" file is an error at its top, found before any of it
//     is checked);
//   - a value is at most MaxValueBytes (64 KiB) after interpolation, and
//     interpolation produces at most 16 MiB per file; past either, the
//     scalar is an error;
//   - a file's check stops after 1,000 errors, and Errors.Error lists the
//     first MaxReportedErrors (100), then "... and N more errors".
//
// # Interpolation
//
// Scalar values, never keys, may use ${VAR} and ${VAR:-default}. The default
// applies when VAR is unset or empty, as in POSIX sh; it is plain text up to
// the first "}" (no nesting). An unset VAR without a default is an error at
// that scalar. "$$" is a literal "$"; any other "$" is left alone, so $VAR
// and $(cmd) are not expanded.
//
// A spec reads only CLOUDFLARE_ACCOUNT_ID and RISKCTL_VAR_* variables
// (interpolate.go): any other name is an error, set or not, so a pull
// request cannot read a CI secret into a value that plan prints. A variable
// whose value holds a credential of the run (Options.Secrets), and any
// value that holds one however it got there, is an error too; the message
// never quotes the value.
//
// Interpolation runs before the scalar's type is checked. A substituted
// scalar that was written unquoted is then resolved again as YAML would
// resolve the resulting text, so "enabled: ${RISKCTL_VAR_ON:-true}" is the
// boolean true while "enabled: '${RISKCTL_VAR_ON:-true}'" is the string
// "true". Fields that
// expect a string take substituted text as it is, whatever it looks like: the
// advice to quote numbers exists because YAML would have read them as
// numbers, and YAML never read a substituted value — an all-digit account id
// from CLOUDFLARE_ACCOUNT_ID must not need quotes. Inside a flow mapping
// ({...}) the braces of ${...} clash with YAML's own, so write interpolated
// values in block style or quote them.
package spec
