package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

type initOptions struct {
	vars varFlags
}

func newInitCmd(a *app, runF func(*initOptions) error) *cobra.Command {
	opts := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Check the state backend and every provider block, and say what payform does when an outcome is in doubt",
		Long: `Check that the configuration works before anything is planned: the state
backend is read (without its lock, and nothing is written; with pg, only its
tables are made if missing, as every command does), and each provider block's
endpoint and credentials are tried with one read-only call (a list, a lookup
of a key nobody uses: never a create, so nothing is made anywhere).

For each provider, init then says what the gateway lets payform do: look
objects up by key, read balances (to refuse a plan that cannot be funded),
read statuses back, verify callbacks; and what payform does when a create's
outcome is in doubt (a timeout, a cut connection): send again with the same
key where the gateway refuses a repeat, look the key up and adopt what it
finds, take again, or leave it to an operator (payform state resolve).

WllxPay's v1 API has no read-only call: without v2_lookup = true, init reaches
its endpoint but cannot check its credentials, and says so. Blocks with
sandbox = true are not opened (they answer in-process). Safe to run at any
time; it is the first command to run in a new directory.

Exit codes: 0 the state and every provider answered; 1 a configuration error,
a state that cannot be read, or a provider that cannot be reached, refused its
credentials or failed its check (each named at its block, with what to do).`,
		Example: `  payform init
  payform --chdir examples/quickstart init`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runInit(cmd.Context(), a, opts)
		},
	}
	opts.vars.register(cmd.Flags())
	return cmd
}

func runInit(ctx context.Context, a *app, opts *initOptions) error {
	cfg, err := a.loadConfig(opts.vars)
	if err != nil {
		return err
	}
	w := a.ios.Out
	var problems []string
	if !a.initState(ctx, w, cfg) {
		problems = append(problems, "the state cannot be read")
	}
	missing := map[string]bool{}
	diags := cfg.CheckCredentials()
	for _, p := range cfg.Providers {
		if len(p.MissingCredentials()) > 0 {
			missing[p.Name()] = true
		}
	}
	// Every block at once, so that a gateway that does not answer costs
	// one timeout, not one each; printed in the configuration's order.
	outs := make([]bytes.Buffer, len(cfg.Providers))
	results := make([]initResult, len(cfg.Providers))
	var wg sync.WaitGroup
	for i, p := range cfg.Providers {
		wg.Go(func() { results[i] = a.initProvider(ctx, &outs[i], p, missing[p.Name()]) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	unproven := []string{}
	for i, p := range cfg.Providers {
		fmt.Fprintln(w)
		w.Write(outs[i].Bytes())
		res := results[i]
		switch {
		case res.diag != nil:
			diags = append(diags, res.diag)
			problems = append(problems, res.problem)
		case missing[p.Name()]:
			problems = append(problems, p.Name()+" has no credentials")
		case res.unproven:
			unproven = append(unproven, p.Name())
		}
	}
	fmt.Fprintln(w)
	a.renderDiags(cfg.Files, diags)
	if len(problems) > 0 {
		fmt.Fprintf(w, "%s %s.\n", a.ios.Paint(bold+red, "payform init found problems:"), strings.Join(problems, "; "))
		return silent
	}
	what := "the state can be read and every provider is ready"
	if len(cfg.Providers) == 0 {
		what = "the state can be read; there are no provider blocks yet"
	}
	fmt.Fprintf(w, "%s %s", a.ios.Paint(bold+green, "payform has been initialized:"), what)
	if len(unproven) > 0 {
		fmt.Fprintf(w, " (the credentials of %s are first checked by apply)", strings.Join(unproven, ", "))
	}
	fmt.Fprintln(w, ".")
	return nil
}

// initState reports the state backend and whether it can be read,
// opening it without its lock: nothing is written.
func (a *app) initState(ctx context.Context, w io.Writer, cfg *schema.Config) bool {
	fmt.Fprintln(w, a.ios.Paint(bold, "State"))
	path := a.statePath(cfg)
	if cfg.Backend.Type == "pg" {
		row(w, "backend", "pg, workspace %q", orDefault(cfg.Backend.Workspace, "default"))
	} else {
		row(w, "backend", "local, %s", path)
	}
	store, err := a.openStore(ctx, cfg, "init", 0, true)
	if err != nil {
		row(w, "status", "%s %v", a.ios.Paint(red+bold, "cannot be read:"), err)
		return false
	}
	defer store.Close()
	st := store.State()
	if cfg.Backend.Type != "pg" {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			row(w, "status", "not created yet: the first apply creates it")
			return true
		}
	}
	inDoubt := 0
	st.Each(func(r *state.Resource) {
		if r.InDoubt() {
			inDoubt++
		}
	})
	status := fmt.Sprintf("read without its lock: serial %d, %d %s", st.Serial, st.Len(), plural(st.Len(), "record", "records"))
	if inDoubt > 0 {
		status += fmt.Sprintf(", %d in doubt (payform plan shows them)", inDoubt)
	}
	row(w, "status", "%s", status)
	return true
}

// initResult is what initProvider found: a diagnostic at the block when
// something is wrong.
type initResult struct {
	diag     *hcl.Diagnostic
	verdict  string // "refused", "no answer", "failed"
	problem  string // for the summary line
	unproven bool   // reached, but the credentials could not be checked
}

// initProvider checks one provider block and says what its gateway
// supports.
func (a *app) initProvider(ctx context.Context, w io.Writer, p *schema.Provider, noCredentials bool) initResult {
	g := p.Gateway
	fmt.Fprintf(w, "%s (%s, %s:%d)\n", a.ios.Paint(bold, "Provider "+p.Name()), g.Title, p.DeclRange.Filename, p.DeclRange.Start.Line)
	var res initResult
	var live providers.Provider
	switch {
	case p.Sandbox:
		row(w, "endpoint", "sandbox = true: the emulator answers in this process; nothing to reach, no credentials")
	case noCredentials:
		row(w, "endpoint", "%s", p.Endpoint)
		row(w, "check", "%s (see below)", a.ios.Paint(red+bold, "not made: credentials are missing"))
	default:
		row(w, "endpoint", "%s", p.Endpoint)
		prov, closer, err := gateways.Open(gateways.Spec{
			Gateway: g, Name: p.Name(), Endpoint: p.Endpoint, Credentials: p.Credentials, Options: p.Options,
			Timeout: p.Timeout, LimitScale: p.RateLimitScale, Settle: p.Settle, Account: p.Account(),
		})
		if err != nil {
			row(w, "check", "%s %v", a.ios.Paint(red+bold, "not made:"), err)
			return initResult{diag: blockDiag(p, "Provider "+p.Name()+" cannot be opened", err.Error()), problem: p.Name() + " cannot be opened"}
		}
		defer closer.Close()
		checked, err := providers.Check(ctx, prov)
		if err != nil {
			res = checkFailure(p, checked, err)
			row(w, "check", "%s %v", a.ios.Paint(red+bold, res.verdict+":"), err)
			break
		}
		live = prov
		row(w, "check", "%s %s: %s", a.ios.Paint(green, "answered:"), checked.Call, checked.Answer)
		if checked.Unproven != "" {
			res.unproven = true
			row(w, "credentials", "%s %s", a.ios.Paint(yellow+bold, "not checked:"), checked.Unproven)
		} else {
			row(w, "credentials", "accepted")
		}
	}
	a.describeGateway(ctx, w, p, live)
	return res
}

// checkFailure turns a failed check into a diagnostic at the block that
// says what to do.
func checkFailure(p *schema.Provider, res providers.CheckResult, err error) initResult {
	var perr *providers.Error
	errors.As(err, &perr)
	switch {
	case providers.IsAuth(err):
		var from []string
		for _, c := range p.Gateway.Credentials {
			if env := p.CredentialEnv[c.Attr]; env != "" {
				from = append(from, fmt.Sprintf("%s from the environment variable %s", c.Attr, env))
			} else {
				from = append(from, c.Attr+" from this block")
			}
		}
		them := plural(len(from), "it", "them")
		return initResult{verdict: "refused", problem: p.Name() + " refused its credentials", diag: blockDiag(p, "Credentials refused by "+p.Name(),
			fmt.Sprintf("payform read %s, and %s refused %s (%s). Check %s against the API keys in %s's dashboard, and that %s %s this endpoint's: a sandbox key is refused in production, and the other way round.",
				strings.Join(from, " and "), p.Gateway.Title, them, strings.TrimSuffix(err.Error(), "."), them, p.Gateway.Title, plural(len(from), "it", "they"), plural(len(from), "is", "are")))}
	case perr != nil && perr.Status == 0:
		return initResult{verdict: "no answer", problem: p.Name() + " cannot be reached", diag: blockDiag(p, "Cannot reach "+p.Name(),
			fmt.Sprintf("No answer from %s (%s). Check the endpoint attribute (%s's own is %s), the network and any proxy between; for payform sandbox serve, that it is running.",
				p.Endpoint, perr.Message, p.Gateway.Title, p.Gateway.DefaultEndpoint))}
	}
	return initResult{verdict: "failed", problem: p.Name() + " failed its check", diag: blockDiag(p, "Check of "+p.Name()+" failed",
		fmt.Sprintf("%s answered %s with an error (%s). Nothing was created.", p.Gateway.Title, orDefault(res.Call, "the check"), strings.TrimSuffix(err.Error(), ".")))}
}

func blockDiag(p *schema.Provider, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: p.DeclRange.Ptr()}
}

// describeGateway says what the gateway lets payform do with this
// block's settings, from the gateway's own description (KindSupport,
// StatusUnreadable) and the capabilities its client has (CanLookup,
// CanReadBalances, callbacks), without a call; balances are read from
// live, the checked provider, when it has them.
func (a *app) describeGateway(ctx context.Context, w io.Writer, p *schema.Provider, live providers.Provider) {
	probe, err := capabilityProbe(p)
	if err != nil {
		row(w, "supports", "cannot be told: %v", err)
		return
	}
	var lookups []string
	for _, k := range p.Gateway.Kinds {
		ks, _ := probe.Supports(k.Kind)
		row(w, string(k.Kind), "in doubt, %s", inDoubtWords(ks))
		if providers.CanLookup(probe, k.Kind) {
			lookups = append(lookups, fmt.Sprintf("%s by %s", k.Kind, schema.KeyAttr(k.Kind)))
		}
	}
	if len(lookups) == 0 {
		row(w, "lookups", "none: %s cannot look objects up by key", p.Gateway.Title)
	} else {
		row(w, "lookups", "%s", strings.Join(lookups, ", "))
	}
	switch {
	case !providers.CanReadBalances(probe):
		row(w, "balances", "not reported: plans are not checked for funding")
	case live == nil:
		row(w, "balances", "reported: plans are checked for funding")
	default:
		if b, err := providers.ReadBalances(ctx, live); err != nil {
			row(w, "balances", "reported, but not read now: %v", err)
		} else {
			row(w, "balances", "reported (%d %s now): plans are checked for funding", len(b), plural(len(b), "currency", "currencies"))
		}
	}
	var statuses []string
	for _, k := range p.Gateway.Kinds {
		if k.Kind == providers.DepositAddress {
			continue // an address has no status to read
		}
		ks, _ := probe.Supports(k.Kind)
		statuses = append(statuses, string(k.Kind)+": "+statusWords(p, ks))
	}
	if len(statuses) > 0 {
		row(w, "statuses", "%s", strings.Join(statuses, "; "))
	}
	embedded := ""
	if p.Sandbox {
		embedded = "; an embedded sandbox sends none"
	}
	switch providers.Unwrap(probe).(type) {
	case providers.CallbackVerifier:
		row(w, "callbacks", "signed: each is verified with the credentials (payform callback serve)%s", embedded)
	case providers.CallbackConfirmer:
		row(w, "callbacks", "unsigned hints: each is confirmed by asking the gateway (payform callback serve)%s", embedded)
	default:
		row(w, "callbacks", "none")
	}
}

// capabilityProbe builds the block's client with its settings but the
// sandbox credentials and a transport that refuses every request: what it
// can do is asked of it without a call (providers.CanLookup).
func capabilityProbe(p *schema.Provider) (providers.Provider, error) {
	creds := map[string]string{}
	for _, c := range p.Gateway.Credentials {
		creds[c.Attr] = c.Sandbox
	}
	prov, err := p.Gateway.New(providers.Settings{
		Name: p.Name(), Endpoint: p.Endpoint, Credentials: creds, Options: p.Options,
		HTTPClient: &http.Client{Transport: refuseAll{}},
	})
	if err != nil {
		return nil, err
	}
	return providers.WithSettle(prov, p.Settle), nil
}

type refuseAll struct{}

func (refuseAll) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("payform init asks a client what it can do without a call")
}

// inDoubtWords says what payform does with a create of this kind whose
// outcome is unknown (DESIGN §7).
func inDoubtWords(ks providers.KindSupport) string {
	key := schema.KeyAttr(ks.Kind)
	switch ks.InDoubt {
	case providers.Resend:
		if ks.DuplicateAdopts {
			return fmt.Sprintf("send again with the same %s: the gateway refuses a repeated %s, so a refusal proves the first landed (it is adopted) and an acceptance that it never did", key, key)
		}
		return fmt.Sprintf("send again with the same %s: an acceptance proves the first never landed; a refusal (the %s is taken) leaves it unknown until payform state resolve ADDR --id ID", key, key)
	case providers.LookupByKey:
		return fmt.Sprintf("look the %s up: adopt what is found; send again only once it is proven absent, %s after the last attempt (settle_time)", key, ks.Settle)
	case providers.Retake:
		return fmt.Sprintf("take again: a second one for the same %s is harmless, and recorded", key)
	case providers.Manual:
		return "ask the operator: nothing can prove it, so it stays unknown until payform state resolve ADDR --id ID (or --not-created)"
	}
	return "unknown strategy " + ks.InDoubt.String()
}

// statusWords says how statuses of a kind are read back.
func statusWords(p *schema.Provider, ks providers.KindSupport) string {
	if why := p.Gateway.StatusUnreadable(ks.Kind, p.Options); why != "" {
		return "not read back, only brought by callbacks: " + why
	}
	s := "read from the gateway's list"
	if ks.RefreshEach {
		s = "read back one request each"
	}
	switch {
	case ks.Unread.Has(providers.UnreadKey | providers.UnreadAmount):
		s += ", without the key or the amount"
	case ks.Unread.Has(providers.UnreadAmount):
		s += ", without the amount"
	case ks.Unread.Has(providers.UnreadKey):
		s += ", without the key"
	}
	return s
}

// row writes one labelled line of a section.
func row(w io.Writer, label, format string, args ...any) {
	fmt.Fprintf(w, "  %-16s %s\n", label, fmt.Sprintf(format, args...))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
