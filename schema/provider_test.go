package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	"github.com/payform/payform/providers/wllxpay"
)

func TestLoadProviders(t *testing.T) {
	// decodedProvider is what a test compares of a Provider.
	type decodedProvider struct {
		Name        string
		Sandbox     bool
		Endpoint    string
		Timeout     time.Duration
		Credentials map[string]string
		Options     map[string]string
		// CredentialEnv: where the environment gave a credential.
		CredentialEnv map[string]string
	}
	const defaultEndpoint = "https://app.wllxpay.io/api/v1"
	sandboxCreds := map[string]string{"api_key": "wllxpay-test-key", "secret_key": "wllxpay-test-secret"}
	tests := []struct {
		name string
		hcl  string
		vars []string
		env  []string
		want []decodedProvider
	}{
		{
			name: "sandbox gets the test credentials",
			hcl: `provider "wllxpay" {
  sandbox = true
}`,
			env:  []string{"WLLXPAY_API_KEY=live-key", "WLLXPAY_SECRET_KEY=live-secret"},
			want: []decodedProvider{{Name: "wllxpay", Sandbox: true, Endpoint: defaultEndpoint, Timeout: 30 * time.Second, Credentials: sandboxCreds}},
		},
		{
			name: "credentials from attributes",
			hcl: `provider "wllxpay" {
  api_key    = "attr-key"
  secret_key = "attr-secret"
}`,
			env:  []string{"WLLXPAY_API_KEY=env-key", "WLLXPAY_SECRET_KEY=env-secret"},
			want: []decodedProvider{{Name: "wllxpay", Endpoint: defaultEndpoint, Timeout: 30 * time.Second, Credentials: map[string]string{"api_key": "attr-key", "secret_key": "attr-secret"}}},
		},
		{
			name: "credentials from the environment",
			hcl:  `provider "wllxpay" {}`,
			env:  []string{"WLLXPAY_API_KEY=env-key", "WLLXPAY_SECRET_KEY=env-secret", "MILACOINS_API_KEY=other"},
			want: []decodedProvider{{Name: "wllxpay", Endpoint: defaultEndpoint, Timeout: 30 * time.Second, Credentials: map[string]string{"api_key": "env-key", "secret_key": "env-secret"},
				CredentialEnv: map[string]string{"api_key": "WLLXPAY_API_KEY", "secret_key": "WLLXPAY_SECRET_KEY"}}},
		},
		{
			name: "one credential from each",
			hcl: `provider "wllxpay" {
  secret_key = "attr-secret"
}`,
			env: []string{"WLLXPAY_API_KEY=env-key", "WLLXPAY_SECRET_KEY=env-secret"},
			want: []decodedProvider{{Name: "wllxpay", Endpoint: defaultEndpoint, Timeout: 30 * time.Second, Credentials: map[string]string{"api_key": "env-key", "secret_key": "attr-secret"},
				CredentialEnv: map[string]string{"api_key": "WLLXPAY_API_KEY"}}},
		},
		{
			name: "credentials from a sensitive variable",
			hcl: `variable "key" {
  type      = string
  sensitive = true
}

provider "wllxpay" {
  api_key    = var.key
  secret_key = "attr-secret"
}`,
			vars: []string{"key=var-key"},
			want: []decodedProvider{{Name: "wllxpay", Endpoint: defaultEndpoint, Timeout: 30 * time.Second, Credentials: map[string]string{"api_key": "var-key", "secret_key": "attr-secret"}}},
		},
		{
			name: "no credentials yet",
			hcl:  `provider "wllxpay" {}`,
			want: []decodedProvider{{Name: "wllxpay", Endpoint: defaultEndpoint, Timeout: 30 * time.Second}},
		},
		{
			name: "endpoint, timeout and options",
			hcl: `provider "wllxpay" {
  alias     = "eu"
  endpoint  = "https://eu.wllxpay.example/api/v1"
  timeout   = "1m30s"
  v2_lookup = true
}`,
			want: []decodedProvider{{Name: "wllxpay.eu", Endpoint: "https://eu.wllxpay.example/api/v1", Timeout: 90 * time.Second, Options: map[string]string{"v2_lookup": "true"}}},
		},
		{
			name: "plain http on loopback",
			hcl: `provider "wllxpay" {
  endpoint = "http://127.0.0.1:8787/wllxpay/api/v1"
}

provider "wllxpay" {
  alias    = "local"
  endpoint = "http://localhost:8787/wllxpay/api/v1"
}

provider "wllxpay" {
  alias    = "v6"
  endpoint = "http://[::1]:8787/wllxpay/api/v1"
}`,
			want: []decodedProvider{
				{Name: "wllxpay", Endpoint: "http://127.0.0.1:8787/wllxpay/api/v1", Timeout: 30 * time.Second},
				{Name: "wllxpay.local", Endpoint: "http://localhost:8787/wllxpay/api/v1", Timeout: 30 * time.Second},
				{Name: "wllxpay.v6", Endpoint: "http://[::1]:8787/wllxpay/api/v1", Timeout: 30 * time.Second},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.hcl": tt.hcl})
			cfg := mustLoad(t, Options{Dir: dir, Vars: tt.vars, Env: tt.env})
			var got []decodedProvider
			for _, p := range cfg.Providers {
				got = append(got, decodedProvider{p.Name(), p.Sandbox, p.Endpoint, p.Timeout, p.Credentials, p.Options, p.CredentialEnv})
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("providers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMissingCredentials(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": `provider "wllxpay" {
  api_key = "k"
}

provider "wllxpay" {
  alias   = "sandbox"
  sandbox = true
}
`})
	cfg := mustLoad(t, Options{Dir: dir})
	var got []string
	for _, c := range cfg.Provider("wllxpay").MissingCredentials() {
		got = append(got, c.Attr+" "+c.Env)
	}
	if diff := cmp.Diff([]string{"secret_key WLLXPAY_SECRET_KEY"}, got); diff != "" {
		t.Errorf("MissingCredentials (-want +got):\n%s", diff)
	}
	if got := cfg.Provider("wllxpay.sandbox").MissingCredentials(); len(got) != 0 {
		t.Errorf("sandbox MissingCredentials = %v, want none", got)
	}
	if p := cfg.Provider("wllxpay.nope"); p != nil {
		t.Errorf(`Provider("wllxpay.nope") = %s, want nil`, p.Name())
	}
}

// TestDuplicateKeyAcrossAliasesOfOneAccount: two provider blocks with the
// same endpoint and API key are one account; a foreign_id must be unique
// across them, or the second payout would meet "already taken".
func TestDuplicateKeyAcrossAliasesOfOneAccount(t *testing.T) {
	block := func(provider, name string) string {
		return `
payout "` + name + `" {
  provider   = ` + provider + `
  foreign_id = "same-key"
  currency   = "BTC"
  amount     = "0.1"
  address    = "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"
}
`
	}
	providersHCL := func(keyB, endpointB string) string {
		return `
provider "wllxpay" {
  alias      = "a"
  api_key    = "k1"
  secret_key = "s"
}
provider "wllxpay" {
  alias      = "b"
  api_key    = "` + keyB + `"
  secret_key = "s"
  endpoint   = "` + endpointB + `"
}
`
	}
	// Keys live at the gateway's endpoint: one key is refused across two
	// blocks pointing there, with the same API key (aliases of one
	// account) or another (a rotated key, or a second account behind one
	// endpoint: stricter than needed, never looser); another endpoint is
	// another realm.
	for _, tc := range []struct {
		keyB, endpointB string
		wantErr         bool
	}{
		{"k1", "https://app.wllxpay.io/api/v1", true},
		{"k2", "https://APP.wllxpay.io:443/api/v1/", true},
		{"k1", "https://eu.wllxpay.example/api/v1", false},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(providersHCL(tc.keyB, tc.endpointB)+block("wllxpay.a", "x")+block("wllxpay.b", "y")), 0o600); err != nil {
			t.Fatal(err)
		}
		_, diags := Load(Options{Dir: dir, Gateways: []providers.Gateway{wllxpay.Gateway}})
		if diags.HasErrors() != tc.wantErr {
			t.Errorf("api keys k1/%s at %s: errors = %v, want %v", tc.keyB, tc.endpointB, diags, tc.wantErr)
		}
		if tc.wantErr && !strings.Contains(diags.Error(), "one gateway endpoint (providers wllxpay.a and wllxpay.b point at the same one, where keys are shared)") {
			t.Errorf("message: %v", diags.Error())
		}
	}
}

// TestSettleTime: settle_time is read on gateways that settle an in-doubt
// create by lookup, and refused, at its line, elsewhere.
func TestSettleTime(t *testing.T) {
	gws := []providers.Gateway{wllxpay.Gateway, coinpay24.Gateway}
	for _, tc := range []struct {
		name, hcl string
		want      time.Duration
		wantErr   string
	}{
		{name: "coinpay24", hcl: `provider "coinpay24" {
  api_key     = "k"
  settle_time = "90s"
}`, want: 90 * time.Second},
		{name: "default", hcl: `provider "coinpay24" {
  api_key = "k"
}`},
		{name: "not a duration", hcl: `provider "coinpay24" {
  api_key     = "k"
  settle_time = "soon"
}`, wantErr: `main.hcl:3,17-23: Invalid settle_time; settle_time "soon" must be a positive duration such as "2m"`},
		{name: "wllxpay", hcl: `provider "wllxpay" {
  sandbox     = true
  settle_time = "2m"
}`, wantErr: "main.hcl:3,17-21: Unsupported settle_time; settle_time applies to gateways that settle an in-doubt create by looking its key up (coinpay24); wllxpay settles it without a lookup. Remove settle_time."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.hcl": tc.hcl})
			cfg, diags := Load(Options{Dir: dir, Gateways: gws})
			if tc.wantErr != "" {
				if !strings.Contains(diags.Error(), tc.wantErr) {
					t.Fatalf("diagnostics %q, want %q", diags.Error(), tc.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if got := cfg.Providers[0].Settle; got != tc.want {
				t.Errorf("Settle = %s, want %s", got, tc.want)
			}
		})
	}
}
