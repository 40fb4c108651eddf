package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
)

// object is a JSON object body kept as raw fields, so that a missing field,
// a null, a wrong type and an extra field can each be told apart. Extra
// fields are simply never looked at: the real API accepts and ignores them
// (docs/api.md#what-clients-send: Terraform sends active on POST and integration_type on PUT).
// Problems accumulate in errs, so one answer lists every one of them.
type object struct {
	path   string // JSON path prefix for messages, e.g. "behaviors.imp_travel."
	fields map[string]json.RawMessage
	errs   *[]apiError
}

// parseObject decodes a request body that must be exactly one JSON object.
func parseObject(body []byte) (object, *reply) {
	malformed := func(why string) (object, *reply) {
		rp := failf(http.StatusBadRequest, codeMalformedBody, "Malformed JSON in request body: %s", why)
		return object{}, &rp
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return malformed("the body is empty, expected a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return malformed("expected a JSON object, got " + typeErr.Value)
		}
		return malformed(err.Error())
	}
	if fields == nil {
		return malformed("expected a JSON object, got null")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return malformed("unexpected data after the JSON object")
	}
	return object{fields: fields, errs: new([]apiError)}, nil
}

func (o object) addf(code int, format string, args ...any) {
	*o.errs = append(*o.errs, apiError{Code: code, Message: fmt.Sprintf(format, args...)})
}

// failed returns the 400 listing every problem, or nil when there is none.
func (o object) failed() *reply {
	if len(*o.errs) == 0 {
		return nil
	}
	rp := fail(http.StatusBadRequest, *o.errs...)
	return &rp
}

// get returns the raw value of a field; null counts as absent, because the
// schema's nullable fields mean "not given" and required ones must not be null.
func (o object) get(name string, required bool) (json.RawMessage, bool) {
	raw, found := o.fields[name]
	if !found || string(raw) == "null" {
		if required {
			o.addf(codeMissingField, "Missing required field %q", o.path+name)
		}
		return nil, false
	}
	return raw, true
}

func (o object) str(name string, required bool) (string, bool) {
	raw, found := o.get(name, required)
	if !found {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		o.addf(codeWrongType, "Field %q must be a string", o.path+name)
		return "", false
	}
	return s, true
}

func (o object) boolean(name string, required bool) (bool, bool) {
	raw, found := o.get(name, required)
	if !found {
		return false, false
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		o.addf(codeWrongType, "Field %q must be a boolean", o.path+name)
		return false, false
	}
	return b, true
}

// obj returns a nested object sharing the error list.
func (o object) obj(name string, required bool) (object, bool) {
	raw, found := o.get(name, required)
	if !found {
		return object{}, false
	}
	return o.objectValue(name, raw)
}

// objectValue parses raw (the value of name) as a nested object.
func (o object) objectValue(name string, raw json.RawMessage) (object, bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		o.addf(codeWrongType, "Field %q must be an object", o.path+name)
		return object{}, false
	}
	return object{path: o.path + name + ".", fields: fields, errs: o.errs}, true
}

// enum reports a string field that is not exactly one of allowed.
func (o object) enum(name, value string, allowed ...string) bool {
	if slices.Contains(allowed, value) {
		return true
	}
	o.addf(codeInvalidValue, "Field %q must be one of %q, got %q", o.path+name, allowed, value)
	return false
}

// maxLen reports a string field longer than max bytes, without echoing
// it (it may be a megabyte).
func (o object) maxLen(name, value string, max int) bool {
	if len(value) <= max {
		return true
	}
	o.addf(codeInvalidValue, "Field %q must be at most %d bytes, got %d", o.path+name, max, len(value))
	return false
}

// absoluteURL reports a tenant_url that is not an absolute URL: the schema
// says format uri, and Okta tenants are always scheme://host.
func (o object) absoluteURL(name, value string) bool {
	u, err := url.Parse(value)
	if err == nil && u.Scheme != "" && u.Host != "" {
		return true
	}
	o.addf(codeInvalidValue, "Field %q must be an absolute URL such as https://tenant.okta.com, got %q", o.path+name, value)
	return false
}
