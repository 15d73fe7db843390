package wllxpay

import "testing"

// TestSignVector checks the signing against CoinsPaid's published
// authorization example (gateways/NOTES.md, section 5).
func TestSignVector(t *testing.T) {
	got := Sign([]byte("AbCdEfG123456"), []byte(`{"currency":"BTC","foreign_id":"123456"}`))
	want := "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec"
	if got != want {
		t.Errorf("Sign = %s\nwant  %s", got, want)
	}
}
