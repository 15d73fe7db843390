package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/money"
	"github.com/payform/payform/providers/providertest"
)

const takePath = "/api/v1/addresses/take"

type taken struct {
	Status string
	Data   struct {
		ID        int64
		Currency  string
		Address   string
		ForeignID string `json:"foreign_id"`
		Tag       *string
	}
}

func take(t *testing.T, h *harness, currency, fid string) taken {
	t.Helper()
	status, body := h.post(takePath, fmt.Sprintf(`{"currency":%q,"foreign_id":%q}`, currency, fid))
	if status != http.StatusCreated {
		t.Fatalf("take %s %s: %d %s", currency, fid, status, body)
	}
	var got taken
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestTakeAddress(t *testing.T) {
	h := newHarness(t, Options{})
	status, body := h.post(takePath, `{"currency":"BTC","foreign_id":"1872"}`)
	first := h.em.Ledger()[0].Address
	providertest.Expect(t, "take", status, body, 201,
		fmt.Sprintf(`{"status":"ok","data":{"id":1,"address":%q,"foreign_id":"1872","tag":null}}`, first))

	// Every call makes a new address, valid for its currency.
	seen := map[string]bool{first: true}
	id := int64(1)
	for _, code := range money.CryptoCodes() {
		if code == "BTC" {
			continue
		}
		id++
		got := take(t, h, code, "1872")
		if got.Data.ID != id || got.Data.ForeignID != "1872" {
			t.Errorf("take %s: %+v", code, got.Data)
		}
		if err := money.ValidateAddress(code, got.Data.Address); err != nil {
			t.Errorf("take %s: %v", code, err)
		}
		if code != "XRP" && seen[got.Data.Address] {
			t.Errorf("take %s: address %s handed out twice", code, got.Data.Address)
		}
		seen[got.Data.Address] = true
	}
	again := take(t, h, "BTC", "1872")
	if again.Data.ID != id+1 || again.Data.Address == first {
		t.Errorf("a second take for 1872/BTC: %+v, want id %d and a new address", again.Data, id+1)
	}
	lines := ledgerLines(h.em)
	if diff := cmp.Diff([]string{"address 1872/ADA 2 ADA  active 1"}, lines[:1]); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	var btc []string
	for _, o := range h.em.Ledger() {
		if o.Key == "1872/BTC" {
			btc = append(btc, o.ID+" "+strconv.Itoa(o.CreateRequests))
		}
	}
	if diff := cmp.Diff([]string{"1 2", fmt.Sprint(again.Data.ID, " 2")}, btc); diff != "" {
		t.Errorf("ledger 1872/BTC (-want +got):\n%s", diff)
	}
}

func TestTakeXRPGivesNewTags(t *testing.T) {
	h := newHarness(t, Options{})
	a, b := take(t, h, "XRP", "c1"), take(t, h, "XRP", "c1")
	if a.Data.Address != b.Data.Address {
		t.Errorf("XRP addresses %s and %s; want the merchant's one account", a.Data.Address, b.Data.Address)
	}
	if a.Data.Tag == nil || b.Data.Tag == nil || *a.Data.Tag == *b.Data.Tag {
		t.Fatalf("XRP tags %v, %v; want two different tags", a.Data.Tag, b.Data.Tag)
	}
	for _, tag := range []string{*a.Data.Tag, *b.Data.Tag} {
		if !validTag(tag) {
			t.Errorf("tag %q is not a 32-bit unsigned integer", tag)
		}
	}
	if got := take(t, h, "BTC", "c1"); got.Data.Tag != nil {
		t.Errorf("BTC tag %q, want null", *got.Data.Tag)
	}
}

func TestTakeAddressRefusals(t *testing.T) {
	h := newHarness(t, Options{Enabled: []string{"BTC"}})
	for _, tc := range []struct {
		name, body string
		wantStatus int
		wantBody   string
	}{
		{"empty", `{}`, 400, `{"errors":{"currency":"The currency field is required.","foreign_id":"The foreign id field is required."},"error_code":"validation_error"}`},
		{"no currency", `{"foreign_id":"c1"}`, 400, `{"errors":{"currency":"The currency field is required."},"error_code":"validation_error"}`},
		{"unknown currency", `{"foreign_id":"c1","currency":"FOO"}`, 400, `{"errors":{"currency":"The selected currency iso is invalid."},"error_code":"validation_error"}`},
		{"not enabled", `{"foreign_id":"c1","currency":"ETH"}`, 400, `{"errors":{"currency":"Currency ETH is not enabled for your merchant"},"error_code":"forbidden_currency"}`},
	} {
		status, body := h.post(takePath, tc.body)
		providertest.Expect(t, tc.name, status, body, tc.wantStatus, tc.wantBody)
	}
	if got := ledgerLines(h.em); len(got) != 0 {
		t.Errorf("refused takes made objects: %v", got)
	}
}
