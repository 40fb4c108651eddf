package state

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/riskctl/riskctl/internal/textutil"
)

// AppendJSON appends f's value in obj to b as a JSON object member,
// "name":value, after a comma unless b ends with '{'. Strings are not
// HTML-escaped: an encoder that embeds the object (through a
// json.Marshaler) escapes them, or not, as it is set to.
func AppendJSON[T Object](b []byte, f Field, obj *T) []byte {
	return appendMember(b, f, obj, false)
}

// AppendJSONHTML is AppendJSON with <, > and & escaped, as json.Marshal
// writes them.
func AppendJSONHTML[T Object](b []byte, f Field, obj *T) []byte {
	return appendMember(b, f, obj, true)
}

func appendMember[T Object](b []byte, f Field, obj *T, escapeHTML bool) []byte {
	if len(b) > 0 && b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, f.Name...)
	b = append(b, '"', ':')
	text := Text(f, obj)
	if f.Type == Bool {
		return append(b, text...)
	}
	return AppendJSONString(b, text, escapeHTML)
}

// AppendJSONString appends s as a JSON string exactly as encoding/json
// writes it, with or without HTML escaping. Printable ASCII that needs no
// escape, nearly every value riskctl writes, is copied as it is; anything
// else goes through encoding/json.
func AppendJSONString(b []byte, s string, escapeHTML bool) []byte {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && !(escapeHTML && (c == '<' || c == '>' || c == '&'))
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var quoted []byte
	if escapeHTML {
		quoted, _ = json.Marshal(s) // a string always encodes
	} else {
		quoted, _ = textutil.CompactJSON(s)
	}
	return append(b, quoted...)
}

// SetJSON sets f in obj from raw, a JSON value of f's type; null or
// absent (nil) leaves the zero value.
func SetJSON[T Object](f Field, obj *T, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if f.Type == Bool {
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		return Set(f, obj, strconv.FormatBool(v))
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	return Set(f, obj, v)
}

// AppendObject appends obj's fields, in their order, as the members of the
// JSON object b opens (the caller closes it). With omitEmptyComputed, a
// computed field whose value is "" is left out: it is live only, and a
// desired object has none.
func AppendObject[T Object](b []byte, fields []Field, obj *T, omitEmptyComputed bool) []byte {
	for _, f := range fields {
		if omitEmptyComputed && f.Role == Computed && Text(f, obj) == "" {
			continue
		}
		b = AppendJSON(b, f, obj)
	}
	return b
}

// ReadObject sets obj's fields from the JSON object data, a missing or
// null member leaving its field as it is, and returns the object's
// members, for the caller to read those that are not fields.
func ReadObject[T Object](data []byte, fields []Field, obj *T) (map[string]json.RawMessage, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, err
	}
	for _, f := range fields {
		if err := SetJSON(f, obj, members[f.Name]); err != nil {
			return nil, err
		}
	}
	return members, nil
}
