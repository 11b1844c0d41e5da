package x12

import (
	"errors"
	"strings"
	"testing"
)

func TestValidTime(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"0000", true}, {"2359", true}, {"1200", true}, {"120059", true}, {"1200599", true}, {"12005999", true},
		{"3339", false}, {"2400", false}, {"1260", false}, {"120060", false}, {"12a0", false}, {"", false}, {"123", false}, {"12005", false},
	}
	for _, tt := range tests {
		if got := ValidTime([]byte(tt.in)); got != tt.want {
			t.Errorf("ValidTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestCheckEnvelopes(t *testing.T) {
	const isa = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *251003*1200*^*00501*000000001*0*P*:~"
	const body = "GS*HC*A*B*20251003*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~SE*2*0001~GE*1*1~IEA*1*000000001~"
	tests := []struct {
		name, isa string
		cause     error
		element   int
		offset    int64
	}{
		{"clean", isa, nil, 0, 0},
		{"time 3339", strings.Replace(isa, "*1200*", "*3339*", 1), ErrBadTime, 10, 77},
		{"impossible date", strings.Replace(isa, "*251003*", "*250231*", 1), ErrBadDate, 9, 70},
		{"short ISA06", strings.Replace(isa, "*A              *", "*A*", 1), ErrBadISA, 6, 35},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := CheckEnvelopes(strings.NewReader(tt.isa + body))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Sets) != 1 || c.Sets[0].ID != "837" || c.Sets[0].Guide != "005010X222A1" {
				t.Errorf("sets %+v", c.Sets)
			}
			if tt.cause == nil {
				if len(c.Errors) != 0 {
					t.Errorf("errors %v", c.Errors)
				}
				return
			}
			if len(c.HeaderErrors) == 0 {
				t.Fatal("no error")
			}
			var xe *Error
			if err := c.HeaderErrors[0]; !errors.Is(err, tt.cause) || !errors.As(err, &xe) {
				t.Fatalf("error %v, want %v", err, tt.cause)
			}
			if xe.Pos.Segment != 1 || xe.Pos.SegmentID != "ISA" || xe.Pos.Element != tt.element || xe.Pos.Offset != tt.offset {
				t.Errorf("position %+v, want ISA element %d byte %d", xe.Pos, tt.element, tt.offset)
			}
		})
	}
}
