package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/payform/payform/inbox"
)

type callbackIngestOptions struct {
	vars    varFlags
	request string
	gateway string
}

func newCallbackIngestCmd(a *app, runF func(*callbackIngestOptions) error) *cobra.Command {
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runCallbackIngest(cmd.Context(), a, opts)
		},
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
	ws, rv, notes, err := a.openInboxWorld(ctx, opts.vars)
	if errors.Is(err, inbox.ErrBusy) {
		return fmt.Errorf("%w\npayform callback serve is running on this inbox: send the request to it instead", err)
	}
	if err != nil {
		return err
	}
	defer ws.Close()
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
