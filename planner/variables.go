package planner

import (
	"fmt"

	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/payform/payform/schema"
)

// Variables records the configuration's variables for a plan, so that
// apply can refuse a plan made with other values. A sensitive value is
// not recorded at all, not even as a digest (which a short secret would
// not survive offline): sensitive values may only feed provider
// credentials, and a credential that names another account changes the
// provider's account identity, which the plan records (Accounts).
func Variables(cfg *schema.Config) (map[string]PlanVariable, error) {
	out := make(map[string]PlanVariable, len(cfg.Variables))
	for _, v := range cfg.Variables {
		if v.Sensitive {
			out[v.Name] = PlanVariable{Sensitive: true}
			continue
		}
		data, err := ctyjson.Marshal(v.Value, v.Type)
		if err != nil {
			return nil, fmt.Errorf("variable %q: %v", v.Name, err)
		}
		out[v.Name] = PlanVariable{Value: data}
	}
	return out, nil
}

// Accounts records, for every provider block, the identity of the
// gateway account behind it (endpoint and a digest of the credential
// that names the account, never a secret's value).
func Accounts(cfg *schema.Config) map[string]string {
	out := make(map[string]string, len(cfg.Providers))
	for _, p := range cfg.Providers {
		out[p.Name()] = p.Account()
	}
	return out
}
