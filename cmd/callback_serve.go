package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/inbox"
)

type callbackServeOptions struct {
	vars varFlags
	addr string
}

func newCallbackServeCmd(a *app, runF func(*callbackServeOptions) error) *cobra.Command {
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
			if runF != nil {
				return runF(opts)
			}
			serveInterrupts("taking callbacks in")
			return runCallbackServe(cmd.Context(), a, opts)
		},
	}
	opts.vars.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.addr, "addr", "127.0.0.1:9000", "listen on `HOST:PORT` (port 0 picks a free one)")
	return cmd
}

// openInboxWorld loads the configuration, opens the inbox for writing
// and the providers: what callback serve and callback ingest share. The
// workspace's Close closes them all.
func (a *app) openInboxWorld(ctx context.Context, vars varFlags) (*workspace, *inbox.Receiver, []string, error) {
	ws, err := a.configWorkspace(vars)
	if err != nil {
		return nil, nil, nil, err
	}
	if diags := ws.cfg.CheckCredentials(); diags.HasErrors() {
		a.renderDiags(ws.cfg.Files, diags)
		return nil, nil, nil, silent
	}
	backend, err := a.openBackend(ctx, ws.cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	ws.onClose(func() error { closeBackend(backend); return nil })
	box, err := inboxOf(backend, true)
	if err != nil {
		ws.Close()
		return nil, nil, nil, err
	}
	ws.onClose(box.Close)
	if err := a.openProviders(ws); err != nil {
		ws.Close()
		return nil, nil, nil, err
	}
	rv, notes := a.receiver(ws.cfg, ws.provs, box)
	return ws, rv, notes, nil
}

func runCallbackServe(ctx context.Context, a *app, opts *callbackServeOptions) error {
	ws, rv, notes, err := a.openInboxWorld(ctx, opts.vars)
	if err != nil {
		return err
	}
	defer ws.Close()
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
