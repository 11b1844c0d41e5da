package pipeline

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/x12claims/claims/x12"
)

// FieldError is a bad field path or value in a correction: the path as
// given and why. Its message never repeats the value, which may be a name
// or a birth date.
type FieldError struct {
	Path string
	Err  error
}

// Error returns the path, quoted when it is empty or holds spaces or odd
// characters, and the rule it breaks.
func (e *FieldError) Error() string {
	p := e.Path
	if p == "" || strings.ContainsFunc(p, func(r rune) bool { return r <= ' ' || r == '"' || r > '~' }) {
		p = strconv.Quote(p)
	}
	if e.Err == nil {
		return p + ": invalid field"
	}
	return p + ": " + e.Err.Error()
}

// Unwrap returns the cause, such as x12.ErrBadAmount or x12.ErrBadDate
// for a value that is not an amount or a date.
func (e *FieldError) Unwrap() error { return e.Err }

// SetField sets the field at path of the encounter to value, where path is
// an encounter-format JSON path as documented in samples/README.md, for
// example "subscriber.member_id", "lines[0].procedure",
// "lines[1].modifiers", "patient.last_name", "diagnoses[2]",
// "institutional.admission_date".
//
// A path is dot-separated field names, each followed by any number of
// [N] list indices. An index may name an element or, when it equals the
// list's length, append one (an empty object, for a list of objects).
// Setting a field inside an absent optional object (patient,
// rendering_provider, ...) creates that object. The encounter "id" cannot
// be changed.
//
// The value is text, typed by the field it goes to: strings as given
// (empty clears them); amounts and dates as their JSON strings ("125.50",
// "2026-09-14"), checked by x12.Amount and x12.Date; integers as decimal;
// booleans as true or false; lists either as a JSON array (`["25","59"]`)
// or as a comma-separated list ("25, 59"), where an empty value clears the
// list.
//
// It returns a *FieldError (and leaves enc unchanged) when the path names
// no field of the format, an index is out of range, the path stops at an
// object or array that cannot take a single value, or the value does not
// decode into the field's type.
func SetField(enc *Encounter, path, value string) error {
	fail := func(err error) error { return &FieldError{Path: path, Err: err} }
	if enc == nil {
		return fail(errors.New("no encounter"))
	}
	steps, err := parseFieldPath(path)
	if err != nil {
		return fail(err)
	}
	if !utf8.ValidString(value) {
		return fail(errors.New("value is not valid UTF-8"))
	}
	tree, err := encounterTree(enc)
	if err != nil {
		return fail(err)
	}
	tree, err = setInTree(tree, reflect.TypeFor[Encounter](), "", steps, value)
	if err != nil {
		return fail(err)
	}
	raw, err := json.Marshal(tree)
	if err != nil {
		return fail(fmt.Errorf("the changed encounter does not encode: %w", err))
	}
	var out Encounter
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		// The new value decoded on its own, so another field of enc is
		// one the encounter format cannot hold. The decoder's message
		// may quote that value; leave it out.
		return fail(errors.New("the encounter does not decode after the change: another field holds a value the encounter format does not accept"))
	}
	*enc = out
	return nil
}

// ChangedFields returns the paths of the leaf values that differ between a
// and b, in the same path syntax ("subscriber.member_id",
// "lines[1].charge"). An element present in only one of them is reported
// by its own path ("lines[2]"), an object present in only one by its path
// ("patient"). Equal encounters give nil; a nil encounter counts as an
// empty one.
//
// Lists are compared element by element, lists of strings too: changing
// the second modifier of the first line gives "lines[0].modifiers[1]",
// adding a second one gives the same path, and setting modifiers on a
// line that had none gives "lines[0].modifiers" (the field is left out of
// the format when empty). A null list and an empty list are equal.
//
// The paths are sorted field names first, alphabetically, then list
// indices, numerically: "lines[2].charge" comes before "lines[10].charge".
func ChangedFields(a, b *Encounter) []string {
	var out []string
	diffTrees(changedFieldsTree(a), changedFieldsTree(b), "", &out)
	return out
}

// changedFieldsTree returns the JSON tree of enc, an empty encounter's
// for nil.
func changedFieldsTree(enc *Encounter) any {
	if enc == nil {
		enc = &Encounter{}
	}
	// An Encounter always encodes: its only marshalers, x12.Amount and
	// x12.Date, cannot fail.
	tree, _ := encounterTree(enc)
	return tree
}

// encounterTree encodes enc as a generic JSON tree: map[string]any,
// []any, string, json.Number, bool and nil.
func encounterTree(enc *Encounter) (any, error) {
	raw, err := json.Marshal(enc)
	if err != nil {
		return nil, fmt.Errorf("the encounter does not encode: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("the encounter does not encode: %w", err)
	}
	return tree, nil
}

// diffTrees appends to out the paths, under at, of the values that differ
// between a and b.
func diffTrees(a, b any, at string, out *[]string) {
	switch a := a.(type) {
	case map[string]any:
		if b, ok := b.(map[string]any); ok {
			keys := slices.Collect(maps.Keys(a))
			for k := range b {
				if _, ok := a[k]; !ok {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				va, inA := a[k]
				vb, inB := b[k]
				if inA != inB {
					*out = append(*out, joinFieldPath(at, k))
					continue
				}
				diffTrees(va, vb, joinFieldPath(at, k), out)
			}
			return
		}
	case []any:
		if b, ok := b.([]any); ok {
			for i := range max(len(a), len(b)) {
				p := at + "[" + strconv.Itoa(i) + "]"
				if i >= len(a) || i >= len(b) {
					*out = append(*out, p)
					continue
				}
				diffTrees(a[i], b[i], p, out)
			}
			return
		}
	}
	// Two maps or two lists were handled above, so a != b never compares
	// uncomparable values.
	if a != b && !(isEmptyJSONList(a) && isEmptyJSONList(b)) {
		*out = append(*out, at)
	}
}

// isEmptyJSONList reports whether v is null or an empty list.
func isEmptyJSONList(v any) bool {
	l, ok := v.([]any)
	return v == nil || ok && len(l) == 0
}

// fieldPathStep is one step of a field path: an object key, or a list
// index when key is empty.
type fieldPathStep struct {
	key   string
	index int
}

// parseFieldPath splits a path such as "lines[0].modifiers[1]" into its
// steps.
func parseFieldPath(path string) ([]fieldPathStep, error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	var steps []fieldPathStep
	for part := range strings.SplitSeq(path, ".") {
		key, rest := part, ""
		if i := strings.IndexByte(part, '['); i >= 0 {
			key, rest = part[:i], part[i:]
		}
		switch {
		case key == "" && rest != "":
			return nil, fmt.Errorf("missing field name before [ in %q", part)
		case key == "":
			return nil, errors.New("empty field name: the path starts or ends with a dot, or has two in a row")
		case strings.Contains(key, "]"):
			return nil, fmt.Errorf("] without [ in %q", part)
		}
		steps = append(steps, fieldPathStep{key: key})
		for rest != "" {
			if rest[0] != '[' {
				return nil, fmt.Errorf("unexpected text after ] in %q", part)
			}
			digits, after, ok := strings.Cut(rest[1:], "]")
			if !ok {
				return nil, fmt.Errorf("unclosed [ in %q", part)
			}
			n, err := parseFieldIndex(digits)
			if err != nil {
				return nil, err
			}
			steps = append(steps, fieldPathStep{index: n})
			rest = after
		}
	}
	return steps, nil
}

// parseFieldIndex parses the text between [ and ]: a non-negative decimal
// integer.
func parseFieldIndex(s string) (int, error) {
	allDigits := func(s string) bool {
		return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	}
	switch {
	case s == "":
		return 0, errors.New("empty index []")
	case s[0] == '-' && allDigits(s[1:]):
		return 0, fmt.Errorf("negative index %s: indices start at 0", s)
	case !allDigits(s):
		return 0, fmt.Errorf("index %q is not a non-negative decimal integer", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("index %s is too large", s)
	}
	return n, nil
}

// setInTree returns node, the JSON value of Go type t at path at, with
// the value at the rest of the path, steps, set to value. It changes node
// in place and creates the objects and the list element the path needs.
func setInTree(node any, t reflect.Type, at string, steps []fieldPathStep, value string) (any, error) {
	if len(steps) == 0 {
		return leafJSON(node, t, at, value)
	}
	t = derefType(t)
	step := steps[0]
	if step.key == "" {
		list, isList := node.([]any)
		if t.Kind() != reflect.Slice || decodesWhole(t) || !isList && node != nil {
			return nil, fmt.Errorf("%s is not a list", at)
		}
		if step.index > len(list) {
			return nil, fmt.Errorf("index %d out of range: %s has %s", step.index, at, plural(len(list), "element"))
		}
		if step.index == len(list) {
			list = append(list, nil)
		}
		p := at + "[" + strconv.Itoa(step.index) + "]"
		child, err := setInTree(list[step.index], t.Elem(), p, steps[1:], value)
		if err != nil {
			return nil, err
		}
		list[step.index] = child
		return list, nil
	}
	if at == "" && step.key == "id" {
		return nil, errors.New("the encounter id cannot be changed")
	}
	obj, isObj := node.(map[string]any)
	if !isJSONObject(t) || !isObj && node != nil {
		return nil, fmt.Errorf("%s is not an object, so it has no field %q", at, step.key)
	}
	if obj == nil {
		obj = map[string]any{}
	}
	fields := jsonFieldsOf(t)
	i := slices.IndexFunc(fields, func(f jsonField) bool { return f.name == step.key })
	if i < 0 {
		parent := at
		if at == "" {
			parent = "an encounter"
		}
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.name
		}
		slices.Sort(names)
		return nil, fmt.Errorf("unknown field %q; %s has: %s", step.key, parent, strings.Join(names, ", "))
	}
	p := joinFieldPath(at, step.key)
	child, err := setInTree(obj[step.key], fields[i].typ, p, steps[1:], value)
	if err != nil {
		return nil, err
	}
	obj[step.key] = child
	return obj, nil
}

// leafJSON returns value as the JSON for a field of type t at path at,
// whose current JSON value is node, once it has checked that the JSON
// decodes into t.
func leafJSON(node any, t reflect.Type, at, value string) (any, error) {
	dt := derefType(t)
	var raw []byte
	var err error
	switch {
	case isJSONObject(dt):
		return nil, fmt.Errorf("%s is an object; set one of its fields, e.g. %s", at, exampleField(node, dt, at))
	case dt.Kind() == reflect.Slice && isJSONObject(derefType(dt.Elem())):
		var first any
		if l, ok := node.([]any); ok && len(l) > 0 {
			first = l[0]
		}
		return nil, fmt.Errorf("%s is a list of objects; set one of its fields, e.g. %s",
			at, exampleField(first, derefType(dt.Elem()), at+"[0]"))
	case dt.Kind() == reflect.Slice && !decodesWhole(dt):
		raw, err = listJSON(dt.Elem(), value)
	default:
		raw, err = scalarJSON(dt, value)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
		// The error of an UnmarshalText method quotes the value; say
		// what is wanted instead.
		return nil, valueError(dt)
	}
	return json.RawMessage(raw), nil
}

// listJSON returns the JSON list for value, a JSON array or a
// comma-separated list of elements of type elem. An empty value is null,
// which clears the list.
func listJSON(elem reflect.Type, value string) ([]byte, error) {
	v := strings.TrimSpace(value)
	switch {
	case strings.HasPrefix(v, "["):
		if !json.Valid([]byte(v)) {
			return nil, errors.New("the value starts with [ but is not a valid JSON list")
		}
		return []byte(v), nil
	case v == "":
		return []byte("null"), nil
	}
	var items []json.RawMessage
	for i, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, fmt.Errorf("item %d of the comma-separated list is empty", i+1)
		}
		raw, err := scalarJSON(derefType(elem), s)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		items = append(items, raw)
	}
	return json.Marshal(items)
}

// scalarJSON returns the JSON for value as a single value of type t.
func scalarJSON(t reflect.Type, value string) ([]byte, error) {
	if decodesWhole(t) || t.Kind() == reflect.String {
		// x12.Amount and x12.Date are text in JSON; a JSON number is not
		// an amount.
		return json.Marshal(value)
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(value, 10, t.Bits())
		if err != nil {
			return nil, errors.New("want a whole number in range")
		}
		return strconv.AppendInt(nil, n, 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(value, 10, t.Bits())
		if err != nil {
			return nil, errors.New("want a non-negative whole number in range")
		}
		return strconv.AppendUint(nil, n, 10), nil
	case reflect.Bool:
		if value != "true" && value != "false" {
			return nil, errors.New("want true or false")
		}
		return []byte(value), nil
	}
	return nil, fmt.Errorf("a field of type %s cannot be set from text", t)
}

// valueError explains why a value does not decode into type t, without
// repeating it.
func valueError(t reflect.Type) error {
	switch t {
	case reflect.TypeFor[x12.Amount]():
		return fmt.Errorf("want a decimal amount such as 125.00 (at most two decimal places): %w", x12.ErrBadAmount)
	case reflect.TypeFor[x12.Date]():
		return fmt.Errorf("want a calendar date as YYYY-MM-DD: %w", x12.ErrBadDate)
	}
	if t.Kind() == reflect.Slice {
		switch derefType(t.Elem()).Kind() {
		case reflect.String:
			return errors.New("want a list of strings")
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return errors.New("want a list of whole numbers in range")
		}
		return fmt.Errorf("want a list of %s", t.Elem())
	}
	return fmt.Errorf("want a %s", t)
}

// exampleField names a field of the object node of type t at path at to
// suggest setting: the first single-valued field, in the format's order,
// that node has, else that the format always writes, else any.
func exampleField(node any, t reflect.Type, at string) string {
	fields := jsonFieldsOf(t)
	obj, _ := node.(map[string]any)
	wants := []func(f jsonField) bool{
		func(f jsonField) bool { _, ok := obj[f.name]; return ok },
		func(f jsonField) bool { return !f.omitted },
		func(jsonField) bool { return true },
	}
	for _, want := range wants {
		for _, f := range fields {
			ft := derefType(f.typ)
			single := decodesWhole(ft) || ft.Kind() != reflect.Struct && ft.Kind() != reflect.Slice
			if single && want(f) {
				return joinFieldPath(at, f.name)
			}
		}
	}
	return at + ".<field>"
}

// jsonField is one JSON member of a struct type.
type jsonField struct {
	name    string
	typ     reflect.Type
	omitted bool // left out when empty (omitempty or omitzero)
	depth   int  // how deep in embedded structs
}

// jsonFieldsOf lists the JSON members of struct type t as encoding/json
// sees them, in its order: tagged names, the fields of embedded untagged
// structs promoted in place, shallower fields winning over deeper ones.
func jsonFieldsOf(t reflect.Type) []jsonField {
	var all []jsonField
	inside := map[reflect.Type]bool{}
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		if inside[t] {
			return // a struct that embeds itself
		}
		inside[t] = true
		defer delete(inside, t)
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if et := derefType(sf.Type); sf.Anonymous && name == "" && et.Kind() == reflect.Struct {
				walk(et, depth+1)
				continue
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			omitted := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
			all = append(all, jsonField{name, sf.Type, omitted, depth})
		}
	}
	walk(t, 0)
	shallowest := map[string]int{}
	for _, f := range all {
		if d, ok := shallowest[f.name]; !ok || f.depth < d {
			shallowest[f.name] = f.depth
		}
	}
	var out []jsonField
	for _, f := range all {
		if shallowest[f.name] == f.depth {
			out = append(out, f)
			shallowest[f.name] = -1 // only the first of equals
		}
	}
	return out
}

// decodesWhole reports whether values of t decode through their own
// UnmarshalJSON or UnmarshalText method, as x12.Amount and x12.Date do.
func decodesWhole(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return pt.Implements(reflect.TypeFor[json.Unmarshaler]()) ||
		pt.Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// isJSONObject reports whether t (a non-pointer type) is a JSON object
// with fields.
func isJSONObject(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !decodesWhole(t)
}

// derefType follows pointer types to the type they point to.
func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// joinFieldPath appends a field name to a path.
func joinFieldPath(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

// plural returns "1 element", "2 elements".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
