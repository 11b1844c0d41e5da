package pipelinetest

import (
	"context"
	"testing"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// putUsers inserts users in their own transaction.
func putUsers(t *testing.T, s pipeline.Store, us ...*pipeline.User) {
	t.Helper()
	inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
		for _, u := range us {
			inserted, err := tx.PutUser(ctx, u)
			must(t, "PutUser", err)
			if !inserted {
				t.Fatalf("PutUser(%s) did not insert", u.Name)
			}
		}
	})
}

// getSession returns the session of a token hash, or the error.
func getSession(t *testing.T, s pipeline.Store, hash string) (*pipeline.Session, error) {
	t.Helper()
	var got *pipeline.Session
	err := s.InTx(t.Context(), func(tx pipeline.Tx) error {
		var err error
		got, err = tx.GetSession(t.Context(), hash)
		return err
	})
	return got, err
}

var accessTests = []storeTest{
	{"Access/Users", func(t *testing.T, _ *suite, s pipeline.Store) {
		ana := &pipeline.User{Name: "ana", Role: pipeline.RoleAdmin, PasswordHash: "$2a$10$ana", CreatedAt: t0}
		bob := &pipeline.User{Name: "bob", Role: pipeline.RoleBiller, PasswordHash: "$2a$10$bob", Disabled: true}
		// Names sort byte by byte: upper case first.
		zed := &pipeline.User{Name: "Zed", Role: pipeline.RoleManager, PasswordHash: "$2a$10$zed"}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, u := range []*pipeline.User{ana, bob, zed} {
				inserted, err := tx.PutUser(ctx, u)
				must(t, "PutUser", err)
				if !inserted {
					t.Errorf("PutUser(%s) of a new user did not insert", u.Name)
				}
				checkStamp(t, "UpdatedAt", u.UpdatedAt)
			}
			// Readable in the same transaction.
			got, err := tx.GetUser(ctx, "ana")
			must(t, "GetUser", err)
			Same(t, "user in the same transaction", got, ana)
		})
		if ana.CreatedAt != norm(t0) {
			t.Errorf("CreatedAt = %v, want %v", ana.CreatedAt, norm(t0))
		}
		checkStamp(t, "zero CreatedAt", bob.CreatedAt)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, u := range []*pipeline.User{ana, bob, zed} {
				got, err := tx.GetUser(ctx, u.Name)
				must(t, "GetUser", err)
				Same(t, "user "+u.Name, got, u)
			}
			_, err := tx.GetUser(ctx, "nobody")
			wantErr(t, "GetUser(missing)", err, pipeline.ErrNotFound)
			_, err = tx.GetUser(ctx, "Ana")
			wantErr(t, "GetUser(other case)", err, pipeline.ErrNotFound)
		})

		// An update changes the role, hash and flag; the creation time
		// stays.
		after(bob.UpdatedAt)
		upd := &pipeline.User{Name: "ana", Role: pipeline.RoleBiller, PasswordHash: "$2a$10$new", Disabled: true, CreatedAt: t1}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			inserted, err := tx.PutUser(ctx, upd)
			must(t, "PutUser(update)", err)
			if inserted {
				t.Errorf("PutUser of an existing user inserted")
			}
		})
		if upd.CreatedAt != ana.CreatedAt || !upd.UpdatedAt.After(ana.UpdatedAt) {
			t.Errorf("updated user: created %v, updated %v; want %v, after %v", upd.CreatedAt, upd.UpdatedAt, ana.CreatedAt, ana.UpdatedAt)
		}
		checkStamp(t, "UpdatedAt", upd.UpdatedAt)
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			got, err := tx.GetUser(ctx, "ana")
			must(t, "GetUser", err)
			Same(t, "updated user", got, upd)
			us, err := tx.Users(ctx)
			must(t, "Users", err)
			Same(t, "users", us, []*pipeline.User{zed, upd, bob})
		})
	}},
	{"Access/NoUsers", func(t *testing.T, _ *suite, s pipeline.Store) {
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			us, err := tx.Users(ctx)
			must(t, "Users", err)
			if len(us) != 0 {
				t.Errorf("Users of an empty store = %+v", us)
			}
		})
	}},
	{"Access/Sessions", func(t *testing.T, _ *suite, s pipeline.Store) {
		ana := &pipeline.User{Name: "ana", Role: pipeline.RoleAdmin, PasswordHash: "h1"}
		bob := &pipeline.User{Name: "bob", Role: pipeline.RoleBiller, PasswordHash: "h2"}
		cy := &pipeline.User{Name: "cy", Role: pipeline.RoleManager, PasswordHash: "h3", Disabled: true}
		putUsers(t, s, ana, bob, cy)
		// The role a session is created with is not kept: it is the
		// user's, read with the session.
		s1 := &pipeline.Session{TokenHash: "hash-1", User: "ana", Role: pipeline.RoleBiller, CreatedAt: t0}
		s2 := &pipeline.Session{TokenHash: "hash-2", User: "ana", CreatedAt: t0, LastSeen: t1}
		s3 := &pipeline.Session{TokenHash: "hash-3", User: "bob"}
		s4 := &pipeline.Session{TokenHash: "hash-4", User: "cy", CreatedAt: t0, LastSeen: t0}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, ss := range []*pipeline.Session{s1, s2, s3, s4} {
				must(t, "CreateSession", tx.CreateSession(ctx, ss))
			}
			// A token hash is unique; the refusal leaves the
			// transaction usable.
			err := tx.CreateSession(ctx, &pipeline.Session{TokenHash: "hash-1", User: "bob", CreatedAt: t1})
			wantErr(t, "CreateSession(duplicate token hash)", err, pipeline.ErrConflict)
			err = tx.CreateSession(ctx, &pipeline.Session{TokenHash: "hash-9", User: "nobody"})
			wantErr(t, "CreateSession(missing user)", err, pipeline.ErrNotFound)
			got, err := tx.GetSession(ctx, "hash-1")
			must(t, "GetSession in the same transaction", err)
			if got.User != "ana" {
				t.Errorf("session after the refused duplicate: user %q, want ana", got.User)
			}
		})
		if s1.LastSeen != norm(t0) || s1.CreatedAt != norm(t0) {
			t.Errorf("session without LastSeen: created %v, last seen %v; want both %v", s1.CreatedAt, s1.LastSeen, norm(t0))
		}
		checkStamp(t, "zero CreatedAt", s3.CreatedAt)
		if s3.LastSeen != s3.CreatedAt {
			t.Errorf("new session: LastSeen %v, want CreatedAt %v", s3.LastSeen, s3.CreatedAt)
		}
		s1.Role, s2.Role, s3.Role = pipeline.RoleAdmin, pipeline.RoleAdmin, pipeline.RoleBiller
		s2.LastSeen = norm(t1)
		for _, want := range []*pipeline.Session{s1, s2, s3} {
			got, err := getSession(t, s, want.TokenHash)
			must(t, "GetSession", err)
			Same(t, "session "+want.TokenHash, got, want)
		}
		for _, hash := range []string{"hash-4", "hash-9", ""} {
			_, err := getSession(t, s, hash)
			wantErr(t, "GetSession("+hash+") of a disabled or missing user or session", err, pipeline.ErrNotFound)
		}

		// The user's current role and flag count.
		bob.Role, cy.Disabled = pipeline.RoleManager, false
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for _, u := range []*pipeline.User{bob, cy} {
				_, err := tx.PutUser(ctx, u)
				must(t, "PutUser", err)
			}
		})
		s3.Role = pipeline.RoleManager
		got, err := getSession(t, s, "hash-3")
		must(t, "GetSession", err)
		Same(t, "session after a role change", got, s3)
		got, err = getSession(t, s, "hash-4")
		must(t, "GetSession of a user enabled again", err)
		if got.User != "cy" || got.Role != pipeline.RoleManager {
			t.Errorf("session of a user enabled again: %+v", got)
		}
		bob.Disabled = true
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			_, err := tx.PutUser(ctx, bob)
			must(t, "PutUser", err)
		})
		_, err = getSession(t, s, "hash-3")
		wantErr(t, "GetSession of a user disabled since", err, pipeline.ErrNotFound)

		// Touch and delete.
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			must(t, "TouchSession", tx.TouchSession(ctx, "hash-1", t1.Add(time.Hour)))
			wantErr(t, "TouchSession(missing)", tx.TouchSession(ctx, "hash-9", t1), pipeline.ErrNotFound)
			must(t, "DeleteSession", tx.DeleteSession(ctx, "hash-2"))
			must(t, "DeleteSession(missing)", tx.DeleteSession(ctx, "hash-9"))
		})
		got, err = getSession(t, s, "hash-1")
		must(t, "GetSession", err)
		if got.LastSeen != norm(t1.Add(time.Hour)) || got.CreatedAt != norm(t0) {
			t.Errorf("touched session: created %v, last seen %v; want %v, %v", got.CreatedAt, got.LastSeen, norm(t0), norm(t1.Add(time.Hour)))
		}
		_, err = getSession(t, s, "hash-2")
		wantErr(t, "GetSession(deleted)", err, pipeline.ErrNotFound)
	}},
	{"Access/DeleteSessions", func(t *testing.T, _ *suite, s pipeline.Store) {
		putUsers(t, s, &pipeline.User{Name: "ana", Role: pipeline.RoleAdmin}, &pipeline.User{Name: "bob", Role: pipeline.RoleBiller})
		base := time.Date(2024, 7, 1, 9, 0, 0, 0, time.UTC)
		at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
		for _, tc := range []struct {
			name       string
			user       string
			idleBefore time.Time
			want       int
			left       []string
		}{
			{"nothing", "", time.Time{}, 0, []string{"a10", "a20", "a30", "b10", "b30"}},
			{"idle before the first", "", at(10), 0, []string{"a10", "a20", "a30", "b10", "b30"}},
			{"idle", "", at(20), 2, []string{"a20", "a30", "b30"}},
			{"idle, to the microsecond", "", at(20).Add(time.Microsecond), 3, []string{"a30", "b30"}},
			{"every session of a user", "ana", time.Time{}, 3, []string{"b10", "b30"}},
			{"a user's or idle", "bob", at(25), 4, []string{"a30"}},
			{"a user without sessions", "cy", time.Time{}, 0, []string{"a10", "a20", "a30", "b10", "b30"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				all := map[string]*pipeline.Session{
					"a10": {User: "ana", LastSeen: at(10)}, "a20": {User: "ana", LastSeen: at(20)}, "a30": {User: "ana", LastSeen: at(30)},
					"b10": {User: "bob", LastSeen: at(10)}, "b30": {User: "bob", LastSeen: at(30)},
				}
				inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
					// Start from no sessions, then these.
					_, err := tx.DeleteSessions(ctx, "ana", time.Time{})
					must(t, "DeleteSessions", err)
					_, err = tx.DeleteSessions(ctx, "bob", time.Time{})
					must(t, "DeleteSessions", err)
					for hash, ss := range all {
						ss.TokenHash, ss.CreatedAt = tc.name+"/"+hash, base
						must(t, "CreateSession", tx.CreateSession(ctx, ss))
					}
				})
				inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
					n, err := tx.DeleteSessions(ctx, tc.user, tc.idleBefore)
					must(t, "DeleteSessions", err)
					if n != tc.want {
						t.Errorf("DeleteSessions(%q, %v) = %d, want %d", tc.user, tc.idleBefore, n, tc.want)
					}
				})
				left := make(map[string]bool)
				for _, h := range tc.left {
					left[h] = true
				}
				for hash, ss := range all {
					_, err := getSession(t, s, ss.TokenHash)
					switch {
					case left[hash] && err != nil:
						t.Errorf("session %s: %v, want it kept", hash, err)
					case !left[hash]:
						wantErr(t, "GetSession("+hash+") of a removed session", err, pipeline.ErrNotFound)
					}
				}
			})
		}
	}},
	{"Access/Audit", func(t *testing.T, _ *suite, s pipeline.Store) {
		es := []*pipeline.AuditEntry{
			{At: t0, Actor: "ana", Action: "login", Detail: "from 10.0.0.1"},
			{At: t1, Actor: "ana", Action: "claim.view", ClaimID: 7},
			{Actor: "bob", Action: "claim.correct", ClaimID: 7, Object: "version:2", Detail: "prior_authorization"},
			{Actor: "bob", Action: "work_item.assign", Object: "work_item:12", Detail: "to kim"},
			{Actor: "bob", Action: "workXitem.assign"},               // not under "work_item."
			{Actor: "ana", Action: "Claim.view", ClaimID: 8},         // not under "claim."
			{At: t2, Actor: "ana", Action: "claim.view", ClaimID: 8}, // order is by ID, not time
			{Actor: "", Action: "login.failed", Object: "user:zed"},
		}
		inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
			for i, e := range es {
				must(t, "Audit", tx.Audit(ctx, e))
				if e.ID == 0 || i > 0 && e.ID <= es[i-1].ID {
					t.Fatalf("entry %d: ID %d, want one above %d", i, e.ID, es[max(i-1, 0)].ID)
				}
				checkStamp(t, "At", e.At)
			}
			// Readable in the same transaction.
			got, err := tx.AuditEntries(ctx, pipeline.AuditFilter{Limit: 1})
			must(t, "AuditEntries", err)
			Same(t, "newest entry in the same transaction", got, es[len(es)-1:])
		})
		if es[0].At != norm(t0) || es[6].At != norm(t2) {
			t.Errorf("At = %v, %v; want %v, %v", es[0].At, es[6].At, norm(t0), norm(t2))
		}
		// pick returns the entries of es at the indexes, as AuditEntries
		// should: newest first.
		pick := func(is ...int) []*pipeline.AuditEntry {
			var out []*pipeline.AuditEntry
			for _, i := range is {
				out = append(out, es[i])
			}
			return out
		}
		for _, tc := range []struct {
			name string
			f    pipeline.AuditFilter
			want []*pipeline.AuditEntry
		}{
			{"all", pipeline.AuditFilter{}, pick(7, 6, 5, 4, 3, 2, 1, 0)},
			{"actor", pipeline.AuditFilter{Actor: "bob"}, pick(4, 3, 2)},
			{"actor is exact", pipeline.AuditFilter{Actor: "an"}, nil},
			{"claim", pipeline.AuditFilter{ClaimID: 7}, pick(2, 1)},
			{"action prefix", pipeline.AuditFilter{Action: "claim."}, pick(6, 2, 1)},
			{"whole action", pipeline.AuditFilter{Action: "claim.view"}, pick(6, 1)},
			{"action prefix without wildcards", pipeline.AuditFilter{Action: "work_item."}, pick(3)},
			{"action prefix, case counts", pipeline.AuditFilter{Action: "Claim"}, pick(5)},
			{"action prefix of several", pipeline.AuditFilter{Action: "login"}, pick(7, 0)},
			{"before", pipeline.AuditFilter{BeforeID: es[3].ID}, pick(2, 1, 0)},
			{"limit", pipeline.AuditFilter{Limit: 3}, pick(7, 6, 5)},
			{"ana's claim views of claim 8", pipeline.AuditFilter{Actor: "ana", ClaimID: 8, Action: "claim.", Limit: 5}, pick(6)},
			{"actor, before, limit", pipeline.AuditFilter{Actor: "ana", BeforeID: es[6].ID, Limit: 2}, pick(5, 1)},
			{"no such claim", pipeline.AuditFilter{ClaimID: 9}, nil},
			{"before the first", pipeline.AuditFilter{BeforeID: es[0].ID}, nil},
		} {
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				got, err := tx.AuditEntries(ctx, tc.f)
				must(t, "AuditEntries("+tc.name+")", err)
				if len(got) == 0 && len(tc.want) == 0 {
					return
				}
				Same(t, "audit entries ("+tc.name+")", got, tc.want)
			})
		}

		// Paging through everything, three at a time.
		var paged []*pipeline.AuditEntry
		f := pipeline.AuditFilter{Limit: 3}
		for range len(es) {
			var page []*pipeline.AuditEntry
			inTx(t, s, func(ctx context.Context, tx pipeline.Tx) {
				var err error
				page, err = tx.AuditEntries(ctx, f)
				must(t, "AuditEntries(page)", err)
			})
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			f.BeforeID = page[len(page)-1].ID
		}
		Same(t, "paged entries", paged, pick(7, 6, 5, 4, 3, 2, 1, 0))
	}},
}
