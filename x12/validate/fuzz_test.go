package validate

import "testing"

// FuzzFile checks that no input makes File panic or place a problem
// outside the file, and that every problem has a severity and a rule.
func FuzzFile(f *testing.F) {
	f.Add([]byte(ack999("CLM*22**8", "2*1028*7*X", "R*5", "R*1*1*0")))
	f.Add([]byte(ack997("CLM*22**X", "2*1028*Q", "P*5", "R*1*1*0*9")))
	f.Add([]byte(ack277("A2:20:PR*20251003*WQ*100")))
	f.Add([]byte(remit("4", "CO*45*20*1*PR*2*5", "HE*N130")))
	f.Add([]byte(testISA + "TA1*000000001*251003*1200*R*999~IEA*0*000000101~"))
	f.Add([]byte("not x12"))
	f.Fuzz(func(t *testing.T, data []byte) {
		probs, err := File(data, Options{})
		if err != nil {
			return
		}
		for _, p := range probs {
			if p.Position.Byte < 0 || p.Position.Byte > int64(len(data)) {
				t.Fatalf("%s: byte %d outside the %d-byte input", p.Text(), p.Position.Byte, len(data))
			}
			if p.Severity == "" || p.Rule == "" || p.Message == "" {
				t.Fatalf("problem without severity, rule or message: %+v", p)
			}
		}
	})
}
