package coinpay24_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	"github.com/payform/payform/providers/emulator"
)

func emulatorPayment(id, mode string) emulator.Payment {
	return emulator.Payment{Gateway: "coinpay24", ID: id, Mode: mode}
}

// TestStatusMapping drives invoices through every status the emulator
// reaches and reads them back with Refresh.
func TestStatusMapping(t *testing.T) {
	e := newEnv(t, noLimits)
	p := client(t, e.endpoint, "coinpay24-test-key")
	ctx := context.Background()
	pay := func(mode string) func(id string) error {
		return func(id string) error { _, err := e.emu.Pay(emulatorPayment(id, mode)); return err }
	}
	set := func(status string) func(id string) error {
		return func(id string) error { _, err := e.emu.SetStatus(id, "", status); return err }
	}
	type row struct {
		Status                              providers.Status
		Raw, Paid, Under, Over, PayCurrency string
	}
	steps := []struct {
		key, currency, payCurrency string
		act                        func(id string) error
		want                       row
	}{
		{"new", "USD", "", nil, row{providers.StatusPending, "new", "", "", "", ""}},
		{"pending", "USD", "BTC", nil, row{providers.StatusPending, "pending", "", "", "", "BTC"}},
		{"paid", "USD", "BTC", pay("full"), row{providers.StatusPaid, "paid", "100", "", "", "BTC"}},
		// A short payment is not "paid" (goods "can be safely delivered"):
		// it is pending until the invoice's time is up (then invalid, below).
		{"underpaid", "USD", "BTC", pay("partial"), row{providers.StatusPending, "pending", "", "0.00083334", "", "BTC"}},
		{"overpaid", "USD", "BTC", pay("over"), row{providers.StatusOverpaid, "paid", "", "", "0.00016666", "BTC"}},
		{"underpaid-btc", "BTC", "BTC", pay("partial"), row{providers.StatusPending, "pending", "50", "50", "", "BTC"}},
		{"late", "EUR", "", pay("late"), row{providers.StatusPaid, "paid", "100", "", "", "BTC"}},
		{"invalid", "USD", "LTC", set("invalid"), row{providers.StatusInvalid, "invalid", "", "", "", "LTC"}},
		{"canceled", "USD", "", set("canceled"), row{providers.StatusCancelled, "canceled", "", "", "", ""}},
		{"refunded", "USD", "ETH", func(id string) error {
			if err := pay("full")(id); err != nil {
				return err
			}
			return set("refunded")(id)
		}, row{providers.StatusCancelled, "refunded", "", "", "", "ETH"}},
	}
	expiring, err := p.Create(ctx, invoice("expired", "1", "USD"))
	if err != nil {
		t.Fatal(err)
	}
	refs := []providers.Ref{{Kind: providers.Invoice, Key: "expired", ID: expiring.ID, CreatedAt: t0}}
	e.clock.Advance(20 * time.Minute)
	for _, s := range steps {
		req := invoice(s.key, "100", s.currency)
		if s.payCurrency != "" {
			req.Fields[providers.FieldPayCurrency] = s.payCurrency
		}
		obj, err := p.Create(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if s.act != nil {
			if err := s.act(obj.ID); err != nil {
				t.Fatalf("%s: %v", s.key, err)
			}
		}
		refs = append(refs, providers.Ref{Kind: providers.Invoice, Key: s.key, ID: obj.ID, CreatedAt: t0})
	}

	objs, err := p.Refresh(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]row{}
	for _, o := range objs {
		got[o.Key] = row{o.Status, o.RawStatus, o.Fields[providers.ResultPaidAmount],
			o.Fields[coinpay24.FieldUnderpaidAmount], o.Fields[coinpay24.FieldOverpaidAmount], o.Fields[providers.FieldPayCurrency]}
	}
	want := map[string]row{"expired": {providers.StatusExpired, "expired", "", "", "", ""}}
	for _, s := range steps {
		want[s.key] = s.want
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}

	// Past expire_at the short payments' invoices are invalid, with what
	// they received: underpaid, for good.
	e.clock.Advance(20 * time.Minute)
	objs, err = p.Refresh(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]row{}
	for _, o := range objs {
		if o.Key == "underpaid" || o.Key == "underpaid-btc" {
			got[o.Key] = row{o.Status, o.RawStatus, o.Fields[providers.ResultPaidAmount],
				o.Fields[coinpay24.FieldUnderpaidAmount], o.Fields[coinpay24.FieldOverpaidAmount], o.Fields[providers.FieldPayCurrency]}
		}
	}
	want = map[string]row{
		"underpaid":     {providers.StatusUnderpaid, "invalid", "", "0.00083334", "", "BTC"},
		"underpaid-btc": {providers.StatusUnderpaid, "invalid", "50", "50", "", "BTC"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after expire_at (-want +got):\n%s", diff)
	}
}
