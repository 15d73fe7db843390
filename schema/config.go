package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/shopspring/decimal"
	"github.com/zclconf/go-cty/cty"

	"github.com/payform/payform/providers"
)

// Config is a decoded, validated configuration: every *.hcl file of a
// directory (or the one given), with variables, locals and for_each
// resolved into resource instances.
type Config struct {
	Dir string
	// Files holds every parsed file (configuration and variable files),
	// for rendering diagnostics with source snippets.
	Files     map[string]*hcl.File
	Backend   Backend
	Providers []*Provider
	Variables []*Variable
	Resources []*Resource
	Outputs   []*Output
	// Policies are the policy blocks (see policy.go).
	Policies []*Policy
	// Digest is a hash of the configuration files and of every file read
	// through file(): a plan made from other bytes is stale.
	Digest string
	// FileDigests are the same files one by one (a configuration file by
	// its path relative to the directory, a file read through file() by
	// the path it was read as): a stale plan names the files that changed.
	FileDigests map[string]string

	// Warnings are the warnings loading it gave (a payout without its
	// destination tag, ...): a plan carries them into every rendering.
	Warnings hcl.Diagnostics

	evalCtx *hcl.EvalContext // variables, locals and functions, for outputs
}

// Backend is the payform { backend "..." { } } block.
type Backend struct {
	Type string // "local" or "pg"
	Path string // local: the snapshot path, "" for the default
	// pg: the connection string (from the block or PAYFORM_PG_CONN_STR;
	// never stored or printed), the workspace and the schema.
	ConnString string
	Workspace  string
	Schema     string
	Range      hcl.Range
}

// PGConnStrEnv is the environment variable a pg backend's connection
// string may come from.
const PGConnStrEnv = "PAYFORM_PG_CONN_STR"

// Provider is one provider block.
type Provider struct {
	Gateway  providers.Gateway
	Alias    string
	Sandbox  bool
	Endpoint string        // "" means the gateway's default
	Timeout  time.Duration // per request
	// RateLimitScale divides the gateway's documented rate-limit windows,
	// only for testing against a sandbox scaled the same way; 0 means 1.
	RateLimitScale float64
	// Settle is settle_time: how long the gateway may still process a
	// create payform gave up on (gateways that resolve by lookup); 0
	// keeps the gateway's default.
	Settle time.Duration
	// Credentials by attribute name, from the block or the environment.
	// Never printed, stored or logged.
	Credentials map[string]string
	// CredentialEnv names, by attribute, the environment variable a
	// credential was read from (one the block sets is not in it), for
	// messages about a refused key.
	CredentialEnv map[string]string
	// Options holds gateway-specific settings (e.g. wllxpay v2_lookup).
	Options   map[string]string
	DeclRange hcl.Range

	// names holds Name and Realm, made once by Load: every resource asks
	// for them.
	names *madeNames
}

// madeNames is a provider's Name and Realm, and what they were made
// from.
type madeNames struct {
	gateway, alias, endpoint string
	sandbox                  bool
	name, realm              string
}

func (p *Provider) makeNames() *madeNames {
	return &madeNames{gateway: p.Gateway.Name, alias: p.Alias, endpoint: p.Endpoint, sandbox: p.Sandbox, name: p.makeName(), realm: p.makeRealm()}
}

// made returns the names Load made, nil when the block has changed
// since (or was not made by Load).
func (p *Provider) made() *madeNames {
	if n := p.names; n != nil && n.gateway == p.Gateway.Name && n.alias == p.Alias && n.endpoint == p.Endpoint && n.sandbox == p.Sandbox {
		return n
	}
	return nil
}

// Name is how resources refer to the provider: "wllxpay" or "wllxpay.eu".
func (p *Provider) Name() string {
	if n := p.made(); n != nil {
		return n.name
	}
	return p.makeName()
}

func (p *Provider) makeName() string {
	if p.Alias == "" {
		return p.Gateway.Name
	}
	return p.Gateway.Name + "." + p.Alias
}

// Realm names where the gateway keeps merchant keys: the gateway at its
// endpoint (an embedded sandbox keeps its own). A key used at a realm is
// reserved for every provider block that points there, whatever its alias
// or credentials: the aliases of one account, an account whose API key was
// rotated, and (stricter than needed, never looser) two accounts behind
// one endpoint.
func (p *Provider) Realm() string {
	if n := p.made(); n != nil {
		return n.realm
	}
	return p.makeRealm()
}

func (p *Provider) makeRealm() string {
	if p.Sandbox {
		return p.Gateway.Name + "|sandbox:" + p.Name()
	}
	return p.Gateway.Name + "|" + NormalEndpoint(p.Endpoint)
}

// Account identifies the gateway account behind the block, for its rate
// limits and the record: the realm and a digest of the credential that
// names the account (its first, the API key), never a secret's value.
// Two blocks with the same endpoint and API key are one account.
func (p *Provider) Account() string {
	if p.Sandbox || len(p.Gateway.Credentials) == 0 || p.Credentials[p.Gateway.Credentials[0].Attr] == "" {
		return p.Realm()
	}
	sum := sha256.Sum256([]byte("payform-account:" + p.Credentials[p.Gateway.Credentials[0].Attr]))
	return p.Realm() + "|" + hex.EncodeToString(sum[:8])
}

// NormalEndpoint is an endpoint in one spelling: scheme and host in lower
// case, the scheme's default port and a trailing slash left out.
func NormalEndpoint(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if (u.Scheme == "https" && u.Port() == "443") || (u.Scheme == "http" && u.Port() == "80") {
		u.Host = u.Hostname()
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u.String()
}

// MissingCredentials lists the credentials neither the block nor the
// environment gave. Sandbox providers need none.
func (p *Provider) MissingCredentials() []providers.Credential {
	if p.Sandbox {
		return nil
	}
	var out []providers.Credential
	for _, c := range p.Gateway.Credentials {
		if p.Credentials[c.Attr] == "" {
			out = append(out, c)
		}
	}
	return out
}

// Variable is one variable block with its final value.
type Variable struct {
	Name        string
	Description string
	Type        cty.Type
	Sensitive   bool
	Value       cty.Value // unmarked
	Source      string    // "default", "--var", "--var-file NAME", "environment"
	DeclRange   hcl.Range
}

// Addr is a resource instance address: payout.vendor["po-1"].
type Addr struct {
	Type   string // block type: "payout"
	Name   string
	Key    string
	HasKey bool // declared with for_each
}

func (a Addr) String() string {
	if !a.HasKey {
		return a.Type + "." + a.Name
	}
	return a.Type + "." + a.Name + "[" + strconv.Quote(a.Key) + "]"
}

// Resource is one resource instance as declared: what payform must make
// exist at a gateway, keyed by the merchant key.
type Resource struct {
	Addr     Addr
	Kind     providers.Kind
	Provider *Provider
	// Key is the merchant key (foreign_id, order_id, ...).
	Key      string
	Amount   decimal.Decimal
	Currency string
	// Attrs holds the other declared values (address, tag, ...), all of
	// which are immutable once sent.
	Attrs map[string]string
	// Ranges gives the source range of each declared attribute, by
	// attribute name ("amount", "address", "foreign_id", ...).
	Ranges    map[string]hcl.Range
	DeclRange hcl.Range

	address string // Addr.String(), made once where Load made the resource
}

// Address is r.Addr.String(), made once per resource that Load decoded.
func (r *Resource) Address() string {
	if r.address != "" {
		return r.address
	}
	return r.Addr.String()
}

// KeyAttr names the attribute that holds a kind's merchant key.
func KeyAttr(kind providers.Kind) string {
	switch kind {
	case providers.Payout, providers.DepositAddress:
		return "foreign_id"
	}
	return "key"
}

// Range returns the source range of attr, or the block's.
func (r *Resource) Range(attr string) hcl.Range {
	if rng, ok := r.Ranges[attr]; ok {
		return rng
	}
	return r.DeclRange
}

// Provider returns the provider named name ("wllxpay", "wllxpay.eu").
func (c *Config) Provider(name string) *Provider {
	for _, p := range c.Providers {
		if p.Name() == name {
			return p
		}
	}
	return nil
}

// CheckCredentials reports providers that lack credentials. validate does
// not call it (a pipeline validates without secrets); plan and apply do.
func (c *Config) CheckCredentials() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, p := range c.Providers {
		for _, cred := range p.MissingCredentials() {
			rng := p.DeclRange
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Missing credential for provider %s", p.Name()),
				Detail: fmt.Sprintf("provider %q needs %s: set %s in the provider block (e.g. from a sensitive variable) or the environment variable %s. For testing without credentials, set sandbox = true.",
					p.Name(), cred.Attr, cred.Attr, cred.Env),
				Subject: &rng,
			})
		}
	}
	return diags
}

// ParseAddr parses an instance address as Addr.String writes it:
// TYPE.NAME or TYPE.NAME["KEY"].
func ParseAddr(s string) (Addr, error) {
	typ, rest, ok := strings.Cut(s, ".")
	if !ok || typ == "" {
		return Addr{}, fmt.Errorf("%q is not a resource address such as payout.vendor[\"po-1\"]", s)
	}
	name, key, hasKey := strings.Cut(rest, "[")
	if !hclsyntax.ValidIdentifier(name) {
		return Addr{}, fmt.Errorf("%q: %q is not a valid name", s, name)
	}
	a := Addr{Type: typ, Name: name}
	if hasKey {
		if !strings.HasSuffix(key, "]") {
			return Addr{}, fmt.Errorf("%q: the key must be closed by ]", s)
		}
		k, err := strconv.Unquote(strings.TrimSuffix(key, "]"))
		if err != nil {
			return Addr{}, fmt.Errorf("%q: the key must be a quoted string, as in [\"po-1\"]", s)
		}
		a.Key, a.HasKey = k, true
	}
	return a, nil
}

// Resource returns the declared instance at addr, or nil.
func (c *Config) Resource(addr string) *Resource {
	for _, r := range c.Resources {
		if r.Addr.String() == addr {
			return r
		}
	}
	return nil
}
