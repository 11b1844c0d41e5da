package pipeline

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Role is what a user of the web UI may do.
type Role string

// The roles, each allowed what the one before is and more.
const (
	// RoleBiller works the queue, reads claims and corrects them.
	RoleBiller Role = "biller"
	// RoleManager also sees accounts receivable, remittances, batches
	// and the audit trail, and applies payments and retries files.
	RoleManager Role = "manager"
	// RoleAdmin also manages users.
	RoleAdmin Role = "admin"
)

// Roles lists the roles, least allowed first.
func Roles() []Role { return []Role{RoleBiller, RoleManager, RoleAdmin} }

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", invalid("unknown role %q (biller, manager or admin)", s)
}

func (r Role) rank() int {
	for i, v := range Roles() {
		if v == r {
			return i + 1
		}
	}
	return 0
}

// Permission is one thing a role may do.
type Permission string

// The permissions.
const (
	PermWork       Permission = "work"        // the queue, claims, corrections, submit now
	PermFinance    Permission = "finance"     // AR, remittances, batches, applying payments, retries
	PermAudit      Permission = "audit"       // the audit trail
	PermAdminUsers Permission = "admin_users" // users and roles
)

// Can reports whether the role has the permission.
func (r Role) Can(p Permission) bool {
	need := map[Permission]Role{PermWork: RoleBiller, PermFinance: RoleManager, PermAudit: RoleManager, PermAdminUsers: RoleAdmin}[p]
	return need != "" && r.rank() >= need.rank()
}

// User is a person who signs in to the web UI.
type User struct {
	Name string
	Role Role
	// PasswordHash is the bcrypt hash of the password.
	PasswordHash string
	// Disabled users cannot sign in.
	Disabled  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Session is a signed-in browser. The store keeps only a hash of the
// token the browser holds, so that reading the database does not let
// anyone take over a session.
type Session struct {
	TokenHash string
	User      string
	Role      Role
	CreatedAt time.Time
	LastSeen  time.Time
}

// AuditEntry is one line of the audit trail: who viewed or changed what,
// and when. Changes are audited in the transaction that makes them.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"` // e.g. "claim.view", "claim.correct", "user.add", "login.failed"
	// ClaimID is the claim concerned (0 when none); Object names any
	// other record ("work_item:12", "batch:3", "remittance:4", "user:ana").
	ClaimID int64  `json:"claim_id,omitempty"`
	Object  string `json:"object,omitempty"`
	// Detail says what changed, without patient data.
	Detail string `json:"detail,omitempty"`
}

// AuditActions lists the actions of the audit trail, for a filter: a
// name ending in "." is a prefix that takes a whole family.
func AuditActions() []string {
	return []string{"claim.", "claim.view", "claim.correction", "claim.resubmission", "claim.void",
		"work_item.", "payment.apply", "batch.", "inbound.retry", "job.", "login", "login.failed", "logout",
		"user."}
}

// AuditFilter selects audit entries. Zero fields match everything.
type AuditFilter struct {
	Actor   string
	ClaimID int64
	// Action keeps entries whose action starts with it ("claim." for
	// every claim action).
	Action string
	// BeforeID keeps entries older than that ID, for paging.
	BeforeID int64
	Limit    int
}

// Access errors.
var (
	// ErrBadLogin is a failed sign-in: an unknown user, a wrong
	// password or a disabled user, which it does not tell apart.
	ErrBadLogin = errors.New("unknown user or wrong password")
	// ErrNoSession is a session token that is unknown, signed out or
	// idle for longer than the idle limit.
	ErrNoSession = errors.New("no such session, or it expired")
)

// DefaultSessionIdle is how long a session may stay unused before it
// ends, unless Options.SessionIdle says otherwise.
const DefaultSessionIdle = 15 * time.Minute

// MinPasswordLength is the shortest password AddUser takes. bcrypt reads
// at most 72 bytes, so longer passwords are refused rather than cut.
const (
	MinPasswordLength = 10
	maxPasswordBytes  = 72
)

// dummyHash (of a password nobody has, at bcrypt.DefaultCost) is
// compared against when a user is unknown, so that a sign-in takes as
// long for a name that does not exist.
const dummyHash = "$2a$10$dtZXcMtZrqUN6KmCWmr0TuSvtDAkxmLo9Ip4N2.uX3uD8GydIPH8W"

// AddUser adds a user of the web UI with a role and a password (hashed
// with bcrypt), audited as done by actor. It refuses a user that exists
// (ErrConflict), a bad name and a password shorter than
// MinPasswordLength or longer than 72 bytes.
func (p *Pipeline) AddUser(ctx context.Context, name string, role Role, password, actor string) error {
	if err := checkUserName(name); err != nil {
		return err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	hash, err := p.hashPassword(name, password)
	if err != nil {
		return err
	}
	return p.store.InTx(ctx, func(tx Tx) error {
		if _, err := tx.GetUser(ctx, name); err == nil {
			return fmt.Errorf("user %s exists: %w", name, ErrConflict)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		u := &User{Name: name, Role: role, PasswordHash: string(hash)}
		if _, err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		return p.audit(ctx, tx, actor, "user.add", 0, "user:"+name, "role "+string(role))
	})
}

// hashPassword checks a new password's length and hashes it.
func (p *Pipeline) hashPassword(name, password string) ([]byte, error) {
	if len([]rune(password)) < MinPasswordLength {
		return nil, invalid("user %s: the password must have at least %d characters", name, MinPasswordLength)
	}
	if len(password) > maxPasswordBytes {
		return nil, invalid("user %s: the password must be at most %d bytes", name, maxPasswordBytes)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), p.passwordCost)
	if err != nil {
		return nil, fmt.Errorf("user %s: hash the password: %w", name, err)
	}
	return hash, nil
}

// SetPassword gives a user a new password, audited as done by actor,
// and ends the user's sessions.
func (p *Pipeline) SetPassword(ctx context.Context, name, password, actor string) error {
	hash, err := p.hashPassword(name, password)
	if err != nil {
		return err
	}
	return p.store.InTx(ctx, func(tx Tx) error {
		u, err := tx.GetUser(ctx, name)
		if err != nil {
			return fmt.Errorf("user %s: %w", name, err)
		}
		u.PasswordHash = string(hash)
		if _, err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		if _, err := tx.DeleteSessions(ctx, name, time.Time{}); err != nil {
			return err
		}
		return p.audit(ctx, tx, actor, "user.password", 0, "user:"+name, "")
	})
}

// CheckPassword reports whether password is the user's.
func (p *Pipeline) CheckPassword(ctx context.Context, name, password string) (bool, error) {
	var u *User
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		u, err = tx.GetUser(ctx, name)
		return err
	})
	if err != nil {
		return false, err
	}
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil, nil
}

// SetUser changes a user's role and whether they may sign in, audited
// as done by actor. Disabling a user ends their sessions. An admin may
// not disable themselves or take away their own admin role, so that
// there is always someone to manage users.
func (p *Pipeline) SetUser(ctx context.Context, name string, role Role, disabled bool, actor string) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	if name == actor && (disabled || !role.Can(PermAdminUsers)) {
		return invalid("user %s: you cannot disable yourself or take away your own admin role", name)
	}
	return p.store.InTx(ctx, func(tx Tx) error {
		u, err := tx.GetUser(ctx, name)
		if err != nil {
			return fmt.Errorf("user %s: %w", name, err)
		}
		if u.Role == role && u.Disabled == disabled {
			return nil
		}
		detail := fmt.Sprintf("role %s → %s", u.Role, role)
		if u.Disabled != disabled {
			detail = map[bool]string{true: "disabled", false: "enabled"}[disabled] + ", " + detail
		}
		u.Role, u.Disabled = role, disabled
		if _, err := tx.PutUser(ctx, u); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.DeleteSessions(ctx, name, time.Time{}); err != nil {
				return err
			}
		}
		return p.audit(ctx, tx, actor, "user.change", 0, "user:"+name, detail)
	})
}

// Users lists the users of the web UI.
func (p *Pipeline) Users(ctx context.Context) ([]*User, error) {
	var us []*User
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		us, err = tx.Users(ctx)
		return err
	})
	return us, err
}

func checkUserName(name string) error {
	if name == "" || len(name) > 64 {
		return invalid("user name %q: 1 to 64 characters", printable(name))
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._@-", r)) {
			return invalid("user name %q: letters, digits and . _ @ - only", printable(name))
		}
	}
	return nil
}

// Login checks a user's password and starts a session. It returns the
// token the browser keeps (the store keeps only its hash), or
// ErrBadLogin. Both outcomes are audited.
func (p *Pipeline) Login(ctx context.Context, name, password string) (string, *Session, error) {
	var u *User
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		u, err = tx.GetUser(ctx, name)
		return err
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", nil, fmt.Errorf("login: %w", err)
	}
	hash := []byte(dummyHash)
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	match := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if u == nil || u.Disabled || !match {
		who := name
		if checkUserName(name) != nil {
			who = "(invalid name)"
		}
		err := p.store.InTx(ctx, func(tx Tx) error {
			return p.audit(ctx, tx, who, "login.failed", 0, "", "")
		})
		return "", nil, errors.Join(ErrBadLogin, err)
	}
	token, err := newToken()
	if err != nil {
		return "", nil, err
	}
	now := p.now()
	s := &Session{TokenHash: TokenHash(token), User: u.Name, Role: u.Role, CreatedAt: now, LastSeen: now}
	err = p.store.InTx(ctx, func(tx Tx) error {
		// Sessions idle past the limit are removed as others sign in.
		if _, err := tx.DeleteSessions(ctx, "", now.Add(-p.sessionIdle)); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		return p.audit(ctx, tx, u.Name, "login", 0, "", "")
	})
	if err != nil {
		return "", nil, fmt.Errorf("login: %w", err)
	}
	return token, s, nil
}

// Session returns the session of a token and marks it used now, or
// ErrNoSession when it is unknown, signed out, its user disabled, or
// idle for longer than the idle limit (it then ends).
func (p *Pipeline) Session(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, ErrNoSession
	}
	h := TokenHash(token)
	var s *Session
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		if s, err = tx.GetSession(ctx, h); err != nil {
			return err
		}
		now := p.now()
		if now.Sub(s.LastSeen) > p.sessionIdle {
			if err := tx.DeleteSession(ctx, h); err != nil {
				return err
			}
			if err := p.audit(ctx, tx, s.User, "logout.idle", 0, "", ""); err != nil {
				return err
			}
			s = nil
			return nil
		}
		s.LastSeen = now
		return tx.TouchSession(ctx, h, now)
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, ErrNoSession
	case err != nil:
		return nil, fmt.Errorf("session: %w", err)
	case s == nil:
		return nil, ErrNoSession
	}
	return s, nil
}

// Logout ends the session of a token. Ending one that is gone is not an
// error.
func (p *Pipeline) Logout(ctx context.Context, token string) error {
	h := TokenHash(token)
	return p.store.InTx(ctx, func(tx Tx) error {
		s, err := tx.GetSession(ctx, h)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, h); err != nil {
			return err
		}
		return p.audit(ctx, tx, s.User, "logout", 0, "", "")
	})
}

// TokenHash is what the store keeps of a session token.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte("session:" + token))
	return hex.EncodeToString(sum[:])
}

// newToken returns 32 random bytes, base64url.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// audit appends to the audit trail in tx what actor did. Changes the
// pipeline makes on its own (no actor, or SystemActor) are in the
// claims' histories, not here.
func (p *Pipeline) audit(ctx context.Context, tx Tx, actor, action string, claimID int64, object, detail string) error {
	if actor == "" || actor == SystemActor {
		return nil
	}
	return tx.Audit(ctx, &AuditEntry{At: p.now(), Actor: actor, Action: action, ClaimID: claimID, Object: object, Detail: detail})
}

// Audit records that actor did something the pipeline does not audit
// itself, such as starting a job by hand.
func (p *Pipeline) Audit(ctx context.Context, actor, action, object, detail string) error {
	return p.store.InTx(ctx, func(tx Tx) error {
		return p.audit(ctx, tx, actor, action, 0, object, detail)
	})
}

// AuditLog returns the audit entries that match f, newest first (100
// when f.Limit is zero).
func (p *Pipeline) AuditLog(ctx context.Context, f AuditFilter) ([]*AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var es []*AuditEntry
	err := p.store.InTx(ctx, func(tx Tx) error {
		var err error
		es, err = tx.AuditEntries(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return es, nil
}

// ErrInvalid marks a request a person must change: a bad filter value, a
// missing note, a short password. errors.Is finds it; the message says
// what is wrong.
var ErrInvalid = errors.New("invalid request")

type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

// invalid returns an ErrInvalid with a message.
func invalid(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}
