package encounters

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/x12claims/claims/x12"
)

// locate finds the first value in raw, in document order, that does not
// decode into a value of type t the way encoding/json would decode it,
// and returns its JSON path (rooted at path) and the reason. It returns
// ok == false when every value decodes.
//
// encoding/json reports a type error with a path that has no array
// indices, an unknown field without any path, and an error from an
// UnmarshalText method (x12.Amount, x12.Date) with neither; locate
// recovers the full path for all of them. It runs only after a decode has
// failed, so it trades speed for simplicity.
func locate(raw []byte, t reflect.Type, path string) (field string, err error, ok bool) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return "", nil, false // encoding/json leaves the value alone
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if !isLeaf(t) {
		switch t.Kind() {
		case reflect.Struct:
			return locateObject(raw, t, path)
		case reflect.Slice, reflect.Array:
			return locateArray(raw, t, path)
		}
	}
	v := reflect.New(t)
	if uerr := json.Unmarshal(raw, v.Interface()); uerr != nil {
		return path, leafError(t, raw), true
	}
	return "", nil, false
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

// isLeaf reports whether values of t are decoded as a whole: scalars, and
// types with their own UnmarshalJSON or UnmarshalText.
func isLeaf(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	if pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Array:
		return false
	case reflect.Slice:
		return t.Elem().Kind() == reflect.Uint8 // []byte is a base64 string
	}
	return true
}

func locateObject(raw []byte, t reflect.Type, path string) (string, error, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return path, mismatch("an object", raw), true
	}
	fields := jsonFields(t)
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // '{'
		return path, fmt.Errorf("%w", ErrSyntax), true
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return path, fmt.Errorf("%w", ErrSyntax), true
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return joinKey(path, key), fmt.Errorf("%w", ErrSyntax), true
		}
		f, found := lookupField(fields, key)
		if !found {
			return joinKey(path, key), fmt.Errorf("%w", ErrUnknownField), true
		}
		if p, err, bad := locate(val, f.typ, joinKey(path, f.name)); bad {
			return p, err, true
		}
	}
	return "", nil, false
}

func locateArray(raw []byte, t reflect.Type, path string) (string, error, bool) {
	if len(raw) == 0 || raw[0] != '[' {
		return path, mismatch("a list", raw), true
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // '['
		return path, fmt.Errorf("%w", ErrSyntax), true
	}
	for i := 0; dec.More(); i++ {
		var val json.RawMessage
		p := path + "[" + strconv.Itoa(i) + "]"
		if err := dec.Decode(&val); err != nil {
			return p, fmt.Errorf("%w", ErrSyntax), true
		}
		if t.Kind() == reflect.Array && i >= t.Len() {
			return p, fmt.Errorf("more than %d items: %w", t.Len(), ErrWrongType), true
		}
		if p, err, bad := locate(val, t.Elem(), p); bad {
			return p, err, true
		}
	}
	return "", nil, false
}

// field is one JSON member of a struct type.
type field struct {
	name string
	typ  reflect.Type
}

// jsonFields lists the JSON members of struct type t as encoding/json sees
// them: tagged names, embedded untagged structs promoted, shallower fields
// winning over deeper ones.
func jsonFields(t reflect.Type) []field {
	var out []field
	seen := map[string]bool{}
	level := []reflect.Type{t}
	for len(level) > 0 {
		var next []reflect.Type
		var found []field
		for _, st := range level {
			for i := range st.NumField() {
				sf := st.Field(i)
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				ft := sf.Type
				if sf.Anonymous && name == "" {
					et := ft
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if et.Kind() == reflect.Struct {
						next = append(next, et)
						continue
					}
				}
				if !sf.IsExported() {
					continue
				}
				if name == "" {
					name = sf.Name
				}
				found = append(found, field{name, ft})
			}
		}
		for _, f := range found {
			if !seen[f.name] {
				seen[f.name] = true
				out = append(out, f)
			}
		}
		level = next
	}
	return out
}

// lookupField matches a key as encoding/json does: exactly, else without
// regard to case.
func lookupField(fields []field, key string) (field, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return field{}, false
}

// joinKey appends an object key to a JSON path. Keys that are not plain
// identifiers are quoted and cut short, so an odd key cannot make the
// path unreadable.
func joinKey(path, key string) string {
	plain := key != ""
	for _, c := range key {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	if len(key) > 64 {
		key, plain = key[:64]+"...", false
	}
	if !plain {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

var (
	amountType = reflect.TypeFor[x12.Amount]()
	dateType   = reflect.TypeFor[x12.Date]()
)

// leafError explains why raw does not decode into a t, without repeating
// raw.
func leafError(t reflect.Type, raw []byte) error {
	isString := len(raw) > 0 && raw[0] == '"'
	switch {
	case t == amountType && isString:
		return fmt.Errorf("want a decimal amount such as \"125.00\" (at most two decimal places): %w", x12.ErrBadAmount)
	case t == amountType:
		return mismatch("a decimal string such as \"125.00\"", raw)
	case t == dateType && isString:
		return fmt.Errorf("want a calendar date as \"YYYY-MM-DD\": %w", x12.ErrBadDate)
	case t == dateType:
		return mismatch("a date string \"YYYY-MM-DD\"", raw)
	}
	switch t.Kind() {
	case reflect.String:
		return mismatch("a string", raw)
	case reflect.Bool:
		return mismatch("true or false", raw)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return mismatch("a whole number in range", raw)
	case reflect.Float32, reflect.Float64:
		return mismatch("a number", raw)
	}
	return mismatch("a "+t.String(), raw)
}

// mismatch is a wrong-type error naming what was wanted and the JSON kind
// that was found.
func mismatch(want string, raw []byte) error {
	got := "nothing"
	if len(raw) > 0 {
		switch raw[0] {
		case '{':
			got = "an object"
		case '[':
			got = "a list"
		case '"':
			got = "a string"
		case 't', 'f':
			got = "true or false"
		case 'n':
			got = "null"
		default:
			got = "a number"
		}
	}
	return fmt.Errorf("want %s, got %s: %w", want, got, ErrWrongType)
}
