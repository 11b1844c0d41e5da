package main

import (
	"bytes"
	"sync"
	"testing"
)

// TestLoggerSerializesWrites: the daemon logs from several goroutines at
// once (the scheduler, the stop watcher, the web UI and monitor
// handlers); whole lines reach the writer one at a time.
func TestLoggerSerializesWrites(t *testing.T) {
	var buf bytes.Buffer
	log, err := newLogger("info", "json", &buf)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				log.Info("line")
			}
		}()
	}
	wg.Wait()
	if n := bytes.Count(buf.Bytes(), []byte("\n")); n != 800 {
		t.Fatalf("%d lines written, want 800: concurrent writes were lost or interleaved", n)
	}
}
