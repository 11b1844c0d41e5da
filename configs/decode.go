package configs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a configuration: the path of its key
// (empty for the file as a whole), its line in the file when known, and
// what is wrong.
type Problem struct {
	Path    string `json:"path" yaml:"path"`
	Line    int    `json:"line,omitempty" yaml:"line,omitempty"`
	Message string `json:"message" yaml:"message"`
	err     error
}

// Error renders "path: message (line N)".
func (p *Problem) Error() string {
	switch {
	case p.Path == "" && p.Line > 0:
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	case p.Path == "":
		return p.Message
	case p.Line > 0:
		return fmt.Sprintf("%s: %s (line %d)", p.Path, p.Message, p.Line)
	}
	return p.Path + ": " + p.Message
}

// Unwrap returns the cause, such as an *fs.PathError, when there is one.
func (p *Problem) Unwrap() error { return p.err }

// Error is every problem found in one configuration file. It unwraps to
// the problems, as errors.Join would.
type Error struct {
	File     string
	Problems []*Problem
}

// Error renders the problems one per line after the file name.
func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return fmt.Sprintf("config %s: %s", e.File, e.Problems[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "config %s: %d problems:", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns the problems.
func (e *Error) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

func pathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// decoder decodes a YAML node tree into a struct by reflection, key by
// key, so that every unknown key and every value of the wrong type is
// reported with its path and line, and everything else is still decoded.
type decoder struct {
	problems []*Problem
	lines    map[string]int // path → line of its key in the file
	fatal    bool           // the file could not be parsed at all
	merging  map[*yaml.Node]bool
}

func newDecoder() *decoder { return &decoder{lines: map[string]int{}, merging: map[*yaml.Node]bool{}} }

// decode decodes data into v and returns the problems.
func decode(data []byte, v any) []*Problem {
	d := newDecoder()
	d.decodeDocument(data, v)
	return d.problems
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (d *decoder) decodeDocument(data []byte, v any) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return // an empty file: the defaults
		}
		d.fatal = true
		p := &Problem{Message: strings.TrimPrefix(err.Error(), "yaml: "), err: err}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = m[2]
		}
		d.problems = append(d.problems, p)
		return
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		d.fatal = true
		d.problems = append(d.problems, &Problem{Line: extra.Line, Message: "a second YAML document: a configuration is one document"})
		return
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return
		}
		root = root.Content[0]
	}
	if isNull(root) {
		return
	}
	d.value(root, reflect.ValueOf(v).Elem(), "")
}

func (d *decoder) bad(n *yaml.Node, path, format string, args ...any) {
	p := &Problem{Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line = n.Line
	}
	if path == "" {
		p.Message = "the configuration: " + p.Message
	}
	d.problems = append(d.problems, p)
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

var (
	durationType = reflect.TypeFor[Duration]()
	byteSizeType = reflect.TypeFor[ByteSize]()
)

// value decodes n into v.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if v.Type() == durationType {
		if isNull(n) {
			return
		}
		dur, err := parseDuration(n)
		if err != nil {
			d.bad(n, path, "%v", err)
			return
		}
		v.SetInt(int64(dur))
		return
	}
	if v.Type() == byteSizeType {
		if isNull(n) {
			return
		}
		if n.Kind != yaml.ScalarNode {
			d.bad(n, path, "expected a size such as \"2GiB\", found %s", describe(n))
			return
		}
		size, err := ParseByteSize(n.Value)
		if err != nil {
			d.bad(n, path, "%s is %v", describe(n), err)
			return
		}
		v.SetInt(int64(size))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			v.SetZero()
			return
		}
		if v.IsNil() {
			nv := reflect.New(v.Type().Elem())
			if t := newValue(nv.Interface()); t != nil {
				nv = reflect.ValueOf(t)
			}
			v.Set(nv)
		}
		d.value(n, v.Elem(), path)
	case reflect.Struct:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			d.bad(n, path, "expected a mapping of keys to values, found %s", describe(n))
			return
		}
		d.mapping(n, path, func(key *yaml.Node, val *yaml.Node, kpath string) {
			f, ok := fieldByKey(v.Type(), key.Value)
			if !ok {
				msg := "unknown key"
				if s := suggest(key.Value, keysOf(v.Type())); s != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				d.bad(key, kpath, "%s", msg)
				return
			}
			d.value(val, v.FieldByIndex(f.Index), kpath)
		})
	case reflect.Slice:
		if isNull(n) {
			v.SetZero()
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.bad(n, path, "expected a list, found %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, e := range n.Content {
			epath := fmt.Sprintf("%s[%d]", path, i)
			d.lines[epath] = e.Line
			ev := s.Index(i)
			if t := newValue(ev.Addr().Interface()); t != nil {
				ev.Set(reflect.ValueOf(t).Elem())
			}
			d.value(e, ev, epath)
		}
		v.Set(s)
	case reflect.Map:
		if isNull(n) {
			v.SetZero()
			return
		}
		if n.Kind != yaml.MappingNode {
			d.bad(n, path, "expected a mapping, found %s", describe(n))
			return
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		d.mapping(n, path, func(key *yaml.Node, val *yaml.Node, _ string) {
			kpath := fmt.Sprintf("%s[%q]", path, key.Value)
			d.lines[kpath] = key.Line
			ev := reflect.New(v.Type().Elem()).Elem()
			d.value(val, ev, kpath)
			v.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), ev)
		})
	case reflect.String:
		switch {
		case isNull(n):
		case n.Kind != yaml.ScalarNode:
			d.bad(n, path, "expected a string, found %s", describe(n))
		default:
			v.SetString(n.Value)
		}
	case reflect.Bool:
		switch {
		case isNull(n):
		case n.Kind != yaml.ScalarNode || n.Tag != "!!bool":
			d.bad(n, path, "%s is not true or false", describe(n))
		default:
			b, err := strconv.ParseBool(n.Value)
			if err != nil {
				d.bad(n, path, "%s is not true or false", describe(n))
				return
			}
			v.SetBool(b)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch {
		case isNull(n):
		case n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float" && isDigits(n.Value)):
			// A decimal number with leading zeros resolves as !!float.
			var i int64
			var err error
			if n.Tag == "!!int" {
				err = n.Decode(&i)
			} else {
				i, err = strconv.ParseInt(n.Value, 10, 64)
			}
			if err != nil || v.OverflowInt(i) {
				d.bad(n, path, "%s is out of range", describe(n))
				return
			}
			v.SetInt(i)
		case n.Kind == yaml.ScalarNode && n.Tag == "!!float":
			d.bad(n, path, "%s is not a whole number", describe(n))
		case n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && isInteger(n.Value):
			d.bad(n, path, "%s is a string: write the number without quotes", describe(n))
		default:
			d.bad(n, path, "%s is not a number", describe(n))
		}
	default:
		d.bad(n, path, "cannot be decoded into %s", v.Type())
	}
}

func isDigits(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func isInteger(s string) bool {
	_, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return err == nil
}

// mapping calls fn for each key of the mapping n, merge keys ("<<") first
// so that explicit keys win, and reports keys given twice or not strings.
func (d *decoder) mapping(n *yaml.Node, path string, fn func(key, val *yaml.Node, kpath string)) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, n.Content[i+1])
		}
	}
	// A mapping merged into itself, directly or not, is merged once.
	d.merging[n] = true
	defer delete(d.merging, n)
	for _, m := range merges {
		for m.Kind == yaml.AliasNode {
			m = m.Alias
		}
		if d.merging[m] {
			d.bad(m, path, "a merge (<<) of a mapping into itself")
			continue
		}
		switch m.Kind {
		case yaml.MappingNode:
			d.mapping(m, path, fn)
		case yaml.SequenceNode:
			for _, e := range m.Content {
				for e.Kind == yaml.AliasNode {
					e = e.Alias
				}
				switch {
				case d.merging[e]:
					d.bad(e, path, "a merge (<<) of a mapping into itself")
				case e.Kind == yaml.MappingNode:
					d.mapping(e, path, fn)
				default:
					d.bad(e, path, "a merge (<<) takes mappings, found %s", describe(e))
				}
			}
		default:
			d.bad(m, path, "a merge (<<) takes a mapping, found %s", describe(m))
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			continue
		}
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.bad(k, path, "a key must be a name, found %s", describe(k))
			continue
		}
		kpath := join(k.Value)
		if first, dup := seen[k.Value]; dup {
			d.bad(k, kpath, "given twice (first on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		d.lines[kpath] = k.Line
		fn(k, val, kpath)
	}
}

// describe names a node's value for a message: a quoted string, a number,
// "a list", "a mapping".
func describe(n *yaml.Node) string {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if len(v) > 60 {
		v = v[:57] + "..."
	}
	switch n.Tag {
	case "!!str":
		return strconv.Quote(v)
	case "!!null":
		return "null"
	}
	return v
}

// fieldByKey finds the struct field whose yaml key is key.
func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && yamlKey(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name
}

func keysOf(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && yamlKey(f) != "-" {
			keys = append(keys, yamlKey(f))
		}
	}
	sort.Strings(keys)
	return keys
}

// suggest returns the known key closest to an unknown one, if it is close.
func suggest(key string, known []string) string {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(s))
	}
	best, bestD := "", 3
	for _, k := range known {
		if norm(k) == norm(key) {
			return k
		}
		if dist := levenshtein(key, k); dist < bestD {
			best, bestD = k, dist
		}
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// parseDuration reads a duration written as "30s", "2m", "1h30m" (or 0).
func parseDuration(n *yaml.Node) (time.Duration, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("expected a duration such as \"30s\", found %s", describe(n))
	}
	v, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if err != nil {
		return 0, fmt.Errorf("%s is not a duration: write it such as \"30s\", \"2m\" or \"1h30m\"", describe(n))
	}
	return v, nil
}
