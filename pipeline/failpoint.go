package pipeline

import "io"

// Crash points: places between two outside steps where a crash must lose
// and double nothing. The crash-safety tests run the cycle in a child
// process with Options.Failpoint set to kill it at one of them, restart
// it, and check that every claim was sent once and every remittance
// posted once. A name is "job:where".
//
// Failpoints lists them; each is passed where the pipeline calls
// p.crashPoint with it. Each line says what has happened, and what has
// not, when the point is passed (the first time; most are passed once per
// batch, file or set).
//
// Submit (build.go, upload.go):
//   - submit:build-written: an 837 is in the outbox (synced, renamed); no batch records it, its claims are still ready.
//   - submit:build-recorded: the batch, its submissions and the claims' move to batched are committed; nothing is uploaded.
//   - submit:upload-marked: the batch is recorded uploading; the server has not been asked anything.
//   - submit:upload-before-put: the server was asked and has no final name; nothing is sent yet.
//   - submit:upload-mid-put: the transport has read half the file for the temporary name; the rest is not sent.
//   - submit:upload-put: Put returned, the temporary name is complete on the server; the batch is not recorded staged.
//   - submit:upload-staged: the batch is recorded staged and the temporary name is there; it is not renamed.
//   - submit:upload-renamed: the server holds the final name; it is not verified, the batch is still staged.
//   - submit:upload-verified: the final name has the right size; the batch is not recorded uploaded, its claims not submitted.
//   - submit:upload-recorded: the batch is uploaded, its claims submitted and charged; the next batch is not started.
//
// Collect, picking up response files (collect.go):
//   - collect:mid-download: half of a response file is in its temporary local file; the rest is not downloaded.
//   - collect:after-download: the file is in the inbox (synced, renamed); the ledger does not record it, the server still has it.
//   - collect:after-record: the file is recorded (as failed, with a work item, when it is not readable X12); the server still has it.
//   - collect:after-done: the server let go of the file (Done); its done marker, if any, is still there.
//
// Collect, applying the recorded response files (respond.go, post.go, post835.go):
//   - collect:ta1-applied: one TA1 of a file is applied and marked applied (one transaction); the file is not processed.
//   - collect:999-applied: one 999 transaction set is applied and marked applied; the file's next set is not, the file is not processed.
//   - collect:277-applied: one 277CA transaction set is applied and marked applied; the file's next set is not, the file is not processed.
//   - collect:835-checked: the first pass over an 835 file found it well formed and knows which sets balance; nothing of it is posted.
//   - collect:835-set-started: a balanced 835 set is recorded as a remittance in state posting (the set-level marker); none of its claims is posted.
//   - collect:835-mid-set: inside the transaction posting a chunk of an 835 set, payments, entries and claim moves written; nothing of the chunk committed.
//   - collect:835-chunk-posted: a chunk of an 835 set is posted and the marker's progress moved past it (committed); the set's next chunk is not posted.
//   - collect:835-set-posted: one 835 set is posted (its PLB added, its remittance marked posted) or held or noted as a duplicate; the file's next set, and the next 835 file, are not.
//   - collect:ta1-file-applied: every TA1 of a file is applied; the file is not marked processed.
//   - collect:999-file-applied: every 999 set of a file is applied; the file is not marked processed.
//   - collect:277-file-applied: every 277CA set of a file is applied; the file is not marked processed.
//   - collect:835-file-posted: every 835 set of a file is posted; the file is not marked processed.
//   - collect:file-attempt: a run's attempt at applying a response file is recorded; nothing of the file is applied by this run.
//   - collect:file-processed: a response file is marked processed; the next file is not applied.
func Failpoints() []string {
	return []string{
		// Submit: build and upload (build.go, upload.go).
		"submit:build-written",
		"submit:build-recorded",
		"submit:upload-marked",
		"submit:upload-before-put",
		"submit:upload-mid-put",
		"submit:upload-put",
		"submit:upload-staged",
		"submit:upload-renamed",
		"submit:upload-verified",
		"submit:upload-recorded",
		// Collect: picking up response files (collect.go).
		"collect:mid-download",
		"collect:after-download",
		"collect:after-record",
		"collect:after-done",
		// Collect: applying responses (respond.go, post.go, post835.go).
		"collect:file-attempt",
		"collect:ta1-applied",
		"collect:999-applied",
		"collect:277-applied",
		"collect:835-checked",
		"collect:835-set-started",
		"collect:835-mid-set",
		"collect:835-chunk-posted",
		"collect:835-set-posted",
		"collect:ta1-file-applied",
		"collect:999-file-applied",
		"collect:277-file-applied",
		"collect:835-file-posted",
		"collect:file-processed",
	}
}

// setAppliedPoint and fileAppliedPoint name the points passed after a
// TA1, 999 or 277CA set (applyEach) and after a whole file's sets of a
// kind (applyFile), by kind. A 997 passes the 999's points.
var (
	setAppliedPoint  = map[string]string{"TA1": "collect:ta1-applied", "999": "collect:999-applied", "997": "collect:999-applied", "277": "collect:277-applied"}
	fileAppliedPoint = map[string]string{"TA1": "collect:ta1-file-applied", "999": "collect:999-file-applied", "997": "collect:999-file-applied",
		"277": "collect:277-file-applied", "835": "collect:835-file-posted"}
)

// crashPoint calls the failpoint hook, when there is one, with name.
func (p *Pipeline) crashPoint(name string) {
	if p.failpoint != nil {
		p.failpoint(name)
	}
}

// crashMidway returns r, or, when there is a failpoint hook, r wrapped so
// that the hook is called with name once, right after the reader of a
// content of size bytes has read half of it (a read that would cross the
// half is cut there).
func (p *Pipeline) crashMidway(r io.Reader, size int64, name string) io.Reader {
	if p.failpoint == nil {
		return r
	}
	return &midwayReader{r: r, half: size / 2, hook: func() { p.crashPoint(name) }}
}

type midwayReader struct {
	r    io.Reader
	half int64 // bytes to read before the hook runs
	n    int64
	done bool
	hook func()
}

func (m *midwayReader) Read(b []byte) (int, error) {
	if !m.done && m.n < m.half && int64(len(b)) > m.half-m.n {
		b = b[:m.half-m.n]
	}
	k, err := m.r.Read(b)
	m.n += int64(k)
	if !m.done && m.n >= m.half {
		m.done = true
		m.hook()
	}
	return k, err
}
