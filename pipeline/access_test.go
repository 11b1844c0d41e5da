package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/x12claims/claims/pipeline"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

const (
	anaPassword  = "ana-secret-pw-1"
	bobPassword  = "bob-secret-pw-2"
	rootPassword = "root-secret-pw-3"
)

// withUsers adds root (admin), ana (biller) and bob (manager).
func withUsers(t *testing.T, h *pipelinetest.Harness) {
	t.Helper()
	ctx := context.Background()
	for _, u := range []struct {
		name     string
		role     pipeline.Role
		password string
	}{{"root", pipeline.RoleAdmin, rootPassword}, {"ana", pipeline.RoleBiller, anaPassword}, {"bob", pipeline.RoleManager, bobPassword}} {
		if err := h.P.AddUser(ctx, u.name, u.role, u.password, "setup"); err != nil {
			t.Fatalf("AddUser(%s): %v", u.name, err)
		}
	}
}

// login signs a user in and fails the test when it cannot.
func login(t *testing.T, h *pipelinetest.Harness, name, password string) (string, *pipeline.Session) {
	t.Helper()
	token, s, err := h.P.Login(context.Background(), name, password)
	if err != nil {
		t.Fatalf("Login(%s): %v", name, err)
	}
	return token, s
}

// storedSession reads a session row by token hash, straight from the
// store.
func storedSession(t *testing.T, h *pipelinetest.Harness, hash string) (*pipeline.Session, error) {
	t.Helper()
	var s *pipeline.Session
	err := h.Store.InTx(context.Background(), func(tx pipeline.Tx) error {
		var err error
		s, err = tx.GetSession(context.Background(), hash)
		return err
	})
	return s, err
}

// newEntries returns the audit entries added since the newest of before,
// oldest first.
func newEntries(t *testing.T, h *pipelinetest.Harness, before []*pipeline.AuditEntry) []*pipeline.AuditEntry {
	t.Helper()
	var last int64
	if len(before) > 0 {
		last = before[0].ID
	}
	var out []*pipeline.AuditEntry
	for _, e := range auditLog(t, h, pipeline.AuditFilter{}) {
		if e.ID > last {
			out = append([]*pipeline.AuditEntry{e}, out...)
		}
	}
	return out
}

func TestAddUser(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	long := strings.Repeat("a", 64)
	tests := []struct {
		name     string
		user     string
		role     pipeline.Role
		password string
		wantErr  error // nil: added
	}{
		{"biller", "ana", pipeline.RoleBiller, "0123456789", nil},
		{"manager with a dotted e-mail-like name", "b.o_b@x-y", pipeline.RoleManager, anaPassword, nil},
		{"admin with a 64-character name", long, pipeline.RoleAdmin, anaPassword, nil},
		{"72-byte password", "max72", pipeline.RoleBiller, strings.Repeat("p", 72), nil},
		{"10 runes of 2 bytes", "runes", pipeline.RoleBiller, strings.Repeat("é", 10), nil},
		{"empty name", "", pipeline.RoleBiller, anaPassword, pipeline.ErrInvalid},
		{"65-character name", long + "a", pipeline.RoleBiller, anaPassword, pipeline.ErrInvalid},
		{"space in name", "ana smith", pipeline.RoleBiller, anaPassword, pipeline.ErrInvalid},
		{"slash in name", "ana/b", pipeline.RoleBiller, anaPassword, pipeline.ErrInvalid},
		{"non-ASCII name", "anä", pipeline.RoleBiller, anaPassword, pipeline.ErrInvalid},
		{"control character in name", "ana\x00", pipeline.RoleBiller, anaPassword, pipeline.ErrInvalid},
		{"unknown role", "carl", pipeline.Role("root"), anaPassword, pipeline.ErrInvalid},
		{"empty role", "carl", "", anaPassword, pipeline.ErrInvalid},
		{"role in capitals", "carl", pipeline.Role("Admin"), anaPassword, pipeline.ErrInvalid},
		{"9-character password", "carl", pipeline.RoleBiller, "012345678", pipeline.ErrInvalid},
		{"empty password", "carl", pipeline.RoleBiller, "", pipeline.ErrInvalid},
		{"73-byte password", "carl", pipeline.RoleBiller, strings.Repeat("p", 73), pipeline.ErrInvalid},
		{"9 runes of 2 bytes", "carl", pipeline.RoleBiller, strings.Repeat("é", 9), pipeline.ErrInvalid},
		{"37 runes of 2 bytes (74 bytes)", "carl", pipeline.RoleBiller, strings.Repeat("é", 37), pipeline.ErrInvalid},
		{"existing user", "ana", pipeline.RoleAdmin, anaPassword, pipeline.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := auditLog(t, h, pipeline.AuditFilter{})
			err := h.P.AddUser(ctx, tt.user, tt.role, tt.password, "root")
			added := newEntries(t, h, before)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("AddUser = %v, want %v", err, tt.wantErr)
				}
				if len(added) != 0 {
					t.Errorf("a refused AddUser audited %+v", added[0])
				}
				if tt.password != "" && strings.Contains(err.Error(), tt.password) {
					t.Errorf("error %q repeats the password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("AddUser: %v", err)
			}
			if len(added) != 1 || added[0].Action != "user.add" || added[0].Actor != "root" ||
				added[0].Object != "user:"+tt.user || added[0].Detail != "role "+string(tt.role) {
				t.Errorf("audit %+v, want one user.add by root of user:%s with role %s", added, tt.user, tt.role)
			}
			ok, err := h.P.CheckPassword(ctx, tt.user, tt.password)
			if err != nil || !ok {
				t.Errorf("CheckPassword with the password given = %v, %v", ok, err)
			}
		})
	}
	// The conflicting AddUser did not change ana.
	us, err := h.P.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range us {
		names = append(names, u.Name)
		if u.Name == "ana" && u.Role != pipeline.RoleBiller {
			t.Errorf("ana's role became %s through a refused AddUser", u.Role)
		}
		if cost, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil || cost != bcrypt.MinCost {
			t.Errorf("user %s: hash cost %d (%v), want Options.PasswordCost %d", u.Name, cost, err, bcrypt.MinCost)
		}
	}
	want := []string{long, "ana", "b.o_b@x-y", "max72", "runes"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("Users = %v, want %v (by name)", names, want)
	}
}

func TestLogin(t *testing.T) {
	h := newHarness(t, nil)
	withUsers(t, h)
	ctx := context.Background()
	if err := h.P.AddUser(ctx, "gone", pipeline.RoleBiller, "gone-pw-0000", "root"); err != nil {
		t.Fatal(err)
	}
	if err := h.P.SetUser(ctx, "gone", pipeline.RoleBiller, true, "root"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, password string
		ok                   bool
		auditActor           string
	}{
		{"right password", "ana", anaPassword, true, "ana"},
		{"wrong password", "ana", bobPassword, false, "ana"},
		{"password of another case", "ana", strings.ToUpper(anaPassword), false, "ana"},
		{"empty password", "ana", "", false, "ana"},
		{"unknown user", "zed", anaPassword, false, "zed"},
		{"disabled user with the right password", "gone", "gone-pw-0000", false, "gone"},
		{"invalid name", "bad name!", anaPassword, false, "(invalid name)"},
		{"empty name", "", anaPassword, false, "(invalid name)"},
		{"password longer than bcrypt reads", "ana", anaPassword + strings.Repeat("x", 80), false, "ana"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := auditLog(t, h, pipeline.AuditFilter{})
			token, s, err := h.P.Login(ctx, tt.user, tt.password)
			added := newEntries(t, h, before)
			wantAction := "login"
			if !tt.ok {
				wantAction = "login.failed"
				if !errors.Is(err, pipeline.ErrBadLogin) || err.Error() != pipeline.ErrBadLogin.Error() {
					t.Errorf("Login = %v, want exactly ErrBadLogin (which does not tell the causes apart)", err)
				}
				if token != "" || s != nil {
					t.Errorf("a failed login returned token %q, session %+v", token, s)
				}
			} else {
				if err != nil {
					t.Fatalf("Login: %v", err)
				}
				if token == "" || s.User != tt.user || s.Role != pipeline.RoleBiller || !s.CreatedAt.Equal(h.Now) || !s.LastSeen.Equal(h.Now) {
					t.Errorf("Login = %q, %+v; want a token and a session of %s (biller) created and seen now", token, s, tt.user)
				}
				if got, err := h.P.Session(ctx, token); err != nil || got.User != tt.user {
					t.Errorf("Session of the new token = %+v, %v", got, err)
				}
			}
			if len(added) == 0 || added[0].Action != wantAction || added[0].Actor != tt.auditActor || added[0].Detail != "" {
				t.Fatalf("audit %+v, want %s by %q first", added, wantAction, tt.auditActor)
			}
			for _, e := range added {
				if strings.Contains(e.Detail+e.Object+e.Actor, tt.password) && tt.password != "" {
					t.Errorf("audit entry %+v holds the password", e)
				}
			}
		})
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	tests := []struct {
		name    string
		idle    time.Duration // Options.SessionIdle (0: the default)
		after   time.Duration
		expired bool
	}{
		{"used at once", 0, 0, false},
		{"a second before the limit", 0, pipeline.DefaultSessionIdle - time.Second, false},
		{"exactly at the limit", 0, pipeline.DefaultSessionIdle, false},
		{"a microsecond past the limit", 0, pipeline.DefaultSessionIdle + time.Microsecond, true},
		{"an hour idle", 0, time.Hour, true},
		{"a shorter configured limit", time.Minute, time.Minute + time.Second, true},
		{"within a longer configured limit", time.Hour, 59 * time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(o *pipeline.Options) { o.SessionIdle = tt.idle })
			withUsers(t, h)
			ctx := context.Background()
			start := h.Now
			token, _ := login(t, h, "ana", anaPassword)
			h.Now = start.Add(tt.after)
			before := auditLog(t, h, pipeline.AuditFilter{})
			s, err := h.P.Session(ctx, token)
			added := newEntries(t, h, before)
			if !tt.expired {
				if err != nil {
					t.Fatalf("Session after %v: %v", tt.after, err)
				}
				if !s.LastSeen.Equal(h.Now) || s.User != "ana" {
					t.Errorf("session %+v, want ana's, last seen now", s)
				}
				if row, err := storedSession(t, h, pipeline.TokenHash(token)); err != nil || !row.LastSeen.Equal(h.Now) {
					t.Errorf("stored session %+v (%v): want LastSeen touched to now", row, err)
				}
				if len(added) != 0 {
					t.Errorf("using a session audited %+v", added)
				}
				return
			}
			if !errors.Is(err, pipeline.ErrNoSession) || s != nil {
				t.Fatalf("Session after %v = %+v, %v; want ErrNoSession", tt.after, s, err)
			}
			if len(added) != 1 || added[0].Action != "logout.idle" || added[0].Actor != "ana" || !added[0].At.Equal(h.Now) {
				t.Errorf("audit %+v, want one logout.idle by ana now", added)
			}
			if _, err := storedSession(t, h, pipeline.TokenHash(token)); !errors.Is(err, pipeline.ErrNotFound) {
				t.Errorf("the expired session is still stored (%v)", err)
			}
			// Once ended it stays ended, and is not audited again.
			h.Now = start
			if _, err := h.P.Session(ctx, token); !errors.Is(err, pipeline.ErrNoSession) {
				t.Errorf("Session of an ended session = %v", err)
			}
			if got := auditLog(t, h, pipeline.AuditFilter{Action: "logout.idle"}); len(got) != 1 {
				t.Errorf("%d logout.idle entries, want 1", len(got))
			}
		})
	}
}

func TestSessionTouchExtends(t *testing.T) {
	h := newHarness(t, nil)
	withUsers(t, h)
	ctx := context.Background()
	start := h.Now
	token, _ := login(t, h, "ana", anaPassword)
	// Used every 10 minutes, it outlives the 15-minute idle limit.
	for _, m := range []int{10, 20, 30, 40} {
		h.Now = start.Add(time.Duration(m) * time.Minute)
		if _, err := h.P.Session(ctx, token); err != nil {
			t.Fatalf("Session at +%dm: %v", m, err)
		}
	}
	// Then left alone for 16 minutes, it ends.
	h.Now = start.Add(56 * time.Minute)
	if _, err := h.P.Session(ctx, token); !errors.Is(err, pipeline.ErrNoSession) {
		t.Errorf("Session 16 minutes after its last use = %v, want ErrNoSession", err)
	}
}

func TestLoginRemovesIdleSessions(t *testing.T) {
	h := newHarness(t, nil)
	withUsers(t, h)
	start := h.Now
	stale, _ := login(t, h, "ana", anaPassword)
	fresh, _ := login(t, h, "root", rootPassword)
	h.Now = start.Add(10 * time.Minute)
	if _, err := h.P.Session(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	h.Now = start.Add(20 * time.Minute)
	login(t, h, "bob", bobPassword)
	if _, err := storedSession(t, h, pipeline.TokenHash(stale)); !errors.Is(err, pipeline.ErrNotFound) {
		t.Errorf("ana's session idle for 20 minutes survived another sign-in (%v)", err)
	}
	if _, err := storedSession(t, h, pipeline.TokenHash(fresh)); err != nil {
		t.Errorf("root's session idle for 10 minutes was removed: %v", err)
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t, nil)
	withUsers(t, h)
	ctx := context.Background()
	token, _ := login(t, h, "ana", anaPassword)
	other, _ := login(t, h, "ana", anaPassword)
	before := auditLog(t, h, pipeline.AuditFilter{})
	if err := h.P.Logout(ctx, token); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if added := newEntries(t, h, before); len(added) != 1 || added[0].Action != "logout" || added[0].Actor != "ana" {
		t.Errorf("audit %+v, want one logout by ana", added)
	}
	if _, err := h.P.Session(ctx, token); !errors.Is(err, pipeline.ErrNoSession) {
		t.Errorf("Session after Logout = %v, want ErrNoSession", err)
	}
	if _, err := h.P.Session(ctx, other); err != nil {
		t.Errorf("ana's other session ended with the first: %v", err)
	}
	// Ending a session that is gone, or none, is not an error and is not
	// audited.
	before = auditLog(t, h, pipeline.AuditFilter{})
	for _, tok := range []string{token, "", "no-such-token"} {
		if err := h.P.Logout(ctx, tok); err != nil {
			t.Errorf("Logout(%q) = %v, want nil", tok, err)
		}
	}
	if added := newEntries(t, h, before); len(added) != 0 {
		t.Errorf("logging out of no session audited %+v", added)
	}
	for _, tok := range []string{"", "no-such-token"} {
		if _, err := h.P.Session(ctx, tok); !errors.Is(err, pipeline.ErrNoSession) {
			t.Errorf("Session(%q) = %v, want ErrNoSession", tok, err)
		}
	}
}

func TestTokenHash(t *testing.T) {
	s, path := openStoreFile(t)
	h := newHarnessOver(t, s, nil)
	withUsers(t, h)
	token, sess := login(t, h, "ana", anaPassword)
	token2, _ := login(t, h, "ana", anaPassword)
	if token == token2 {
		t.Fatalf("two sign-ins got the same token %q", token)
	}
	if len(token) < 40 || !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(token) {
		t.Errorf("token %q: want 32 random bytes, base64url", token)
	}
	hash := pipeline.TokenHash(token)
	if hash != pipeline.TokenHash(token) || hash == pipeline.TokenHash(token2) || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(hash) {
		t.Errorf("TokenHash(%q) = %q: want a stable SHA-256 in hex, different per token", token, hash)
	}
	if sess.TokenHash != hash || sess.TokenHash == token {
		t.Errorf("Login's session TokenHash %q, want TokenHash(token) %q, not the token", sess.TokenHash, hash)
	}
	row, err := storedSession(t, h, hash)
	if err != nil {
		t.Fatalf("the session is not stored under TokenHash(token): %v", err)
	}
	if row.TokenHash == token || row.TokenHash != hash {
		t.Errorf("stored TokenHash %q, want %q", row.TokenHash, hash)
	}
	if _, err := storedSession(t, h, token); !errors.Is(err, pipeline.ErrNotFound) {
		t.Errorf("the store finds a session by the raw token (%v)", err)
	}
	// The token is nowhere in the database files.
	for _, f := range []string{path, path + "-wal"} {
		data, err := os.ReadFile(f)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(token)) || bytes.Contains(data, []byte(token2)) {
			t.Errorf("%s holds a session token", f)
		}
		if bytes.Contains(data, []byte(anaPassword)) {
			t.Errorf("%s holds a password", f)
		}
	}
}

func TestSetUser(t *testing.T) {
	h := newHarness(t, nil)
	withUsers(t, h)
	ctx := context.Background()
	token, _ := login(t, h, "ana", anaPassword)

	// Refusals change nothing and audit nothing.
	refusals := []struct {
		name     string
		user     string
		role     pipeline.Role
		disabled bool
		actor    string
		want     error
	}{
		{"an admin disabling themselves", "root", pipeline.RoleAdmin, true, "root", pipeline.ErrInvalid},
		{"an admin making themselves manager", "root", pipeline.RoleManager, false, "root", pipeline.ErrInvalid},
		{"an admin making themselves biller", "root", pipeline.RoleBiller, false, "root", pipeline.ErrInvalid},
		{"unknown role", "ana", pipeline.Role("owner"), false, "root", pipeline.ErrInvalid},
		{"empty role", "ana", "", false, "root", pipeline.ErrInvalid},
		{"unknown user", "zed", pipeline.RoleBiller, false, "root", pipeline.ErrNotFound},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			before := auditLog(t, h, pipeline.AuditFilter{})
			if err := h.P.SetUser(ctx, tt.user, tt.role, tt.disabled, tt.actor); !errors.Is(err, tt.want) {
				t.Errorf("SetUser = %v, want %v", err, tt.want)
			}
			if added := newEntries(t, h, before); len(added) != 0 {
				t.Errorf("a refused SetUser audited %+v", added)
			}
		})
	}
	if ok, _ := h.P.CheckPassword(ctx, "root", rootPassword); !ok {
		t.Error("root was changed by a refusal")
	}

	steps := []struct {
		name       string
		role       pipeline.Role
		disabled   bool
		wantDetail string // "" when nothing changes (nothing audited)
		session    bool   // ana's session still works after
	}{
		{"promote to manager", pipeline.RoleManager, false, "role biller → manager", true},
		{"the same again changes nothing", pipeline.RoleManager, false, "", true},
		{"disable", pipeline.RoleManager, true, "disabled, role manager → manager", false},
		{"enable as biller", pipeline.RoleBiller, false, "enabled, role manager → biller", false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := auditLog(t, h, pipeline.AuditFilter{})
			if err := h.P.SetUser(ctx, "ana", st.role, st.disabled, "root"); err != nil {
				t.Fatalf("SetUser: %v", err)
			}
			added := newEntries(t, h, before)
			switch {
			case st.wantDetail == "" && len(added) != 0:
				t.Errorf("a SetUser that changes nothing audited %+v", added)
			case st.wantDetail != "" && (len(added) != 1 || added[0].Action != "user.change" || added[0].Actor != "root" ||
				added[0].Object != "user:ana" || added[0].Detail != st.wantDetail):
				t.Errorf("audit %+v, want user.change of user:ana by root: %q", added, st.wantDetail)
			}
			s, err := h.P.Session(ctx, token)
			if st.session != (err == nil) {
				t.Fatalf("ana's session after the change: %+v, %v; want it to work: %v", s, err, st.session)
			}
			if err == nil && s.Role != st.role {
				t.Errorf("the session's role is %s, want the user's new role %s", s.Role, st.role)
			}
			_, _, lerr := h.P.Login(ctx, "ana", anaPassword)
			if st.disabled != errors.Is(lerr, pipeline.ErrBadLogin) {
				t.Errorf("Login of ana (disabled %v) = %v", st.disabled, lerr)
			}
		})
	}
	// The disabled user's sessions were removed, not only hidden: enabling
	// her again did not bring the old one back.
	if _, err := storedSession(t, h, pipeline.TokenHash(token)); !errors.Is(err, pipeline.ErrNotFound) {
		t.Errorf("ana's session outlived her being disabled (%v)", err)
	}
	// An admin may change another admin, and keep their own role.
	if err := h.P.SetUser(ctx, "root", pipeline.RoleAdmin, false, "root"); err != nil {
		t.Errorf("an admin keeping their own role: %v", err)
	}
	if err := h.P.AddUser(ctx, "root2", pipeline.RoleAdmin, rootPassword, "root"); err != nil {
		t.Fatal(err)
	}
	if err := h.P.SetUser(ctx, "root", pipeline.RoleManager, false, "root2"); err != nil {
		t.Errorf("another admin demoting root: %v", err)
	}
}

func TestSetPasswordAndCheckPassword(t *testing.T) {
	h := newHarness(t, nil)
	withUsers(t, h)
	ctx := context.Background()
	t1, _ := login(t, h, "ana", anaPassword)
	t2, _ := login(t, h, "ana", anaPassword)
	bobToken, _ := login(t, h, "bob", bobPassword)

	for _, tt := range []struct {
		name, user, password string
		want                 error
	}{
		{"too short", "ana", "short", pipeline.ErrInvalid},
		{"too long", "ana", strings.Repeat("x", 73), pipeline.ErrInvalid},
		{"unknown user", "zed", "zed-new-password", pipeline.ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := auditLog(t, h, pipeline.AuditFilter{})
			if err := h.P.SetPassword(ctx, tt.user, tt.password, "root"); !errors.Is(err, tt.want) {
				t.Errorf("SetPassword = %v, want %v", err, tt.want)
			}
			if added := newEntries(t, h, before); len(added) != 0 {
				t.Errorf("a refused SetPassword audited %+v", added)
			}
		})
	}
	if _, err := h.P.Session(ctx, t1); err != nil {
		t.Fatalf("a refused SetPassword ended a session: %v", err)
	}

	const newPassword = "ana-new-password-9"
	before := auditLog(t, h, pipeline.AuditFilter{})
	if err := h.P.SetPassword(ctx, "ana", newPassword, "root"); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	added := newEntries(t, h, before)
	if len(added) != 1 || added[0].Action != "user.password" || added[0].Actor != "root" || added[0].Object != "user:ana" || added[0].Detail != "" {
		t.Errorf("audit %+v, want one user.password of user:ana by root, with no detail", added)
	}
	for _, tok := range []string{t1, t2} {
		if _, err := h.P.Session(ctx, tok); !errors.Is(err, pipeline.ErrNoSession) {
			t.Errorf("ana's session after her password changed: %v, want ErrNoSession", err)
		}
	}
	if _, err := h.P.Session(ctx, bobToken); err != nil {
		t.Errorf("bob's session ended with ana's password change: %v", err)
	}

	for _, tt := range []struct {
		user, password string
		want           bool
		err            error
	}{
		{"ana", newPassword, true, nil},
		{"ana", anaPassword, false, nil},
		{"ana", "", false, nil},
		{"bob", bobPassword, true, nil},
		{"bob", newPassword, false, nil},
		{"zed", newPassword, false, pipeline.ErrNotFound},
	} {
		got, err := h.P.CheckPassword(ctx, tt.user, tt.password)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("CheckPassword(%s, %q) = %v, %v; want %v, %v", tt.user, tt.password, got, err, tt.want, tt.err)
		}
	}
	if _, _, err := h.P.Login(ctx, "ana", anaPassword); !errors.Is(err, pipeline.ErrBadLogin) {
		t.Errorf("Login with the old password = %v", err)
	}
	login(t, h, "ana", newPassword)
}

func TestRoleCan(t *testing.T) {
	perms := []pipeline.Permission{pipeline.PermWork, pipeline.PermFinance, pipeline.PermAudit, pipeline.PermAdminUsers}
	tests := []struct {
		role pipeline.Role
		can  []bool // per perms
	}{
		{pipeline.RoleBiller, []bool{true, false, false, false}},
		{pipeline.RoleManager, []bool{true, true, true, false}},
		{pipeline.RoleAdmin, []bool{true, true, true, true}},
		{"", []bool{false, false, false, false}},
		{"root", []bool{false, false, false, false}},
		{"Admin", []bool{false, false, false, false}},
	}
	for _, tt := range tests {
		for i, p := range perms {
			if got := tt.role.Can(p); got != tt.can[i] {
				t.Errorf("Role(%q).Can(%s) = %v, want %v", tt.role, p, got, tt.can[i])
			}
		}
		if tt.role.Can("delete_everything") || tt.role.Can("") {
			t.Errorf("Role(%q) may do an unknown permission", tt.role)
		}
	}
	if got := pipeline.Roles(); len(got) != 3 || got[0] != pipeline.RoleBiller || got[2] != pipeline.RoleAdmin {
		t.Errorf("Roles() = %v, want biller, manager, admin", got)
	}
}

func TestParseRole(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want pipeline.Role
		ok   bool
	}{
		{"biller", pipeline.RoleBiller, true},
		{"manager", pipeline.RoleManager, true},
		{"admin", pipeline.RoleAdmin, true},
		{"", "", false},
		{"Admin", "", false},
		{" admin", "", false},
		{"superuser", "", false},
	} {
		got, err := pipeline.ParseRole(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, pipeline.ErrInvalid) {
			t.Errorf("ParseRole(%q) error %v does not wrap ErrInvalid", tt.in, err)
		}
	}
}
