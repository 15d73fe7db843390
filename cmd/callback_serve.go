package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/inbox"
	"github.com/payform/payform/schema"
)

type callbackServeOptions struct {
	vars varFlags
	addr string
}

func newCallbackServeCmd(a *app) *cobra.Command {
	opts := &callbackServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Receive the gateways' callbacks into the inbox, verified, for the next plan to take in",
		Long: `Receive every gateway's callbacks on one address, one path per gateway as
payform sandbox serve mounts them: /wllxpay, /coinpay24, /milacoins, /coinilla,
/miraclepay (anything below them too). Each is verified the vendor's way with
the provider blocks' credentials — WllxPay's X-Processing-Signature
(HMAC-SHA512), CoinPay24's verify_hash, Coinilla's return forms confirmed with
verify, MilaCoins' callbacks confirmed by reading the invoice back (MilaCoins
signs nothing), MiraclePay's redirects by reading the prompt — and every
verified one is made durable in the callback inbox (beside the state file, or
in the pg backend's inbox table) before it is answered 200.

callback serve never takes the state lock: plans and applies run while it
does. The next plan, apply or refresh takes the inbox into the state, as
journaled callback entries. What cannot be verified is kept apart and never
taken in: answered 400 (not verified) or 503 (the gateway could not be asked
now; it sends the callback again). payform callback list shows the inbox.

Point each gateway at it: WllxPay's dashboard callback URL to http://ADDR/wllxpay;
an invoice_batch's callback_url to http://ADDR/coinpay24 (CoinPay24) or
http://ADDR/milacoins?event={EVENT}&invoice_id={INVOICE_ID}&external_id={EXTERNAL_ID}
(MilaCoins); Coinilla's success_url, cancel_url and pending_url to
http://ADDR/coinilla. Gateways call public https URLs: put a TLS proxy in
front of it.

Exit codes: 0 stopped by Ctrl-C or SIGTERM (requests under way are finished
and kept); 1 error.`,
		Example: `  payform callback serve --addr 127.0.0.1:9000
  payform sandbox serve --callback-url http://127.0.0.1:9000/wllxpay &
  payform callback serve --addr :9000 --var-file prod.tfvars`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			serveInterrupts("taking callbacks in")
			return runCallbackServe(cmd.Context(), a, opts)
		},
	}
	opts.vars.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.addr, "addr", "127.0.0.1:9000", "listen on `HOST:PORT` (port 0 picks a free one)")
	return cmd
}

// openInboxWorld loads the configuration, opens its providers and the
// inbox for writing: what callback serve and callback ingest share.
func (a *app) openInboxWorld(ctx context.Context, vars varFlags) (*schema.Config, *inbox.Receiver, func(), []string, error) {
	cfg, err := a.loadConfig(vars)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if diags := cfg.CheckCredentials(); diags.HasErrors() {
		a.renderDiags(cfg.Files, diags)
		return nil, nil, nil, nil, silent
	}
	backend, err := a.openBackend(ctx, cfg)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	box, err := inboxOf(backend, true)
	if err != nil {
		closeBackend(backend)
		return nil, nil, nil, nil, err
	}
	provs, closeProviders, err := a.openProviders(cfg)
	if err != nil {
		box.Close()
		closeBackend(backend)
		return nil, nil, nil, nil, err
	}
	rv, notes := a.receiver(cfg, provs, box)
	closeAll := func() {
		closeProviders()
		box.Close()
		closeBackend(backend)
	}
	return cfg, rv, closeAll, notes, nil
}

func runCallbackServe(ctx context.Context, a *app, opts *callbackServeOptions) error {
	_, rv, closeAll, notes, err := a.openInboxWorld(ctx, opts.vars)
	if err != nil {
		return err
	}
	defer closeAll()
	for _, n := range notes {
		a.ios.Warnf("%s", n)
	}
	if len(rv.Gateways) == 0 {
		return errors.New("no provider block can verify callbacks: callback serve needs at least one provider block with credentials (not sandbox = true)")
	}
	rv.Done = func(o inbox.Outcome) { a.logCallback(o) }
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	out := a.ios.Out
	fmt.Fprintf(out, "payform callback serve listening on %s, keeping callbacks in %s\n\n", base, rv.Store.Describe())
	for _, g := range a.gateways {
		vs := rv.Gateways[g.Name]
		if len(vs) == 0 {
			continue
		}
		names := make([]string, len(vs))
		for i, v := range vs {
			names[i] = v.Provider
		}
		fmt.Fprintf(out, "  %-10s %s%s   (verified with %s)\n", g.Name, base+"/"+g.Name, callbackHint(g.Name), strings.Join(names, ", "))
	}
	fmt.Fprintln(out)
	hs := &http.Server{Handler: rv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(out, "callback serve stopped")
	return nil
}

// callbackHint is what a gateway's callback URL needs beyond the path.
func callbackHint(gateway string) string {
	if gateway == "milacoins" {
		return "?event={EVENT}&invoice_id={INVOICE_ID}&external_id={EXTERNAL_ID}"
	}
	return ""
}

// logCallback writes one line per request handled to stderr.
func (a *app) logCallback(o inbox.Outcome) {
	it := o.Item
	switch {
	case it == nil:
		fmt.Fprintf(a.ios.ErrOut, "callback: %d %v\n", o.Status, o.Err)
	case o.Status == http.StatusOK && !o.Added:
		fmt.Fprintf(a.ios.ErrOut, "callback: %s: a repeat of inbox item #%d, answered 200\n", it.Describe(), it.Seq)
	case o.Status == http.StatusOK:
		fmt.Fprintf(a.ios.ErrOut, "callback: %s: verified by %s with provider %s, kept as inbox item #%d\n", it.Describe(), it.Via, it.Provider, it.Seq)
	default:
		fmt.Fprintf(a.ios.ErrOut, "callback: %s: %d, kept apart as inbox item #%d: %v\n", it.Describe(), o.Status, it.Seq, o.Err)
	}
}

type callbackIngestOptions struct {
	vars    varFlags
	request string
	gateway string
}

func newCallbackIngestCmd(a *app) *cobra.Command {
	opts := &callbackIngestOptions{}
	cmd := &cobra.Command{
		Use:   "ingest",
		Short: "Verify a saved callback request and keep it in the inbox, as callback serve would",
		Long: `Read a raw HTTP request saved to a file (request line, headers, body: what a
receiver or a proxy logged), verify it the vendor's way as payform callback serve
does, and keep it in the callback inbox. The next plan, apply or refresh takes
it into the state. The gateway is the request's first path segment (/wllxpay,
/coinpay24, ...), or --gateway for a request saved at another path.

It writes the inbox as callback serve does, so it refuses while a callback
serve runs on the same inbox: send the request to it instead.

Exit codes: 0 verified and kept (or already in the inbox); 1 not verified
(kept apart), or the input is unusable.`,
		Example: `  payform callback ingest --request received.http --gateway wllxpay
  payform callback ingest --request coinpay24-callback.http`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCallbackIngest(cmd.Context(), a, opts) },
	}
	opts.vars.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.request, "request", "", "the raw HTTP request `FILE`")
	cmd.Flags().StringVar(&opts.gateway, "gateway", "", "the gateway that sent it (`NAME`), when its path does not say")
	cmd.MarkFlagRequired("request")
	return cmd
}

func runCallbackIngest(ctx context.Context, a *app, opts *callbackIngestOptions) error {
	f, err := os.Open(opts.request)
	if err != nil {
		return err
	}
	defer f.Close()
	req, err := http.ReadRequest(bufio.NewReader(f))
	if err != nil {
		return fmt.Errorf("--request %s: not an HTTP request: %v", opts.request, err)
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, inbox.DefaultMaxBody+1))
	if err != nil {
		return err
	}
	if opts.gateway != "" {
		req.URL.Path = "/" + opts.gateway + "/" + strings.TrimPrefix(req.URL.Path, "/")
	} else if first, _, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/"); !a.isGateway(first) {
		return fmt.Errorf("--request %s was received at %s, which names no gateway: say which sent it with --gateway", opts.request, req.URL.Path)
	}
	req.Body = io.NopCloser(strings.NewReader(string(body)))
	req = req.WithContext(ctx)
	_, rv, closeAll, notes, err := a.openInboxWorld(ctx, opts.vars)
	if errors.Is(err, inbox.ErrBusy) {
		return fmt.Errorf("%w\npayform callback serve is running on this inbox: send the request to it instead", err)
	}
	if err != nil {
		return err
	}
	defer closeAll()
	for _, n := range notes {
		a.ios.Warnf("%s", n)
	}
	o := rv.Receive(req)
	switch {
	case o.Item == nil:
		return fmt.Errorf("not kept: %v", o.Err)
	case o.Status == http.StatusOK && !o.Added:
		fmt.Fprintf(a.ios.Out, "Already in the inbox as item #%d: %s.\n", o.Item.Seq, o.Item.Describe())
	case o.Status == http.StatusOK:
		fmt.Fprintf(a.ios.Out, "Verified by %s with provider %s; kept as inbox item #%d: %s.\nThe next payform plan, apply or refresh takes it into the state.\n", o.Item.Via, o.Item.Provider, o.Item.Seq, o.Item.Describe())
	default:
		return fmt.Errorf("kept apart as inbox item #%d, never taken into the state: %v", o.Item.Seq, o.Err)
	}
	return nil
}

func (a *app) isGateway(name string) bool {
	for _, g := range a.gateways {
		if g.Name == name {
			return true
		}
	}
	return false
}

type callbackListOptions struct {
	apart bool
	json  bool
}

func newCallbackListCmd(a *app) *cobra.Command {
	opts := &callbackListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the callback inbox: what was received, verified, kept apart, taken in",
		Long: `List every item of the callback inbox, oldest first: when it came, from which
gateway, which provider block verified it and how, what it says, and whether a
plan, apply or refresh has taken it in yet. Items kept apart (not verified, or
not checkable when they came) are never taken into the state; --apart lists
only them. It reads the inbox without the state lock.

Exit codes: 0 success; 1 error.`,
		Example: `  payform callback list
  payform callback list --apart
  payform callback list --json | jq 'select(.verdict == "accepted")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCallbackList(cmd.Context(), a, opts) },
	}
	cmd.Flags().BoolVar(&opts.apart, "apart", false, "list only the items kept apart")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print one inbox item per line, as JSON (docs/json-format.md)")
	return cmd
}

func runCallbackList(ctx context.Context, a *app, opts *callbackListOptions) error {
	backend, err := a.openBackend(ctx, a.backendOnly(true))
	if err != nil {
		return err
	}
	defer closeBackend(backend)
	box, err := inboxOf(backend, false)
	if err != nil {
		return err
	}
	defer box.Close()
	folded, err := box.Folded(ctx)
	if err != nil {
		return err
	}
	notes, err := box.Notes(ctx)
	if err != nil {
		return err
	}
	tb := newTable("  ", right, left, left, left, left, left)
	tb.row("#", "RECEIVED", "PROVIDER", "VERDICT", "CALLBACK", "STATE")
	n := 0
	enc := json.NewEncoder(a.ios.Out)
	err = box.Items(ctx, 0, func(it *inbox.Item) error {
		note := notes[it.Seq]
		if opts.apart && (it.Verdict == inbox.Accepted && !strings.HasPrefix(note, "kept apart") || it.Seq > folded && it.Verdict == inbox.Accepted) {
			return nil
		}
		n++
		taken := "kept apart: " + it.Reason
		switch {
		case it.Verdict == inbox.Accepted && it.Seq <= folded && note != "":
			taken = note
		case it.Verdict == inbox.Accepted && it.Seq <= folded:
			taken = "taken in"
		case it.Verdict == inbox.Accepted:
			taken = "waiting for the next plan, apply or refresh"
		}
		if opts.json {
			return enc.Encode(struct {
				*inbox.Item
				TakenIn bool   `json:"taken_in"`
				State   string `json:"state"`
			}{it, it.Seq <= folded && it.Verdict == inbox.Accepted && note == "", taken})
		}
		verdict := string(it.Verdict)
		if it.Via != "" {
			verdict += " (" + it.Via + ")"
		}
		tb.row(fmt.Sprint(it.Seq), formatTime(it.ReceivedAt), orDash(it.Provider), verdict, it.Describe(), taken)
		return nil
	})
	if err != nil {
		return err
	}
	if opts.json {
		return nil
	}
	if n == 0 && opts.apart {
		fmt.Fprintf(a.ios.Out, "Nothing in the callback inbox (%s) was kept apart.\n", box.Describe())
		return nil
	}
	if n == 0 {
		fmt.Fprintf(a.ios.Out, "The callback inbox (%s) is empty.\n", box.Describe())
		return nil
	}
	tb.write(a.ios.Out)
	return nil
}
