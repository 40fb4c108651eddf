package spec_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/riskctl/riskctl/internal/spec"
)

func TestPosString(t *testing.T) {
	for _, tc := range []struct {
		pos  spec.Pos
		want string
	}{
		{spec.Pos{File: "a.yaml", Line: 3, Col: 7}, "a.yaml:3:7"},
		{spec.Pos{File: "a.yaml", Line: 3}, "a.yaml:3"},
		{spec.Pos{File: "a.yaml"}, "a.yaml"},
		{spec.Pos{Line: 3, Col: 7}, "3:7"},
		{spec.Pos{}, ""},
	} {
		if got := tc.pos.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.pos, got, tc.want)
		}
	}
}

func TestErrorsSortedOnePerLine(t *testing.T) {
	errs := spec.Errors{
		{Pos: spec.Pos{File: "b.yaml", Line: 1, Col: 1}, Msg: "b1"},
		{Pos: spec.Pos{File: "a.yaml", Line: 10, Col: 1}, Msg: "a10"},
		{Pos: spec.Pos{File: "a.yaml", Line: 2, Col: 9}, Msg: "a2:9"},
		{Pos: spec.Pos{File: "a.yaml", Line: 2, Col: 3}, Msg: "a2:3"},
		{Pos: spec.Pos{File: "a.yaml"}, Msg: "whole file"},
		{Msg: "nowhere"},
	}
	want := "nowhere\na.yaml: whole file\na.yaml:2:3: a2:3\na.yaml:2:9: a2:9\na.yaml:10:1: a10\nb.yaml:1:1: b1"
	if got := errs.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	if errs[0].Msg != "b1" {
		t.Errorf("Error() reordered its receiver")
	}
}

// TestErrorsAs is the CLI's contract: a wrapped Errors is found with
// errors.As, which is how it maps invalid specs to exit code 3.
func TestErrorsAs(t *testing.T) {
	_, err := spec.Parse("spec.yaml", []byte("version: 2\n"), spec.Options{})
	wrapped := fmt.Errorf("validate: %w", err)
	if !errors.As(wrapped, &spec.Errors{}) {
		t.Fatalf("errors.As(%v, &spec.Errors{}) = false", wrapped)
	}
	var errs spec.Errors
	errors.As(wrapped, &errs)
	want := spec.Pos{File: "spec.yaml", Line: 1, Col: 10}
	if len(errs) != 1 || errs[0].Pos != want {
		t.Errorf("errs = %v, want one error at %v", errs, want)
	}
}
