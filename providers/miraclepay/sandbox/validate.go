package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/money"
)

// Limits the vendor documents (redirectUrl) or does not (note).
const (
	maxRedirectURL = 2048
	maxNote        = 1000
	maxPlaces      = 2
)

// promptInput is a create body that passed DTO validation.
type promptInput struct {
	amount      decimal.Decimal
	chains      []string
	payer       string
	note        string
	redirectURL string
}

// validateDTO checks a create body field by field, as NestJS's
// ValidationPipe with class-validator would, and returns every message.
// Unknown properties are ignored (whitelisting strips them); null counts
// as absent for the optional fields, and so does an empty redirectUrl.
func validateDTO(f map[string]json.RawMessage) (promptInput, []string) {
	var in promptInput
	var msgs []string
	present := func(name string) (json.RawMessage, bool) {
		raw := bytes.TrimSpace(f[name])
		return raw, len(raw) > 0 && string(raw) != "null"
	}

	const positive, conforming = "amount must be a positive number", "amount must be a number conforming to the specified constraints"
	switch raw, ok := present("amount"); {
	case !ok || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')):
		msgs = append(msgs, positive, conforming)
	default:
		d, err := money.ParseAmount(string(raw))
		switch {
		case err != nil || money.Places(d) > maxPlaces:
			msgs = append(msgs, conforming)
		case !d.IsPositive():
			msgs = append(msgs, positive)
		}
		in.amount = d
	}

	switch raw, ok := present("blockchainIds"); {
	case !ok:
		msgs = append(msgs, "blockchainIds should not be empty", "blockchainIds must be an array")
	case raw[0] != '[':
		msgs = append(msgs, "blockchainIds must be an array")
	default:
		var items []json.RawMessage
		json.Unmarshal(raw, &items)
		if len(items) == 0 {
			msgs = append(msgs, "blockchainIds should not be empty")
		}
		for _, it := range items {
			var s string
			if json.Unmarshal(it, &s) != nil {
				msgs = append(msgs, "each value in blockchainIds must be a string")
				break
			}
			in.chains = append(in.chains, s)
		}
	}

	raw, _ := present("payer")
	if json.Unmarshal(raw, &in.payer) != nil || (in.payer != "merchant" && in.payer != "customer") {
		msgs = append(msgs, "payer must be one of the following values: merchant, customer")
	}

	if raw, ok := present("note"); ok {
		if json.Unmarshal(raw, &in.note) != nil {
			msgs = append(msgs, "note must be a string")
		} else if utf8.RuneCountInString(in.note) > maxNote {
			msgs = append(msgs, fmt.Sprintf("note must be shorter than or equal to %d characters", maxNote))
		}
	}
	if raw, ok := present("redirectUrl"); ok {
		if json.Unmarshal(raw, &in.redirectURL) != nil {
			msgs = append(msgs, "redirectUrl must be a string")
		} else if utf8.RuneCountInString(in.redirectURL) > maxRedirectURL {
			msgs = append(msgs, fmt.Sprintf("redirectUrl must be shorter than or equal to %d characters", maxRedirectURL))
		}
	}
	return in, msgs
}

// redirectHost parses a redirect URL: absolute http or https with a host.
func redirectHost(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", false
	}
	return u.Hostname(), true
}
