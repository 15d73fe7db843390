package sandbox

import (
	"container/heap"
	"fmt"
	"time"

	"github.com/payform/payform/providers/emulator"
	"github.com/shopspring/decimal"
)

// Ledger kinds, also the kinds of counted create requests.
const (
	kindWithdrawal = "withdrawal"
	kindAddress    = "address"
)

type requestKey struct{ kind, key string }

// Record ops. Each mutation is one record in the journal; replaying them
// in order rebuilds the state.
const (
	opWithdrawal  = "withdrawal"   // a withdrawal made; its amount leaves the balance
	opAddress     = "address"      // a deposit address taken
	opRequest     = "request"      // a refused create request, counted for its key
	opBalances    = "balances"     // balances set through the admin API
	opEnabled     = "enabled"      // the enabled currencies replaced
	opStatus      = "status"       // a withdrawal's status forced
	opDeposit     = "deposit"      // a customer deposited to a taken address (Key: txid)
	opCallbackURL = "callback_url" // where callbacks go (Address: the URL)
	opNotified    = "notified"     // the clock's confirmation of a withdrawal was handled (its callback sent)
)

// record is one journal line's record. Fields are used per Op.
type record struct {
	Op        string            `json:"op"`
	ID        int64             `json:"id,omitzero"`
	ForeignID string            `json:"foreign_id,omitzero"`
	Currency  string            `json:"currency,omitzero"`
	Amount    string            `json:"amount,omitzero"`
	Address   string            `json:"address,omitzero"`
	Tag       string            `json:"tag,omitzero"`
	Kind      string            `json:"kind,omitzero"`
	Key       string            `json:"key,omitzero"`
	Status    string            `json:"status,omitzero"`
	Balances  map[string]string `json:"balances,omitzero"`
	Enabled   []string          `json:"enabled,omitzero"`
	At        time.Time         `json:"at,omitzero"`
}

// commit journals rec, then applies it. Called with e.mu held, so the
// journal's order is the order of the state's changes; nothing changes if
// the journal refuses the record.
func (e *Emulator) commit(rec record) error {
	return emulator.Commit(e.journal, rec, e.apply)
}

// refuse counts a refused create request for key (if there is one) and
// returns r. Called with e.mu held.
func (e *Emulator) refuse(kind, key string, r reply) reply {
	if key == "" {
		return r
	}
	if err := e.commit(record{Op: opRequest, Kind: kind, Key: key}); err != nil {
		return internalError
	}
	return r
}

// replay rebuilds the state from the journal.
func (e *Emulator) replay() error {
	return emulator.Replay(e.journal, e.apply)
}

// apply makes one record's change to the state.
func (e *Emulator) apply(rec record) error {
	switch rec.Op {
	case opWithdrawal:
		amount, err := decimal.NewFromString(rec.Amount)
		if err != nil {
			return fmt.Errorf("withdrawal %d: amount %q: %w", rec.ID, rec.Amount, err)
		}
		w := &withdrawal{id: rec.ID, foreignID: rec.ForeignID, currency: rec.Currency, amount: amount,
			address: rec.Address, tag: rec.Tag, createdAt: rec.At}
		e.withdrawals[w.foreignID] = w
		e.withdrawalIDs[w.id] = w
		e.balances[w.currency] = e.balances[w.currency].Sub(amount)
		e.requests[requestKey{kindWithdrawal, w.foreignID}]++
		e.lastWithdraw = max(e.lastWithdraw, w.id)
		heap.Push(&e.confirming, confirmItem{w.createdAt.Add(e.confirmAfter), w})
	case opAddress:
		a := &depositAddress{id: rec.ID, foreignID: rec.ForeignID, currency: rec.Currency,
			address: rec.Address, tag: rec.Tag, createdAt: rec.At}
		e.addresses = append(e.addresses, a)
		e.addressIndex[a.address+"|"+a.tag] = a
		e.requests[requestKey{kindAddress, addressKey(a.foreignID, a.currency)}]++
		e.lastAddress = max(e.lastAddress, a.id)
	case opRequest:
		e.requests[requestKey{rec.Kind, rec.Key}]++
	case opBalances:
		for code, s := range rec.Balances {
			d, err := decimal.NewFromString(s)
			if err != nil {
				return fmt.Errorf("balance %s %q: %w", code, s, err)
			}
			e.balances[code] = d
		}
	case opEnabled:
		clear(e.enabled)
		for _, code := range rec.Enabled {
			e.enabled[code] = true
		}
	case opDeposit:
		a := e.addressIndex[rec.Address+"|"+rec.Tag]
		if a == nil {
			return fmt.Errorf("deposit %d to unknown address %s", rec.ID, rec.Address)
		}
		e.deposits = append(e.deposits, &deposit{id: rec.ID, txid: rec.Key, address: a, amount: rec.Amount, createdAt: rec.At})
		e.lastDeposit = max(e.lastDeposit, rec.ID)
	case opCallbackURL:
		e.callbackURL = rec.Address
	case opStatus:
		w, ok := e.withdrawals[rec.ForeignID]
		if !ok {
			return fmt.Errorf("status for unknown withdrawal %q", rec.ForeignID)
		}
		w.forced = rec.Status
	case opNotified:
		w, ok := e.withdrawals[rec.ForeignID]
		if !ok {
			return fmt.Errorf("notified for unknown withdrawal %q", rec.ForeignID)
		}
		w.notified = true
	default:
		return fmt.Errorf("unknown record op %q", rec.Op)
	}
	return nil
}
