package sandbox

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
)

// maxText bounds refnum, desc and extra_1..3 (characters).
const maxText = 255

// payParams is a validated func=1 request.
type payParams struct {
	refnum   string
	currency string
	amount   decimal.Decimal
	satoshi  int64
	desc     string
	urls     returnURLs
	extra    [3]string
}

// create serves func=1. The apikey is checked first, then func; a taken
// refnum (unless duplicate_refnum=1) is refused before any other
// validation, so a resend of a committed request always learns that it
// was committed; then every field is validated and all errors are given
// at once, joined by "; ". Every answer is HTTP 200.
func (e *Emulator) create(f url.Values) reply {
	if !e.authorized(f) {
		return reply{http.StatusOK, payAnswer{Error: errAPIKey}}
	}
	if f.Get("func") != "1" {
		return reply{http.StatusOK, payAnswer{Error: errFunc}}
	}
	p, problems := e.validate(f)
	allowDup := f.Get("duplicate_refnum") == "1"

	e.mu.Lock()
	defer e.mu.Unlock()
	if p.refnum != "" && !allowDup && len(e.byRefnum[p.refnum]) > 0 {
		return e.refuse(p.refnum, e.dupMessage)
	}
	if len(problems) > 0 {
		return e.refuse(p.refnum, strings.Join(problems, "; "))
	}
	id, raw, err := e.newID()
	if err != nil {
		return reply{http.StatusInternalServerError, payAnswer{Error: errInternal}}
	}
	address, err := money.GenerateAddress("BTC", raw)
	if err != nil {
		return reply{http.StatusInternalServerError, payAnswer{Error: errInternal}}
	}
	rec := record{Op: opInvoice, ID: id, Refnum: p.refnum, Currency: p.currency, Amount: p.amount.String(), Satoshi: p.satoshi,
		Address: address, Desc: p.desc, URLs: p.urls, Extra: p.extra, At: e.clock.Now()}
	if err := e.commit(rec); err != nil {
		return reply{http.StatusInternalServerError, payAnswer{Error: errInternal}}
	}
	return reply{http.StatusOK, payAnswer{Invoice: id}}
}

// refuse counts a refused request for refnum and answers msg. Called
// with e.mu held.
func (e *Emulator) refuse(refnum, msg string) reply {
	if refnum != "" {
		if err := e.commit(record{Op: opRequest, Refnum: refnum}); err != nil {
			return reply{http.StatusInternalServerError, payAnswer{Error: errInternal}}
		}
	}
	return reply{http.StatusOK, payAnswer{Error: msg}}
}

// validate checks every func=1 field, in the vendor page's order.
func (e *Emulator) validate(f url.Values) (payParams, []string) {
	var p payParams
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	p.currency = f.Get("currency")
	cur, curOK := e.currency(p.currency)
	if !curOK {
		bad("invalid currency")
	}
	switch s := f.Get("amount"); {
	case s == "":
		bad("amount is required")
	default:
		d, err := money.ParseAmount(s)
		switch {
		case err != nil:
			bad("invalid amount")
		case !d.IsPositive():
			bad("amount must be greater than 0")
		case curOK && money.CheckPrecision(d, cur) != nil:
			bad("amount has more than %d decimal places for %s", cur.Precision, cur.Code)
		case curOK:
			sat, ok := e.toSatoshi(d, cur.Code)
			if !ok {
				bad("amount is too large")
			}
			p.amount, p.satoshi = d, sat
		}
	}
	p.refnum = f.Get("refnum")
	if p.refnum == "" {
		bad("refnum is required")
	}
	p.desc = f.Get("desc")
	p.urls = returnURLs{Return: f.Get("return_url"), Fail: f.Get("fail_url"), Unconfirm: f.Get("unconfirm_url")}
	for i := range p.extra {
		p.extra[i] = f.Get(fmt.Sprintf("extra_%d", i+1))
	}
	for _, t := range []struct{ name, v string }{
		{"refnum", p.refnum}, {"desc", p.desc}, {"extra_1", p.extra[0]}, {"extra_2", p.extra[1]}, {"extra_3", p.extra[2]},
	} {
		if utf8.RuneCountInString(t.v) > maxText {
			bad("%s is longer than %d characters", t.name, maxText)
		}
	}
	for _, u := range []struct{ name, v string }{
		{"return_url", p.urls.Return}, {"fail_url", p.urls.Fail}, {"unconfirm_url", p.urls.Unconfirm},
	} {
		if u.v != "" && !validURL(u.v) {
			bad("invalid %s", u.name)
		}
	}
	switch f.Get("duplicate_refnum") {
	case "", "0", "1":
	default:
		bad("invalid duplicate_refnum")
	}
	return p, problems
}

// validURL accepts absolute http and https URLs with a host.
func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// newID draws a fresh 64-hex invoice id and returns its bytes too.
// Called with e.mu held.
func (e *Emulator) newID() (string, []byte, error) {
	for range 8 {
		raw := make([]byte, 32)
		if _, err := io.ReadFull(e.entropy, raw); err != nil {
			return "", nil, err
		}
		id := hex.EncodeToString(raw)
		if _, taken := e.invoices[id]; !taken {
			return id, raw, nil
		}
	}
	return "", nil, errors.New("entropy keeps repeating invoice ids")
}
