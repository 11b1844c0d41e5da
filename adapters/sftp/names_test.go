package sftp

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name       string
		hidden     bool
		wantListed bool // accepted for response files (hidden=false)
		wantUpload bool // accepted for upload names (hidden=true)
	}{
		{name: "r.999", wantListed: true, wantUpload: true},
		{name: "ÄÖ 835 résumé.835", wantListed: true, wantUpload: true},
		{name: ".claim.tmp", wantListed: false, wantUpload: true},
		{name: ""},
		{name: "."},
		{name: ".."},
		{name: "...", wantUpload: true},
		{name: "a..b", wantListed: true, wantUpload: true},
		{name: "a..b.835", wantListed: true, wantUpload: true},
		{name: "..b.835", wantUpload: true},
		{name: strings.Repeat("n", 251) + ".835", wantListed: true, wantUpload: true},
		{name: "rlo\u202etxt.835"},
		{name: "zero\u200bwidth.835"},
		{name: "bom\ufeff.835"},
		{name: "line\u2028sep.835"},
		{name: "../etc/passwd"},
		{name: "a/b"},
		{name: `a\b`},
		{name: "/abs"},
		{name: "new\nline"},
		{name: "cr\r"},
		{name: "nul\x00"},
		{name: "esc\x1b[2J"},
		{name: "del\x7f"},
		{name: "c1\u0085"},
		{name: "bad\xffutf8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkName(tt.name, false) == nil; got != tt.wantListed {
				t.Errorf("checkName(%q, false) accepted = %v, want %v", tt.name, got, tt.wantListed)
			}
			err := checkName(tt.name, true)
			if got := err == nil; got != tt.wantUpload {
				t.Errorf("checkName(%q, true) accepted = %v, want %v", tt.name, got, tt.wantUpload)
			}
			if err != nil && !errors.Is(err, ErrInvalidName) {
				t.Errorf("error %v does not wrap ErrInvalidName", err)
			}
		})
	}
}

// fakeInfo is an fs.FileInfo with a chosen name and mode, as a hostile
// server could send in a directory listing.
type fakeInfo struct {
	name string
	mode fs.FileMode
}

func (f fakeInfo) Name() string       { return f.name }
func (f fakeInfo) Size() int64        { return 1 }
func (f fakeInfo) Mode() fs.FileMode  { return f.mode }
func (f fakeInfo) ModTime() time.Time { return time.Time{} }
func (f fakeInfo) IsDir() bool        { return f.mode.IsDir() }
func (f fakeInfo) Sys() any           { return nil }

func TestJudgeEntry(t *testing.T) {
	patterns := []string{"*.999", "*.835"}
	tests := []struct {
		info fakeInfo
		want entryVerdict
	}{
		{fakeInfo{"r.999", 0o644}, entryOffer},
		{fakeInfo{"r.835", 0o600}, entryOffer},
		{fakeInfo{"r.txt", 0o644}, entrySkip},
		{fakeInfo{"dir.999", fs.ModeDir | 0o755}, entrySkip},
		{fakeInfo{"link.999", fs.ModeSymlink | 0o777}, entrySkip},
		{fakeInfo{"fifo.999", fs.ModeNamedPipe}, entrySkip},
		{fakeInfo{"../../etc/x.999", 0o644}, entryUnsafe},
		{fakeInfo{"/etc/x.999", 0o644}, entryUnsafe},
		{fakeInfo{"..", fs.ModeDir}, entryUnsafe},
		{fakeInfo{".", fs.ModeDir}, entryUnsafe},
		{fakeInfo{"", 0o644}, entryUnsafe},
		{fakeInfo{".hidden.999", 0o644}, entryUnsafe},
		{fakeInfo{"x\n.999", 0o644}, entryUnsafe},
		{fakeInfo{"x\u202etxt.999", 0o644}, entryUnsafe},
		{fakeInfo{"a..b.999", 0o644}, entryOffer},
	}
	for _, tt := range tests {
		if got := judgeEntry(tt.info, patterns); got != tt.want {
			t.Errorf("judgeEntry(%q, %v) = %d, want %d", tt.info.name, tt.info.mode, got, tt.want)
		}
	}
	if got := judgeEntry(fakeInfo{"anything", 0o644}, nil); got != entryOffer {
		t.Errorf("no patterns: judgeEntry = %d, want entryOffer", got)
	}
}

func TestSortOldestFirst(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	files := []pipeline.RemoteFile{
		{Name: "c", ModTime: t0.Add(time.Second)},
		{Name: "b", ModTime: t0},
		{Name: "a", ModTime: t0.Add(time.Second)},
	}
	sortOldestFirst(files)
	got := files[0].Name + files[1].Name + files[2].Name
	if got != "bac" {
		t.Errorf("order = %s, want bac", got)
	}
}
