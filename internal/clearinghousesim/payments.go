package clearinghousesim

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/x12claims/claims/x12"
	"github.com/x12claims/claims/x12/x835"
)

// issuePayments turns the adjudicated claims that are due into 835s, as a
// payer's payment cycle does: one 835 interchange per payer, payment date
// and trading partner, holding one payment (a check or an EFT, BPR/TRN)
// per billing provider, so that with Config.BatchPayments claims of
// several 837s are paid together (without it, per 837 file too). The
// 835s are recorded as responses (with the mailbox's faults) and the
// claims marked paid in one transaction; deliver writes them. It returns
// what it issued.
func (r *Responder) issuePayments(ctx context.Context) (Report, error) {
	var rep Report
	now := r.cfg.now()
	tx, err := r.store.db.BeginTx(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("clearinghousesim: state: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	rows, err := tx.QueryContext(ctx, `SELECT id, file_id, payer, payee, claim, pay_date, due, recv_qual, recv_id, usage, app
		FROM payables WHERE mailbox = ? AND output_id IS NULL AND due <= ? ORDER BY id`, r.mailbox, now.UnixNano())
	if err != nil {
		return rep, fmt.Errorf("clearinghousesim: state: %w", err)
	}
	type item struct {
		id    int64
		payee Party
		claim x835.Claim
		due   int64
	}
	type group struct {
		payer, date string
		env         envelope
		items       []item
	}
	var groups []*group
	byKey := map[string]*group{}
	for rows.Next() {
		var it item
		var payer, date, qual, id, usage, app string
		var payee, claim []byte
		var file int64
		if err := rows.Scan(&it.id, &file, &payer, &payee, &claim, &date, &it.due, &qual, &id, &usage, &app); err != nil {
			rows.Close()
			return rep, fmt.Errorf("clearinghousesim: state: %w", err)
		}
		if err := json.Unmarshal(payee, &it.payee); err != nil {
			rows.Close()
			return rep, fmt.Errorf("clearinghousesim: payable %d: %w", it.id, err)
		}
		if err := json.Unmarshal(claim, &it.claim); err != nil {
			rows.Close()
			return rep, fmt.Errorf("clearinghousesim: payable %d: %w", it.id, err)
		}
		key := payer + "|" + date + "|" + qual + "|" + id + "|" + usage + "|" + app
		if !r.cfg.BatchPayments {
			key += fmt.Sprintf("|%d", file)
		}
		g := byKey[key]
		if g == nil {
			g = &group{payer: payer, date: date, env: envelope{
				to: x12.InterchangeHeader{SenderQualifier: qual, SenderID: id, Usage: usage}, toApp: app}}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.items = append(g.items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("clearinghousesim: state: %w", err)
	}
	if len(groups) == 0 {
		return rep, nil
	}
	st := &txState{ctx: ctx, tx: tx, cfg: &r.cfg}
	faults := r.faults()
	for _, g := range groups {
		p := r.cfg.payer(g.payer)
		if p == nil {
			return rep, fmt.Errorf("clearinghousesim: payer %s has claims to pay but is no longer configured", g.payer)
		}
		payDay, err := x12.ParseDate([]byte(g.date))
		if err != nil {
			return rep, fmt.Errorf("clearinghousesim: payment date %q: %w", g.date, err)
		}
		g.env.control = st.nextControl()
		pf := payerFile{env: g.env, payer: p}
		var due int64
		payees := map[string]*x835.Remittance{}
		for _, it := range g.items {
			due = max(due, it.due)
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
			c := it.claim
			rem.Claims = append(rem.Claims, &c)
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
		data, err := render835(&r.cfg, &pf, time.Unix(0, due))
		if err != nil {
			return rep, err
		}
		f := rendered{kind: "835", payer: p.ID, isa13: ctl9(g.env.control), data: data}
		names, err := r.recordOutputs(st, 0, r.plan([]rendered{f}, faults, time.Unix(0, due).Add(-r.cfg.Timing.Remit)), func(o planned) string {
			if o.copyOf != "" {
				return o.payer + "_" + o.isa13 + "_copy.835"
			}
			return o.payer + "_" + o.isa13 + ".835"
		})
		if err != nil {
			return rep, err
		}
		rep.Outputs = append(rep.Outputs, names...)
		var outID int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM outputs WHERE mailbox = ? AND name = ?`, r.mailbox, names[0]).Scan(&outID); err != nil {
			return rep, fmt.Errorf("clearinghousesim: state: %w", err)
		}
		for _, it := range g.items {
			if _, err := tx.ExecContext(ctx, `UPDATE payables SET output_id = ? WHERE id = ?`, outID, it.id); err != nil {
				return rep, fmt.Errorf("clearinghousesim: state: %w", err)
			}
		}
	}
	if st.err != nil {
		return rep, fmt.Errorf("clearinghousesim: state: %w", st.err)
	}
	if err := tx.Commit(); err != nil {
		return rep, fmt.Errorf("clearinghousesim: state: commit: %w", err)
	}
	r.fail("issued")
	return rep, nil
}
