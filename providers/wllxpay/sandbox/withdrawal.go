package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
)

// Withdrawal statuses: the first two follow from the clock, the last two
// only from ForceStatus.
const (
	StatusProcessing = "processing"
	StatusConfirmed  = "confirmed"
	StatusError      = "error"
	StatusCancelled  = "cancelled"
)

type withdrawal struct {
	id        int64
	foreignID string
	currency  string
	amount    decimal.Decimal
	address   string
	tag       string
	createdAt time.Time
	forced    string // a status set by ForceStatus, or ""
	notified  bool   // the clock's confirmation was handled (withdrawal_callback.go)
}

// status is w's status at now: forced, else processing until
// createdAt+ConfirmAfter, then confirmed.
func (e *Emulator) status(w *withdrawal, now time.Time) string {
	switch {
	case w.forced != "":
		return w.forced
	case now.Before(w.createdAt.Add(e.confirmAfter)):
		return StatusProcessing
	}
	return StatusConfirmed
}

// feeCurrency is the coin a currency's network fees are paid in.
func feeCurrency(code string) string {
	switch code {
	case "USDTE", "USDC", "DAI", "USDT":
		return "ETH"
	case "USDTT":
		return "TRX"
	case "USDTB":
		return "BNB-BSC"
	}
	return code
}

// withdrawalData is withdrawal/make's data: the page's example, {id,
// currency, currency_fee, address, tag, amount, status}, and nothing more.
type withdrawalData struct {
	ID          int64   `json:"id"`
	Currency    string  `json:"currency"`
	CurrencyFee string  `json:"currency_fee"`
	Address     string  `json:"address"`
	Tag         *string `json:"tag"`
	Amount      string  `json:"amount"`
	Status      string  `json:"status"`
}

// makeWithdrawal serves POST /api/v1/withdrawal/make. A foreign_id already
// taken is reported before anything else, so a resend of a committed
// request always learns that it was; then field validation (400, every
// field at once), a currency not enabled (400), the balance (422).
func (e *Emulator) makeWithdrawal(f form) reply {
	errs := map[string]string{}
	fid, fidOK := requiredText(f, "foreign_id", errs)
	code, _ := requiredText(f, "currency", errs)
	amountText, _ := requiredText(f, "amount", errs)
	address, _ := requiredText(f, "address", errs)
	tag, tagPresent, tagMsg := f.text("tag")
	if e.narrow {
		// The page's request table is currency, foreign_id, amount,
		// address: no tag. The narrowest reading is a gateway that does
		// not take it: ignored, the withdrawal made without one, and the
		// answer's tag null.
		tag, tagPresent, tagMsg = "", false, ""
	}
	if fidOK && len(fid) > maxForeignID {
		errs["foreign_id"] = fmt.Sprintf("The foreign id may not be greater than %d characters.", maxForeignID)
	}
	cur, curOK := currency(code, errs)
	var amount decimal.Decimal
	if amountText != "" {
		amount = checkAmount(amountText, cur, curOK, errs)
	}
	if curOK && address != "" && money.ValidateAddress(code, address) != nil {
		errs["address"] = "Not supported address format."
	}
	switch {
	case tagPresent && tagMsg != "":
		errs["tag"] = tagMsg
	case tagPresent && curOK && cur.Tag != money.TagRequired:
		errs["tag"] = fmt.Sprintf("Currency %s does not use a tag.", code)
	case tagPresent && curOK && !validTag(tag):
		errs["tag"] = "The tag must be an integer between 0 and 4294967295."
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	refuse := func(r reply) reply { return e.refuse(kindWithdrawal, fid, r) }
	if fidOK {
		if _, taken := e.withdrawals[fid]; taken {
			return refuse(fieldError(http.StatusBadRequest,
				map[string]string{"foreign_id": "The Foreign ID has already been taken."}, "foreign_id_taken"))
		}
	}
	if len(errs) > 0 {
		return refuse(validation(errs))
	}
	if !e.enabled[code] {
		return refuse(forbiddenCurrency(code))
	}
	if e.balances[code].LessThan(amount) {
		return refuse(fieldError(http.StatusUnprocessableEntity,
			map[string]string{"amount": "Not enough amount"}, "not_enough_balance"))
	}
	rec := record{Op: opWithdrawal, ID: e.lastWithdraw + 1, ForeignID: fid, Currency: code,
		Amount: amount.String(), Address: address, Tag: tag, At: e.clock.Now()}
	if err := e.commit(rec); err != nil {
		return internalError
	}
	e.arm()
	w := e.withdrawals[fid]
	return reply{http.StatusCreated, okEnvelope{"ok", withdrawalData{
		ID: w.id, Currency: w.currency, CurrencyFee: feeCurrency(w.currency),
		Address: w.address, Tag: nullable(w.tag), Amount: w.amount.String(), Status: e.status(w, w.createdAt),
	}}}
}

// maxForeignID bounds a foreign_id, as a database column would.
const maxForeignID = 255

type okEnvelope struct {
	Status string `json:"status"`
	Data   any    `json:"data"`
}

// requiredText reads a required field, recording its error.
func requiredText(f form, name string, errs map[string]string) (string, bool) {
	v, _, msg := f.text(name)
	if msg != "" {
		errs[name] = msg
		return "", false
	}
	return v, true
}

// currency looks up a crypto currency by its exact ISO code.
func currency(code string, errs map[string]string) (money.Currency, bool) {
	if code == "" {
		return money.Currency{}, false
	}
	cur, ok := money.Lookup(code)
	if !ok || cur.Fiat {
		errs["currency"] = "The selected currency iso is invalid."
		return money.Currency{}, false
	}
	return cur, true
}

// checkAmount parses a positive amount within the currency's precision.
func checkAmount(s string, cur money.Currency, curOK bool, errs map[string]string) decimal.Decimal {
	d, err := money.ParseAmount(s)
	switch {
	case errors.Is(err, money.ErrAmountTooLong):
		errs["amount"] = fmt.Sprintf("The amount may not have more than %d digits.", money.MaxAmountDigits)
	case err != nil:
		errs["amount"] = `The amount must be a decimal number such as "1.01".`
	case !d.IsPositive():
		errs["amount"] = "The amount must be greater than 0."
	case curOK && money.CheckPrecision(d, cur) != nil:
		errs["amount"] = fmt.Sprintf("The amount may not have more than %d decimal places for %s.", cur.Precision, cur.Code)
	}
	return d
}

func validTag(tag string) bool {
	n, err := strconv.ParseUint(tag, 10, 32)
	return err == nil && strconv.FormatUint(n, 10) == tag
}

func forbiddenCurrency(code string) reply {
	return fieldError(http.StatusBadRequest,
		map[string]string{"currency": "Currency " + code + " is not enabled for your merchant"}, "forbidden_currency")
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
