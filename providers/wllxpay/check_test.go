package wllxpay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/wllxpay/sandbox"
)

// TestCheckV1: without v2_lookup there is no call that reads without
// creating, so the check reaches the endpoint only (an unsigned GET the
// gateway refuses for want of a key), says the credentials are unproven,
// and refuses an endpoint that does not answer as WllxPay does.
func TestCheckV1(t *testing.T) {
	ctx := context.Background()
	emu, _, endpoint := gateway(t, sandbox.Options{})
	for _, secret := range []string{sandbox.DefaultSecret, "wrong"} {
		res, err := client(t, endpoint, sandbox.DefaultKey, secret, nil).(providers.Checker).Check(ctx)
		want := providers.CheckResult{
			Call:     "GET /api/v1 (unsigned)",
			Answer:   "403 No key header, as WllxPay answers a request without a key",
			Unproven: "WllxPay's v1 API has no call that reads without creating (addresses/take and withdrawal/make both create), so the credentials are first used by apply; v2_lookup = true checks them with v2 transactions/info",
		}
		if err != nil {
			t.Fatalf("secret %q: Check: %v", secret, err)
		}
		if diff := cmp.Diff(want, res); diff != "" {
			t.Errorf("secret %q: Check (-want +got):\n%s", secret, diff)
		}
	}
	if n := len(emu.Ledger()); n != 0 {
		t.Errorf("the checks made %d objects", n)
	}

	// Something else at the endpoint: a web page, say.
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<!doctype html><title>WllxPay</title>"))
	}))
	defer page.Close()
	_, err := client(t, page.URL+"/api/v1", sandbox.DefaultKey, sandbox.DefaultSecret, nil).(providers.Checker).Check(ctx)
	want := &providers.Error{Class: providers.Rejected, Gateway: "wllxpay", Op: "check", Status: 200,
		Message: "the endpoint does not answer as WllxPay's API does (a request without a key is answered 403 No key header, required_header_key); check the endpoint"}
	if diff := cmp.Diff(want, err, ignoreErr); diff != "" {
		t.Errorf("a web page at the endpoint (-want +got):\n%s", diff)
	}
}

// TestCheckV2Absent: v2_lookup against a gateway without the v2 API is
// refused with what to do, not taken for a lookup that found nothing.
func TestCheckV2Absent(t *testing.T) {
	_, _, endpoint := gateway(t, sandbox.Options{})
	_, err := client(t, endpoint, sandbox.DefaultKey, sandbox.DefaultSecret, map[string]string{"v2_lookup": "true"}).(providers.Checker).Check(context.Background())
	want := &providers.Error{Class: providers.Rejected, Gateway: "wllxpay", Op: "transactions/info", Status: 404,
		Message: "the endpoint serves no v2 transactions/info (WllxPay does not document its v2 API): without it, set v2_lookup = false"}
	if diff := cmp.Diff(want, err, ignoreErr); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
}
