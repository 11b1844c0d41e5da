package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/x12claims/claims/pipeline"
)

const userCols = "name, role, password_hash, disabled, created_at, updated_at"

// PutUser implements pipeline.AccessTx. A new user's zero CreatedAt is
// the clock's time; UpdatedAt is always the clock's time. On an update
// u.CreatedAt is set to the user's stored creation time. The insert comes
// first, and does nothing when the name exists (also when another
// transaction inserts it meanwhile, on PostgreSQL): then the update runs.
func (t *Tx) PutUser(ctx context.Context, u *pipeline.User) (bool, error) {
	if err := t.check(); err != nil {
		return false, err
	}
	if u.Name == "" {
		return false, errors.New("put user: empty name")
	}
	now := t.stamp(time.Time{})
	created := t.stamp(u.CreatedAt)
	var name string
	err := t.queryRow(ctx, `INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING name`,
		[]any{u.Name, string(u.Role), u.PasswordHash, u.Disabled, t.c.Time(created), t.c.Time(now)}, &name)
	switch {
	case err == nil:
		u.CreatedAt, u.UpdatedAt = created, now
		return true, nil
	case !errors.Is(err, errNoRows):
		return false, fmt.Errorf("put user %q: %w", u.Name, err)
	}
	err = t.queryRow(ctx, `UPDATE users SET role = $2, password_hash = $3, disabled = $4, updated_at = $5
WHERE name = $1 RETURNING created_at`,
		[]any{u.Name, string(u.Role), u.PasswordHash, u.Disabled, t.c.Time(now)}, timeDest{&created})
	if err != nil {
		return false, notFound(err, "put user %q", u.Name)
	}
	u.CreatedAt, u.UpdatedAt = created, now
	return false, nil
}

// GetUser implements pipeline.AccessTx.
func (t *Tx) GetUser(ctx context.Context, name string) (*pipeline.User, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	us, err := t.users(ctx, "SELECT "+userCols+" FROM users WHERE name = $1", name)
	if err != nil {
		return nil, fmt.Errorf("get user %q: %w", name, err)
	}
	if len(us) == 0 {
		return nil, fmt.Errorf("get user %q: %w", name, pipeline.ErrNotFound)
	}
	return us[0], nil
}

// Users implements pipeline.AccessTx. Names sort byte by byte in both
// stores (the PostgreSQL column has collation "C").
func (t *Tx) Users(ctx context.Context) ([]*pipeline.User, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	us, err := t.users(ctx, "SELECT "+userCols+" FROM users ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return us, nil
}

func (t *Tx) users(ctx context.Context, q string, args ...any) ([]*pipeline.User, error) {
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*pipeline.User
	for rows.Next() {
		var u pipeline.User
		var role string
		if err := rows.Scan(&u.Name, &role, &u.PasswordHash, &u.Disabled, timeDest{&u.CreatedAt},
			timeDest{&u.UpdatedAt}); err != nil {
			return nil, err
		}
		u.Role = pipeline.Role(role)
		out = append(out, &u)
	}
	return out, rows.Err()
}

// CreateSession implements pipeline.AccessTx. A zero CreatedAt is the
// clock's time, a zero LastSeen the creation time; s.Role is not stored
// (GetSession reads the user's). A token hash already used returns an
// error wrapping pipeline.ErrConflict, a missing user one wrapping
// pipeline.ErrNotFound; neither spoils the transaction.
func (t *Tx) CreateSession(ctx context.Context, s *pipeline.Session) error {
	if err := t.check(); err != nil {
		return err
	}
	if s.TokenHash == "" {
		return errors.New("create session: empty token hash")
	}
	s.CreatedAt = t.stamp(s.CreatedAt)
	if s.LastSeen.IsZero() {
		s.LastSeen = s.CreatedAt
	}
	s.LastSeen = NormTime(s.LastSeen)
	n, err := t.c.Exec(ctx, `INSERT INTO sessions (token_hash, user_name, created_at, last_seen)
SELECT $1, name, $3, $4 FROM users WHERE name = $2 ON CONFLICT (token_hash) DO NOTHING`,
		s.TokenHash, s.User, t.c.Time(s.CreatedAt), t.c.Time(s.LastSeen))
	if err != nil {
		return fmt.Errorf("create session of %q: %w", s.User, err)
	}
	if n == 1 {
		return nil
	}
	var one int
	err = t.queryRow(ctx, "SELECT 1 FROM users WHERE name = $1", []any{s.User}, &one)
	if err != nil {
		return notFound(err, "create session of %q: no such user", s.User)
	}
	return fmt.Errorf("create session of %q: token hash already used: %w", s.User, pipeline.ErrConflict)
}

// GetSession implements pipeline.AccessTx.
func (t *Tx) GetSession(ctx context.Context, tokenHash string) (*pipeline.Session, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	var s pipeline.Session
	var role string
	err := t.queryRow(ctx, `SELECT s.token_hash, s.user_name, u.role, s.created_at, s.last_seen
FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.token_hash = $1 AND NOT u.disabled`,
		[]any{tokenHash}, &s.TokenHash, &s.User, &role, timeDest{&s.CreatedAt}, timeDest{&s.LastSeen})
	if err != nil {
		// The token hash stays out of errors, which get logged.
		return nil, notFound(err, "get session")
	}
	s.Role = pipeline.Role(role)
	return &s, nil
}

// TouchSession implements pipeline.AccessTx. A zero at is the clock's
// time.
func (t *Tx) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	if err := t.check(); err != nil {
		return err
	}
	n, err := t.c.Exec(ctx, "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1",
		tokenHash, t.c.Time(t.stamp(at)))
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("touch session: %w", pipeline.ErrNotFound)
	}
	return nil
}

// DeleteSession implements pipeline.AccessTx.
func (t *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	if err := t.check(); err != nil {
		return err
	}
	if _, err := t.c.Exec(ctx, "DELETE FROM sessions WHERE token_hash = $1", tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteSessions implements pipeline.AccessTx. A zero idleBefore removes
// no session for being idle.
func (t *Tx) DeleteSessions(ctx context.Context, user string, idleBefore time.Time) (int, error) {
	if err := t.check(); err != nil {
		return 0, err
	}
	var conds []string
	var args []any
	if !idleBefore.IsZero() {
		args = append(args, t.c.Time(idleBefore))
		conds = append(conds, "last_seen < $"+strconv.Itoa(len(args)))
	}
	if user != "" {
		args = append(args, user)
		conds = append(conds, "user_name = $"+strconv.Itoa(len(args)))
	}
	if len(conds) == 0 {
		return 0, nil
	}
	n, err := t.c.Exec(ctx, "DELETE FROM sessions WHERE "+strings.Join(conds, " OR "), args...)
	if err != nil {
		return 0, fmt.Errorf("delete sessions (user %q, idle before %v): %w", user, idleBefore, err)
	}
	return int(n), nil
}

const auditCols = "id, at, actor, action, claim_id, object, detail"

// Audit implements pipeline.AccessTx. A zero At is the clock's time.
func (t *Tx) Audit(ctx context.Context, e *pipeline.AuditEntry) error {
	if err := t.check(); err != nil {
		return err
	}
	e.At = t.stamp(e.At)
	var id int64
	err := t.queryRow(ctx, `INSERT INTO audit_log (at, actor, action, claim_id, object, detail)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		[]any{t.c.Time(e.At), e.Actor, e.Action, e.ClaimID, e.Object, e.Detail}, &id)
	if err != nil {
		return fmt.Errorf("audit %s by %q: %w", e.Action, e.Actor, err)
	}
	e.ID = id
	return nil
}

// AuditEntries implements pipeline.AccessTx. A Limit of zero or less
// means no limit. The action prefix is compared with substr rather than
// LIKE, whose wildcards (_ in "work_item.") and case folding (SQLite)
// would match more.
func (t *Tx) AuditEntries(ctx context.Context, f pipeline.AuditFilter) ([]*pipeline.AuditEntry, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	q := "SELECT " + auditCols + " FROM audit_log WHERE 1 = 1"
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Actor != "" {
		q += " AND actor = " + arg(f.Actor)
	}
	if f.ClaimID != 0 {
		// claim_id <> 0 lets the planner use the partial index.
		q += " AND claim_id <> 0 AND claim_id = " + arg(f.ClaimID)
	}
	if f.Action != "" {
		p := arg(f.Action)
		q += " AND substr(action, 1, length(CAST(" + p + " AS TEXT))) = CAST(" + p + " AS TEXT)"
	}
	if f.BeforeID != 0 {
		q += " AND id < " + arg(f.BeforeID)
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		q += " LIMIT " + arg(int64(f.Limit))
	}
	rows, err := t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit entries: %w", err)
	}
	defer rows.Close()
	var out []*pipeline.AuditEntry
	for rows.Next() {
		var e pipeline.AuditEntry
		if err := rows.Scan(&e.ID, timeDest{&e.At}, &e.Actor, &e.Action, &e.ClaimID, &e.Object, &e.Detail); err != nil {
			return nil, fmt.Errorf("audit entries: %w", err)
		}
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit entries: %w", err)
	}
	return out, nil
}
