package sandbox

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/payform/payform/providers/providertest"
)

// The official CoinsPaid vector (gateways/NOTES.md).
const (
	vectorSecret = "AbCdEfG123456"
	vectorBody   = `{"currency":"BTC","foreign_id":"123456"}`
	vectorSig    = "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec"
)

func TestSignatureVector(t *testing.T) {
	if !validSignature(vectorSecret, []byte(vectorBody), vectorSig) {
		t.Errorf("the emulator's verifier rejects the official vector")
	}
	if got := testSign(vectorSecret, vectorBody); got != vectorSig {
		t.Errorf("the test's signer gives %s, want %s", got, vectorSig)
	}
	if validSignature(vectorSecret, []byte(vectorBody), strings.ToUpper(vectorSig)) {
		t.Errorf("the verifier accepts upper-case hex; the gateway issues lower case")
	}

	// The vector's body is a complete addresses/take request.
	h := newHarness(t, Options{Key: "vector-key", Secret: vectorSecret})
	status, body := h.raw(http.MethodPost, "/api/v1/addresses/take", vectorBody, map[string]string{
		"Content-Type": "application/json", "X-Processing-Key": "vector-key", "X-Processing-Signature": vectorSig,
	})
	if status != http.StatusCreated {
		t.Errorf("addresses/take signed with the vector: %d %s, want 201", status, body)
	}
}

func TestAuthErrors(t *testing.T) {
	h := newHarness(t, Options{})
	const body = `{"currency":"BTC","foreign_id":"c1"}`
	good := testSign(DefaultSecret, body)
	for _, tc := range []struct {
		name       string
		header     map[string]string
		wantStatus int
		wantBody   string
	}{
		{"no key", map[string]string{"X-Processing-Signature": good},
			403, `{"error":"No key header","code":"required_header_key"}`},
		{"empty key", map[string]string{"X-Processing-Key": "", "X-Processing-Signature": good},
			403, `{"error":"No key header","code":"required_header_key"}`},
		{"wrong key", map[string]string{"X-Processing-Key": "someone-else", "X-Processing-Signature": good},
			403, `{"error":"Bad key header","code":"bad_header_key"}`},
		{"no signature", map[string]string{"X-Processing-Key": DefaultKey},
			403, `{"error":"No signature header","code":"required_header_signature"}`},
		{"wrong signature", map[string]string{"X-Processing-Key": DefaultKey, "X-Processing-Signature": testSign("other-secret", body)},
			403, `{"error":"Bad signature header","code":"bad_header_signature"}`},
		{"upper-case signature", map[string]string{"X-Processing-Key": DefaultKey, "X-Processing-Signature": strings.ToUpper(good)},
			403, `{"error":"Bad signature header","code":"bad_header_signature"}`},
		{"signature of other bytes", map[string]string{"X-Processing-Key": DefaultKey, "X-Processing-Signature": testSign(DefaultSecret, body+" ")},
			403, `{"error":"Bad signature header","code":"bad_header_signature"}`},
		{"lower-case header names", map[string]string{"x-processing-key": DefaultKey, "x-processing-signature": good},
			201, ""},
	} {
		tc.header["Content-Type"] = "application/json"
		status, got := h.raw(http.MethodPost, "/api/v1/addresses/take", body, tc.header)
		if tc.wantStatus == 201 {
			if status != 201 {
				t.Errorf("%s: %d %s, want 201", tc.name, status, got)
			}
			continue
		}
		providertest.Expect(t, tc.name, status, got, tc.wantStatus, tc.wantBody)
	}
	// Only the accepted request counts: refusals before authentication
	// never reach the ledger.
	if diff := cmp.Diff([]string{"address c1/BTC 1 BTC  active 1"}, ledgerLines(h.em)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
}
