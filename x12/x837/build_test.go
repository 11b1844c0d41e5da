package x837

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/x12claims/claims/x12"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testToday is the clock the fixtures are validated against.
var testToday = x12.Date{Year: 2026, Month: time.March, Day: 15}

func loadClaims(t testing.TB, name string) []*Claim {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var claims []*Claim
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&claims); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return claims
}

func testEnvelope(kind Kind) Envelope {
	return Envelope{
		Kind:            kind,
		SenderQualifier: "ZZ", SenderID: "MAPLEBILLING",
		ReceiverQualifier: "ZZ", ReceiverID: "CLEARHOUSE01",
		Usage: "T",
		ISA13: "42", GS06: "42", FirstST02: 1,
		BatchID: "B20260315-0042",
		Created: time.Date(2026, time.March, 15, 9, 30, 0, 0, time.UTC),
		Submitter: Submitter{Name: "MAPLE BILLING SERVICES", ETIN: "MAPLEBILLING", ContactName: "EDI DESK",
			Phone: "2175550123", Email: "edi@maple.example"},
		Receiver: Receiver{Name: "CLEARHOUSE ONE", ID: "CLEARHOUSE01"},
		Newline:  true,
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff\ngot:\n%s", name, got)
	}
}

func TestGoldenFiles(t *testing.T) {
	for _, tc := range []struct {
		fixture, golden string
		kind            Kind
	}{
		{"professional.json", "professional.x12", Professional},
		{"institutional.json", "institutional.x12", Institutional},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			claims := loadClaims(t, tc.fixture)
			for _, c := range claims {
				if ps := c.Validate(ValidateOptions{Today: testToday}); len(ps) > 0 {
					for _, p := range ps {
						t.Errorf("%s: %s", c.PatientControlNumber, p.Error())
					}
				}
			}
			var buf bytes.Buffer
			res, err := WriteFile(&buf, testEnvelope(tc.kind), slices.Values(claims))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, buf.Bytes())
			refs, _ := json.MarshalIndent(res, "", "  ")
			golden(t, strings.TrimSuffix(tc.golden, ".x12")+".result.json", append(refs, '\n'))
		})
	}
}

// readSets reads a built file and returns, per ST02, the segment IDs and
// CLM01 values by position in the set (index 1 = ST).
func readSets(t *testing.T, data []byte) map[string][]string {
	t.Helper()
	rd := x12.NewReader(bytes.NewReader(data))
	sets := map[string][]string{}
	var cur string
	for {
		s, err := rd.Next()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatal(err)
		}
		switch s.ID() {
		case "ST":
			cur = s.String(2)
			sets[cur] = []string{"", "ST"}
		case "GE", "IEA", "ISA", "GS":
		default:
			v := s.ID()
			if v == "CLM" {
				v += "*" + s.String(1)
			}
			sets[cur] = append(sets[cur], v)
		}
	}
	return sets
}

func TestBuilderSplitsSets(t *testing.T) {
	claims := loadClaims(t, "professional.json")
	claims = append(claims, fixture(t, "professional.json", 0))
	claims[4].PatientControlNumber = "E1005-1"
	env := testEnvelope(Professional)
	env.MaxClaimsPerSet = 2
	env.FirstST02 = 9998
	var buf bytes.Buffer
	res, err := WriteFile(&buf, env, slices.Values(claims))
	if err != nil {
		t.Fatal(err)
	}
	var gotSets []string
	for _, s := range res.Sets {
		gotSets = append(gotSets, fmt.Sprintf("%s:%d", s.ST02, s.Claims))
	}
	if got, want := strings.Join(gotSets, " "), "9998:2 9999:2 10000:1"; got != want {
		t.Errorf("sets = %s, want %s", got, want)
	}
	sets := readSets(t, buf.Bytes())
	if len(sets) != 3 {
		t.Fatalf("file has %d sets, want 3", len(sets))
	}
	for _, s := range res.Sets {
		if got := len(sets[s.ST02]) - 1; got != s.Segments {
			t.Errorf("set %s: %d segments in the file, Result says %d", s.ST02, got, s.Segments)
		}
	}
	// Every claim's range holds exactly its own CLM, the ranges of one
	// set do not overlap, and HL numbering restarts in each set.
	prevTo := map[string]int{}
	for i, ref := range res.Claims {
		if ref.Index != i || ref.PCN != claims[i].PatientControlNumber {
			t.Errorf("claim %d: ref %+v", i, ref)
		}
		segs := sets[ref.ST02]
		if ref.SegFrom <= prevTo[ref.ST02] || ref.SegFrom > ref.ClaimFrom || ref.ClaimFrom > ref.SegTo || ref.SegTo >= len(segs)-1 {
			t.Errorf("claim %s: bad range %d..%d..%d (previous ended %d, set has %d)", ref.PCN, ref.SegFrom, ref.ClaimFrom, ref.SegTo, prevTo[ref.ST02], len(segs)-1)
			continue
		}
		prevTo[ref.ST02] = ref.SegTo
		if got := segs[ref.ClaimFrom]; got != "CLM*"+ref.PCN {
			t.Errorf("claim %s: segment %d of set %s is %s", ref.PCN, ref.ClaimFrom, ref.ST02, got)
		}
		for k := ref.SegFrom; k <= ref.SegTo; k++ {
			if strings.HasPrefix(segs[k], "CLM*") && k != ref.ClaimFrom {
				t.Errorf("claim %s: range holds another claim %s", ref.PCN, segs[k])
			}
		}
	}
	ps, err := ValidateFile(bytes.NewReader(buf.Bytes()), FileOptions{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		t.Errorf("%s [%s]", p.Error(), p.Rule)
	}
}

func TestBuilderST02Func(t *testing.T) {
	env := testEnvelope(Professional)
	env.MaxClaimsPerSet = 1
	env.ST02 = func(n int) string { return fmt.Sprintf("A%04d", 10*n) }
	var buf bytes.Buffer
	res, err := WriteFile(&buf, env, slices.Values(loadClaims(t, "professional.json")[:2]))
	if err != nil {
		t.Fatal(err)
	}
	if res.Sets[0].ST02 != "A0010" || res.Sets[1].ST02 != "A0020" || res.Claims[1].ST02 != "A0020" || res.Claims[1].Set != 2 {
		t.Errorf("sets %+v claims %+v", res.Sets, res.Claims)
	}
}

func TestBuilderRefusesUnwritableClaim(t *testing.T) {
	claims := loadClaims(t, "professional.json")
	bad := fixture(t, "professional.json", 0)
	bad.Subscriber.LastName = "O*QUINTERO"
	var buf bytes.Buffer
	b, err := NewBuilder(&buf, testEnvelope(Professional))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Add(bad); !errors.Is(err, ErrUnwritable) || !strings.Contains(err.Error(), "subscriber") || strings.Contains(err.Error(), "QUINTERO") {
		t.Errorf("Add(delimiter in name) = %v; want an error naming the field without its value", err)
	}
	inst := fixture(t, "institutional.json", 0)
	if _, err := b.Add(inst); !errors.Is(err, ErrUnwritable) {
		t.Error("Add accepted an institutional claim into a professional file")
	}
	for _, c := range claims {
		if _, err := b.Add(c); err != nil {
			t.Fatalf("Add after a refused claim: %v", err)
		}
	}
	if _, err := b.Close(); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join("testdata", "professional.x12"))
	if !bytes.Equal(buf.Bytes(), want) {
		t.Error("refused claims left traces in the file")
	}
}

func TestBuilderNoClaims(t *testing.T) {
	var buf bytes.Buffer
	_, err := WriteFile(&buf, testEnvelope(Professional), slices.Values([]*Claim(nil)))
	if !errors.Is(err, ErrNoClaims) || buf.Len() != 0 {
		t.Errorf("WriteFile(no claims) = %v with %d bytes; want ErrNoClaims and nothing written", err, buf.Len())
	}
}

func TestEnvelopeCheck(t *testing.T) {
	env := testEnvelope(Professional)
	env.ISA13 = "1234567890"
	env.GS06 = ""
	env.SenderID = "A*B"
	env.Submitter.Phone, env.Submitter.Email = "", ""
	env.Created = time.Time{}
	_, err := NewBuilder(&bytes.Buffer{}, env)
	if err == nil {
		t.Fatal("NewBuilder accepted a bad envelope")
	}
	for _, want := range []string{"ISA13", "GS06", "sender ID (ISA06)", "phone or email", "creation time"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestBuilderWriteError(t *testing.T) {
	_, err := WriteFile(&failWriter{n: 100}, testEnvelope(Professional), slices.Values(loadClaims(t, "professional.json")))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteFile to a failing writer = %v, want the write error", err)
	}
}

func TestBuilderGrouping(t *testing.T) {
	base := fixture(t, "professional.json", 0)
	var claims []*Claim
	for i := 0; i < 101; i++ {
		c := fixture(t, "professional.json", 0)
		c.PatientControlNumber = fmt.Sprintf("G%d", i)
		claims = append(claims, c)
	}
	// Pay-to equal to the billing address, rendering equal to billing and
	// a facility at the billing address are not sent.
	claims[0].PayToAddress = copyAddr(base.BillingProvider.Address)
	claims[0].RenderingProvider.NPI = base.BillingProvider.NPI
	claims[0].ServiceFacility = &Facility{Name: "SAME PLACE", Address: *base.BillingProvider.Address}
	var buf bytes.Buffer
	if _, err := WriteFile(&buf, testEnvelope(Professional), slices.Values(claims)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, "HL*"); n != 3 {
		t.Errorf("%d HL segments, want 3 (one billing provider, two subscribers: at most 100 claims each)", n)
	}
	if !strings.Contains(out, "HL*3*1*22*0~") {
		t.Error("the 101st claim did not open a second subscriber HL under the same billing provider")
	}
	for _, absent := range []string{"NM1*87", "NM1*77", "NM1*82*1*OKAFOR*DANIEL****XX*1234567893"} {
		if strings.Contains(out, absent) {
			t.Errorf("%s was sent but repeats the billing provider", absent)
		}
	}
	if n := strings.Count(out, "NM1*82"); n != 100 {
		t.Errorf("%d rendering provider loops, want 100 (all but the first claim)", n)
	}
}

func TestBuilderDoesNotChangeClaims(t *testing.T) {
	claims := loadClaims(t, "professional.json")
	before, _ := json.Marshal(claims)
	if _, err := WriteFile(io.Discard, testEnvelope(Professional), slices.Values(claims)); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(claims)
	if !bytes.Equal(before, after) {
		t.Error("WriteFile changed the claims")
	}
}
