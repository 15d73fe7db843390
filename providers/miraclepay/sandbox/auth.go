package sandbox

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// Account is the state of the merchant user the credentials belong to.
type Account struct {
	Active        bool `json:"active"`
	MerchantAdmin bool `json:"merchant_admin"`
	MainBranch    bool `json:"main_branch"` // false: "Main branch not found"
}

// The documented 401 messages.
const (
	msgNoAuth    = "Basic authorization header is required"
	msgClientID  = "Invalid client ID"
	msgAPIKey    = "Invalid API key"
	msgInactive  = "User is not active"
	msgNotAdmin  = "User is not a merchant admin"
	unauthorized = http.StatusUnauthorized
)

// authenticate checks the Authorization header: present and Basic with
// base64 "clientId:apiKey", the client id known, the key its own, the
// user active and a merchant admin — in that order.
func (e *Emulator) authenticate(header string) (reply, bool) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return failure(unauthorized, msgNoAuth), false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return failure(unauthorized, msgNoAuth), false
	}
	id, key, ok := strings.Cut(string(raw), ":")
	if !ok {
		return failure(unauthorized, msgNoAuth), false
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(e.clientID)) != 1 {
		return failure(unauthorized, msgClientID), false
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(e.apiKey)) != 1 {
		return failure(unauthorized, msgAPIKey), false
	}
	e.mu.Lock()
	acct := e.account
	e.mu.Unlock()
	switch {
	case !acct.Active:
		return failure(unauthorized, msgInactive), false
	case !acct.MerchantAdmin:
		return failure(unauthorized, msgNotAdmin), false
	}
	return reply{}, true
}
