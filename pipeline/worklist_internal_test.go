package pipeline

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/x12claims/claims/x12/x837"
)

func TestJobLocks(t *testing.T) {
	var j jobLocks
	at := time.Date(2026, 11, 20, 10, 4, 5, 0, time.UTC)
	release, err := j.take("submit", at)
	if err != nil {
		t.Fatalf("take: %v", err)
	}
	_, err = j.take("submit", at.Add(time.Minute))
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("second take = %v, want ErrBusy", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "submit") || !strings.Contains(msg, "10:04:05") {
		t.Errorf("error %q should name the job and when it started", msg)
	}
	// Another kind runs alongside.
	releaseCollect, err := j.take("collect", at)
	if err != nil {
		t.Fatalf("take of another kind: %v", err)
	}
	release()
	release2, err := j.take("submit", at)
	if err != nil {
		t.Fatalf("take after release: %v", err)
	}
	release2()
	releaseCollect()
	if len(j.running) != 0 {
		t.Errorf("running %v after every release", j.running)
	}
}

func TestJobLocksConcurrent(t *testing.T) {
	var j jobLocks
	const n = 32
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, busy := 0, 0
	start := make(chan struct{})
	releases := make(chan func(), n)
	for range n {
		wg.Go(func() {
			<-start
			release, err := j.take("submit", time.Now())
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
				releases <- release
			case errors.Is(err, ErrBusy):
				busy++
			default:
				t.Errorf("take: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if won != 1 || busy != n-1 {
		t.Errorf("%d took the lock and %d were told busy, want 1 and %d", won, busy, n-1)
	}
	(<-releases)()
	if _, err := j.take("submit", time.Now()); err != nil {
		t.Errorf("take after the winner released: %v", err)
	}
}

func TestStatusHeadline(t *testing.T) {
	tests := []struct{ code, want string }{
		{"A7:164:IL", "Insured or subscriber: contract or member number is not valid"},
		{"A6:164:IL", "Insured or subscriber: contract or member number is missing"},
		{"A3:164:IL", "Insured or subscriber: contract or member number was returned as unprocessable"},
		{"A8:562:85", "Billing provider: National Provider Identifier (NPI) does not agree with related fields"},
		{"A6:158:QC", "Patient: date of birth is missing"},
		{"A7:562:82", "Rendering provider: National Provider Identifier (NPI) is not valid"},
		{"A7:21", "Missing or invalid information"},
		{"A6:21", "Missing or invalid information"},
		{"A7:21:QC", "Patient: missing or invalid information"},
		{"A1:164", "Contract or member number"},
		{"A7:164", "Contract or member number is not valid"},
		{"A7:164:ZZZ", "Contract or member number is not valid"},
		{"A7:999999:IL", ""},
		{"A7", ""},
		{"", ""},
		{"A7:", ""},
	}
	for _, tt := range tests {
		if got := statusHeadline(tt.code); got != tt.want {
			t.Errorf("statusHeadline(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestInitials(t *testing.T) {
	person := func(first, last string) x837.Person { return x837.Person{FirstName: first, LastName: last} }
	tests := []struct {
		name string
		data x837.Claim
		want string
	}{
		{"the subscriber", x837.Claim{Subscriber: x837.Subscriber{Person: person("pat", "doe")}}, "P.D."},
		{"the patient when not the subscriber", x837.Claim{Subscriber: x837.Subscriber{Person: person("Theo", "Brannigan")},
			Patient: &x837.Patient{Person: person("Nell", "Quinn")}}, "N.Q."},
		{"no first name", x837.Claim{Subscriber: x837.Subscriber{Person: person("", "Doe")}}, "D."},
		{"spaces around", x837.Claim{Subscriber: x837.Subscriber{Person: person("  ana ", " lópez")}}, "A.L."},
		{"a non-ASCII initial", x837.Claim{Subscriber: x837.Subscriber{Person: person("Élodie", "Ørsted")}}, "É.Ø."},
		{"blank names", x837.Claim{Subscriber: x837.Subscriber{Person: person(" ", "")}}, ""},
		{"a patient without names hides the subscriber's", x837.Claim{Subscriber: x837.Subscriber{Person: person("Theo", "B")},
			Patient: &x837.Patient{}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := initials(&Claim{Data: tt.data})
			if got != tt.want {
				t.Errorf("initials = %q, want %q", got, tt.want)
			}
			if len([]rune(got)) > 4 {
				t.Errorf("initials %q show more than initials", got)
			}
		})
	}
}
