package report

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/payform/payform/state"
)

// decimalEqual compares money as numbers.
var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func sum(n int, amount string) Sum { return Sum{Count: n, Amount: decimal.RequireFromString(amount)} }

func TestBuildFixture(t *testing.T) {
	m := fixtureModel(t)

	if !m.Check.OK || m.Check.Entries != 33 || m.Check.HeadSeq != 33 || m.Check.HeadHash != m.Check.StateHash || len(m.Check.HeadHash) != 64 {
		t.Errorf("check = %+v, want OK with 33 entries and the head on the state's", m.Check)
	}
	if m.Lineage != fixtureLineage || m.Serial != 2 {
		t.Errorf("lineage %s serial %d", m.Lineage, m.Serial)
	}

	type totals struct {
		Currency                                                  string
		Sent, Confirmed, Lost, InDoubt, Invoiced, Paid, Underpaid Sum
	}
	var got []totals
	for _, c := range m.Currencies {
		got = append(got, totals{c.Currency, c.Sent, c.Confirmed, c.Lost, c.InDoubt, c.Invoiced, c.Paid, c.Underpaid})
	}
	z := Sum{}
	want := []totals{
		// po-0 (October) is outside the period; po-4 is in doubt and
		// po-5 was refused: neither counts as sent.
		{"BTC", sum(1, "0.015"), sum(1, "0.015"), z, sum(1, "0.5"), z, z, z},
		{"ETH", sum(1, "0.25"), z, sum(1, "0.25"), z, z, z, z},
		{"EUR", z, z, z, z, sum(1, "40"), z, z},
		{"USD", z, z, z, z, sum(2, "112.5"), sum(1, "100"), sum(1, "12.5")},
		{"USDTT", sum(1, "120.5"), z, sum(1, "120.5"), z, z, z, z},
		{"XRP", sum(1, "25"), sum(1, "25"), z, z, z, z, z},
	}
	if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
		t.Errorf("currency totals (-want +got):\n%s", diff)
	}
	usd := m.Currencies[3]
	if len(usd.Days) != 30 || usd.Days[0].Day != "2026-11-01" || usd.Days[29].Day != "2026-11-30" {
		t.Fatalf("USD days: %d from %s", len(usd.Days), usd.Days[0].Day)
	}
	if d5, d6 := usd.Days[4], usd.Days[5]; !cmp.Equal(d5, DayTotals{Day: "2026-11-05", Invoiced: sum(2, "112.5")}, decimalEqual) ||
		!cmp.Equal(d6, DayTotals{Day: "2026-11-06", Paid: sum(1, "100")}, decimalEqual) {
		t.Errorf("USD 5 and 6 Nov: %+v %+v", d5, d6)
	}

	var attention []string
	for _, it := range m.Attention {
		attention = append(attention, strings.Join([]string{it.Category, it.Address, it.Amount, it.Currency, it.Status, it.Reason}, " | "))
	}
	if diff := cmp.Diff([]string{
		`failed | payout.vendor["po-2"] | 0.25 | ETH | failed | the gateway reported "error" on 2026-11-03 09:00:00Z`,
		`cancelled | payout.vendor["po-3"] | 120.5 | USDTT | cancelled | the gateway reported "cancelled" on 2026-11-03 09:00:00Z`,
		`underpaid | invoice_batch.shop["ord-2"] | 12.5 | USD | underpaid | the gateway reported "underpaid" on 2026-11-06 14:30:00Z`,
		`in-doubt | payout.vendor["po-4"] | 0.5 | BTC | unknown | timeout after 30s: the gateway may have made it`,
		`refused | payout.vendor["po-5"] | 2 | BTC | rejected | 422 {"errors":{"amount":"Not enough amount"}}`,
	}, attention); diff != "" {
		t.Errorf("attention (-want +got):\n%s", diff)
	}

	var ledger []string
	for _, it := range m.Ledger {
		ledger = append(ledger, strings.Join([]string{it.Address, it.Key, it.ID, it.Amount, it.Currency, it.Status,
			it.Actor, Timestamp(it.At), shortID(it.PlanID), it.Trail(), map[bool]string{true: "forgotten"}[it.Forgotten]}, " | "))
	}
	if diff := cmp.Diff([]string{
		`payout.vendor["po-1"] | po-1 | 11 | 0.015 | BTC | confirmed | alice@treasury | 2026-11-02 09:00:00Z | aaaaaaaa | unknown → submitted → confirmed | `,
		`payout.vendor["po-2"] | po-2 | 12 | 0.25 | ETH | failed | alice@treasury | 2026-11-02 09:00:02Z | aaaaaaaa | unknown → submitted → failed | `,
		`payout.vendor["po-3"] | po-3 | 13 | 120.5 | USDTT | cancelled | alice@treasury | 2026-11-02 09:00:04Z | aaaaaaaa | unknown → submitted → cancelled | `,
		`payout.vendor["po-4"] | po-4 |  | 0.5 | BTC | unknown | alice@treasury | 2026-11-02 09:00:06Z | aaaaaaaa | unknown | `,
		`payout.vendor["po-5"] | po-5 |  | 2 | BTC | rejected | alice@treasury | 2026-11-02 09:00:08Z | aaaaaaaa | unknown → rejected | `,
		`payout.vendor["po-6"] | po-6 | 14 | 25 | XRP | confirmed | alice@treasury | 2026-11-02 09:00:10Z | aaaaaaaa | unknown → submitted → confirmed | forgotten`,
		`invoice_batch.shop["ord-1"] | ord-1 | 501 | 100 | USD | paid | ci@pipeline | 2026-11-05 14:30:00Z | bbbbbbbb | unknown → pending → paid | `,
		`invoice_batch.shop["ord-2"] | ord-2 | 502 | 12.5 | USD | underpaid | ci@pipeline | 2026-11-05 14:30:02Z | bbbbbbbb | unknown → pending → underpaid | `,
		`invoice_batch.store["ord-3"] | ord-3 | 503 | 40 | EUR | pending | ci@pipeline | 2026-11-05 14:30:04Z | bbbbbbbb | unknown → pending | `,
		`deposit_address_pool.customers["c-1/BTC"] | c-1 | 71 |  | BTC | active | ci@pipeline | 2026-11-05 14:30:06Z | bbbbbbbb | unknown → active | `,
	}, ledger); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	// A moved record keeps its history from before the move; a forgotten
	// one keeps its own.
	if h := m.Ledger[8].History; len(h) != 3 || h[2].Summary() != `moved from invoice_batch.shop["ord-3"]` {
		t.Errorf("ord-3 history: %+v", h)
	}
	if h := m.Ledger[5].History; len(h) != 4 || h[3].Op != string(state.OpForget) || h[3].Actor != "ci@pipeline" {
		t.Errorf("po-6 history: %+v", h)
	}
	if d := m.Ledger[9]; d.Destination != "bc1qdeposit" || d.Kind != "deposit_address" {
		t.Errorf("deposit address item: %+v", d)
	}
	if p := m.Ledger[5]; p.Destination != "rMzsJrEPCjSoBR8FfMueDefhT7eF2GwAdU" || p.Tag != "77" {
		t.Errorf("XRP payout destination %q tag %q", p.Destination, p.Tag)
	}

	if diff := cmp.Diff([]PlanRow{
		{planA, "alice@treasury", day0, 6, nil},
		{planB, "ci@pipeline", time.Date(2026, 11, 5, 14, 30, 0, 0, time.UTC), 4, []Approval{
			{"treasury", "alice@example.com", "SHA256:6V8cEYNh5Qw7cDoH6ZNVVxmrUQqj8rQb1bGm4nnxRbo"},
			{"treasury", "bob@example.com", "SHA256:Jp0XqI1Q7yCZqv4wHZ9Gm3Gf1nGmBw8e1Xq3CL9r0pE"},
		}},
	}, m.Plans); diff != "" {
		t.Errorf("plans (-want +got):\n%s", diff)
	}
	money := func(list ...string) []Money {
		out := []Money{}
		for i := 0; i < len(list); i += 2 {
			out = append(out, Money{list[i+1], decimal.RequireFromString(list[i])})
		}
		return out
	}
	if diff := cmp.Diff([]ProviderRow{
		{Provider: "coinpay24", Gateway: "coinpay24", Items: 3, Kinds: []KindCount{{"invoice", 3}},
			Sent: money(), Invoiced: money("40", "EUR", "112.5", "USD"), Paid: money("100", "USD"), Attention: 1},
		{Provider: "wllxpay", Gateway: "wllxpay", Items: 6, Kinds: []KindCount{{"payout", 5}, {"deposit_address", 1}},
			Sent: money("0.015", "BTC", "120.5", "USDTT", "25", "XRP"), Invoiced: money(), Paid: money(), Attention: 3},
		{Provider: "wllxpay.eu", Gateway: "wllxpay", Items: 1, Kinds: []KindCount{{"payout", 1}},
			Sent: money("0.25", "ETH"), Invoiced: money(), Paid: money(), Attention: 1},
	}, m.Providers, decimalEqual); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}

	var statuses []string
	for _, s := range m.Statuses {
		statuses = append(statuses, strings.Join([]string{s.Kind, s.Status, s.Category, MoneyText(s.Amounts)}, " | "))
	}
	if diff := cmp.Diff([]string{
		"payout | confirmed |  | 0.015 BTC · 25 XRP",
		"payout | cancelled | cancelled | 120.5 USDTT",
		"payout | failed | failed | 0.25 ETH",
		"payout | rejected | refused | 2 BTC",
		"payout | unknown | in-doubt | 0.5 BTC",
		"invoice | paid |  | 100 USD",
		"invoice | pending |  | 40 EUR",
		"invoice | underpaid | underpaid | 12.5 USD",
		"deposit_address | active |  | —",
	}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// TestBuildPeriods: the period chooses the items with activity in it; a
// payment seen in the period counts even for an invoice made before.
func TestBuildPeriods(t *testing.T) {
	b := fixture(t)
	for _, tc := range []struct {
		name   string
		period Period
		ledger int
		plans  int
	}{
		{"everything", Period{}, 11, 3},
		{"October", Period{Until: fixturePeriod.Since}, 1, 1},
		{"3 Nov only", Period{Since: day0.Add(24 * time.Hour), Until: day0.Add(48 * time.Hour)}, 4, 0},
		{"6 Nov on", Period{Since: time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC)}, 4, 0},
	} {
		m, err := FromBackend(context.Background(), b, Options{Period: tc.period, Now: fixtureNow})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Ledger) != tc.ledger || len(m.Plans) != tc.plans {
			t.Errorf("%s: %d ledger items and %d plans, want %d and %d", tc.name, len(m.Ledger), len(m.Plans), tc.ledger, tc.plans)
		}
		if tc.name == "6 Nov on" {
			var usd *CurrencyTotals
			for i := range m.Currencies {
				if m.Currencies[i].Currency == "USD" {
					usd = &m.Currencies[i]
				}
			}
			if usd == nil || usd.Invoiced.Count != 0 || !cmp.Equal(usd.Paid, sum(1, "100"), decimalEqual) {
				t.Errorf("6 Nov on: USD %+v, want paid 100 and nothing invoiced", usd)
			}
		}
	}
}

// TestBuildFailedCheck: a failed journal check is carried into the model,
// never dropped.
func TestBuildFailedCheck(t *testing.T) {
	b := fixture(t)
	st, _, err := b.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	entries := func(fn func(*state.Entry) error) error { return b.Entries(context.Background(), fn) }
	m, err := Build(Input{State: st, Entries: entries, Verified: &state.Report{Entries: 12},
		VerifyErr: errors.New("payform.state.json.journal: entry 13 is corrupt: hash does not match the entry's content")}, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	if m.Check.OK || m.Check.Entries != 12 || !strings.Contains(m.Check.Error, "entry 13 is corrupt") {
		t.Errorf("check = %+v", m.Check)
	}
	// A walk that fails where Verify passed also fails the check.
	m, err = Build(Input{State: st, Verified: &state.Report{Entries: 33}, Entries: func(fn func(*state.Entry) error) error {
		return errors.New("entry 3 is corrupt")
	}}, Options{Now: fixtureNow})
	if err != nil || m.Check.OK || m.Check.Error != "entry 3 is corrupt" {
		t.Errorf("failed walk: %v %+v", err, m.Check)
	}
	// No verdict at all is no pass.
	m, err = Build(Input{State: st}, Options{Now: fixtureNow})
	if err != nil || m.Check.OK || m.Check.Error != "the journal was not checked" {
		t.Errorf("no check: %v %+v", err, m.Check)
	}
}

// TestBuildAnchorsAndSeals: the report's check is audit verify's: a head
// kept outside the state is checked, and one the journal no longer
// reaches fails the check; an audit key is used to check seals.
func TestBuildAnchorsAndSeals(t *testing.T) {
	b := fixture(t)
	ctx := context.Background()
	m, err := FromBackend(ctx, b, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	head := state.Head{Seq: m.Check.HeadSeq, Hash: m.Check.HeadHash}
	m, err = FromBackend(ctx, b, Options{Now: fixtureNow, Anchors: []state.Head{head}})
	if err != nil || !m.Check.OK || len(m.Check.Anchors) != 1 || m.Check.Anchors[0].Seq != 33 {
		t.Errorf("with the head anchored: %v %+v", err, m.Check)
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, m); err != nil {
		t.Fatal(err)
	}
	if want := `<p id="check-anchors">Anchors: the journal reaches all 1 heads kept outside the state, the last at entry 33.</p>`; !strings.Contains(page.String(), want) {
		t.Errorf("page lacks %s", want)
	}
	rewritten := state.Head{Seq: 20, Hash: strings.Repeat("ab", 32)}
	m, err = FromBackend(ctx, b, Options{Now: fixtureNow, Anchors: []state.Head{rewritten}})
	if err != nil || m.Check.OK || !strings.Contains(m.Check.Error, "the journal was rewritten since that head was taken") {
		t.Errorf("with a head the journal does not reach: %v %+v", err, m.Check)
	}
	key, err := state.ParseKey(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	m, err = FromBackend(ctx, b, Options{Now: fixtureNow, AuditKey: key})
	if err != nil || !m.Check.KeyChecked || m.Check.Sealed != 0 {
		t.Errorf("with an audit key: %v %+v", err, m.Check)
	}
}
