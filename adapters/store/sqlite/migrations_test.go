package sqlite_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/x12claims/claims/adapters/store/sqlite"
	"github.com/x12claims/claims/pipeline"
)

// migrationVersions lists the NNNN prefixes of the .sql files in dir.
func migrationVersions(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	var vs []string
	for _, de := range des {
		if num, _, ok := strings.Cut(de.Name(), "_"); ok && strings.HasSuffix(de.Name(), ".sql") {
			vs = append(vs, num)
		}
	}
	return vs
}

// TestMigrationsInStep: both stores list the same migration versions, 1
// to n without a gap, so that one number means one schema change in
// both.
func TestMigrationsInStep(t *testing.T) {
	lite := migrationVersions(t, "migrations")
	pg := migrationVersions(t, filepath.Join("..", "postgres", "migrations"))
	if !slices.Equal(lite, pg) {
		t.Errorf("migration versions differ:\nsqlite   %v\npostgres %v", lite, pg)
	}
	for i, v := range lite {
		if want := fmt.Sprintf("%04d", i+1); v != want {
			t.Errorf("sqlite migration #%d is %s, want %s", i+1, v, want)
		}
	}
}

// TestMigrateOldNumbering opens a database made by the release that
// numbered SQLite's migrations 1..8 (before PostgreSQL's 0005_id_blocks
// had a SQLite twin): schema_migrations records 5..8 under the old names.
// Opening renumbers them by name to 6..9, applies the new (empty) 0005
// and the migrations after 0009, applies nothing twice, and the store
// works. Main between the merges of COB and streaming posting and the
// aligned numbering had, besides those, 0010 and 0011 under their own
// numbers: those stay.
func TestMigrateOldNumbering(t *testing.T) {
	all, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(all) < 11 {
		t.Fatalf("migration files: %v, %v; this test knows the 11 of the aligned numbering", all, err)
	}
	for _, tc := range []struct {
		name string
		had  int // how many of the aligned files the old release had (less 0005)
	}{
		{"1..8", 9},
		{"1..8, 10, 11", 11},
	} {
		t.Run(tc.name, func(t *testing.T) { migrateOldNumbering(t, all, all[:tc.had]) })
	}
}

// migrateOldNumbering makes a database by the old numbering from files
// (0005 left out, 0006..0009 recorded one lower, the others as they are),
// opens it twice, and checks that schema_migrations lists all.
func migrateOldNumbering(t *testing.T, all, files []string) {
	path := filepath.Join(t.TempDir(), "claims.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		num, title, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case v == 5:
			continue // the old release had no 0005_id_blocks
		case v > 5 && v <= 9:
			v-- // and numbered the four after it one lower
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("apply %s: %v", name, err)
		}
		if _, err := db.Exec("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01T00:00:00Z')",
			v, fmt.Sprintf("%04d_%s", v, title)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	for i := range 2 { // the second open finds everything in place
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatalf("Open #%d (old numbering): %v", i+1, err)
		}
		if err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
			_, err := tx.NextSequence(t.Context(), "x")
			return err
		}); err != nil {
			t.Errorf("InTx after renumbering: %v", err)
		}
		s.Close()
	}

	db, err = sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT version, name FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %s", v, name))
	}
	var want []string
	for _, f := range all {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		v, err := strconv.Atoi(name[:4])
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%d %s", v, name))
	}
	if !slices.Equal(got, want) {
		t.Errorf("schema_migrations after upgrade:\n got %q\nwant %q", got, want)
	}
}

// TestMigrateHasOtherCoverage opens a database at schema version 12
// whose claim versions had has_other_coverage generated from their
// content, and checks that migration 0013 keeps each version's value in
// the plain column, keeps claim_versions append-only, and drops
// encounters_claim.
func TestMigrateHasOtherCoverage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "claims.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		num, _, _ := strings.Cut(name, "_")
		if v, err := strconv.Atoi(num); err != nil || v > 12 {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("apply %s: %v", name, err)
		}
		if _, err := db.Exec("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01T00:00:00Z')", num, name); err != nil {
			t.Fatal(err)
		}
	}
	const at = "2026-01-01T00:00:00.000000Z"
	for _, q := range []string{
		`INSERT INTO claims (id, encounter_id, kind, state, payer_id, payer_name, clearinghouse, total_charge, submissions,
			pcn, payer_claim_number, created_at, updated_at) VALUES (1, 'E1', 'professional', 'ready', 'P1', 'Payer', 'sim', 100, 0, '', '', '` + at + `', '` + at + `')`,
		`INSERT INTO claim_versions (claim_id, version, kind, frequency, payer_claim_number, total_charge, data, changed, actor, note, created_at)
			VALUES (1, 1, 'original', '1', '', 100, '{"kind":"professional"}', '[]', 'intake', '', '` + at + `')`,
		`INSERT INTO claim_versions (claim_id, version, kind, frequency, payer_claim_number, total_charge, data, changed, actor, note, created_at)
			VALUES (1, 2, 'correction', '1', '', 100, '{"kind":"professional","other_coverage":[{"responsibility":"S"}]}', '[]', 'kim', '', '` + at + `')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	db.Close()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	s.Close()
	db, err = sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var flags string
	if err := db.QueryRow("SELECT group_concat(has_other_coverage, ',') FROM (SELECT has_other_coverage FROM claim_versions ORDER BY version)").Scan(&flags); err != nil || flags != "0,1" {
		t.Errorf("has_other_coverage of versions 1, 2 = %q (%v), want 0,1", flags, err)
	}
	if _, err := db.Exec("UPDATE claim_versions SET note = 'x'"); err == nil {
		t.Error("claim_versions can be updated after the migration: its triggers are gone")
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'encounters_claim'").Scan(&n); err != nil || n != 0 {
		t.Errorf("encounters_claim indexes = %d (%v), want it dropped", n, err)
	}
}
