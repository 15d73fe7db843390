package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

type callbackVerifyOptions struct {
	vars     varFlags
	provider string
	body     string
	headers  []string
	hfile    string
	request  string
	json     bool
}

func newCallbackVerifyCmd(a *app, runF func(*callbackVerifyOptions) error) *cobra.Command {
	opts := &callbackVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check a received callback's signature and show what it says",
		Long: `Check the signature of a callback a gateway sent (a WllxPay callback,
signed with X-Processing-Signature; a CoinPay24 payment callback, signed with
verify_hash) with the provider's credentials, and print the parsed callback.
For a deposit, say which deposit address pool instance (customer and currency)
the address belongs to, from the state; for an invoice, which invoice has its
order_id.

Give the body exactly as received (a file, or stdin) and its headers (--header,
a --headers file of "Name: value" lines), or a whole raw HTTP request with
--request.

Exit codes: 0 the signature is valid; 1 it is not, or the input is unusable.`,
		Example: `  payform callback verify --body body.json --header 'X-Processing-Signature: 3a9f...'
  payform callback verify --request received.http --provider wllxpay.eu
  nc -l 9000 > received.http; payform callback verify --request received.http`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runCallbackVerify(cmd.Context(), a, opts)
		},
	}
	opts.vars.register(cmd.Flags())
	cmd.Flags().StringVar(&opts.provider, "provider", "", "the provider that received it (default: the only provider block)")
	cmd.Flags().StringVar(&opts.body, "body", "-", "the raw body `FILE` (- for stdin)")
	cmd.Flags().StringArrayVar(&opts.headers, "header", nil, "a received header, `NAME: VALUE` (repeatable)")
	cmd.Flags().StringVar(&opts.hfile, "headers", "", "a `FILE` of received headers, one \"Name: value\" per line")
	cmd.Flags().StringVar(&opts.request, "request", "", "a raw HTTP request `FILE` (request line, headers, body)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the result as JSON")
	return cmd
}

func runCallbackVerify(ctx context.Context, a *app, opts *callbackVerifyOptions) error {
	header, body, err := readCallback(a, opts)
	if err != nil {
		return err
	}
	ws, err := a.configWorkspace(opts.vars)
	if err != nil {
		return err
	}
	defer ws.Close()
	cfg := ws.cfg
	p := cfg.Provider(opts.provider)
	switch {
	case opts.provider == "" && len(cfg.Providers) == 1:
		p = cfg.Providers[0]
	case opts.provider == "":
		return fmt.Errorf("there are %d provider blocks: say which one received the callback with --provider", len(cfg.Providers))
	case p == nil:
		return fmt.Errorf("no provider %q in the configuration", opts.provider)
	}
	if err := a.openProviders(ws); err != nil {
		return err
	}
	v, ok := providers.Unwrap(ws.provs[p.Name()]).(providers.CallbackVerifier)
	if !ok {
		return fmt.Errorf("%s does not sign its callbacks; there is nothing to verify", p.Gateway.Title)
	}
	cb, err := v.VerifyCallback(header, body)
	if err != nil {
		return fmt.Errorf("not a valid %s callback for provider %s: %w", p.Gateway.Title, p.Name(), err)
	}
	owner := ""
	if cb.Address != "" || cb.Type == "invoice" && cb.Key != "" {
		if st, err := a.readState(ctx); err == nil {
			owner = attribute(st, p.Name(), cb)
		}
	}
	if opts.json {
		out, _ := json.MarshalIndent(map[string]any{"valid": true, "provider": p.Name(), "callback": cb, "belongs_to": owner}, "", "  ")
		fmt.Fprintln(a.ios.Out, string(out))
		return nil
	}
	fmt.Fprintf(a.ios.Out, "%s %s callback, signed with the credentials of provider %s.\n", a.ios.Paint(bold+green, "Valid"), p.Gateway.Title, p.Name())
	names := make([]string, 0, len(cb.Fields))
	for k := range cb.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	tb := newTable("  ", left, left)
	for _, k := range names {
		tb.row(k, "= "+cb.Fields[k])
	}
	tb.write(a.ios.Out)
	switch {
	case cb.Address != "":
		if owner == "" {
			owner = "no deposit address in the state (check superseded takes with payform state show)"
		}
		fmt.Fprintf(a.ios.Out, "Belongs to: %s\n", owner)
	case cb.Type == "invoice" && cb.Key != "":
		if owner == "" {
			owner = "no invoice with this key in the state"
		}
		fmt.Fprintf(a.ios.Out, "Belongs to: %s\n", owner)
	}
	return nil
}

// attribute names the pool instance whose address (and tag) the callback
// is for, including addresses superseded by a take in doubt; or, for an
// invoice's callback, the invoice with its key.
func attribute(st *state.State, provider string, cb *providers.Callback) string {
	lists := [][]*state.Resource{st.List(), st.ForgottenList()}
	for i, list := range lists {
		for _, r := range list {
			if cb.Address == "" && r.Kind == string(providers.Invoice) && r.Provider == provider && r.Key == cb.Key {
				who := fmt.Sprintf("%s (key %q, %s %s)", r.Address, r.Key, r.Amount, r.Currency)
				if i == 1 {
					who += ", no longer declared"
				}
				return who
			}
			if r.Kind != string(providers.DepositAddress) || r.Provider != provider {
				continue
			}
			if r.Remote["address"] == cb.Address && (cb.Tag == "" || r.Remote["tag"] == cb.Tag) {
				who := fmt.Sprintf("%s (customer %q, %s)", r.Address, r.Key, r.Currency)
				if i == 1 {
					who += ", no longer declared"
				}
				return who
			}
			for _, s := range r.Superseded {
				if s.Fields["address"] == cb.Address {
					return fmt.Sprintf("%s (customer %q, %s), an address superseded on %s", r.Address, r.Key, r.Currency, formatTime(s.At))
				}
			}
		}
	}
	return ""
}

// readCallback gathers the headers and raw body as received.
func readCallback(a *app, opts *callbackVerifyOptions) (http.Header, []byte, error) {
	if opts.request != "" {
		f, err := os.Open(opts.request)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		req, err := http.ReadRequest(bufio.NewReader(f))
		if err != nil {
			return nil, nil, fmt.Errorf("--request %s: not an HTTP request: %v", opts.request, err)
		}
		body, err := io.ReadAll(io.LimitReader(req.Body, 16<<20))
		return req.Header, body, err
	}
	header := http.Header{}
	if opts.hfile != "" {
		data, err := os.ReadFile(opts.hfile)
		if err != nil {
			return nil, nil, err
		}
		tp := textproto.NewReader(bufio.NewReader(io.MultiReader(bytes.NewReader(data), strings.NewReader("\r\n\r\n"))))
		mh, err := tp.ReadMIMEHeader()
		if err != nil {
			return nil, nil, fmt.Errorf("--headers %s: %v", opts.hfile, err)
		}
		for k, v := range mh {
			header[k] = v
		}
	}
	for _, h := range opts.headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return nil, nil, fmt.Errorf("--header %q must be NAME: VALUE", h)
		}
		header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	var body []byte
	var err error
	if opts.body == "-" {
		body, err = io.ReadAll(io.LimitReader(a.ios.In, 16<<20))
	} else {
		body, err = os.ReadFile(opts.body)
	}
	if err != nil {
		return nil, nil, err
	}
	if len(body) == 0 {
		return nil, nil, errors.New("the body is empty: give it with --body FILE or on stdin")
	}
	return header, body, nil
}
