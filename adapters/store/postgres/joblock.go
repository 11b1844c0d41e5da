package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/x12claims/claims/pipeline"
)

// JobLock implements pipeline.Store with a session advisory lock, held
// on a connection set aside from the pool for as long as the job runs:
// every process on the database sees it, and the server drops it when
// the connection ends (the process died). The key is a hash of the
// schema and the name, so that stores in several schemas of one
// database lock apart.
func (s *Store) JobLock(ctx context.Context, name string) (func(), error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("job lock %s: %w", name, err)
	}
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		conn.Release()
		return nil, fmt.Errorf("job lock %s: %w", name, err)
	}
	h := fnv.New64a()
	h.Write([]byte("claims job lock\x00" + schema + "\x00" + name))
	key := int64(h.Sum64())
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		conn.Release()
		return nil, fmt.Errorf("job lock %s: %w", name, err)
	}
	if !got {
		conn.Release()
		return nil, fmt.Errorf("job lock %s: another process runs it: %w", name, pipeline.ErrBusy)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
				// The lock must not outlive the job: close the
				// connection, which drops it.
				conn.Conn().Close(ctx) //nolint:errcheck // closing is the fallback
			}
			conn.Release()
		})
	}, nil
}
