package clearinghousesim

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// payGroup is the claims one 835 pays: the mailbox's payables due of one
// payer, payment date and trading partner (and, without
// Config.BatchPayments, one 837 file).
type payGroup struct {
	payer, date string
	file        int64 // the 837 file, without BatchPayments; else 0
	env         envelope
	count       int   // payables rows in the group
	claims      int   // claims they pay
	due         int64 // the latest due time among them
	first, last int64 // the lowest and highest payable IDs among them
}

// payItem is one claim a payable of a group pays, decoded.
type payItem struct {
	id    int64 // the payables row; the claims of one row are consecutive
	payee Party
	claim *x835.Claim
}

// issuePayments turns the adjudicated claims that are due into 835s, as a
// payer's payment cycle does: one 835 interchange per payer, payment date
// and trading partner, holding one payment (a check or an EFT, BPR/TRN)
// per billing provider, so that with Config.BatchPayments claims of
// several 837s are paid together (without it, per 837 file too). The
// 835s are recorded as responses (with the mailbox's faults) and the
// claims marked paid in one transaction; deliver writes them. It returns
// what it issued.
//
// The groups are listed first and their claims read one group at a
// time, so that memory holds one 835's claims, not every claim due.
func (r *Responder) issuePayments(ctx context.Context) (Report, error) {
	var rep Report
	now := r.cfg.now()
	tx, err := r.store.db.BeginTx(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("clearinghousesim: state: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	groups, err := r.payGroups(ctx, tx, now)
	if err != nil || len(groups) == 0 {
		return rep, err
	}
	st := &txState{ctx: ctx, tx: tx, cfg: &r.cfg}
	faults := r.faults()
	payees := map[string]Party{} // each billing provider's JSON decoded once
	for _, g := range groups {
		items, err := r.payItems(st, g, now, payees)
		if err != nil {
			return rep, err
		}
		outID, err := r.issue835(st, g, items, faults, &rep)
		if err != nil {
			return rep, err
		}
		if err := markIssued(st, items, outID); err != nil {
			return rep, err
		}
	}
	if st.flush(); st.err != nil {
		return rep, fmt.Errorf("clearinghousesim: state: %w", st.err)
	}
	if err := tx.Commit(); err != nil {
		return rep, fmt.Errorf("clearinghousesim: state: commit: %w", err)
	}
	r.fail("issued")
	return rep, nil
}

// payGroups lists the groups of payables due by now, in the order of
// their first payable.
func (r *Responder) payGroups(ctx context.Context, tx *sql.Tx, now time.Time) ([]*payGroup, error) {
	file, byFile := "file_id", ", file_id"
	if r.cfg.BatchPayments {
		file, byFile = "0", ""
	}
	rows, err := tx.QueryContext(ctx, `SELECT payer, pay_date, recv_qual, recv_id, usage, app, `+file+`, COUNT(*), SUM(claims), MAX(due), MIN(id), MAX(id)
		FROM payables WHERE mailbox = ? AND output_id IS NULL AND due <= ?
		GROUP BY payer, pay_date, recv_qual, recv_id, usage, app`+byFile+` ORDER BY MIN(id)`, r.mailbox, now.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("clearinghousesim: state: %w", err)
	}
	defer rows.Close()
	var groups []*payGroup
	for rows.Next() {
		g := &payGroup{}
		var qual, id, usage string
		if err := rows.Scan(&g.payer, &g.date, &qual, &id, &usage, &g.env.toApp, &g.file, &g.count, &g.claims, &g.due, &g.first, &g.last); err != nil {
			return nil, fmt.Errorf("clearinghousesim: state: %w", err)
		}
		g.env.to = x12.InterchangeHeader{SenderQualifier: qual, SenderID: id, Usage: usage}
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clearinghousesim: state: %w", err)
	}
	return groups, nil
}

// payItems reads and decodes the payables of one group, in ID order.
// payees caches the billing providers decoded.
func (r *Responder) payItems(st *txState, g *payGroup, now time.Time, payees map[string]Party) ([]payItem, error) {
	// The group's ID range bounds the scan (the unary + keeps SQLite
	// from scanning every unpaid payable through payables_due instead),
	// so that reading each group does not read the others'.
	q := `SELECT p.id, p.payee, p.claim FROM payables p
		WHERE p.id BETWEEN ? AND ? AND +p.mailbox = ? AND +p.output_id IS NULL AND +p.due <= ? AND p.payer = ? AND p.pay_date = ?
		AND p.recv_qual = ? AND p.recv_id = ? AND p.usage = ? AND p.app = ?`
	args := []any{g.first, g.last, r.mailbox, now.UnixNano(), g.payer, g.date, g.env.to.SenderQualifier, g.env.to.SenderID, g.env.to.Usage, g.env.toApp}
	if !r.cfg.BatchPayments {
		q += ` AND p.file_id = ?`
		args = append(args, g.file)
	}
	rows, err := st.tx.QueryContext(st.ctx, q+` ORDER BY p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("clearinghousesim: state: %w", err)
	}
	defer rows.Close()
	items := make([]payItem, 0, g.claims)
	read := 0 // rows
	for rows.Next() {
		var it payItem
		var payee, claim []byte
		if err := rows.Scan(&it.id, &payee, &claim); err != nil {
			return nil, fmt.Errorf("clearinghousesim: state: %w", err)
		}
		var ok bool
		if it.payee, ok = payees[string(payee)]; !ok {
			if err := json.Unmarshal(payee, &it.payee); err != nil {
				return nil, fmt.Errorf("clearinghousesim: payable %d: %w", it.id, err)
			}
			payees[string(payee)] = it.payee
		}
		if err := decodeRemits(claim, func(oc *x835.Claim) {
			it.claim = oc
			items = append(items, it)
		}); err != nil {
			return nil, fmt.Errorf("clearinghousesim: payable %d: %w", it.id, err)
		}
		read++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clearinghousesim: state: %w", err)
	}
	if read != g.count || len(items) != g.claims {
		return nil, fmt.Errorf("clearinghousesim: state: %d payables (%d claims) to pay for payer %s, listed %d (%d claims)",
			read, len(items), g.payer, g.count, g.claims)
	}
	return items, nil
}

// issue835 renders the 835 of one group, one payment per billing
// provider, and records it (and its copy, with the duplicate-remit
// fault) as a response. It returns the ID of the output recorded.
func (r *Responder) issue835(st *txState, g *payGroup, items []payItem, faults Faults, rep *Report) (int64, error) {
	p := r.cfg.payer(g.payer)
	if p == nil {
		return 0, fmt.Errorf("clearinghousesim: payer %s has claims to pay but is no longer configured", g.payer)
	}
	payDay, err := x12.ParseDate([]byte(g.date))
	if err != nil {
		return 0, fmt.Errorf("clearinghousesim: payment date %q: %w", g.date, err)
	}
	g.env.control = st.nextControl()
	pf := payerFile{env: g.env, payer: p}
	payees := map[string]*x835.Remittance{}
	for i := range items {
		it := &items[i]
		rem := payees[it.payee.ID]
		if rem == nil {
			rem = &x835.Remittance{
				SetControl:     fmt.Sprintf("%04d", len(pf.rems)+1),
				ProductionDate: payDay,
				Payer:          payerParty(p),
				Payee:          x835.Party{Name: it.payee.Name(), IDQualifier: "XX", ID: it.payee.ID},
			}
			payees[it.payee.ID] = rem
			pf.rems = append(pf.rems, rem)
		}
		rem.Claims = append(rem.Claims, it.claim)
	}
	for i, rem := range pf.rems {
		var total x12.Amount
		for _, c := range rem.Claims {
			total += c.Paid
		}
		rem.ProviderAdjustments = providerAdjustments(&r.cfg, p, rem, total, payDay)
		for _, a := range rem.ProviderAdjustments {
			total -= a.Amount
			rep.ProviderAdjustments += a.Amount
		}
		rem.Payment = payment(p, total, payDay, fmt.Sprintf("%d%03d", g.env.control, i+1))
		rep.Remittances++
	}
	data, err := render835(&r.cfg, &pf, time.Unix(0, g.due))
	if err != nil {
		return 0, err
	}
	f := rendered{kind: "835", payer: p.ID, isa13: ctl9(g.env.control), data: data}
	names, err := r.recordOutputs(st, 0, r.plan([]rendered{f}, faults, time.Unix(0, g.due).Add(-r.cfg.Timing.Remit)), func(o planned) string {
		if o.copyOf != "" {
			return o.payer + "_" + o.isa13 + "_copy.835"
		}
		return o.payer + "_" + o.isa13 + ".835"
	})
	if err != nil {
		return 0, err
	}
	rep.Outputs = append(rep.Outputs, names...)
	var outID int64
	if !st.queryRow(`SELECT id FROM outputs WHERE mailbox = ? AND name = ?`, []any{r.mailbox, names[0]}, &outID) {
		if st.err != nil {
			return 0, fmt.Errorf("clearinghousesim: state: 835 %s: %w", names[0], st.err)
		}
		return 0, fmt.Errorf("clearinghousesim: state: 835 %s not recorded", names[0])
	}
	return outID, nil
}

// markIssued marks the group's payables as paid by the 835 outID, one
// statement per run of consecutive row IDs (a payer's rows of one 837 are
// consecutive). Each statement must mark every row of its run, still
// unpaid, or it fails.
func markIssued(st *txState, items []payItem, outID int64) error {
	var ids []int64 // the rows, each once, in order
	for _, it := range items {
		if len(ids) == 0 || ids[len(ids)-1] != it.id {
			ids = append(ids, it.id)
		}
	}
	for i := 0; i < len(ids); {
		j := i + 1
		for j < len(ids) && ids[j] == ids[j-1]+1 {
			j++
		}
		res := st.exec(`UPDATE payables SET output_id = ? WHERE id BETWEEN ? AND ? AND output_id IS NULL`,
			outID, ids[i], ids[j-1])
		if st.err != nil {
			return fmt.Errorf("clearinghousesim: state: %w", st.err)
		}
		got, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("clearinghousesim: state: %w", err)
		}
		if want := int64(j - i); got != want {
			return fmt.Errorf("clearinghousesim: state: %d payables marked paid by 835 %d, want %d", got, outID, want)
		}
		i = j
	}
	return nil
}
