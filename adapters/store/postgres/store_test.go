package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/x12claims/claims/adapters/store/postgres"
	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// defaultTestURL is the server CI provides when CLAIMS_INTEGRATION=required.
const defaultTestURL = "postgres://postgres@127.0.0.1:5432/test"

// testURL returns the server for tests, or skips the test (fails it when
// CLAIMS_INTEGRATION=required) when there is none or it does not answer.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("CLAIMS_TEST_POSTGRES_URL")
	if u == "" {
		if !pipelinetest.IntegrationRequired() {
			pipelinetest.NeedIntegration(t, "PostgreSQL", errors.New("CLAIMS_TEST_POSTGRES_URL is not set"))
		}
		u = defaultTestURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		pipelinetest.NeedIntegration(t, "PostgreSQL", err)
	}
	c.Close(ctx)
	return u
}

// freshSchema creates an empty schema claims_test_<random> on the test
// server, drops it when the test ends, and returns a URL whose
// search_path selects it.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := testURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		pipelinetest.NeedIntegration(t, "PostgreSQL", err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	schema := "claims_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(t, base, schema)
}

// withSearchPath adds search_path=schema to a URL or key=value
// connection string.
func withSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	if !strings.Contains(base, "://") {
		return base + " search_path=" + schema
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("CLAIMS_TEST_POSTGRES_URL is not a valid URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// openFresh opens a store in a fresh schema, closed when the test ends
// (before the schema is dropped).
func openFresh(t testing.TB) *postgres.Store {
	t.Helper()
	u := freshSchema(t)
	s, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	testURL(t)
	pipelinetest.RunStoreTests(t, func(t *testing.T) pipeline.Store {
		return openFresh(t)
	}, pipelinetest.ConcurrentTransactions())
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	u := freshSchema(t)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), u)
			if err == nil {
				err = s.InTx(t.Context(), func(tx pipeline.Tx) error {
					_, err := tx.NextSequence(t.Context(), "x")
					return err
				})
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d: %v", i, err)
		}
	}
	c, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var migrations, seq int
	if err := c.QueryRow(t.Context(), "SELECT (SELECT COUNT(*) FROM schema_migrations), (SELECT value FROM sequences WHERE name = 'x')").Scan(&migrations, &seq); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v, %v", files, err)
	}
	if migrations != len(files) || seq != n {
		t.Errorf("schema_migrations rows, sequence = %d, %d; want %d, %d", migrations, seq, len(files), n)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	u := freshSchema(t)
	s, err := postgres.Open(t.Context(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Close()
	c, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(t.Context(), "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 'x')"); err != nil {
		t.Fatal(err)
	}
	if s, err := postgres.Open(t.Context(), u); err == nil || !strings.Contains(err.Error(), "newer") {
		if err == nil {
			s.Close()
		}
		t.Errorf("Open of a newer schema: %v, want an error saying it is newer", err)
	}
}

func TestNewWithPool(t *testing.T) {
	u := freshSchema(t)
	pool, err := pgxpool.New(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s, err := postgres.New(t.Context(), pool)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.InTx(t.Context(), func(tx pipeline.Tx) error { return tx.Lock(t.Context(), "x") }); err != nil {
		t.Errorf("InTx: %v", err)
	}
	s.Close()
	if err := pool.Ping(t.Context()); err != nil {
		t.Errorf("Close closed the caller's pool: %v", err)
	}
}

func TestOpenBadURL(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://user:secret@[::1")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open(bad URL) = %v; want an error that does not echo the password", err)
	}
}

// BenchmarkPostClaimPayments: see pipelinetest.BenchPostClaimPayments.
func BenchmarkPostClaimPayments(b *testing.B) {
	pipelinetest.BenchPostClaimPayments(b, openFresh(b))
}

// BenchmarkPostClaimPaymentsBulk: see pipelinetest.BenchPostClaimPaymentsBulk.
func BenchmarkPostClaimPaymentsBulk(b *testing.B) {
	pipelinetest.BenchPostClaimPaymentsBulk(b, openFresh(b))
}

// TestMigrateLedgerLegs opens a schema at version 1 holding one ledger
// row per amount and checks what migration 0002 makes of it.
func TestMigrateLedgerLegs(t *testing.T) {
	u := freshSchema(t)
	v1, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	c, err := pgx.Connect(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	at := pipelinetest.LegacyAt
	setup := []struct {
		q    string
		args []any
	}{
		{q: string(v1)},
		{q: "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"},
		{q: "INSERT INTO schema_migrations VALUES (1, '0001_init', '2025-01-01T00:00:00Z')"},
		{q: "INSERT INTO claims VALUES (1, 'E1', 'professional', 'paid', 'P1', 'Payer', 'sim', 25000, 1, 'C1-1', '', $1, $1, $1)", args: []any{at}},
		{q: "SELECT setval(pg_get_serial_sequence('ledger_entries', 'id'), $1)", args: []any{int64(pipelinetest.LegacyNextID - 1)}},
	}
	for _, st := range setup {
		if _, err := c.Exec(t.Context(), st.q, st.args...); err != nil {
			t.Fatalf("%.60s: %v", st.q, err)
		}
	}
	for _, e := range pipelinetest.LegacyLedger {
		if _, err := c.Exec(t.Context(), "INSERT INTO ledger_entries VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
			e.ID, int64(pipelinetest.LegacyClaimID), e.LineID, e.RemittanceID, e.ClaimPayment, e.Kind, e.Group, e.Reason,
			e.Amount, e.Reversal, at, e.Memo); err != nil {
			t.Fatal(err)
		}
	}
	s, err := postgres.Open(t.Context(), u)
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	defer s.Close()
	pipelinetest.CheckLegacyLedger(t, s)
}

// TestReserveIDBlocks reserves IDs from two stores on one schema at once:
// every reservation gets the count asked for, increasing, and no ID is
// handed out twice, whatever the block boundaries (the bulk tables'
// sequences step by 1000).
func TestReserveIDBlocks(t *testing.T) {
	u := freshSchema(t)
	var stores [2]*postgres.Store
	for i := range stores {
		s, err := postgres.Open(t.Context(), u)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	sizes := []int{1, 999, 1000, 1001, 2500, 3, 4096}
	got := make([][][]int64, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			for _, n := range sizes {
				ids, err := postgres.ReserveIDs(t.Context(), s, "ledger_entries", n)
				if err != nil {
					t.Errorf("ReserveIDs(%d): %v", n, err)
					return
				}
				got[i] = append(got[i], ids)
			}
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for i := range got {
		for k, ids := range got[i] {
			if len(ids) != sizes[k] {
				t.Errorf("store %d reservation %d: %d ids, want %d", i, k, len(ids), sizes[k])
			}
			for j, id := range ids {
				if j > 0 && id <= ids[j-1] {
					t.Errorf("store %d reservation %d: ids not increasing at %d: %d after %d", i, k, j, id, ids[j-1])
				}
				if seen[id] {
					t.Errorf("id %d handed out twice", id)
				}
				seen[id] = true
			}
		}
	}
	// A table whose sequence steps by 1 still works one value per ID.
	ids, err := postgres.ReserveIDs(t.Context(), stores[0], "claims", 3)
	if err != nil || len(ids) != 3 || ids[1] != ids[0]+1 || ids[2] != ids[1]+1 {
		t.Errorf("ReserveIDs(claims, 3) = %v, %v; want 3 consecutive ids", ids, err)
	}
}

// TestMigrateJSONAsText stores a claim, turns its JSON columns back into
// the JSONB they were before migration 0014, whose printing differs from
// what the store wrote (spaces, key order), and reopens the store: the
// migration makes them TEXT again and the claim reads back the same.
func TestMigrateJSONAsText(t *testing.T) {
	u := freshSchema(t)
	ctx := t.Context()
	s, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	c := pipelinetest.SampleClaim("E1")
	var before *pipeline.Claim
	err = s.InTx(ctx, func(tx pipeline.Tx) error {
		if err := tx.CreateClaim(ctx, c); err != nil {
			return err
		}
		before, err = tx.GetClaim(ctx, c.ID)
		return err
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	for _, q := range []string{
		"ALTER TABLE encounters ALTER COLUMN problems TYPE JSONB USING problems::jsonb",
		"ALTER TABLE claim_lines ALTER COLUMN modifiers TYPE JSONB USING modifiers::jsonb",
		"ALTER TABLE work_items ALTER COLUMN reasons TYPE JSONB USING reasons::jsonb",
		"ALTER TABLE claim_versions ALTER COLUMN data TYPE JSONB USING data::jsonb, ALTER COLUMN changed TYPE JSONB USING changed::jsonb",
		"ALTER TABLE unapplied_payments ALTER COLUMN claim TYPE JSONB USING claim::jsonb",
		"DELETE FROM schema_migrations WHERE version = 14",
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s, err = postgres.Open(ctx, u)
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	defer s.Close()
	var after *pipeline.Claim
	if err := s.InTx(ctx, func(tx pipeline.Tx) error {
		after, err = tx.GetClaim(ctx, c.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("claim after migration 0014:\n%+v\nwant\n%+v", after, before)
	}
	var jsonb int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND data_type = 'jsonb'").Scan(&jsonb); err != nil {
		t.Fatal(err)
	}
	if jsonb != 0 {
		t.Errorf("%d JSONB columns left after migration 0014", jsonb)
	}
}
