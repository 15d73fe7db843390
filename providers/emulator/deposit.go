package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Depositor is implemented by emulators of gateways that take deposits to
// addresses: it simulates a customer's deposit, for POST /_sandbox/deposit,
// and sends the gateway's deposit callback.
type Depositor interface {
	Deposit(d Deposit) (any, error)
}

// Deposit is a simulated deposit to an address the merchant took.
type Deposit struct {
	Gateway  string `json:"gateway"`
	Address  string `json:"address"`
	Tag      string `json:"tag,omitempty"`
	Currency string `json:"currency,omitempty"` // default: the address's currency
	Amount   string `json:"amount"`
	TxID     string `json:"txid,omitempty"` // default: a random one
}

// ErrNoAddress is returned by Deposit for an address the merchant never
// took.
var ErrNoAddress = errors.New("no such deposit address")

// deposit serves POST /_sandbox/deposit.
func (s *Server) deposit(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	var d Deposit
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&d); err != nil {
		WriteJSONError(w, http.StatusBadRequest, "body must be a JSON deposit: "+err.Error())
		return
	}
	em, ok := s.emulators[d.Gateway]
	if !ok {
		WriteJSONError(w, http.StatusNotFound, fmt.Sprintf("no gateway %q", d.Gateway))
		return
	}
	dep, ok := em.(Depositor)
	if !ok {
		WriteJSONError(w, http.StatusBadRequest, fmt.Sprintf("%s takes no deposits to addresses", d.Gateway))
		return
	}
	out, err := dep.Deposit(d)
	switch {
	case errors.Is(err, ErrNoAddress):
		WriteJSONError(w, http.StatusNotFound, err.Error())
	case err != nil:
		WriteJSONError(w, http.StatusBadRequest, err.Error())
	default:
		WriteJSON(w, http.StatusOK, out)
	}
}
