package sandbox

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
)

// create serves POST /external/payments/prompt. After authentication a
// request meets, in order: the body (a JSON object; any other content
// type reads as an empty body), DTO validation (400, every message at
// once, as an array), the merchant's main branch, the blockchains being
// active, their payment addresses, then the redirect URL (format, any
// domains configured, the host allowed). Every accepted request makes a
// new prompt; nothing is deduplicated.
func (e *Emulator) create(r *http.Request) reply {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return failure(http.StatusRequestEntityTooLarge, "request entity too large")
	}
	fields := map[string]json.RawMessage{}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" && len(bytes.TrimSpace(body)) > 0 {
		if b := bytes.TrimSpace(body); b[0] != '{' || json.Unmarshal(b, &fields) != nil {
			return badRequest("Unexpected token in JSON body")
		}
	}
	in, msgs := validateDTO(fields)
	key := ledgerKey(in.note, "")

	e.mu.Lock()
	defer e.mu.Unlock()
	if len(msgs) > 0 {
		return e.refuse(key, badRequest(msgs))
	}
	if !e.account.MainBranch {
		return e.refuse(key, badRequest(msgMainBranch))
	}
	var inactive []string
	missing := 0
	for _, id := range in.chains {
		if !e.active[id] {
			inactive = append(inactive, id)
		}
		if e.addresses[id] == "" {
			missing++
		}
	}
	switch {
	case len(inactive) > 0:
		return e.refuse(key, badRequest("Invalid or inactive blockchain IDs: "+strings.Join(inactive, ", ")))
	case missing == len(in.chains):
		return e.refuse(key, badRequest(msgNoAddresses))
	case missing > 0:
		return e.refuse(key, badRequest(msgSomeAddresses))
	}
	if in.redirectURL != "" {
		host, ok := redirectHost(in.redirectURL)
		switch {
		case !ok:
			return e.refuse(key, badRequest(msgRedirectFormat))
		case len(e.domains) == 0:
			return e.refuse(key, badRequest(msgNoDomains))
		case !e.domains[strings.ToLower(host)]:
			return e.refuse(key, badRequest(msgDomain))
		}
	}
	id, err := e.newID()
	if err != nil {
		return internalError
	}
	commission := in.amount.Mul(e.percent).Shift(-2).Round(2) // exact, then half up (amounts are positive)
	total := in.amount
	if in.payer == "customer" {
		total = total.Add(commission)
	}
	now := e.clock.Now()
	rec := record{Op: opPrompt, ID: id, Amount: in.amount.String(), Total: total.String(), Commission: commission.String(),
		Payer: in.payer, Chains: in.chains, Note: in.note, RedirectURL: in.redirectURL, At: now, ExpiresAt: now.Add(e.expiry)}
	if err := e.commit(rec); err != nil {
		return internalError
	}
	return reply{http.StatusCreated, e.createAnswer(e.prompts[id])}
}

// refuse counts a refused request for key (if its note gave one) and
// returns r. Called with e.mu held.
func (e *Emulator) refuse(key string, r reply) reply {
	if key == "" {
		return r
	}
	if err := e.commit(record{Op: opRequest, Key: key}); err != nil {
		return internalError
	}
	return r
}

// newID draws a fresh UUID v4. Called with e.mu held.
func (e *Emulator) newID() (string, error) {
	for range 8 {
		b := make([]byte, 16)
		if _, err := io.ReadFull(e.entropy, b); err != nil {
			return "", err
		}
		b[6] = b[6]&0x0f | 0x40 // version 4
		b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
		h := hex.EncodeToString(b)
		id := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		if _, taken := e.prompts[id]; !taken {
			return id, nil
		}
	}
	return "", errors.New("entropy keeps repeating prompt ids")
}
