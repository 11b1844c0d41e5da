package x12

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheckEnvelopes: CheckEnvelopes must not panic, and
// FileSegment/Find must stay in range, on any input.
func FuzzCheckEnvelopes(f *testing.F) {
	files, _ := filepath.Glob("testdata/fuzz/FuzzReader/*")
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			continue
		}
		// corpus files are "go test fuzz v1" encoded; add raw too
		f.Add(b)
	}
	f.Add([]byte("ISA*00*          *00*          *ZZ*A              *ZZ*B              *000229*2400*^*00501*000000001*0*P*:~GS*HC*A*B*20000229*240000*1*X*005010X222A1~ST*835*0001~SE*2*0001~GE*1*1~IEA*1*000000001~"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := CheckEnvelopes(bytes.NewReader(data))
		if err != nil || c == nil {
			return
		}
		if len(c.Offsets) != len(c.IDs) {
			t.Fatalf("offsets %d ids %d", len(c.Offsets), len(c.IDs))
		}
		for _, s := range c.Sets {
			for k := -1; k < 5; k++ {
				c.FileSegment(s, k)
			}
			c.Find(s, "BPR")
			_ = s.String()
		}
		for _, e := range c.Errors {
			_ = e.Error()
		}
	})
}

func TestCheckEnvelopesDates(t *testing.T) {
	const isa = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *251003*1200*^*00501*000000001*0*P*:~"
	const body = "GS*HC*A*B*20251003*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~SE*2*0001~GE*1*1~IEA*1*000000001~"
	tests := []struct {
		name       string
		date, time string
		gsDate     string
		gsTime     string
		wantErrors int
	}{
		{"midnight 0000", "251003", "0000", "20251003", "0000", 0},
		{"2359", "251003", "2359", "20251003", "235959", 0},
		{"ISA10 2400", "251003", "2400", "20251003", "1200", 1},
		{"GS05 2400", "251003", "1200", "20251003", "2400", 1},
		{"leap 000229", "000229", "1200", "20000229", "1200", 0},
		{"leap 240229", "240229", "1200", "20240229", "1200", 0},
		{"leap 960229 (1996/2096)", "960229", "1200", "19960229", "1200", 0},
		{"non-leap 250229", "250229", "1200", "20250229", "1200", 2},
		{"GS 19000229", "000229", "1200", "19000229", "1200", 1},
		{"991231", "991231", "1200", "19991231", "1200", 0},
		{"GS05 HHMMSSDD", "251003", "1200", "20251003", "12000099", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Replace(isa, "*251003*1200*", "*"+tt.date+"*"+tt.time+"*", 1) +
				strings.Replace(body, "*20251003*1200*", "*"+tt.gsDate+"*"+tt.gsTime+"*", 1)
			c, err := CheckEnvelopes(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Errors) != tt.wantErrors {
				t.Errorf("%d errors %v, want %d", len(c.Errors), c.Errors, tt.wantErrors)
			}
		})
	}
}
