package codes

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
)

// The embedded data format, one file per List (see doc.go):
//
//	# table: CARC
//	# element: 1034
//	# source: ...
//	# as-of: 2026-08-17
//	# partial: no
//	code<TAB>description<TAB>start<TAB>stop<TAB>notes
//	1<TAB>Deductible amount.<TAB>1995-01-01<TAB><TAB>
//
// Lines of the form "# key: value" before the column line, where key is
// made of lower-case letters and hyphens, are header fields; other "#" lines
// and blank lines are comments. The column line names the columns;
// code and description are required, start, stop, notes and verdict are
// optional. A row may omit empty trailing fields but may not have more
// fields than there are columns.

// dateLayout is the layout of every date in the data files.
const dateLayout = "2006-01-02"

// catalog holds every parsed table.
type catalog struct {
	byList map[List]*table
}

// table is one parsed data file.
type table struct {
	meta     Meta
	entries  []Entry // sorted by code (compareCodes)
	byCode   map[string]int
	verdicts map[string]Verdict // set only when the file has a verdict column
}

// parseCatalog reads the data file of every List from dir in fsys. It
// returns every problem found (errors.Join), not only the first, and also
// reports files in dir that belong to no List.
func parseCatalog(fsys fs.FS, dir string) (*catalog, error) {
	c := &catalog{byList: make(map[List]*table)}
	var errs []error
	used := make(map[string]bool)
	for _, l := range allLists() {
		name := l.file()
		used[name] = true
		f, err := fsys.Open(path.Join(dir, name))
		if err != nil {
			errs = append(errs, fmt.Errorf("codes: table %v: %w", l, err))
			continue
		}
		t, err := parseTable(name, f)
		f.Close()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if l == ClaimStatusCategory && t.verdicts == nil {
			errs = append(errs, fmt.Errorf("codes: %s: the claim status category table needs a verdict column", name))
			continue
		}
		c.byList[l] = t
	}
	des, err := fs.ReadDir(fsys, dir)
	if err != nil {
		errs = append(errs, fmt.Errorf("codes: reading %s: %w", dir, err))
	}
	for _, de := range des {
		if !used[de.Name()] {
			errs = append(errs, fmt.Errorf("codes: %s: data file belongs to no List", de.Name()))
		}
	}
	return c, errors.Join(errs...)
}

// parseTable parses one data file. name is used in error messages. It
// returns every problem found in the file joined into one error.
func parseTable(name string, r io.Reader) (*table, error) {
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("codes: %s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}

	t := &table{byCode: make(map[string]int)}
	header := make(map[string]string)
	var cols []string
	colIndex := make(map[string]int)

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		if strings.HasPrefix(text, "#") {
			if cols != nil {
				continue // a comment among the rows
			}
			key, value, ok := strings.Cut(strings.TrimPrefix(text, "#"), ":")
			key = strings.TrimSpace(key)
			value = strings.TrimSpace(value)
			if !ok || !isHeaderKey(key) {
				continue // a free comment in the header
			}
			switch key {
			case "table", "element", "source", "as-of", "partial":
			default:
				fail(line, "unknown header field %q", key)
				continue
			}
			if _, dup := header[key]; dup {
				fail(line, "header field %q given twice", key)
				continue
			}
			header[key] = value
			continue
		}
		if cols == nil {
			cols = strings.Split(text, "\t")
			for i, c := range cols {
				switch c {
				case "code", "description", "start", "stop", "notes", "verdict":
				default:
					fail(line, "unknown column %q", c)
				}
				if _, dup := colIndex[c]; dup {
					fail(line, "column %q given twice", c)
				}
				colIndex[c] = i
			}
			if _, ok := colIndex["code"]; !ok {
				fail(line, "no code column")
			}
			if _, ok := colIndex["description"]; !ok {
				fail(line, "no description column")
			}
			if _, ok := colIndex["verdict"]; ok {
				t.verdicts = make(map[string]Verdict)
			}
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) > len(cols) {
			fail(line, "%d fields, but only %d columns", len(fields), len(cols))
			continue
		}
		get := func(col string) string {
			i, ok := colIndex[col]
			if !ok || i >= len(fields) {
				return ""
			}
			return fields[i]
		}
		e := Entry{
			Code:        get("code"),
			Description: get("description"),
			Start:       get("start"),
			Stop:        get("stop"),
			Notes:       get("notes"),
		}
		switch {
		case e.Code == "":
			fail(line, "empty code")
			continue
		case strings.ContainsAny(e.Code, " \t"), strings.TrimSpace(e.Code) != e.Code:
			fail(line, "code %q contains white space", e.Code)
			continue
		}
		if _, dup := t.byCode[e.Code]; dup {
			fail(line, "duplicate code %q", e.Code)
			continue
		}
		if strings.TrimSpace(e.Description) == "" {
			fail(line, "code %q has an empty description", e.Code)
		} else if strings.TrimSpace(e.Description) != e.Description {
			fail(line, "code %q: description has leading or trailing white space", e.Code)
		}
		var start, stop time.Time
		if e.Start != "" {
			var err error
			if start, err = time.Parse(dateLayout, e.Start); err != nil {
				fail(line, "code %q: start date %q is not YYYY-MM-DD", e.Code, e.Start)
			}
		}
		if e.Stop != "" {
			var err error
			if stop, err = time.Parse(dateLayout, e.Stop); err != nil {
				fail(line, "code %q: stop date %q is not YYYY-MM-DD", e.Code, e.Stop)
			}
		}
		if !start.IsZero() && !stop.IsZero() && stop.Before(start) {
			fail(line, "code %q: stop date %s is before start date %s", e.Code, e.Stop, e.Start)
		}
		if t.verdicts != nil {
			v, ok := parseVerdict(get("verdict"))
			if !ok {
				fail(line, "code %q: verdict %q is not one of accepted, rejected, pending, informational, exception, review", e.Code, get("verdict"))
			}
			t.verdicts[e.Code] = v
		}
		t.byCode[e.Code] = -1 // position set after sorting
		t.entries = append(t.entries, e)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("codes: %s: %w", name, err))
	}

	for _, key := range []string{"table", "element", "source", "as-of", "partial"} {
		if header[key] == "" {
			errs = append(errs, fmt.Errorf("codes: %s: header field %q is missing or empty", name, key))
		}
	}
	if v := header["as-of"]; v != "" {
		if _, err := time.Parse(dateLayout, v); err != nil {
			errs = append(errs, fmt.Errorf("codes: %s: as-of date %q is not YYYY-MM-DD", name, v))
		}
	}
	switch header["partial"] {
	case "yes":
		t.meta.Partial = true
	case "no", "":
	default:
		errs = append(errs, fmt.Errorf("codes: %s: partial must be yes or no, not %q", name, header["partial"]))
	}
	if cols == nil {
		errs = append(errs, fmt.Errorf("codes: %s: no column line", name))
	} else if len(t.entries) == 0 {
		errs = append(errs, fmt.Errorf("codes: %s: no codes", name))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	t.meta.Name = header["table"]
	t.meta.Element = header["element"]
	t.meta.Source = header["source"]
	t.meta.AsOf = header["as-of"]
	sortEntries(t.entries)
	for i, e := range t.entries {
		t.byCode[e.Code] = i
	}
	return t, nil
}

// compareCodes orders two codes naturally: it splits each into runs of
// digits and of other characters and compares run by run, digit runs by
// numeric value and other runs as strings, a digit run sorting before a
// non-digit run. Codes that tie ("01" and "1") compare as plain strings.
func compareCodes(a, b string) int {
	x, y := a, b
	for x != "" && y != "" {
		rx, restX := nextRun(x)
		ry, restY := nextRun(y)
		dx, dy := isDigit(rx[0]), isDigit(ry[0])
		switch {
		case dx && !dy:
			return -1
		case !dx && dy:
			return 1
		case dx && dy:
			if c := compareNumeric(rx, ry); c != 0 {
				return c
			}
		default:
			if c := strings.Compare(rx, ry); c != 0 {
				return c
			}
		}
		x, y = restX, restY
	}
	switch {
	case x == "" && y != "":
		return -1
	case x != "" && y == "":
		return 1
	}
	return strings.Compare(a, b)
}

// nextRun splits s (not empty) into its leading run of digits or of
// non-digits and the rest.
func nextRun(s string) (run, rest string) {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i], s[i:]
}

// compareNumeric compares two digit strings by value, without overflow.
func compareNumeric(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isHeaderKey reports whether s looks like a header field name: one or more
// lower-case ASCII letters or hyphens.
func isHeaderKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return true
}
