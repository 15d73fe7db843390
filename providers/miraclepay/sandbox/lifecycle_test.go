package sandbox

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers/emulator"
)

func TestLifecycle(t *testing.T) {
	h := newHarness(t, Options{})
	body := func(key string) string {
		return `{"amount":100.50,"blockchainIds":["eth","btc"],"payer":"customer","note":"payform:` + key + ` Order ` + key + `"}`
	}
	ids := map[string]string{}
	for _, key := range []string{"full", "over", "partial", "cancel", "expires", "late"} {
		ids[key] = h.create(body(key))
	}
	check := func(when string, want map[string]string) {
		t.Helper()
		got := map[string]string{}
		for key := range want {
			got[key] = h.status(ids[key])
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", when, diff)
		}
	}
	h.clock.Advance(time.Hour)
	mustPay(t, h, emulator.Payment{ID: ids["full"]})
	mustPay(t, h, emulator.Payment{Key: "over", Mode: emulator.PayOver, Currency: "btc"})
	mustPay(t, h, emulator.Payment{ID: ids["partial"], Mode: emulator.PayPartial})
	if _, err := h.em.SetStatus(ids["cancel"], StatusCancelled); err != nil {
		t.Fatal(err)
	}
	if _, err := h.em.Pay(emulator.Payment{ID: ids["late"], Mode: emulator.PayLate}); !errors.Is(err, ErrNotPayable) {
		t.Errorf("a late payment before expiry = %v, want ErrNotPayable", err)
	}
	check("an hour in", map[string]string{"full": "successful", "over": "successful", "partial": "unsuccessful", "cancel": "cancelled", "expires": "pending"})

	h.clock.Advance(23*time.Hour - time.Nanosecond)
	check("just before expiry", map[string]string{"expires": "pending", "late": "pending"})
	h.clock.Advance(time.Nanosecond)
	check("at expiry", map[string]string{"full": "successful", "partial": "unsuccessful", "cancel": "cancelled", "expires": "expired", "late": "expired"})
	for _, mode := range []string{emulator.PayLate, emulator.PayFull} {
		if _, err := h.em.Pay(emulator.Payment{ID: ids["late"], Mode: mode}); !errors.Is(err, ErrNotPayable) {
			t.Errorf("%s payment after expiry = %v, want ErrNotPayable", mode, err)
		}
	}
	for _, key := range []string{"full", "partial", "cancel", "expires"} {
		if _, err := h.em.Pay(emulator.Payment{ID: ids[key]}); !errors.Is(err, ErrNotPayable) {
			t.Errorf("paying %s again = %v, want ErrNotPayable", key, err)
		}
		if _, err := h.em.SetStatus(ids[key], StatusSuccessful); !errors.Is(err, ErrNotPayable) {
			t.Errorf("forcing %s = %v, want ErrNotPayable", key, err)
		}
	}

	// GET names the chain paid on, else the first allowed.
	_, got := h.do("GET", "/external/payments/prompt/"+ids["over"], defaultAuth, "")
	if !strings.Contains(got, `"blockchainId":"btc"`) {
		t.Errorf("over: %s", got)
	}
	_, got = h.do("GET", "/external/payments/prompt/"+ids["expires"], defaultAuth, "")
	if !strings.Contains(got, `"blockchainId":"eth"`) {
		t.Errorf("expires: %s", got)
	}
	views := map[string]PromptView{}
	for _, v := range h.em.Prompts() {
		views[v.Key] = v
	}
	if v := views["over"]; v.Paid != "113.88" || v.PaidOn != "btc" || v.Total != "103.52" {
		t.Errorf("over: %+v, want 113.88 paid on btc against 103.52", v)
	}
	if v := views["partial"]; v.Paid != "51.76" {
		t.Errorf("partial: %+v, want 51.76 paid", v)
	}
}

func mustPay(t *testing.T, h *harness, p emulator.Payment) emulator.LedgerObject {
	t.Helper()
	obj, err := h.em.Pay(p)
	if err != nil {
		t.Fatalf("Pay(%+v): %v", p, err)
	}
	return obj
}

func TestPayChecks(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.create(promptBody("k"))
	for _, tc := range []emulator.Payment{
		{ID: id, Currency: "sol"},                // not one of its chains
		{ID: id, Amount: "1"},                    // full must be what is owed
		{ID: id, Mode: "partial", Amount: "200"}, // partial must be less
		{ID: id, Mode: "over", Amount: "1"},      // over must be more
		{ID: id, Amount: "1.001"},                // cents only
		{ID: id, Mode: "sideways"},
	} {
		if _, err := h.em.Pay(tc); err == nil {
			t.Errorf("Pay(%+v) succeeded", tc)
		}
	}
	for _, p := range []emulator.Payment{{ID: "nope"}, {Key: "nope"}} {
		if _, err := h.em.Pay(p); !errors.Is(err, emulator.ErrNoInvoice) {
			t.Errorf("Pay(%+v) = %v, want ErrNoInvoice", p, err)
		}
	}
	if _, err := h.em.SetStatus(id, StatusExpired); err == nil {
		t.Error("SetStatus(expired) succeeded: expiry follows from time")
	}
	obj := mustPay(t, h, emulator.Payment{Key: "k", Amount: "103.52"})
	if obj.Status != "successful" || obj.Key != "k" || obj.Amount != "100.5" {
		t.Errorf("paid: %+v", obj)
	}
}

func TestLedgerKey(t *testing.T) {
	for _, tc := range []struct{ note, want string }{
		{"payform:ord-1", "ord-1"},
		{"payform:ord-1 Order #1 for Ann", "ord-1"},
		{"Order #12345", "Order #12345"},
		{"payform: spaced", "payform: spaced"},
		{"", "the-id"},
		{"  ", "the-id"},
	} {
		if got := ledgerKey(tc.note, "the-id"); got != tc.want {
			t.Errorf("ledgerKey(%q) = %q, want %q", tc.note, got, tc.want)
		}
	}
}
