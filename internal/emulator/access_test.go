package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/riskctl/riskctl/internal/testwait"
)

// accessPath is the URL path of an Access list of testAccount.
func accessPath(kind string) string {
	return "/client/v4/accounts/" + testAccount + "/access/" + kind
}

// accessWith builds AccessData of n policies p0..p(n-1), through the
// file's parser.
func accessWith(t *testing.T, n int) *AccessData {
	t.Helper()
	var b strings.Builder
	b.WriteString("policies:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {id: p%d, name: P%d, decision: allow, include: [{everyone: {}}]}\n", i, i)
	}
	d, err := ParseAccess("access.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// accessIDs reads the ids of one page.
func accessIDs(t *testing.T, r response) []string {
	t.Helper()
	var objs []struct {
		ID string `json:"id"`
	}
	r.result(t, &objs)
	if objs == nil {
		t.Fatalf("result is not an array: %s", r.raw)
	}
	ids := []string{}
	for _, o := range objs {
		ids = append(ids, o.ID)
	}
	return ids
}

// TestAccessExampleServed: the sample file loads, and each route answers
// its objects as the file gives them (the user_risk_score rule nested
// twice, unquoted timestamps as strings).
func TestAccessExampleServed(t *testing.T) {
	d, err := LoadAccess(filepath.Join("..", "..", "examples", "emulator", "access.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	v := newTestEnv(t, Options{Access: d})
	for kind, n := range map[string]int{"identity_providers": 2, "policies": 2, "apps": 1, "groups": 1} {
		r := v.do("GET", accessPath(kind), nil).wantOK(t)
		if got := accessIDs(t, r); len(got) != n {
			t.Errorf("%s: %v, want %d objects", kind, got, n)
		}
		if info := r.info(t); info != [5]int{n, 1, 20, n, 1} {
			t.Errorf("%s: result_info %v", kind, info)
		}
	}
	var pols []map[string]any
	v.do("GET", accessPath("policies"), nil).wantOK(t).result(t, &pols)
	exclude, _ := json.Marshal(pols[0]["exclude"])
	if string(exclude) != `[{"user_risk_score":{"user_risk_score":["high"]}}]` || pols[0]["created_at"] != "2026-06-01T09:00:00Z" {
		t.Errorf("policy served as %v", pols[0])
	}
	var idps []struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		Config struct {
			OktaAccount string `json:"okta_account"`
		} `json:"config"`
	}
	v.do("GET", accessPath("identity_providers"), nil).wantOK(t).result(t, &idps)
	if idps[0].ID != "2f6f6d8e-4b1a-4c3e-9d5f-7a8b9c0d1e2f" || idps[0].Type != "okta" || idps[0].Config.OktaAccount != "https://acme.okta.com" {
		t.Errorf("identity provider %+v", idps[0])
	}
}

// TestAccessServedAsWritten: keys keep the file's order and numbers their
// digits; YAML-only spellings become their JSON values.
func TestAccessServedAsWritten(t *testing.T) {
	d, err := ParseAccess("a.yaml", []byte("groups:\n  - {name: G, id: g1, n: 12345678901234567890, h: 0x1f, f: 1.5, ok: True, none: ~, at: 2025-01-01T00:00:00Z, s: '<&>'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"G","id":"g1","n":12345678901234567890,"h":31,"f":1.5,"ok":true,"none":null,"at":"2025-01-01T00:00:00Z","s":"\u003c\u0026\u003e"}`
	if got := string(d.Groups[0]); got != want {
		t.Errorf("served %s\nwant   %s", got, want)
	}
	// A JSON file is read as JSON, escapes included.
	d, err = ParseAccess("a.json", []byte(`{"groups": [{"id": "g\/1", "name": "\ud83d\ude00"}], "apps": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(d.Groups[0]); got != `{"id":"g/1","name":"😀"}` || d.Apps == nil || len(d.Apps) != 0 {
		t.Errorf("served %s, apps %v", got, d.Apps)
	}
}

// TestAccessPaging: page and per_page as on the other collections: the
// default page size, a cap of 100, a page past the end empty with the
// true totals, and bad values 400 code 1006.
func TestAccessPaging(t *testing.T) {
	v := newTestEnv(t, Options{Access: accessWith(t, 250), PageSize: 7})
	r := v.do("GET", accessPath("policies"), nil).wantOK(t)
	if ids := accessIDs(t, r); len(ids) != 7 || ids[0] != "p0" || r.info(t) != [5]int{7, 1, 7, 250, 36} {
		t.Errorf("default page: %v %v", ids, r.info(t))
	}
	var all []string
	for page := 1; ; page++ {
		r := v.do("GET", accessPath("policies")+fmt.Sprintf("?page=%d&per_page=100", page), nil).wantOK(t)
		ids := accessIDs(t, r)
		if len(ids) == 0 {
			if info := r.info(t); info != [5]int{0, page, 100, 250, 3} {
				t.Errorf("past the end: %v", info)
			}
			break
		}
		all = append(all, ids...)
	}
	if len(all) != 250 || all[0] != "p0" || all[249] != "p249" {
		t.Errorf("paged through %d policies: %v ... ", len(all), all[:min(3, len(all))])
	}
	r = v.do("GET", accessPath("policies")+"?per_page=1000&page=3", nil).wantOK(t)
	if ids := accessIDs(t, r); len(ids) != 50 || ids[0] != "p200" || r.info(t) != [5]int{50, 3, 100, 250, 3} {
		t.Errorf("per_page over the cap: %d ids, %v", len(ids), r.info(t))
	}
	for _, q := range []string{"?page=0", "?per_page=-1", "?page=x"} {
		v.do("GET", accessPath("policies")+q, nil).wantError(t, http.StatusBadRequest, codeBadQuery)
	}
	// No Access data: every list is empty, not missing.
	for _, kind := range accessKinds {
		r := v.do("GET", accessPath(kind), nil).wantOK(t)
		if kind != "policies" && (string(r.fields["result"]) != "[]" || r.info(t) != [5]int{0, 1, 7, 0, 1}) {
			t.Errorf("%s without data: %s", kind, r.raw)
		}
	}
}

// TestAccessRoutesLikeTheOthers: auth, accounts, methods and
// --no-access-read.
func TestAccessRoutesLikeTheOthers(t *testing.T) {
	other := "0123456789abcdef0123456789abcdef"
	v := newTestEnv(t, Options{Token: "tok", Accounts: []string{testAccount}, Access: accessWith(t, 1)})
	for _, kind := range accessKinds {
		p := accessPath(kind)
		v.do("GET", p, nil).wantError(t, http.StatusBadRequest, codeMissingAuth)
		v.do("GET", p, nil, "Authorization", "Bearer wrong").wantError(t, http.StatusForbidden, codeAuth)
		v.do("GET", p, nil, "Authorization", "Bearer tok").wantOK(t)
		v.do("GET", strings.Replace(p, testAccount, other, 1), nil, "Authorization", "Bearer tok").wantError(t, http.StatusForbidden, codeAuth)
		v.do("GET", strings.Replace(p, testAccount, "ACCOUNT", 1), nil, "Authorization", "Bearer tok").wantError(t, http.StatusBadRequest, codeBadIdentifier)
		r := v.do("POST", p, "{}", "Authorization", "Bearer tok").wantError(t, http.StatusMethodNotAllowed, codeMethod)
		if allow := r.header.Get("Allow"); allow != "GET" {
			t.Errorf("%s: Allow %q", kind, allow)
		}
	}
	v.do("GET", "/client/v4/accounts/"+testAccount+"/access/certificates", nil, "Authorization", "Bearer tok").wantError(t, http.StatusNotFound, codeNoRoute)
	v.do("GET", accessPath("policies")+"/p0", nil, "Authorization", "Bearer tok").wantError(t, http.StatusNotFound, codeNoRoute)

	denied := newTestEnv(t, Options{NoAccessRead: true, Access: accessWith(t, 1)})
	for _, kind := range accessKinds {
		r := denied.do("GET", accessPath(kind)+"?page=0", nil).wantError(t, http.StatusForbidden, codeAuth)
		if r.errors[0].Message != "Authentication error" {
			t.Errorf("%s: %s", kind, r.raw)
		}
	}
	// The risk-scoring routes are not affected.
	denied.do("GET", path("/behaviors"), nil).wantOK(t)
}

// TestAccessFileRefused: each problem of a bad file is named with the
// file, line and column, all at once.
func TestAccessFileRefused(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"unknown key", "policies: []\naplications: []\n", `a.yaml:2:1: the file: unknown field "aplications" (expected identity_providers, policies, apps, groups)`},
		{"missing id", "groups:\n  - {name: G}\n", "a.yaml:2:5: group: missing id"},
		{"empty id", "groups:\n  - {id: ''}\n", "a.yaml:2:10: group: id must not be empty"},
		{"number id", "apps:\n  - {id: 7}\n", "a.yaml:2:10: app: id must be a string"},
		{"duplicate id", "policies:\n  - {id: a}\n  - {id: a}\n", `a.yaml:3:10: policy: duplicate id "a"`},
		{"not a list", "policies: {id: a}\n", "a.yaml:1:11: policies must be a list"},
		{"null list", "groups:\n", "a.yaml:1:8: groups must be a list (write groups: [] for none)"},
		{"object not a mapping", "identity_providers: [okta]\n", "a.yaml:1:22: identity provider must be a mapping"},
		{"include not a list", "policies:\n  - {id: a, include: {everyone: {}}}\n", `a.yaml:2:22: policy "a": include must be a list`},
		{"group rules not a list", "groups:\n  - {id: g, exclude: high}\n", `group "g": exclude must be a list`},
		{"embedded policy rules", "apps:\n  - {id: x, policies: [{id: p, require: x}]}\n", `app "x": policies[0]: require must be a list`},
		{"app policies not a list", "apps:\n  - {id: x, policies: p}\n", `app "x": policies must be a list`},
		{"risk score nested once", "policies:\n  - {id: a, exclude: [{user_risk_score: [high]}]}\n", `policy "a": exclude: user_risk_score must be a mapping`},
		{"risk score inner key", "policies:\n  - {id: a, exclude: [{user_risk_score: {levels: [high]}}]}\n", "user_risk_score is nested twice"},
		{"risk score level", "groups:\n  - {id: g, require: [{user_risk_score: {user_risk_score: [High]}}]}\n", `user_risk_score level must be one of low, medium, high, unscored, got "High"`},
		{"two selectors", "policies:\n  - {id: a, include: [{everyone: {}, email: {email: a@b.c}}]}\n", "a rule has exactly one selector"},
		{"group rule without id", "policies:\n  - {id: a, include: [{group: {name: G}}]}\n", "group rule without id"},
		{"alias", "groups:\n  - &g {id: g}\n", "anchors and aliases are not allowed"},
		{"non-string key", "groups:\n  - {id: g, 7: x}\n", "a.yaml:2:13: group: key must be a string"},
		{"duplicate nested key", "identity_providers:\n  - {id: i, config: {okta_account: a, okta_account: b}}\n", `a.yaml:2:39: duplicate key "okta_account"`},
		{"duplicate JSON key", `{"groups": [{"id": "g", "name": "a", "name": "b"}]}`, `a.yaml:1:38: group: duplicate field "name"`},
		{"infinity", "groups:\n  - {id: g, n: .inf}\n", `a.yaml:2:16: ".inf" is not a number JSON can hold`},
		{"custom tag", "groups:\n  - {id: g, b: !!binary aGk=}\n", "a.yaml:2:16: YAML tag !!binary has no JSON equivalent"},
		{"two documents", "groups: []\n---\ngroups: []\n", "a.yaml: expected one document"},
		{"empty", "", "a.yaml: the file is empty"},
		{"top-level list", "[]\n", "a.yaml:1:1: the file must be a mapping"},
		{"deep", "groups:\n  - {id: g, x: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}\n", "nested deeper than 64 levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAccess("a.yaml", []byte(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant %q", err, tc.want)
			}
		})
	}
	// Every problem at once.
	_, err := ParseAccess("a.yaml", []byte("groups:\n  - {name: G}\npolicies:\n  - {id: a, include: x}\nextra: 1\n"))
	if err == nil || strings.Count(err.Error(), "a.yaml:") != 3 {
		t.Errorf("error %v, want three problems", err)
	}
}

// TestAccessFileBounded: a file over MaxAccessBytes, a FIFO, a directory
// and a missing file are refused at once, naming the file.
func TestAccessFileBounded(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxAccessBytes + 1); err != nil { // sparse
		t.Fatal(err)
	}
	f.Close()
	cases := map[string]string{
		big:                                "larger than the limit of 8 MiB",
		dir:                                "a directory, not a file",
		filepath.Join(dir, "nothing.yaml"): "no such file",
	}
	if runtime.GOOS != "windows" {
		fifo := filepath.Join(dir, "fifo.yaml")
		if err := makeFIFO(fifo); err == nil {
			cases[fifo] = "a named pipe (FIFO), not a regular file"
		}
	}
	for path, want := range cases {
		done := make(chan error, 1)
		go func() { _, err := LoadAccess(path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "access file: open "+path+": ") || !strings.Contains(err.Error(), want) {
				t.Errorf("LoadAccess(%s): %v, want %q", path, err, want)
			}
		case <-testwait.After(t):
			t.Fatalf("LoadAccess(%s) hangs", path)
		}
	}
}

// TestAccessOptionChecked: AccessData given in code gets the file's
// checks, as an OptionError of the field Access.
func TestAccessOptionChecked(t *testing.T) {
	_, err := New(Options{Access: &AccessData{
		Policies: []json.RawMessage{json.RawMessage(`{"id":"a","include":{"everyone":{}}}`)},
		Groups:   []json.RawMessage{json.RawMessage(`{"name":"G"}`), json.RawMessage(`[`), json.RawMessage(`{"id":"g","n":1e999}`), json.RawMessage(`{"id":"h","x":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`)},
	}})
	var oe *OptionError
	if err == nil || !errors.As(err, &oe) || oe.Field != "Access" {
		t.Fatalf("error %v, want an OptionError of Access", err)
	}
	for _, want := range []string{`policies[0]:1:21: policy "a": include must be a list`, "groups[0]:1:1: group: missing id", "groups[1]: not valid JSON",
		"groups[2]: json: cannot unmarshal number 1e999", "groups[3]:1:79: nested deeper than 64 levels"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	// What is served is a copy: the caller's later changes are not.
	d := accessWith(t, 1)
	v := newTestEnv(t, Options{Access: d})
	d.Policies[0][7] = 'X'
	if ids := accessIDs(t, v.do("GET", accessPath("policies"), nil).wantOK(t)); len(ids) != 1 || ids[0] != "p0" {
		t.Errorf("served %v", ids)
	}
}
