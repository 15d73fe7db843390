package coinilla

import "strings"

// payResponse is /pay's answer: {"invoice": "<64 hex>", "error": ""}.
type payResponse struct {
	Invoice string `json:"invoice"`
	Error   string `json:"error"`
}

// verifyResponse is /verify's answer: {"status": "paid", "error": ""}.
type verifyResponse struct {
	Status string `json:"status"`
	Error  string `json:"error"`
}

// Verification is what verify said about an invoice.
type Verification struct {
	// Status is paid, paid-0 or notpaid (the vendor page also spells it
	// nopaid).
	Status string
	// Error is the gateway's note beside a status, "" when none: the
	// emulator says "invoice expired", "invoice canceled" or "invoice
	// underpaid" beside notpaid once the invoice can no longer be paid.
	Error string
}

// validInvoiceID reports whether id looks like an invoice id: 64
// characters, as Coinilla's own plugin checks, made of hex digits.
func validInvoiceID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, c := range strings.ToLower(id) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
