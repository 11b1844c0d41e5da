package sqlcore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Migration is one embedded schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads the migrations in dir of fsys: files named
// NNNN_name.sql, applied in version order. It fails on a badly named
// file or a repeated version.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	des, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, de := range des {
		name := de.Name()
		if de.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name is not NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s have the same version", ms[i-1].Name, ms[i].Name)
		}
	}
	return ms, nil
}

// Migrate applies, in order, the migrations not yet recorded in the
// schema_migrations table, and records them. It runs inside the caller's
// transaction, which holds whatever lock keeps two instances from
// migrating at once. It returns how many it applied, and fails when the
// database records a version this program does not know (a newer
// program migrated it).
//
// A migration recorded under another number than the one it has now
// (the stores' numbers were aligned: SQLite's 0005..0008 became
// 0006..0009) is first renumbered by name, in the same transaction; see
// renumber.
func Migrate(ctx context.Context, c Conn, ms []Migration, now time.Time) (int, error) {
	if _, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
version BIGINT PRIMARY KEY,
name TEXT NOT NULL,
applied_at TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := renumber(ctx, c, ms); err != nil {
		return 0, err
	}
	done, err := recorded(ctx, c)
	if err != nil {
		return 0, err
	}
	known := make(map[int]bool, len(ms))
	for _, m := range ms {
		known[m.Version] = true
	}
	for v := range done {
		if !known[v] {
			return 0, fmt.Errorf("database schema version %d is newer than this program", v)
		}
	}
	applied := 0
	for _, m := range ms {
		if done[m.Version] {
			continue
		}
		if _, err := c.Exec(ctx, m.SQL); err != nil {
			return applied, fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
		if _, err := c.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			int64(m.Version), m.Name, now.UTC().Format(time.RFC3339)); err != nil {
			return applied, fmt.Errorf("record migration %s: %w", m.Name, err)
		}
		applied++
	}
	return applied, nil
}

// recordedMigration is one row of schema_migrations.
type recordedMigration struct {
	version int
	name    string
}

func readRecorded(ctx context.Context, c Conn) ([]recordedMigration, error) {
	rows, err := c.Query(ctx, "SELECT version, name FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	var rs []recordedMigration
	for rows.Next() {
		var r recordedMigration
		var v int64
		if err := rows.Scan(&v, &r.name); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		r.version = int(v)
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return rs, nil
}

func recorded(ctx context.Context, c Conn) (map[int]bool, error) {
	rs, err := readRecorded(ctx, c)
	if err != nil {
		return nil, err
	}
	done := make(map[int]bool, len(rs))
	for _, r := range rs {
		done[r.version] = true
	}
	return done, nil
}

// migrationTitle is a migration's name without its number:
// "0006_rework" gives "rework".
func migrationTitle(name string) string {
	_, title, _ := strings.Cut(name, "_")
	return title
}

// renumber rewrites the recorded version of every migration recorded
// under a number other than its own, matching by title (the name
// without its number): a database whose schema_migrations says
// 5 "0005_claims_state_waiting" now says 6 "0006_claims_state_waiting",
// and migration 0005 (new to it) is applied after. The rows move through
// negative versions so that no two ever share one. A title this program
// does not know is left alone (Migrate then finds a version it does not
// know, or one it does).
func renumber(ctx context.Context, c Conn, ms []Migration) error {
	rs, err := readRecorded(ctx, c)
	if err != nil {
		return err
	}
	byTitle := make(map[string]Migration, len(ms))
	for _, m := range ms {
		byTitle[migrationTitle(m.Name)] = m
	}
	var moves []recordedMigration // the old row, and below its new version
	var to []Migration
	for _, r := range rs {
		m, ok := byTitle[migrationTitle(r.name)]
		if !ok || m.Version == r.version {
			continue
		}
		moves = append(moves, r)
		to = append(to, m)
	}
	for _, r := range moves {
		if _, err := c.Exec(ctx, "UPDATE schema_migrations SET version = $1 WHERE version = $2",
			-int64(r.version), int64(r.version)); err != nil {
			return fmt.Errorf("renumber migration %s: %w", r.name, err)
		}
	}
	for i, r := range moves {
		if _, err := c.Exec(ctx, "UPDATE schema_migrations SET version = $1, name = $2 WHERE version = $3",
			int64(to[i].Version), to[i].Name, -int64(r.version)); err != nil {
			return fmt.Errorf("renumber migration %s to %s: %w", r.name, to[i].Name, err)
		}
	}
	return nil
}
