package clearinghousesim

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// TestOpenStoreAddsPayablesICN: a state made before payables.icn existed
// gets the column when opened, keeping its rows; a new state has it.
func TestOpenStoreAddsPayablesICN(t *testing.T) {
	for _, tc := range []struct {
		name  string
		older bool
	}{
		{"new state", false},
		{"state made before payables.icn", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.older {
				db, err := sql.Open("sqlite", filepath.Join(dir, StateFile))
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range []string{
					`CREATE TABLE payables (id INTEGER PRIMARY KEY, mailbox TEXT NOT NULL, file_id INTEGER NOT NULL,
						payer TEXT NOT NULL, payee BLOB NOT NULL, claim BLOB NOT NULL, pay_date TEXT NOT NULL,
						due INTEGER NOT NULL, recv_qual TEXT NOT NULL, recv_id TEXT NOT NULL, usage TEXT NOT NULL,
						app TEXT NOT NULL, output_id INTEGER)`,
					`INSERT INTO payables (mailbox, file_id, payer, payee, claim, pay_date, due, recv_qual, recv_id, usage, app)
						VALUES ('m', 1, 'P', '{}', '{}', '20240101', 0, 'ZZ', 'S', 'T', 'A')`,
				} {
					if _, err := db.Exec(q); err != nil {
						t.Fatal(err)
					}
				}
				db.Close()
			}
			st, err := OpenStore(t.Context(), dir)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var n, rows int
			if err := st.db.QueryRow(`SELECT COUNT(*) FROM pragma_table_info('payables') WHERE name = 'icn'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if err := st.db.QueryRow(`SELECT COUNT(*) FROM payables WHERE icn IS NULL`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			want := 0
			if tc.older {
				want = 1
			}
			if n != 1 || rows != want {
				t.Errorf("payables.icn columns %d, rows without icn %d; want 1 and %d", n, rows, want)
			}
		})
	}
}
