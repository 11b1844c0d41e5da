package x837

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The fixtures with the fields of professional_extras.go, built to golden
// files like the basic ones.
var extrasFixtures = []struct {
	fixture, golden string
	kind            Kind
}{
	{"professional_extras.json", "professional_extras.x12", Professional},
	{"institutional_extras.json", "institutional_extras.x12", Institutional},
}

func TestGoldenFilesExtras(t *testing.T) {
	for _, tc := range extrasFixtures {
		t.Run(tc.golden, func(t *testing.T) {
			claims := loadClaims(t, tc.fixture)
			for _, c := range claims {
				for _, p := range c.Validate(ValidateOptions{Today: testToday}) {
					t.Errorf("%s: %s [%s]", c.PatientControlNumber, p.Error(), p.Rule)
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
			ps, err := ValidateFile(bytes.NewReader(buf.Bytes()), FileOptions{Today: testToday})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				t.Errorf("ValidateFile: %s [%s]", p.Error(), p.Rule)
			}
		})
	}
}
