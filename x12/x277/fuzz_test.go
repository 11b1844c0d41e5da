package x277

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzRead checks that no input makes Read panic and that verdicts can be
// computed on whatever was read. Seeds are in testdata/fuzz.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		acks, err := Read(bytes.NewReader(data))
		// ReadEach hands over the same sets, one at a time, with the
		// same verdict on the whole input.
		n := 0
		eachErr := ReadEach(bytes.NewReader(data), func(a *Acknowledgment) error {
			if n >= len(acks) || a.SetControl != acks[n].SetControl || a.Counts() != acks[n].Counts() {
				t.Fatalf("ReadEach set %d differs from Read's", n)
			}
			n++
			return nil
		})
		if (err == nil) != (eachErr == nil) || errors.Is(err, ErrNoTransaction) != errors.Is(eachErr, ErrNoTransaction) {
			t.Fatalf("Read: %v; ReadEach: %v", err, eachErr)
		}
		if err == nil && n != len(acks) {
			t.Fatalf("ReadEach handed over %d sets, Read read %d", n, len(acks))
		}
		for _, a := range acks {
			a.Counts()
			for _, s := range a.Sources {
				for _, r := range s.Receivers {
					for _, p := range r.Providers {
						p.Verdict()
					}
				}
			}
		}
	})
}

// TestReadEachStops: an error of fn is returned, and no set is handed
// over after it.
func TestReadEachStops(t *testing.T) {
	data := sampleFile(t)
	all, err := Read(bytes.NewReader(data))
	if err != nil || len(all) == 0 {
		t.Fatalf("Read: %d sets, %v", len(all), err)
	}
	stop := errors.New("stop")
	calls := 0
	err = ReadEach(bytes.NewReader(data), func(*Acknowledgment) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("ReadEach: %v after %d calls; want the fn's error after 1", err, calls)
	}
}
