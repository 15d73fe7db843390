package sandbox

import (
	"fmt"
	"time"

	"github.com/payform/payform/providers/emulator"
	"github.com/shopspring/decimal"
)

// Record ops. Each mutation is one record in the journal; replaying them
// in order rebuilds the state.
const (
	opInvoice    = "invoice"    // an invoice or payment link made
	opRequest    = "request"    // a refused create request, counted for its externalID
	opPay        = "pay"        // a customer paid an invoice
	opStatus     = "status"     // an invoice's status forced
	opWallets    = "wallets"    // the wallet list replaced
	opCurrencies = "currencies" // the currency list replaced
	opNotified   = "notified"   // a time-driven status's callback event sent
)

// record is one journal line's record. Fields are used per Op.
type record struct {
	Op        string    `json:"op"`
	ID        string    `json:"id,omitzero"`
	Seq       int64     `json:"seq,omitzero"`
	Type      string    `json:"type,omitzero"`
	Wallet    string    `json:"wallet,omitzero"`
	Currency  string    `json:"currency,omitzero"`
	Amount    string    `json:"amount,omitzero"`
	Key       string    `json:"key,omitzero"` // externalID
	At        time.Time `json:"at,omitzero"`
	ExpiredAt time.Time `json:"expired_at,omitzero"`
	Links     []string  `json:"links,omitzero"`    // cancel, completed, callback URLs
	Customer  []string  `json:"customer,omitzero"` // first name, last name, email
	Network   string    `json:"network,omitzero"`
	NetAmount string    `json:"net_amount,omitzero"`
	Credited  string    `json:"credited,omitzero"`
	Rate      string    `json:"rate,omitzero"`
	Late      bool      `json:"late,omitzero"`
	Address   string    `json:"address,omitzero"`
	TxID      string    `json:"tx_id,omitzero"`
	Status    string    `json:"status,omitzero"`
	Codes     []string  `json:"codes,omitzero"`
}

// commit journals rec, then applies it. Called with e.mu held, so the
// journal's order is the order of the state's changes; nothing changes if
// the journal refuses the record.
func (e *Emulator) commit(rec record) error {
	return emulator.Commit(e.journal, rec, e.apply)
}

// replay rebuilds the state from the journal.
func (e *Emulator) replay() error {
	return emulator.Replay(e.journal, e.apply)
}

func invoiceRecord(inv *invoice) record {
	rec := record{Op: opInvoice, ID: inv.id, Seq: inv.seq, Type: inv.typ, Wallet: inv.wallet,
		Currency: inv.currency, Amount: inv.amount.String(), Key: inv.externalID,
		At: inv.createdAt, ExpiredAt: inv.expiredAt}
	if inv.typ == TypePaymentLink {
		rec.Links = []string{inv.cancelURL, inv.completedURL, inv.callbackURL}
		rec.Customer = []string{inv.firstName, inv.lastName, inv.email}
	}
	return rec
}

func payRecord(inv *invoice, p *payment) record {
	return record{Op: opPay, ID: inv.id, At: p.at, Amount: p.amount.String(), Network: p.network,
		NetAmount: p.networkAmount.String(), Credited: p.walletCredited.String(), Rate: p.rate.String(),
		Late: p.late, Address: p.address, TxID: p.txID}
}

// apply makes one record's change to the state.
func (e *Emulator) apply(rec record) error {
	switch rec.Op {
	case opInvoice:
		amount, err := decimal.NewFromString(rec.Amount)
		if err != nil {
			return fmt.Errorf("invoice %s: amount %q: %w", rec.ID, rec.Amount, err)
		}
		inv := &invoice{id: rec.ID, seq: rec.Seq, typ: rec.Type, wallet: rec.Wallet, currency: rec.Currency,
			amount: amount, externalID: rec.Key, createdAt: rec.At, expiredAt: rec.ExpiredAt}
		if len(rec.Links) == 3 {
			inv.cancelURL, inv.completedURL, inv.callbackURL = rec.Links[0], rec.Links[1], rec.Links[2]
		}
		if len(rec.Customer) == 3 {
			inv.firstName, inv.lastName, inv.email = rec.Customer[0], rec.Customer[1], rec.Customer[2]
		}
		e.invoices = append(e.invoices, inv)
		e.byID[inv.id] = inv
		e.queue(inv, inv.expiredAt)
		if inv.externalID != "" {
			e.requests[inv.externalID]++
		}
		e.lastSeq = max(e.lastSeq, inv.seq)
	case opRequest:
		e.requests[rec.Key]++
	case opPay:
		inv, ok := e.byID[rec.ID]
		if !ok {
			return fmt.Errorf("payment for unknown invoice %q", rec.ID)
		}
		p := &payment{at: rec.At, network: rec.Network, late: rec.Late, address: rec.Address, txID: rec.TxID}
		for _, d := range []struct {
			to  *decimal.Decimal
			val string
		}{{&p.amount, rec.Amount}, {&p.networkAmount, rec.NetAmount}, {&p.walletCredited, rec.Credited}, {&p.rate, rec.Rate}} {
			v, err := decimal.NewFromString(d.val)
			if err != nil {
				return fmt.Errorf("payment for %s: %q: %w", rec.ID, d.val, err)
			}
			*d.to = v
		}
		inv.pay = p
		e.queue(inv, p.at.Add(e.confirmAfter))
	case opNotified:
		inv, ok := e.byID[rec.ID]
		if !ok {
			return fmt.Errorf("notified for unknown invoice %q", rec.ID)
		}
		inv.notified = append(inv.notified, rec.Status)
	case opStatus:
		inv, ok := e.byID[rec.ID]
		if !ok {
			return fmt.Errorf("status for unknown invoice %q", rec.ID)
		}
		inv.forced = rec.Status
	case opWallets:
		e.wallets = append([]string{}, rec.Codes...)
	case opCurrencies:
		e.currencies = append([]string{}, rec.Codes...)
	default:
		return fmt.Errorf("unknown record op %q", rec.Op)
	}
	return nil
}
