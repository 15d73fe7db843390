package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/gateways"
)

func newSandboxCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "sandbox",
		Short:   "Run the gateway emulators",
		Example: "  payform sandbox serve --faults drop-after-commit=0.3",
	}
	cmd.AddCommand(newSandboxServeCmd(a, nil))
	return cmd
}

type sandboxServeOptions struct {
	addr        string
	data        string
	faults      string
	callbackURL string
	timeScale   float64
	v2Lookup    bool
	limitScale  float64
	strict      bool
	confirm     time.Duration
}

func newSandboxServeCmd(a *app, runF func(*sandboxServeOptions) error) *cobra.Command {
	opts := &sandboxServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve every gateway's emulator on one port, with an admin API",
		Long: `Serve faithful emulators of every gateway on one address, under /wllxpay,
..., each checking credentials and signatures as the vendor does, with the fixed
test credentials printed at start. The admin API under /_sandbox/ shows the
ledger (every object, its key and how many create requests each key received)
and changes faults at run time.

Faults, comma-separated: drop-after-commit=P (process, then cut the connection
without answering), fail-before-commit=P, status-500=P, status-429=P,
latency=DURATION, seed=N.

--strict serves the narrowest reading of the vendors' pages, so that an
integration is tested against nothing the pages do not promise: MilaCoins
signatures over the exact request URI only, X-time within 2 s, one form of each
path; CoinPay24 form bodies only, no trailing slashes, no callbacks to private
networks (localhost included); WllxPay strings only and no destination tag
(withdrawal/make's table has none). docs/sandboxes.md lists every leniency.

Exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 error.`,
		Example: `  payform sandbox serve
  payform sandbox serve --addr 127.0.0.1:8787 --data sandbox.jsonl --faults drop-after-commit=0.3
  payform sandbox serve --strict
  curl -s http://127.0.0.1:8787/_sandbox/ledger`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			serveInterrupts("the sandbox")
			return runSandboxServe(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.addr, "addr", "127.0.0.1:8787", "listen on `HOST:PORT` (port 0 picks a free one)")
	cmd.Flags().StringVar(&opts.data, "data", "", "keep the emulators' data in `FILE` across restarts")
	cmd.Flags().StringVar(&opts.faults, "faults", "", "inject faults: `SPEC`, e.g. drop-after-commit=0.3,latency=50ms")
	cmd.Flags().StringVar(&opts.callbackURL, "callback-url", "", "send WllxPay callbacks (deposits) to `URL`, as the merchant dashboard's setting")
	cmd.Flags().BoolVar(&opts.v2Lookup, "wllxpay-v2-lookup", false, "also serve WllxPay's undocumented v2 transactions/info lookup (for provider v2_lookup = true)")
	cmd.Flags().Float64Var(&opts.limitScale, "rate-limit-scale", 1, "divide the gateways' documented rate-limit windows by `N`, for testing (providers then set rate_limit_scale = N)")
	cmd.Flags().Float64Var(&opts.timeScale, "time-scale", 1, "speed up callback retry schedules `N` times (60: minutes pass as seconds)")
	cmd.Flags().BoolVar(&opts.strict, "strict", false, "turn every leniency off: serve only the narrowest reading of the vendors' pages (docs/sandboxes.md)")
	cmd.Flags().DurationVar(&opts.confirm, "wllxpay-confirm-after", 10*time.Second, "how long a WllxPay withdrawal stays processing before the sandbox confirms it (`DURATION`)")
	return cmd
}

func runSandboxServe(ctx context.Context, a *app, opts *sandboxServeOptions) error {
	faults, err := emulator.ParseFaults(opts.faults)
	if err != nil {
		return fmt.Errorf("--faults: %w", err)
	}
	if opts.timeScale <= 0 || opts.limitScale <= 0 || opts.confirm <= 0 {
		return fmt.Errorf("--time-scale, --rate-limit-scale and --wllxpay-confirm-after must be positive")
	}
	options := map[string]string{}
	if opts.v2Lookup {
		options["v2_lookup"] = "true"
	}
	if opts.strict && opts.v2Lookup {
		return fmt.Errorf("--strict and --wllxpay-v2-lookup cannot be combined: WllxPay's page does not document the v2 lookup")
	}
	srv, closer, err := gateways.NewSandboxServer(gateways.SandboxOptions{DataFile: opts.data, Faults: faults, CallbackURL: opts.callbackURL,
		TimeScale: opts.timeScale, Options: options, LimitScale: opts.limitScale, Strict: opts.strict, ConfirmAfter: opts.confirm})
	if err != nil {
		return err
	}
	defer closer.Close()
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	out := a.ios.Out
	fmt.Fprintf(out, "payform sandbox listening on %s\n\n", base)
	if opts.strict {
		fmt.Fprintf(out, "  strict: the narrowest reading of the vendors' pages (docs/sandboxes.md)\n\n")
	}
	for _, g := range a.gateways {
		fmt.Fprintf(out, "  %-10s endpoint = %q\n", g.Name, base+g.SandboxPath)
		for _, c := range g.Credentials {
			fmt.Fprintf(out, "  %-10s %s = %q   (or %s)\n", "", c.Attr, c.Sandbox, c.Env)
		}
	}
	fmt.Fprintf(out, "\n  ledger     %s/_sandbox/ledger\n  deposit    POST %s/_sandbox/deposit {\"gateway\":\"wllxpay\",\"address\":...,\"amount\":...}\n  faults     %s/_sandbox/faults", base, base, base)
	if opts.faults != "" {
		fmt.Fprintf(out, " (now: %s)", faults)
	}
	fmt.Fprintln(out)
	if opts.data != "" {
		fmt.Fprintf(out, "  data       %s\n", opts.data)
	}
	if opts.callbackURL != "" {
		fmt.Fprintf(out, "  callbacks  %s\n", opts.callbackURL)
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		a.ios.Warnf("listening on a non-loopback address: anyone who can reach %s can use the test credentials", host)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(out, "sandbox stopped")
	return nil
}
