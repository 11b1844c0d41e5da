package clearinghousesim

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/x12claims/claims/x12/x835"
)

// TestOpenStoreAddsPayablesColumns: a state made before payables.claims
// existed gets it when opened, keeping its rows (each
// paying one claim); a new state has them.
func TestOpenStoreAddsPayablesColumns(t *testing.T) {
	for _, tc := range []struct {
		name  string
		older bool
	}{
		{"new state", false},
		{"state made before payables.claims", true},
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
			var n, rows, claims int
			if err := st.db.QueryRow(`SELECT COUNT(*) FROM pragma_table_info('payables') WHERE name = 'claims'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if err := st.db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(claims), 0) FROM payables`).Scan(&rows, &claims); err != nil {
				t.Fatal(err)
			}
			want := 0
			if tc.older {
				want = 1
			}
			if n != 1 || rows != want || claims != want {
				t.Errorf("payables.claims columns %d, rows %d paying %d claims; want 1, %d and %d", n, rows, claims, want, want)
			}
		})
	}
}

// TestOlderPayablesRowsStillPaid: payables recorded the way an older
// simulator did (a row per claim, stored whole in JSON) are paid by the
// same 835s as rows recorded now.
func TestOlderPayablesRowsStillPaid(t *testing.T) {
	now := testNow()
	clock := func() time.Time { return now }
	mut := func(c *Config) { c.Now, c.Timing.Remit = clock, time.Hour }
	current, older := newResponder(t, mut), newResponder(t, mut)
	for _, r := range []*Responder{current, older} {
		drop(t, r, "in.x12", fixture(t, "basic.x12"))
		respond(t, r)
	}
	rewriteAsOlder(t, older.store.db)
	now = now.Add(2 * time.Hour)
	want, got := respond(t, current), respond(t, older)
	if !reflect.DeepEqual(got.Outputs, want.Outputs) || len(want.Outputs) == 0 {
		t.Fatalf("835s from older rows %v, want %v", got.Outputs, want.Outputs)
	}
	for _, name := range want.Outputs {
		if !bytes.Equal(output(t, older, name), output(t, current, name)) {
			t.Errorf("%s differs when paid from older rows", name)
		}
	}
}

// rewriteAsOlder turns the payables rows into those an older simulator
// wrote: one per claim, stored whole in JSON.
func rewriteAsOlder(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT mailbox, file_id, payer, payee, claim, pay_date, due, recv_qual, recv_id, usage, app FROM payables ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		args  []any
		claim []byte
	}
	var old []row
	for rows.Next() {
		var r row
		var mailbox, payer, date, qual, id, usage, app string
		var file, due int64
		var payee []byte
		if err := rows.Scan(&mailbox, &file, &payer, &payee, &r.claim, &date, &due, &qual, &id, &usage, &app); err != nil {
			t.Fatal(err)
		}
		r.args = []any{mailbox, file, payer, payee, date, due, qual, id, usage, app}
		old = append(old, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if _, err := db.Exec(`DELETE FROM payables`); err != nil {
		t.Fatal(err)
	}
	for _, r := range old {
		if err := decodeRemits(r.claim, func(oc *x835.Claim) {
			js, err := json.Marshal(oc)
			if err != nil {
				t.Fatal(err)
			}
			args := append(append([]any{}, r.args[:4]...), js)
			args = append(args, r.args[4:]...)
			if _, err := db.Exec(`INSERT INTO payables (mailbox, file_id, payer, payee, claim, pay_date, due, recv_qual, recv_id, usage, app)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
				t.Fatal(err)
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
}
