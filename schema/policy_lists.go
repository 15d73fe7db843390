package schema

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/payform/payform/approval"
	"github.com/payform/payform/money"
	"github.com/payform/payform/providers"
)

// maxListErrors bounds the diagnostics one list file produces; the rest
// are counted in one more.
const maxListErrors = 10

// listReport collects a list file's bad rows as diagnostics at the
// attribute that names the file.
type listReport struct {
	l       *loader
	rng     hcl.Range
	policy  string
	file    string
	summary string
	what    string // "address book", for readError
	n       int
}

func (r *listReport) errorf(line int, format string, args ...any) {
	r.n++
	if r.n > maxListErrors {
		return
	}
	at := r.file
	if line > 0 {
		at += " line " + strconv.Itoa(line)
	}
	r.l.errorf(&r.rng, r.summary, "policy %q: %s: %s", r.policy, at, fmt.Sprintf(format, args...))
}

// readError reports a list file that cannot be read at all.
func (r *listReport) readError(err error) {
	r.l.errorf(&r.rng, "Cannot read "+r.what, "policy %q: %v.", r.policy, err)
}

func (r *listReport) done() {
	if r.n > maxListErrors {
		r.l.errorf(&r.rng, r.summary, "policy %q: %s has %d more rows like these. Correct or remove them.", r.policy, r.file, r.n-maxListErrors)
	}
}

// readRows reads a CSV list file through file()'s reader (so that it
// counts in the configuration digest), skipping # comments and a header
// row whose first field is header.
func (l *loader) readRows(r *listReport, header string) []csvRow {
	data, err := l.readFile(r.file)
	if err != nil {
		r.readError(err)
		return nil
	}
	// Spreadsheets often begin a CSV export with a byte order mark.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !bytes.ContainsRune(data, '"') {
		return plainRows(string(data), header)
	}
	rows, err := csvRows(data, header)
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			r.errorf(pe.Line, "%v; the file must be CSV.", pe.Err)
		} else {
			r.errorf(0, "%v.", err)
		}
		return nil
	}
	return rows
}

// csvRows reads CSV with encoding/csv: fields trimmed, # comments and
// blank rows skipped, and the first row skipped when its first field is
// header.
func csvRows(data []byte, header string) ([]csvRow, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	var rows []csvRow
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if first && strings.EqualFold(rec[0], header) {
			continue
		}
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		rows = append(rows, csvRow{line, rec})
	}
}

type csvRow struct {
	line   int
	fields []string
}

// plainRows is csvRows for CSV without quotes, the common case of an
// exported list, several times faster.
func plainRows(data, header string) []csvRow {
	rows := make([]csvRow, 0, strings.Count(data, "\n")+1)
	first := true
	for n := 1; data != ""; n++ {
		line, rest, _ := strings.Cut(data, "\n")
		data = rest
		line = strings.TrimSuffix(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if first {
			first = false
			if strings.EqualFold(fields[0], header) {
				continue
			}
		}
		if len(fields) == 1 && fields[0] == "" {
			continue
		}
		rows = append(rows, csvRow{n, fields})
	}
	return rows
}

// addressBook reads allow = "address-book.csv": currency,address[,tag][,label].
func (l *loader) addressBook(p *Policy, a *hcl.Attribute, files []string) *AddressBook {
	book := &AddressBook{Files: files}
	var checked map[currencyAddress]bool
	for _, f := range files {
		rep := &listReport{l: l, rng: a.Expr.Range(), policy: p.Name, file: f, summary: "Invalid address book entry", what: "address book"}
		rows := l.readRows(rep, "currency")
		entries := make([]AddressEntry, len(rows))
		problems := make([]string, len(rows))
		// Checking an address costs what checking a payout's does: an
		// address a payout declares was checked already, and the others
		// are checked on every core.
		if checked == nil && len(rows) > 0 {
			checked = l.payoutAddresses()
		}
		parallel(len(rows), func(i int) { entries[i], problems[i] = addressEntry(rows[i], checked) })
		if book.Entries == nil {
			book.Entries = make([]AddressEntry, 0, len(rows))
		}
		for i, row := range rows {
			if problems[i] != "" {
				rep.errorf(row.line, "%s", problems[i])
				continue
			}
			entries[i].File = f
			book.Entries = append(book.Entries, entries[i])
		}
		rep.done()
	}
	return book
}

// parallel calls fn(i) for i in [0, n), on every core when n is large.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/1000)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		wg.Go(func() {
			for i := start; i < end; i++ {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// currencyAddress is a payout's destination in its currency.
type currencyAddress struct{ currency, address string }

// payoutAddresses returns the destinations of the payouts decoded so far,
// each checked for its currency when it was decoded.
func (l *loader) payoutAddresses() map[currencyAddress]bool {
	out := make(map[currencyAddress]bool, len(l.cfg.Resources))
	for _, r := range l.cfg.Resources {
		if r.Kind == providers.Payout {
			out[currencyAddress{r.Currency, r.Attrs["address"]}] = true
		}
	}
	return out
}

// addressEntry checks one row; it returns what is wrong with it, or "".
// checked holds addresses known to be valid for their currency.
func addressEntry(row csvRow, checked map[currencyAddress]bool) (AddressEntry, string) {
	f := row.fields
	if len(f) < 2 || len(f) > 4 {
		return AddressEntry{}, fmt.Sprintf("a row has 2 to 4 fields, currency,address[,tag][,label], not %d.", len(f))
	}
	e := AddressEntry{Line: row.line, Currency: f[0], Address: f[1]}
	if len(f) > 2 {
		e.Tag = f[2]
	}
	if len(f) > 3 {
		e.Label = f[3]
	}
	cur, ok := money.Lookup(e.Currency)
	if !ok || cur.Fiat {
		hint := ""
		if up := strings.ToUpper(e.Currency); up != e.Currency {
			if c, ok := money.Lookup(up); ok && !c.Fiat {
				hint = fmt.Sprintf(" Currency codes are upper case: did you mean %q?", up)
			}
		}
		return AddressEntry{}, fmt.Sprintf("%s is not a crypto currency payform knows.%s", quote(e.Currency), hint)
	}
	if !checked[currencyAddress{cur.Code, e.Address}] {
		if err := money.ValidateAddress(cur.Code, e.Address); err != nil {
			msg := err.Error()
			var ae *money.AddressError
			if errors.As(err, &ae) {
				msg = "is not a valid " + cur.Code + " address: " + ae.Reason
			}
			return AddressEntry{}, fmt.Sprintf("%s %s. Correct or remove the row.", quote(e.Address), msg)
		}
	}
	switch {
	case e.Tag != "" && cur.Tag == money.NoTag:
		return AddressEntry{}, fmt.Sprintf("%s addresses take no destination tag, and the third field is the tag: leave it empty (\"%s,%s,,%s\") and put the label fourth.", cur.Code, e.Currency, e.Address, e.Tag)
	case e.Tag != "" && cur.Chain == money.ChainRipple:
		n, err := strconv.ParseUint(e.Tag, 10, 32)
		if err != nil || strings.HasPrefix(e.Tag, "+") {
			return AddressEntry{}, fmt.Sprintf("an XRP destination tag is a whole number from 0 to 4294967295, not %s.", quote(e.Tag))
		}
		e.Tag = strconv.FormatUint(n, 10)
	}
	return e, ""
}

// denylist reads deny = "screening.csv": address[,reason].
func (l *loader) denylist(p *Policy, a *hcl.Attribute, files []string) *Denylist {
	list := &Denylist{Files: files}
	for _, f := range files {
		rep := &listReport{l: l, rng: a.Expr.Range(), policy: p.Name, file: f, summary: "Invalid screening list entry", what: "screening list"}
		var foreign []int
		for _, row := range l.readRows(rep, "address") {
			fs := row.fields
			if len(fs) > 2 {
				rep.errorf(row.line, "a row is address[,reason], with a reason in double quotes when it holds commas; this one has %d fields.", len(fs))
				continue
			}
			d := DeniedAddress{File: f, Line: row.line, Address: fs[0]}
			if len(fs) > 1 {
				d.Reason = fs[1]
			}
			if d.Address == "" {
				rep.errorf(row.line, "the address (the first field) is empty.")
				continue
			}
			if msg := addressShape(d.Address); msg != "" {
				rep.errorf(row.line, "%s %s.", quote(d.Address), msg)
				continue
			}
			if !validOnSomeChain(d.Address) {
				foreign = append(foreign, row.line)
			}
			list.Entries = append(list.Entries, d)
		}
		rep.done()
		if len(foreign) > 0 {
			lines := make([]string, 0, 5)
			for _, n := range foreign[:min(5, len(foreign))] {
				lines = append(lines, strconv.Itoa(n))
			}
			more := ""
			if len(foreign) > 5 {
				more = fmt.Sprintf(" and %d more", len(foreign)-5)
			}
			rng := a.Expr.Range()
			l.warnf(&rng, "Screened addresses of other chains", "policy %q: %d addresses in %s (line %s%s) are not valid for any currency payform knows. They are kept, but no payout can go to them anyway.",
				p.Name, len(foreign), f, strings.Join(lines, ", "), more)
		}
	}
	return list
}

// addressShape refuses what cannot be an address of any chain.
func addressShape(s string) string {
	switch {
	case len(s) > money.MaxAddressLength:
		return fmt.Sprintf("is longer than the %d characters of any address", money.MaxAddressLength)
	}
	for _, r := range s {
		if r <= ' ' || r > '~' {
			return fmt.Sprintf("contains %q; addresses are printable ASCII without spaces", r)
		}
	}
	return ""
}

// chainSamples holds one currency per address format.
var chainSamples = []string{"BTC", "ETH", "TRX", "LTC", "BCH", "DOGE", "XRP", "ADA"}

func validOnSomeChain(address string) bool {
	for _, c := range chainSamples {
		if money.ValidateAddress(c, address) == nil {
			return true
		}
	}
	return false
}

// allowedSigners reads signers = "allowed_signers".
func (l *loader) allowedSigners(p *Policy, a *hcl.Attribute, file string) *approval.AllowedSigners {
	rep := &listReport{l: l, rng: a.Expr.Range(), policy: p.Name, file: file, summary: "Invalid allowed_signers", what: "allowed_signers"}
	data, err := l.readFile(file)
	if err != nil {
		rep.readError(err)
		return nil
	}
	s, errs := approval.ParseAllowedSigners(data)
	for _, e := range errs {
		rep.errorf(e.Line, "%s.", e.Msg)
	}
	rep.done()
	if s != nil && len(s.Lines()) == 0 {
		rep.errorf(0, "it lists no signer. Add a line per approver: PRINCIPAL KEYTYPE KEY, as in \"alice@example.com ssh-ed25519 AAAA...\" (the contents of their .pub file).")
		return nil
	}
	return s
}
