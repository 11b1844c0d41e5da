package pipelinetest

import (
	"context"
	"sync"

	"github.com/x12claims/claims/pipeline"
)

// FaultStore wraps a real store and makes chosen operations of its
// transactions fail: a test's way to show that what a transaction wrote
// before the failure rolls back with it (an audit entry with the change
// it records, say). Everything else goes to the wrapped store.
type FaultStore struct {
	pipeline.Store
	mu   sync.Mutex
	fail map[string]error
}

// NewFaultStore wraps s.
func NewFaultStore(s pipeline.Store) *FaultStore {
	return &FaultStore{Store: s, fail: map[string]error{}}
}

// Fail makes every later call of the Tx method op ("Audit",
// "CloseWorkItems", "CreateClaim" or "CreateClaims") return err, until
// Fail(op, nil).
func (s *FaultStore) Fail(op string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		delete(s.fail, op)
		return
	}
	s.fail[op] = err
}

func (s *FaultStore) err(op string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fail[op]
}

// InTx implements pipeline.Store.
func (s *FaultStore) InTx(ctx context.Context, fn func(pipeline.Tx) error) error {
	return s.Store.InTx(ctx, func(tx pipeline.Tx) error { return fn(&faultTx{Tx: tx, s: s}) })
}

type faultTx struct {
	pipeline.Tx
	s *FaultStore
}

func (t *faultTx) Audit(ctx context.Context, e *pipeline.AuditEntry) error {
	if err := t.s.err("Audit"); err != nil {
		return err
	}
	return t.Tx.Audit(ctx, e)
}

func (t *faultTx) CloseWorkItems(ctx context.Context, key, by, note string) (int, error) {
	if err := t.s.err("CloseWorkItems"); err != nil {
		return 0, err
	}
	return t.Tx.CloseWorkItems(ctx, key, by, note)
}

func (t *faultTx) CreateClaim(ctx context.Context, c *pipeline.Claim) error {
	if err := t.s.err("CreateClaim"); err != nil {
		return err
	}
	return t.Tx.CreateClaim(ctx, c)
}

func (t *faultTx) CreateClaims(ctx context.Context, cs []*pipeline.Claim) error {
	if err := t.s.err("CreateClaims"); err != nil {
		return err
	}
	return t.Tx.CreateClaims(ctx, cs)
}
