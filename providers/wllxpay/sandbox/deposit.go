package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/emulator"
)

// callbackSchedule is WllxPay's retry schedule for callbacks that were not
// answered with HTTP 200 (coinspaid/docs integration-guide/callbacks.md):
// 1, 5, 10, 15, 20, 30, 60, 90, 120, 150, 180, 210 and 240 minutes.
var callbackSchedule = func() []time.Duration {
	var out []time.Duration
	for _, m := range []int{1, 5, 10, 15, 20, 30, 60, 90, 120, 150, 180, 210, 240} {
		out = append(out, time.Duration(m)*time.Minute)
	}
	return out
}()

// deposit is a customer's deposit to a taken address.
type deposit struct {
	id        int64
	txid      string
	address   *depositAddress
	amount    string
	createdAt time.Time
}

// Transaction is a deposit as the admin API answers it: the callback's
// fields, and where the callback went.
type Transaction struct {
	Callback    map[string]string `json:"callback"`
	CallbackURL string            `json:"callback_url,omitempty"`
	Note        string            `json:"note,omitempty"`
}

// Deposit records a deposit to an address some merchant call took, and
// sends WllxPay's deposit callback (status "confirmed": the emulator
// confirms deposits at once, as WllxPay does for some currencies) to the
// callback URL, signed with X-Processing-Key and X-Processing-Signature.
func (e *Emulator) Deposit(d emulator.Deposit) (any, error) {
	amount, err := money.ParseAmount(d.Amount)
	if err != nil || !amount.IsPositive() {
		return nil, fmt.Errorf("amount %q must be a positive decimal", d.Amount)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	e.sweep(now)
	defer e.arm()
	a := e.addressIndex[d.Address+"|"+d.Tag]
	if a == nil {
		return nil, fmt.Errorf("%w: %s (tag %q) was never taken at this gateway", emulator.ErrNoAddress, d.Address, d.Tag)
	}
	if d.Currency != "" && d.Currency != a.currency {
		return nil, fmt.Errorf("%s is a %s address, not %s", d.Address, a.currency, d.Currency)
	}
	cur, _ := money.Lookup(a.currency)
	if err := money.CheckPrecision(amount, cur); err != nil {
		return nil, fmt.Errorf("amount %s %w", amount, err)
	}
	txid := d.TxID
	if txid == "" {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%d|%s|%s", d.Address, e.lastDeposit+1, amount, now)))
		txid = hex.EncodeToString(sum[:])
	}
	rec := record{Op: opDeposit, ID: e.lastDeposit + 1, Address: a.address, Tag: a.tag, Amount: amount.String(), Key: txid, At: now}
	if err := e.commit(rec); err != nil {
		return nil, err
	}
	dep := e.deposits[len(e.deposits)-1]
	fields := e.callbackFields(dep)
	out := Transaction{Callback: fields, CallbackURL: e.callbackURL}
	if e.callbackURL == "" {
		out.Note = "no callback URL is configured (PUT /_sandbox/wllxpay/callback), so no callback was sent"
		return out, nil
	}
	e.sendCallback(fields, now)
	return out, nil
}

// callbackFields is the v1 deposit callback: a flat object of strings.
func (e *Emulator) callbackFields(d *deposit) map[string]string {
	cur, _ := money.Lookup(d.address.currency)
	f := map[string]string{
		"id":            strconv.FormatInt(d.id, 10),
		"txid":          d.txid,
		"currency":      d.address.currency,
		"currency_fee":  feeCurrency(d.address.currency),
		"confirmations": "1",
		"amount":        d.amount,
		"fee":           decimal.Zero.StringFixed(cur.Precision),
		"address":       d.address.address,
		"type":          "deposit",
		"status":        StatusConfirmed,
		"error":         "",
	}
	if d.address.tag != "" {
		f["tag"] = d.address.tag
	}
	return f
}

// signBody is the HMAC-SHA512 of body with the secret, lowercase hex.
func signBody(secret string, body []byte) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Deposits returns the recorded deposits' callback fields, oldest first.
func (e *Emulator) Deposits() []map[string]string {
	e.mu.Lock()
	list := append([]*deposit(nil), e.deposits...)
	e.mu.Unlock()
	out := make([]map[string]string, len(list))
	for i, d := range list {
		out[i] = e.callbackFields(d)
	}
	return out
}

// SetCallbackURL sets where callbacks go (the merchant dashboard's
// setting); "" sends none.
func (e *Emulator) SetCallbackURL(url string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sweep(e.clock.Now()) // what came due before goes where callbacks went then
	return e.commit(record{Op: opCallbackURL, Address: url})
}

// CallbackDeliveries returns every callback delivery attempt.
func (e *Emulator) CallbackDeliveries() []emulator.Delivery { return e.notifier.Deliveries() }

// WaitCallbacks blocks until every queued callback is delivered or given
// up (for tests).
func (e *Emulator) WaitCallbacks() { e.notifier.Wait() }

// Close stops the confirmation timer and the callbacks still being
// retried.
func (e *Emulator) Close() {
	e.mu.Lock()
	e.closed = true
	if e.timer != nil {
		e.timer.Stop()
	}
	e.mu.Unlock()
	e.notifier.Close()
}
