package tfimport

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// instance is one resource instance of the state, in the form both file
// shapes reduce to.
type instance struct {
	addr     Address
	provider string          // provider source or config address, as the file gives it
	attrs    json.RawMessage // the instance's attribute values
	deposed  string          // a deposed object's key (create_before_destroy leftovers)
	// badAddr is why the address is malformed (a bad name or key); addr
	// is then only approximate, and quoted in the message.
	badAddr string
	// unreadable is why the attributes cannot be read.
	unreadable string
}

// showJSON is `terraform show -json`: unknown fields are ignored, as minor
// format versions add them.
type showJSON struct {
	Values *struct {
		RootModule *showModule `json:"root_module"`
	} `json:"values"`
}

type showModule struct {
	Address      string         `json:"address"`
	Resources    []showResource `json:"resources"`
	ChildModules []showModule   `json:"child_modules"`
}

type showResource struct {
	Address      string          `json:"address"`
	Mode         string          `json:"mode"`
	Type         string          `json:"type"`
	Name         string          `json:"name"`
	Index        json.RawMessage `json:"index"`
	ProviderName string          `json:"provider_name"`
	Values       json.RawMessage `json:"values"`
	DeposedKey   string          `json:"deposed_key"`
}

// decodeShowJSON returns the instances of show -json output; problems of
// modules go to p, of instances into the instances.
func decodeShowJSON(p *problems, data []byte) ([]instance, error) {
	var doc showJSON
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fileError(p.file, "is not `terraform show -json` output: "+jsonReason(err))
	}
	if doc.Values == nil || doc.Values.RootModule == nil {
		return nil, nil // an empty state: show -json leaves values out
	}
	var out []instance
	walkShowModule(p, *doc.Values.RootModule, nil, true, &out)
	return out, nil
}

// walkShowModule appends m's instances, then its child modules', each
// module's address checked against its parent's: a child is its parent's
// path plus one module call.
func walkShowModule(p *problems, m showModule, parent []ModuleStep, root bool, out *[]instance) {
	path := parent
	if !root {
		steps, err := parseModulePath(m.Address)
		switch {
		case err != nil:
			p.add("", err.Error())
			return
		case len(steps) != len(parent)+1 || !slices.Equal(steps[:len(parent)], parent):
			p.add("", fmt.Sprintf("child module %s is not a module called by %s", strconv.Quote(m.Address), orRoot(modulePathString(parent))))
			return
		}
		path = steps
	}
	for _, r := range m.Resources {
		in := instance{provider: r.ProviderName, attrs: r.Values, deposed: r.DeposedKey}
		in.addr, in.badAddr = resourceAddress(path, r.Mode, r.Type, r.Name, r.Index)
		if in.badAddr == "" && r.Address != "" && r.Address != in.addr.String() {
			in.badAddr = fmt.Sprintf("its address %s does not match its module, type, name and index", strconv.Quote(r.Address))
		}
		*out = append(*out, in)
	}
	for _, c := range m.ChildModules {
		walkShowModule(p, c, path, false, out)
	}
}

// rawState is a state file of format version 4.
type rawState struct {
	Resources []rawResource `json:"resources"`
}

type rawResource struct {
	Module    string        `json:"module"`
	Mode      string        `json:"mode"`
	Type      string        `json:"type"`
	Name      string        `json:"name"`
	Provider  string        `json:"provider"`
	Instances []rawInstance `json:"instances"`
}

type rawInstance struct {
	IndexKey       json.RawMessage `json:"index_key"`
	Attributes     json.RawMessage `json:"attributes"`
	AttributesFlat json.RawMessage `json:"attributes_flat"`
	Deposed        string          `json:"deposed"`
}

// decodeRawState returns the instances of a state file; problems of
// modules go to p, of instances into the instances.
func decodeRawState(p *problems, data []byte) ([]instance, error) {
	var st rawState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fileError(p.file, "is not a version 4 state file: "+jsonReason(err))
	}
	var out []instance
	for _, r := range st.Resources {
		path, err := parseModulePath(r.Module)
		if err != nil {
			p.add("", err.Error())
			continue
		}
		for _, ri := range r.Instances {
			in := instance{provider: r.Provider, attrs: ri.Attributes, deposed: ri.Deposed}
			in.addr, in.badAddr = resourceAddress(path, r.Mode, r.Type, r.Name, ri.IndexKey)
			if isNull(ri.Attributes) && !isNull(ri.AttributesFlat) {
				in.unreadable = "its attributes were written by an old provider schema (attributes_flat): run `terraform apply -refresh-only` with a current provider, or import `terraform show -json` output"
			}
			out = append(out, in)
		}
	}
	return out, nil
}

// resourceAddress builds and checks an instance address from its parts.
// On a problem it still returns what it could, for the message.
func resourceAddress(module []ModuleStep, mode, typ, name string, index json.RawMessage) (Address, string) {
	a := Address{Module: module, Data: mode == "data", Type: typ, Name: name}
	if mode != "managed" && mode != "data" {
		return a, fmt.Sprintf("unknown mode %s: expected managed or data", strconv.Quote(mode))
	}
	if err := checkIdent("resource type", typ); err != nil {
		return a, err.Error()
	}
	if err := checkIdent("resource name", name); err != nil {
		return a, err.Error()
	}
	key, err := instanceKey(index)
	if err != nil {
		return a, err.Error()
	}
	a.Key = key
	return a, ""
}

// instanceKey reads show -json's index or a state file's index_key: absent
// or null, a count index, or a for_each string.
func instanceKey(raw json.RawMessage) (Key, error) {
	if isNull(raw) {
		return Key{}, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return Key{Kind: StringKey, Str: s}, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return Key{}, fmt.Errorf("instance key %s: expected a count index or a for_each string", oneLineJSON(raw))
	}
	i, err := parseIndex(n.String())
	if err != nil {
		return Key{}, err
	}
	return Key{Kind: IntKey, Int: i}, nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// oneLineJSON shows a JSON value in a message, quoted and cut short: it
// comes from the file and must not fill or break the line.
func oneLineJSON(raw json.RawMessage) string {
	s := string(raw)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}

func modulePathString(steps []ModuleStep) string {
	s := modulePath(steps, true)
	if s == "" {
		return ""
	}
	return s[:len(s)-1]
}

func orRoot(s string) string {
	if s == "" {
		return "the root module"
	}
	return s
}
