package sandbox

import (
	"net/http"
	"strconv"
)

type v2Transaction struct {
	ID            int64        `json:"id"`
	ForeignID     string       `json:"foreign_id"`
	Type          string       `json:"type"`
	Status        string       `json:"status"`
	CurrencySent  v2Amount     `json:"currency_sent"`
	CryptoAddress v2CryptoAddr `json:"crypto_address"`
	// Error says why a withdrawal failed ("" otherwise): v2 reports
	// error as cancelled, and this text is what tells the two apart.
	Error string `json:"error"`
}

type v2Amount struct {
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
}

type v2CryptoAddr struct {
	Address  string  `json:"address"`
	Tag      *string `json:"tag"`
	Currency string  `json:"currency"`
}

// v2Status maps a withdrawal's status to the v2 vocabulary: error and
// cancelled are both "cancelled" there; v2Error says which.
func v2Status(s string) string {
	if s == StatusError {
		return StatusCancelled
	}
	return s
}

// v2Error is the v2 object's error text for a withdrawal at status s:
// the callback's error text for error, "" for every other status.
func v2Error(s string) string {
	if s == StatusError {
		return withdrawalErrorText
	}
	return ""
}

// transactionInfo serves GET /api/v2/transactions/info (only with
// V2Lookup): a withdrawal found by exactly one of id and foreign_id.
func (e *Emulator) transactionInfo(f form) reply {
	idText, idPresent, idMsg := f.text("id")
	fid, fidPresent, fidMsg := f.text("foreign_id")
	switch {
	case !idPresent && !fidPresent:
		return validation(map[string]string{
			"id":         "The id field is required when foreign id is not present.",
			"foreign_id": "The foreign id field is required when id is not present.",
		})
	case idPresent && fidPresent:
		return validation(map[string]string{"id": "The id field prohibits foreign id from being present."})
	case fidPresent && fidMsg != "":
		return validation(map[string]string{"foreign_id": fidMsg})
	}
	field := "foreign_id"
	var id int64
	if idPresent {
		field = "id"
		var err error
		if id, err = strconv.ParseInt(idText, 10, 64); idMsg != "" || err != nil {
			return validation(map[string]string{"id": "The id must be an integer."})
		}
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.withdrawals[fid]
	if idPresent {
		w, ok = e.withdrawalIDs[id]
	}
	if !ok {
		return fieldError(http.StatusNotFound, map[string]string{field: "Transaction not found."}, "not_found")
	}
	status := e.status(w, e.clock.Now())
	return reply{http.StatusOK, struct {
		Data v2Transaction `json:"data"`
	}{v2Transaction{
		ID: w.id, ForeignID: w.foreignID, Type: kindWithdrawal, Status: v2Status(status), Error: v2Error(status),
		CurrencySent:  v2Amount{Currency: w.currency, Amount: w.amount.String()},
		CryptoAddress: v2CryptoAddr{Address: w.address, Tag: nullable(w.tag), Currency: w.currency},
	}}}
}
