package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

func fastBackoff(attempts int) backoff {
	return backoff{attempts: attempts, base: time.Microsecond, max: 10 * time.Microsecond}
}

func TestRetry(t *testing.T) {
	errT := transient(io.ErrUnexpectedEOF)
	errP := permanent(nil, errors.New("permission denied"))
	tests := []struct {
		name         string
		attempts     int
		results      []error // what op returns on each call; nil = success
		wantCalls    int
		wantErr      error
		wantNilError bool
	}{
		{"success", 3, []error{nil}, 1, nil, true},
		{"transient then success", 3, []error{errT, errT, nil}, 3, nil, true},
		{"transient exhausted", 3, []error{errT, errT, errT}, 3, errT, false},
		{"permanent first", 5, []error{errP}, 1, errP, false},
		{"transient then permanent", 5, []error{errT, errP}, 2, errP, false},
		{"unclassified is permanent", 5, []error{io.EOF}, 1, io.EOF, false},
		{"single attempt", 1, []error{errT}, 1, errT, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			attempts, err := retry(t.Context(), fastBackoff(tt.attempts), func(context.Context, int) error {
				calls++
				return tt.results[calls-1]
			}, nil)
			if calls != tt.wantCalls || attempts != tt.wantCalls {
				t.Errorf("calls = %d, attempts = %d; want %d", calls, attempts, tt.wantCalls)
			}
			if (err == nil) != tt.wantNilError || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("retry = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestRetryNeverTurnsFailureIntoSuccess runs random sequences of results and
// checks that retry returns nil exactly when the last call it made returned
// nil, and that it never calls op again after a permanent error or a
// success.
func TestRetryNeverTurnsFailureIntoSuccess(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []error{nil, transient(io.ErrUnexpectedEOF), permanent(nil, errors.New("denied")), errors.New("unclassified")}
	for i := range 2000 {
		attempts := 1 + rng.IntN(5)
		var seq []error
		for range attempts {
			seq = append(seq, kinds[rng.IntN(len(kinds))])
		}
		var last error
		calls := 0
		_, err := retry(t.Context(), fastBackoff(attempts), func(context.Context, int) error {
			if calls > 0 && !isTransient(last) {
				t.Fatalf("case %d: op called again after %v", i, last)
			}
			last = seq[calls]
			calls++
			return last
		}, nil)
		if (err == nil) != (last == nil) {
			t.Fatalf("case %d %v: retry returned %v but the last call returned %v", i, seq, err, last)
		}
		if err != nil && !errors.Is(err, last) {
			t.Fatalf("case %d: retry returned %v, want the last error %v", i, err, last)
		}
	}
}

func TestRetryCanceledDuringBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	b := backoff{attempts: 5, base: time.Hour, max: time.Hour}
	calls := 0
	_, err := retry(ctx, b, func(context.Context, int) error {
		calls++
		return transient(io.ErrUnexpectedEOF)
	}, func(int, time.Duration, error) { cancel() })
	if calls != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, io.ErrUnexpectedEOF) || !IsPermanent(err) {
		t.Errorf("calls = %d, err = %v; want 1 call and a permanent error wrapping both causes", calls, err)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := backoff{attempts: 10, base: 100 * time.Millisecond, max: time.Second}
	for _, jitter := range []struct {
		name string
		f    func(int64) int64
	}{
		{"low", func(int64) int64 { return 0 }},
		{"high", func(n int64) int64 { return n - 1 }},
	} {
		b.jitter = jitter.f
		for failures, want := range map[int]time.Duration{
			1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond,
			4: 800 * time.Millisecond, 5: time.Second, 70: time.Second,
		} {
			t.Run(fmt.Sprintf("%s/%d", jitter.name, failures), func(t *testing.T) {
				got := b.delay(failures)
				if got < want/2 || got > want {
					t.Errorf("delay(%d) = %v, want within [%v, %v]", failures, got, want/2, want)
				}
			})
		}
	}
}
