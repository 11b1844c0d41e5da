package pipeline_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/x12claims/claims/pipeline"
)

func TestCheckRemoteName(t *testing.T) {
	long := strings.Repeat("n", pipeline.MaxNameLen-4) + ".835"
	tests := []struct {
		name     string
		response bool // accepted as a response file (hidden=false)
		upload   bool // accepted as an upload name (hidden=true)
	}{
		{"r.999", true, true},
		{"ÄÖ 835 résumé.835", true, true},
		{"a..b.835", true, true},
		{"a..", true, true},
		{"x...y", true, true},
		{long, true, true},
		{".claim.tmp", false, true},
		{"...", false, true},
		{"..a", false, true},
		{"", false, false},
		{".", false, false},
		{"..", false, false},
		{"../etc/passwd", false, false},
		{"a/b", false, false},
		{`a\b`, false, false},
		{"/abs", false, false},
		{"new\nline", false, false},
		{"nul\x00", false, false},
		{"esc\x1b[2J", false, false},
		{"del\x7f", false, false},
		{"c1\u0085", false, false},
		{"bad\xffutf8", false, false},
		{"rlo\u202etxt.835", false, false},     // right-to-left override: displays as "rlo538.txt"
		{"lri\u2066x\u2069.835", false, false}, // isolates
		{"zwsp\u200b.835", false, false},
		{"zwj\u200d.835", false, false},
		{"bom\ufeff.835", false, false},
		{"soft\u00adhyphen.835", false, false},
		{"line\u2028sep.835", false, false},
		{"para\u2029sep.835", false, false},
	}
	for _, tt := range tests {
		t.Run(strings.ToValidUTF8(tt.name, "?"), func(t *testing.T) {
			for _, c := range []struct {
				hidden bool
				want   bool
			}{{false, tt.response}, {true, tt.upload}} {
				err := pipeline.CheckRemoteName(tt.name, c.hidden)
				if (err == nil) != c.want {
					t.Errorf("CheckRemoteName(%+q, %v) = %v, want accepted = %v", tt.name, c.hidden, err, c.want)
				}
				if err != nil && !errors.Is(err, pipeline.ErrInvalidName) {
					t.Errorf("error %v does not wrap ErrInvalidName", err)
				}
				if err != nil && (!utf8.ValidString(err.Error()) || strings.ContainsRune(err.Error(), '\u202e')) {
					t.Errorf("error %+q carries the raw name", err)
				}
			}
		})
	}
}

func TestShortenName(t *testing.T) {
	long := strings.Repeat("r", 300) + ".835"
	tests := []struct {
		name    string
		in      string
		limit   int
		want    string // "" checks only the rules
		wantExt string
	}{
		{"short enough", "a.835", 10, "a.835", ".835"},
		{"exactly the limit", "abcde.835", 9, "abcde.835", ".835"},
		{"long ASCII", long, 128, "", ".835"},
		{"long UTF-8 is cut between characters", strings.Repeat("é", 200) + ".999", 127, "", ".999"},
		{"long extension is dropped", "x." + strings.Repeat("e", 40), 32, "", ""},
		{"no extension", strings.Repeat("z", 100), 40, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pipeline.ShortenName(tt.in, tt.limit)
			if tt.want != "" && got != tt.want {
				t.Errorf("ShortenName = %q, want %q", got, tt.want)
			}
			if len(got) > tt.limit && len(tt.in) > tt.limit {
				t.Errorf("ShortenName = %q (%d bytes), longer than %d", got, len(got), tt.limit)
			}
			if !utf8.ValidString(got) || pipeline.CheckRemoteName(got, false) != nil {
				t.Errorf("ShortenName = %q, not a legal name", got)
			}
			if len(tt.in) > tt.limit {
				if tt.wantExt != "" && !strings.HasSuffix(got, tt.wantExt) {
					t.Errorf("ShortenName = %q, lost the extension %s", got, tt.wantExt)
				}
				if other := pipeline.ShortenName(tt.in+"x", tt.limit); other == got {
					t.Errorf("two names shorten to the same %q", got)
				}
				if again := pipeline.ShortenName(tt.in, tt.limit); again != got {
					t.Errorf("ShortenName is not stable: %q then %q", got, again)
				}
			}
		})
	}
}
