package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/x12claims/claims/adapters/store/postgres"
	"github.com/x12claims/claims/pipeline/pipelinetest"
)

// stmtCounter counts the statements and batches the pool's connections
// send (a pgx tracer).
type stmtCounter struct{ n atomic.Int64 }

func (c *stmtCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *stmtCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *stmtCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *stmtCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (c *stmtCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TestPostingStatements: posting an 835 sends statements per chunk, not
// per claim.
func TestPostingStatements(t *testing.T) {
	cfg, err := pgxpool.ParseConfig(freshSchema(t))
	if err != nil {
		t.Fatalf("parse URL: %v", err)
	}
	var counter stmtCounter
	cfg.ConnConfig.Tracer = &counter
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pool: %v", err)
	}
	t.Cleanup(pool.Close)
	s, err := postgres.New(context.Background(), pool)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	pipelinetest.PostingStatements(t, s, counter.n.Load)
}
