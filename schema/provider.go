package schema

import (
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/payform/payform/providers"
)

// defaultTimeout bounds each gateway request unless the block says.
const defaultTimeout = 30 * time.Second

func providerSchema(g providers.Gateway) *hcl.BodySchema {
	s := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "alias"}, {Name: "sandbox"}, {Name: "endpoint"}, {Name: "timeout"}, {Name: "settle_time"}, {Name: "rate_limit_scale"},
	}}
	for _, c := range g.Credentials {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: c.Attr})
	}
	for _, o := range g.Options {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: o})
	}
	return s
}

func (l *loader) decodeProviders(blocks []*hcl.Block) {
	names := make([]string, 0, len(l.opts.Gateways))
	byName := map[string]providers.Gateway{}
	for _, g := range l.opts.Gateways {
		names = append(names, g.Name)
		byName[g.Name] = g
	}
	seen := map[string]*Provider{}
	l.failedProviders = map[string]bool{}
	for _, b := range blocks {
		gw, ok := byName[b.Labels[0]]
		if !ok {
			l.errorf(b.LabelRanges[0].Ptr(), "Unknown gateway", "there is no gateway %q; payform knows %s.%s",
				b.Labels[0], strings.Join(names, ", "), suggest(b.Labels[0], names))
			l.failedProviders[b.Labels[0]] = true
			continue
		}
		p := l.decodeProvider(b, gw)
		if p == nil {
			l.failedProviders[b.Labels[0]] = true
			continue
		}
		p.names = p.makeNames()
		if prev := seen[p.Name()]; prev != nil {
			l.errorf(b.DefRange.Ptr(), "Duplicate provider", "provider %q is also configured at %s. Give one of them an alias (alias = \"eu\") and refer to it as %s.eu.",
				p.Name(), prev.DeclRange, gw.Name)
			continue
		}
		seen[p.Name()] = p
		l.cfg.Providers = append(l.cfg.Providers, p)
	}
}

func (l *loader) decodeProvider(b *hcl.Block, gw providers.Gateway) *Provider {
	content, diags := b.Body.Content(providerSchema(gw))
	l.diags = append(l.diags, diags...)
	p := &Provider{Gateway: gw, Timeout: defaultTimeout, Credentials: map[string]string{}, CredentialEnv: map[string]string{}, Options: map[string]string{}, DeclRange: b.DefRange}
	ctx := l.evalContext()
	if a := content.Attributes["alias"]; a != nil {
		s, ok := l.evalString(a, ctx, true, "")
		if !ok {
			return nil // reported, or derived from a value that failed
		}
		if !hclsyntax.ValidIdentifier(s) {
			l.errorf(a.Expr.Range().Ptr(), "Invalid alias", "alias %s must be a name: letters, digits, underscores and dashes, starting with a letter.", quote(s))
			return nil
		}
		p.Alias = s
	}
	if a := content.Attributes["sandbox"]; a != nil {
		val, diags := eval(a.Expr, ctx)
		l.diags = append(l.diags, diags...)
		if v, err := convert.Convert(val, cty.Bool); err == nil && v.IsKnown() && !v.IsNull() {
			p.Sandbox = v.True()
		} else if !diags.HasErrors() {
			l.errorf(a.Expr.Range().Ptr(), "Invalid sandbox", "sandbox must be true or false.")
		}
	}
	if a := content.Attributes["endpoint"]; a != nil {
		if s, ok := l.evalString(a, ctx, true, ""); ok {
			if p.Sandbox {
				l.errorf(a.Expr.Range().Ptr(), "Endpoint with sandbox", "a sandbox provider runs the emulator inside payform and has no endpoint. Remove endpoint, or set sandbox = false to use %s (a `payform sandbox serve` address works too).", s)
			} else if msg := checkEndpoint(s); msg != "" {
				l.errorf(a.Expr.Range().Ptr(), "Invalid endpoint", "%s", msg)
			}
			p.Endpoint = s
		}
	}
	if p.Endpoint == "" {
		p.Endpoint = gw.DefaultEndpoint
	}
	if a := content.Attributes["timeout"]; a != nil {
		if s, ok := l.evalString(a, ctx, true, ""); ok {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				l.errorf(a.Expr.Range().Ptr(), "Invalid timeout", "timeout %q must be a positive duration such as \"30s\" or \"2m\".", s)
			} else {
				p.Timeout = d
			}
		}
	}
	if a := content.Attributes["settle_time"]; a != nil {
		if s, ok := l.evalString(a, ctx, true, ""); ok {
			d, err := time.ParseDuration(s)
			switch {
			case !resolvesByLookup(gw):
				l.errorf(a.Expr.Range().Ptr(), "Unsupported settle_time", "settle_time applies to gateways that settle an in-doubt create by looking its key up (%s); %s settles it without a lookup. Remove settle_time.",
					strings.Join(lookupGateways(l.opts.Gateways), ", "), gw.Name)
			case err != nil || d <= 0:
				l.errorf(a.Expr.Range().Ptr(), "Invalid settle_time", "settle_time %q must be a positive duration such as \"2m\": the longest the gateway may take to process a request payform stopped waiting for.", s)
			default:
				p.Settle = d
			}
		}
	}
	if a := content.Attributes["rate_limit_scale"]; a != nil {
		val, diags := a.Expr.Value(ctx)
		l.diags = append(l.diags, diags...)
		f := 0.0
		if v, err := convert.Convert(val, cty.Number); err == nil && v.IsKnown() && !v.IsNull() {
			f, _ = v.AsBigFloat().Float64()
		}
		if f <= 0 || f > 1e6 {
			if !diags.HasErrors() {
				l.errorf(a.Expr.Range().Ptr(), "Invalid rate_limit_scale", "rate_limit_scale must be a number above 0 (it divides the gateway's documented rate-limit windows, for testing against a sandbox started with the same --rate-limit-scale).")
			}
		} else {
			p.RateLimitScale = f
		}
	}
	for _, o := range gw.Options {
		if a := content.Attributes[o]; a != nil {
			if s, ok := l.evalString(a, ctx, true, ""); ok {
				if gw.CheckOption != nil {
					if msg := gw.CheckOption(o, s); msg != "" {
						l.errorf(a.Expr.Range().Ptr(), "Invalid "+o, "%s.", msg)
						continue
					}
				}
				p.Options[o] = s
			}
		}
	}
	for _, c := range gw.Credentials {
		if a := content.Attributes[c.Attr]; a != nil {
			// Credentials may come from sensitive variables.
			if s, ok := l.evalString(a, ctx, false, ""); ok {
				p.Credentials[c.Attr] = s
			}
		} else if v := l.env[c.Env]; v != "" {
			p.Credentials[c.Attr] = v
			p.CredentialEnv[c.Attr] = c.Env
		}
		if p.Sandbox {
			p.Credentials[c.Attr] = c.Sandbox
			delete(p.CredentialEnv, c.Attr)
		}
	}
	return p
}

// resolvesByLookup reports whether the gateway settles an in-doubt create
// of some kind by looking its key up.
func resolvesByLookup(g providers.Gateway) bool {
	for _, k := range g.Kinds {
		if k.InDoubt == providers.LookupByKey {
			return true
		}
	}
	return false
}

func lookupGateways(gs []providers.Gateway) []string {
	var out []string
	for _, g := range gs {
		if resolvesByLookup(g) {
			out = append(out, g.Name)
		}
	}
	return out
}

// checkEndpoint allows https everywhere and plain http only on loopback.
func checkEndpoint(s string) string {
	u, err := url.Parse(s)
	if err == nil && u.User != nil {
		// Not quoted: it would print the password.
		return "the endpoint carries a user name or password (user:password@host): endpoints are recorded in plans and the state, so credentials go in the provider's credential attributes or their environment variables. Remove them from the URL."
	}
	if err != nil || u.Host == "" {
		return "endpoint " + quote(s) + " is not an absolute URL such as https://app.wllxpay.io/api/v1."
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "endpoint " + quote(s) + " has a query or a fragment; give the base URL only, such as https://app.wllxpay.io/api/v1."
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return ""
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return ""
		}
		return "endpoint " + quote(s) + " uses plain http on a non-loopback host; money APIs need https (http is accepted only for 127.0.0.1, ::1 and localhost)."
	}
	return "endpoint " + quote(s) + " must use https."
}

var payformSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "backend", LabelNames: []string{"type"}}}}

var localBackendSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "path"}}}

var pgBackendSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "conn_str"}, {Name: "workspace"}, {Name: "schema"}}}

func (l *loader) decodePayform(blocks []*hcl.Block) {
	for i, b := range blocks {
		if i > 0 {
			l.errorf(b.DefRange.Ptr(), "Duplicate payform block", "only one payform block is allowed; the first is at %s.", blocks[0].DefRange)
			continue
		}
		content, diags := b.Body.Content(payformSchema)
		l.diags = append(l.diags, diags...)
		for j, bb := range content.Blocks {
			if j > 0 {
				l.errorf(bb.DefRange.Ptr(), "Duplicate backend", "only one backend is allowed.")
				continue
			}
			l.cfg.Backend = Backend{Type: bb.Labels[0], Range: bb.DefRange}
			switch bb.Labels[0] {
			case "local":
				content, diags := bb.Body.Content(localBackendSchema)
				l.diags = append(l.diags, diags...)
				if a := content.Attributes["path"]; a != nil {
					// Like Terraform's, backend settings are literals: the
					// state is found before variables exist.
					if s, ok := l.literalString(a); ok {
						l.cfg.Backend.Path = s
					}
				}
			case "pg":
				content, diags := bb.Body.Content(pgBackendSchema)
				l.diags = append(l.diags, diags...)
				b := &l.cfg.Backend
				for name, dst := range map[string]*string{"conn_str": &b.ConnString, "workspace": &b.Workspace, "schema": &b.Schema} {
					if a := content.Attributes[name]; a != nil {
						if s, ok := l.literalString(a); ok {
							*dst = s
						}
					}
				}
				if b.ConnString == "" {
					b.ConnString = l.env[PGConnStrEnv]
				}
				if b.ConnString == "" {
					l.errorf(bb.DefRange.Ptr(), "Missing connection string", "backend \"pg\" needs conn_str, or the environment variable %s (better: it keeps the password out of the configuration).", PGConnStrEnv)
				}
			default:
				l.errorf(bb.LabelRanges[0].Ptr(), "Unknown backend", "backend %q is not supported; use \"local\" or \"pg\".", bb.Labels[0])
			}
		}
	}
}
