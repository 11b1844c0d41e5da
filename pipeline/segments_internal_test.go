package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// x12Set is a transaction set for x12File: its ID, control number and
// the segments between ST and SE.
type x12Set struct {
	id, control string
	segs        []string
}

// x12File writes an interchange of one functional group holding sets,
// and returns its path.
func x12File(t *testing.T, fid string, sets ...x12Set) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261120*1000*^*00501*000000001*0*T*:~\n")
	fmt.Fprintf(&b, "GS*%s*SENDER*RECEIVER*20261120*1000*1*X*005010X221A1~\n", fid)
	for _, s := range sets {
		fmt.Fprintf(&b, "ST*%s*%s~\n", s.id, s.control)
		for _, seg := range s.segs {
			b.WriteString(seg + "~\n")
		}
		fmt.Fprintf(&b, "SE*%d*%s~\n", len(s.segs)+2, s.control)
	}
	fmt.Fprintf(&b, "GE*%d*1~\nIEA*1*000000001~\n", len(sets))
	return writeTemp(t, b.String())
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.x12")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadBlock(t *testing.T) {
	long := []string{"BPR*I*1*C*CHK************20261120", "TRN*1*T9*1999999999", "N1*PR*PAYER", "N1*PE*CLINIC*XX*1234567893",
		"LX*1", "CLP*LONG*1*100*100**CI*L"}
	for i := range 100 {
		long = append(long, fmt.Sprintf("SVC*HC:99213*1*1**%d", i+1))
	}
	remit := x12File(t, "HP",
		x12Set{"835", "0001", []string{
			"BPR*I*35*C*CHK************20261120", // 2
			"TRN*1*T1*1999999999",                // 3
			"N1*PR*PAYER",                        // 4
			"N1*PE*CLINIC*XX*1234567893",         // 5
			"LX*1",                               // 6
			"CLP*A*1*10*10**CI*X",                // 7
			"SVC*HC:99213*10*10**1",              // 8
			"DTM*472*20261102",                   // 9
			"CLP*B*1*20*20**CI*Y",                // 10
			"CAS*CO*45*0",                        // 11
			"LX*2",                               // 12
			"CLP*C*1*5*5**CI*Z",                  // 13
			"PLB*1234567893*20261231*L6:X*1",     // 14
		}},
		x12Set{"835", "0002", []string{
			"BPR*I*7*C*CHK************20261120", // 2
			"LX*1",                              // 3
			"CLP*D*1*7*7**CI*W",                 // 4
			"SVC*HC:36415*7*7**1",               // 5
		}},
		x12Set{"835", "0003", long},
	)
	ack := x12File(t, "FA", x12Set{"999", "0001", []string{
		"AK1*HC*17*005010X222A1", // 2
		"AK2*837*0001*005010X222A1",
		"IK3*NM1*14*2010BA*8",
		"IK4*9*67*4",
		"IK5*R*5", // 6
		"AK2*837*0002*005010X222A1",
		"IK5*A", // 8
		"AK9*P*2*2*1",
	}})
	status := x12File(t, "HN", x12Set{"277", "0001", []string{
		"BHT*0085*08*B1*20261120*1000*TH", // 2
		"HL*1**20*1",
		"NM1*AY*2*CH*****46*CH",
		"HL*2*1*21*1", // 5
		"HL*3*2*19*1",
		"HL*4*3*PT", // 7
		"NM1*QC*1*DOE*PAT",
		"TRN*2*C1-1", // 9
		"STC*A2:20*20261120*WQ*100",
		"TRN*2*C2-1", // 11
		"STC*A7:164:IL*20261120*U*50",
		"REF*1K*ICN2",
		"HL*5*3*PT", // 14
		"NM1*QC*1*ROE*SAM",
		"TRN*2*C3-1", // 16
		"STC*A7:21*20261120*U*5",
	}})
	ta1 := writeTemp(t, "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261120*1000*^*00501*000000001*0*T*:~\n"+
		"TA1*000000042*261120*1000*R*006~\nIEA*0*000000001~\n")

	tests := []struct {
		name     string
		path     string
		set      string
		from, to int
		want     []string // the segment IDs with their first element
		n        int      // or only the count, when want is nil
		err      string
	}{
		{"835 claim: to the next CLP", remit, "0001", 7, 0, []string{"CLP*A", "SVC*HC:99213", "DTM*472"}, 0, ""},
		{"835 claim: to the next LX", remit, "0001", 10, 0, []string{"CLP*B", "CAS*CO"}, 0, ""},
		{"835 claim: to the PLB", remit, "0001", 13, 0, []string{"CLP*C"}, 0, ""},
		{"835 claim of the second set: to its SE", remit, "0002", 4, 0, []string{"CLP*D", "SVC*HC:36415"}, 0, ""},
		{"a range", remit, "0001", 6, 9, []string{"LX*1", "CLP*A", "SVC*HC:99213", "DTM*472"}, 0, ""},
		{"a range of one", remit, "0002", 3, 3, []string{"LX*1"}, 0, ""},
		{"a long loop stops at 80 segments", remit, "0003", 7, 0, nil, maxBlockSegments, ""},
		{"a long range stops at 80 segments too", remit, "0003", 1, 200, nil, maxBlockSegments, ""},
		{"999 set response: to the next AK2", ack, "0001", 3, 0, []string{"AK2*837", "IK3*NM1", "IK4*9", "IK5*R"}, 0, ""},
		{"999 last set response: to the AK9", ack, "0001", 7, 0, []string{"AK2*837", "IK5*A"}, 0, ""},
		{"277CA claim: to the next TRN", status, "0001", 9, 0, []string{"TRN*2", "STC*A2:20"}, 0, ""},
		{"277CA claim: to the next HL", status, "0001", 11, 0, []string{"TRN*2", "STC*A7:164:IL", "REF*1K"}, 0, ""},
		{"277CA last claim: to the SE", status, "0001", 16, 0, []string{"TRN*2", "STC*A7:21"}, 0, ""},
		{"TA1 by its position in the file", ta1, "", 2, 0, []string{"TA1*000000042"}, 0, ""},
		{"a set not in the file", remit, "0009", 7, 0, nil, 0, `segment 7 of set "0009" is not in the file`},
		{"a position past the set", remit, "0002", 40, 0, nil, 0, `segment 40 of set "0002" is not in the file`},
		{"a file that is gone", filepath.Join(t.TempDir(), "gone.x12"), "0001", 7, 0, nil, 0, "no longer in the working folder"},
		{"a file that is not X12", writeTemp(t, "hello, world\n"), "0001", 1, 0, nil, 0, "read "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, err := readBlock(tt.path, tt.set, tt.from, tt.to)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("readBlock = %q, %v; want an error with %q", segs, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("readBlock: %v", err)
			}
			if tt.want == nil {
				if len(segs) != tt.n {
					t.Errorf("%d segments, want %d", len(segs), tt.n)
				}
				return
			}
			var got []string
			for _, s := range segs {
				parts := strings.SplitN(s, "*", 3)
				got = append(got, parts[0]+"*"+parts[1])
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("segments %q, want %q", segs, tt.want)
			}
		})
	}
}
