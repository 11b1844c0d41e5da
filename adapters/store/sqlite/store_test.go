package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// openTemp opens a store in a new temporary folder and closes it when the
// test ends.
func openTemp(t testing.TB) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "claims.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, path
}

func TestConformance(t *testing.T) {
	pipelinetest.RunStoreTests(t, func(t *testing.T) pipeline.Store {
		s, _ := openTemp(t)
		return s
	})
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	s, path := openTemp(t)
	if err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
		_, err := tx.NextSequence(t.Context(), "x")
		return err
	}); err != nil {
		t.Fatalf("InTx: %v", err)
	}
	for _, tc := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Dir(path), 0o700 | os.ModeDir},
		{path, 0o600},
		{path + "-wal", 0o600},
		{path + "-shm", 0o600},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Errorf("stat: %v", err)
			continue
		}
		if got := fi.Mode() & (os.ModePerm | os.ModeDir); got != tc.mode {
			t.Errorf("%s: mode %v, want %v", filepath.Base(tc.path), got, tc.mode)
		}
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "claims.db")
	ctx := t.Context()
	for want := int64(1); want <= 3; want++ {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("Open #%d: %v", want, err)
		}
		var got int64
		err = s.InTx(ctx, func(tx pipeline.Tx) error {
			var err error
			got, err = tx.NextSequence(ctx, "x")
			return err
		})
		if err != nil || got != want {
			t.Errorf("open #%d: NextSequence = %d, %v; want %d", want, got, err, want)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if err := s.InTx(ctx, func(pipeline.Tx) error { return nil }); err == nil {
			t.Errorf("InTx on a closed store succeeded")
		}
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "claims.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 'x')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = sqlite.Open(t.Context(), path)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema: %v, want an error saying it is newer", err)
	}
}

func TestOpenFailsOnGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "claims.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Open(t.Context(), path); err == nil {
		s.Close()
		t.Errorf("Open of a file that is not a database succeeded")
	}
}

func TestNew(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "claims.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := sqlite.New(t.Context(), db)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.InTx(t.Context(), func(tx pipeline.Tx) error { return tx.Lock(t.Context(), "x") }); err != nil {
		t.Errorf("InTx: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := db.Ping(); err != nil {
		t.Errorf("Close closed the caller's db: %v", err)
	}
}

// BenchmarkPostClaimPayments: see pipelinetest.BenchPostClaimPayments.
func BenchmarkPostClaimPayments(b *testing.B) {
	s, _ := openTemp(b)
	pipelinetest.BenchPostClaimPayments(b, s)
}

// BenchmarkPostClaimPaymentsBulk: see pipelinetest.BenchPostClaimPaymentsBulk.
func BenchmarkPostClaimPaymentsBulk(b *testing.B) {
	s, _ := openTemp(b)
	pipelinetest.BenchPostClaimPaymentsBulk(b, s)
}

// TestMigrateLedgerLegs opens a database at schema version 1 holding one
// ledger row per amount and checks what migration 0002 makes of it.
func TestMigrateLedgerLegs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "claims.db")
	v1, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	at := pipelinetest.LegacyAt.Format("2006-01-02T15:04:05.000000Z")
	setup := []string{string(v1),
		"CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
		"INSERT INTO schema_migrations VALUES (1, '0001_init', '2025-01-01T00:00:00Z')",
		`INSERT INTO claims VALUES (1, 'E1', 'professional', 'paid', 'P1', 'Payer', 'sim', 25000, 1, 'C1-1', '', '` + at + `', '` + at + `', '` + at + `')`,
		"UPDATE id_counters SET next = " + fmt.Sprint(pipelinetest.LegacyNextID) + " WHERE name = 'ledger_entries'",
	}
	for _, q := range setup {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	for _, e := range pipelinetest.LegacyLedger {
		if _, err := db.Exec("INSERT INTO ledger_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			e.ID, pipelinetest.LegacyClaimID, e.LineID, e.RemittanceID, e.ClaimPayment, e.Kind, e.Group, e.Reason,
			e.Amount, e.Reversal, at, e.Memo); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	defer s.Close()
	pipelinetest.CheckLegacyLedger(t, s)
	db, err = sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int
	if err := db.QueryRow("PRAGMA page_size").Scan(&size); err != nil || size != 4096 {
		t.Errorf("page size of a database made with 4 KiB pages = %d (%v), want it kept", size, err)
	}
}

// TestPageSize: a new database gets 16 KiB pages; one made with other
// pages keeps them and still opens (TestMigrateLedgerLegs opens one made
// with SQLite's default 4 KiB).
func TestPageSize(t *testing.T) {
	_, path := openTemp(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int
	if err := db.QueryRow("PRAGMA page_size").Scan(&size); err != nil {
		t.Fatal(err)
	}
	if size != 16384 {
		t.Errorf("page size of a new database = %d, want 16384", size)
	}
}

// TestCountsUnknownState: Counts counts each known state in one pass; a
// claim in a state the pipeline does not know (written by hand, or by a
// newer program) is still counted, under its own name.
func TestCountsUnknownState(t *testing.T) {
	s, path := openTemp(t)
	ctx := t.Context()
	var ids []int64
	if err := s.InTx(ctx, func(tx pipeline.Tx) error {
		for _, enc := range []string{"E1", "E2", "E3"} {
			c := pipelinetest.SampleClaim(enc)
			if err := tx.CreateClaim(ctx, c); err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "UPDATE claims SET state = 'appealed' WHERE id = ?", ids[0]); err != nil {
		t.Fatal(err)
	}
	var got pipeline.Counts
	if err := s.InTx(ctx, func(tx pipeline.Tx) error {
		got, err = tx.Counts(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want := map[pipeline.ClaimState]int{"appealed": 1, pipeline.StateReady: 2}
	if !reflect.DeepEqual(got.ClaimsByState, want) {
		t.Errorf("ClaimsByState = %v, want %v", got.ClaimsByState, want)
	}
}
