package sandbox

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestAuthFailures(t *testing.T) {
	h := newHarness(t, Options{})
	path := "/api/v1/wallets"
	good := func() map[string]string { return h.signed(http.MethodGet, path, "") }
	xtime := func(d time.Duration) string { return strconv.FormatInt(t0.Add(d).Unix(), 10) }
	resign := func(hdr map[string]string) map[string]string {
		hdr["X-Sig"] = Sign(DefaultSecret, hdr["X-time"], http.MethodGet, "/milacoins"+path, nil)
		return hdr
	}
	tests := []struct {
		name string
		edit func(map[string]string) map[string]string
		want apiError
	}{
		{"bad signature", func(h map[string]string) map[string]string {
			h["X-Sig"] = Sign("wrong-secret", h["X-time"], http.MethodGet, "/milacoins"+path, nil)
			return h
		}, errAuth()},
		{"signature not hex", func(h map[string]string) map[string]string { h["X-Sig"] = "zz"; return h }, errAuth()},
		{"no signature", func(h map[string]string) map[string]string { delete(h, "X-Sig"); return h }, errAuth()},
		{"wrong key", func(h map[string]string) map[string]string { h["X-api-key"] = "nope"; return h }, errAuth()},
		{"no key", func(h map[string]string) map[string]string { delete(h, "X-api-key"); return h }, errAuth()},
		{"path without the mount", func(h map[string]string) map[string]string {
			h["X-Sig"] = Sign(DefaultSecret, h["X-time"], http.MethodGet, path, nil)
			return h
		}, errAuth()},
		{"stale X-time", func(h map[string]string) map[string]string { h["X-time"] = xtime(-61 * time.Second); return resign(h) }, errTime(xtime(-61 * time.Second))},
		{"future X-time", func(h map[string]string) map[string]string { h["X-time"] = xtime(61 * time.Second); return resign(h) }, errTime(xtime(61 * time.Second))},
		{"X-time in ms", func(h map[string]string) map[string]string { h["X-time"] += "000"; return resign(h) }, errTime(xtime(0) + "000")},
		{"X-time not a number", func(h map[string]string) map[string]string { h["X-time"] = "soon"; return resign(h) }, errTime("soon")},
		{"no X-time", func(h map[string]string) map[string]string { delete(h, "X-time"); return h }, errTime("")},
	}
	for _, tc := range tests {
		status, _, body := h.send(http.MethodGet, path, "", tc.edit(good()))
		expectError(t, tc.name, status, body, tc.want)
	}
	// At the edge of the skew, and with a fractional X-time signed as sent.
	for _, xt := range []string{xtime(-60 * time.Second), xtime(60 * time.Second), xtime(0) + ".344"} {
		hdr := good()
		hdr["X-time"] = xt
		if status, _, body := h.send(http.MethodGet, path, "", resign(hdr)); status != http.StatusOK {
			t.Errorf("X-time %s: %d %s, want 200", xt, status, body)
		}
	}
	if n := len(h.em.Ledger()); n != 0 {
		t.Errorf("ledger has %d objects", n)
	}
}

// TestSignedURIIsLiteral: the signature covers the path as received,
// trailing slash and raw query included; both routes serve.
func TestSignedURIIsLiteral(t *testing.T) {
	h := newHarness(t, Options{})
	for _, path := range []string{"/api/v1/transactions/invoices/?limit=2", "/api/v1/transactions/invoices?limit=2", "/api/v1/transactions/invoices/?from=2026-03-01T00%3A00%3A00Z"} {
		if status, body := h.call(http.MethodGet, path, ""); status != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}
	// Signed over the decoded query, sent encoded: refused.
	hdr := h.signed(http.MethodGet, "/api/v1/transactions/invoices/?from=2026-03-01T00:00:00Z", "")
	status, _, body := h.send(http.MethodGet, "/api/v1/transactions/invoices/?from=2026-03-01T00%3A00%3A00Z", "", hdr)
	expectError(t, "query signed decoded", status, body, errAuth())
	// The body is signed byte for byte: re-spaced JSON is another body.
	signedBody := `{"wallet":"USD","amount":1,"currency":"USD"}`
	hdr = h.signed(http.MethodPost, "/api/v1/invoices", signedBody)
	status, _, body = h.send(http.MethodPost, "/api/v1/invoices", `{"wallet": "USD","amount":1,"currency":"USD"}`, hdr)
	expectError(t, "body re-spaced", status, body, errAuth())
}
