package emulator

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func getBehaviors(t *testing.T, v *testEnv) map[string]wireBehavior {
	t.Helper()
	var res struct {
		Behaviors map[string]wireBehavior `json:"behaviors"`
	}
	v.do("GET", path("/behaviors"), nil).wantOK(t).result(t, &res)
	return res.Behaviors
}

func TestBehaviorsSeededDisabled(t *testing.T) {
	v := newTestEnv(t, Options{})
	got := getBehaviors(t, v)
	want := map[string]struct{ name, level string }{
		"imp_travel":   {"Impossible Travel", "high"},
		"high_dlp":     {"High Number of DLP Policies Triggered", "medium"},
		"sentinel_one": {"SentinelOne Infection Detected", "medium"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d behaviors, want %d: %+v", len(got), len(want), got)
	}
	for key, w := range want {
		b, ok := got[key]
		switch {
		case !ok:
			t.Errorf("missing %s", key)
		case b.Name != w.name || b.RiskLevel != w.level || b.Enabled || len(b.Description) < 20:
			t.Errorf("%s = %+v, want name %q, level %q, disabled, a description", key, b, w.name, w.level)
		}
	}
	// dlp_Behavior requires all four fields on the wire.
	r := v.do("GET", path("/behaviors"), nil)
	var raw struct {
		Behaviors map[string]map[string]json.RawMessage `json:"behaviors"`
	}
	r.result(t, &raw)
	for key, fields := range raw.Behaviors {
		for _, f := range []string{"name", "description", "enabled", "risk_level"} {
			if _, ok := fields[f]; !ok {
				t.Errorf("%s lacks %s", key, f)
			}
		}
	}
}

func TestPutBehaviorsMergesAndAnswersAll(t *testing.T) {
	v := newTestEnv(t, Options{})
	before := getBehaviors(t, v)
	var res struct {
		Behaviors map[string]wireBehavior `json:"behaviors"`
	}
	// name is not an accepted field: it is ignored, as is any extra field.
	v.do("PUT", path("/behaviors"), `{"behaviors":{"imp_travel":{"enabled":true,"risk_level":"low","name":"Renamed"}},"extra":1}`).
		wantOK(t).result(t, &res)
	want := map[string]wireBehavior{}
	for k, b := range before {
		want[k] = b
	}
	b := want["imp_travel"]
	b.Enabled, b.RiskLevel = true, "low"
	want["imp_travel"] = b
	if !reflect.DeepEqual(res.Behaviors, want) {
		t.Errorf("PUT answered %+v\nwant %+v", res.Behaviors, want)
	}
	if got := getBehaviors(t, v); !reflect.DeepEqual(got, want) {
		t.Errorf("GET after PUT = %+v\nwant %+v", got, want)
	}
	// An empty map changes nothing and still answers every behavior.
	v.do("PUT", path("/behaviors"), `{"behaviors":{}}`).wantOK(t).result(t, &res)
	if !reflect.DeepEqual(res.Behaviors, want) {
		t.Errorf("empty PUT answered %+v", res.Behaviors)
	}
}

func TestPutBehaviorsValidation(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		code       int
		inMessage  string
	}{
		{"malformed", `{"behaviors":`, codeMalformedBody, "Malformed JSON"},
		{"empty body", ``, codeMalformedBody, "empty"},
		{"array body", `[]`, codeMalformedBody, "object"},
		{"null body", `null`, codeMalformedBody, "null"},
		{"trailing data", `{"behaviors":{}} {}`, codeMalformedBody, "after"},
		{"missing behaviors", `{}`, codeMissingField, `"behaviors"`},
		{"null behaviors", `{"behaviors":null}`, codeMissingField, `"behaviors"`},
		{"behaviors not object", `{"behaviors":[1]}`, codeWrongType, `"behaviors"`},
		{"entry not object", `{"behaviors":{"imp_travel":true}}`, codeWrongType, `"behaviors.imp_travel"`},
		{"missing enabled", `{"behaviors":{"imp_travel":{"risk_level":"low"}}}`, codeMissingField, `"behaviors.imp_travel.enabled"`},
		{"missing risk_level", `{"behaviors":{"imp_travel":{"enabled":true}}}`, codeMissingField, `"behaviors.imp_travel.risk_level"`},
		{"enabled wrong type", `{"behaviors":{"imp_travel":{"enabled":"yes","risk_level":"low"}}}`, codeWrongType, "boolean"},
		{"risk_level wrong type", `{"behaviors":{"imp_travel":{"enabled":true,"risk_level":3}}}`, codeWrongType, "string"},
		{"risk_level wrong case", `{"behaviors":{"imp_travel":{"enabled":true,"risk_level":"High"}}}`, codeInvalidValue, `"High"`},
		{"risk_level unknown", `{"behaviors":{"imp_travel":{"enabled":true,"risk_level":"critical"}}}`, codeInvalidValue, `"critical"`},
		{"unknown key", `{"behaviors":{"foo":{"enabled":true,"risk_level":"low"}}}`, codeUnknownKey, `"foo"`},
		// A valid entry next to a bad one must not be applied either.
		{"mixed", `{"behaviors":{"high_dlp":{"enabled":true,"risk_level":"high"},"zzz":{"enabled":true,"risk_level":"low"}}}`, codeUnknownKey, `"zzz"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newTestEnv(t, Options{})
			before := getBehaviors(t, v)
			r := v.do("PUT", path("/behaviors"), tc.body).wantError(t, http.StatusBadRequest, tc.code)
			if !strings.Contains(r.errors[0].Message, tc.inMessage) {
				t.Errorf("message %q lacks %q", r.errors[0].Message, tc.inMessage)
			}
			if after := getBehaviors(t, v); !reflect.DeepEqual(after, before) {
				t.Errorf("a rejected PUT changed behaviors: %+v", after)
			}
		})
	}
}

func TestPutBehaviorsListsEveryProblem(t *testing.T) {
	v := newTestEnv(t, Options{})
	r := v.do("PUT", path("/behaviors"), `{"behaviors":{"a":{},"imp_travel":{"enabled":1}}}`).wantError(t, http.StatusBadRequest, codeUnknownKey)
	codes := []int{}
	for _, e := range r.errors {
		codes = append(codes, e.Code)
	}
	if want := []int{codeUnknownKey, codeWrongType, codeMissingField}; !reflect.DeepEqual(codes, want) {
		t.Errorf("codes %v, want %v (%s)", codes, want, r.raw)
	}
	if !strings.Contains(r.errors[0].Message, "high_dlp, imp_travel, sentinel_one") {
		t.Errorf("unknown-key message should name the account's keys: %q", r.errors[0].Message)
	}
}

func TestBehaviorHelpers(t *testing.T) {
	v := newTestEnv(t, Options{})
	v.e.SetBehavior(testAccount, "new_key", Behavior{Name: "New", Description: "d", RiskLevel: "low"})
	if _, ok := getBehaviors(t, v)["new_key"]; !ok {
		t.Error("SetBehavior's key is not served")
	}
	// The copy must not alias the state.
	m := v.e.Behaviors(testAccount)
	m["imp_travel"] = Behavior{Name: "changed"}
	if v.e.Behaviors(testAccount)["imp_travel"].Name != "Impossible Travel" {
		t.Error("Behaviors returned an alias of the state")
	}
}
