package sqlite

import "testing"

func TestAnonymous(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"UPDATE t SET a = $2 WHERE id = $1", "UPDATE t SET a = $2 WHERE id = $1"},
		{"SELECT * FROM t WHERE id IN ($1, $2, $3)", "SELECT * FROM t WHERE id IN (?, ?, ?)"},
		{"INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)", "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"},
		{"SELECT $1 WHERE $1 = 'x'", "SELECT $1 WHERE $1 = 'x'"},
		{"SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11", "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"},
		{"SELECT $1, $3", "SELECT $1, $3"},
	} {
		if got := anonymous(tc.in); got != tc.want {
			t.Errorf("anonymous(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
