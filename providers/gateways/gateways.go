package gateways

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/payform/payform/internal/failpoint"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinilla"
	coinillasandbox "github.com/payform/payform/providers/coinilla/sandbox"
	"github.com/payform/payform/providers/coinpay24"
	cp24sandbox "github.com/payform/payform/providers/coinpay24/sandbox"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/milacoins"
	milasandbox "github.com/payform/payform/providers/milacoins/sandbox"
	"github.com/payform/payform/providers/miraclepay"
	mpsandbox "github.com/payform/payform/providers/miraclepay/sandbox"
	"github.com/payform/payform/providers/wllxpay"
	wllxsandbox "github.com/payform/payform/providers/wllxpay/sandbox"
)

// entry pairs a gateway with its emulator.
type entry struct {
	gateway     providers.Gateway
	newEmulator func(o emuOptions) (emulator.Emulator, error)
}

// emuOptions are what every emulator is built with.
type emuOptions struct {
	store *emulator.Journal
	clock emulator.Clock
	// callbackURL is where gateways that send callbacks to a
	// dashboard-configured URL send them.
	callbackURL string
	// timeScale divides callback retry schedules.
	timeScale float64
	// options are the provider block's gateway options (embedded
	// sandboxes serve what the block asks for, e.g. wllxpay v2_lookup).
	options map[string]string
	// limitScale divides the documented rate-limit windows (testing).
	limitScale float64
	// strict turns every leniency off (SandboxOptions.Strict).
	strict bool
	// confirmAfter is how long a WllxPay withdrawal stays processing
	// (SandboxOptions.ConfirmAfter).
	confirmAfter time.Duration
}

// scaled divides a window by the limit scale.
func (o emuOptions) scaled(d time.Duration) time.Duration {
	if o.limitScale <= 0 {
		return d
	}
	return time.Duration(float64(d) / o.limitScale)
}

var catalog = []entry{
	{wllxpay.Gateway, func(o emuOptions) (emulator.Emulator, error) {
		return wllxsandbox.New(wllxsandbox.Options{Store: o.store, Clock: o.clock, CallbackURL: o.callbackURL, CallbackScale: o.timeScale,
			V2Lookup: o.options["v2_lookup"] == "true", Strict: o.strict, ConfirmAfter: o.confirmAfter})
	}},
	{coinpay24.Gateway, func(o emuOptions) (emulator.Emulator, error) {
		return cp24sandbox.New(cp24sandbox.Options{Store: o.store, Clock: o.clock, CallbackScale: o.timeScale,
			RequestLimit:       cp24sandbox.Limit{N: 200, Per: o.scaled(time.Minute)},
			HourlyRequestLimit: cp24sandbox.Limit{N: 1000, Per: o.scaled(time.Hour)},
			InvoiceLimit:       cp24sandbox.Limit{N: 1000, Per: o.scaled(time.Hour)},
			Strict:             o.strict,
		})
	}},
	{coinilla.Gateway, func(o emuOptions) (emulator.Emulator, error) {
		return coinillasandbox.New(coinillasandbox.Options{Store: o.store, Clock: o.clock})
	}},
	{miraclepay.Gateway, func(o emuOptions) (emulator.Emulator, error) {
		return mpsandbox.New(mpsandbox.Options{Store: o.store, Clock: o.clock})
	}},
	{milacoins.Gateway, func(o emuOptions) (emulator.Emulator, error) {
		// LenientPath: the vendor's JavaScript sample signs the path
		// without the sandbox's /milacoins prefix; accept it too, unless
		// strict.
		return milasandbox.New(milasandbox.Options{Store: o.store, Clock: o.clock, CallbackScale: o.timeScale, LenientPath: true, Strict: o.strict})
	}},
}

// All returns every gateway payform speaks to.
func All() []providers.Gateway {
	out := make([]providers.Gateway, len(catalog))
	for i, e := range catalog {
		out[i] = e.gateway
	}
	return out
}

func find(name string) (entry, bool) {
	for _, e := range catalog {
		if e.gateway.Name == name {
			return e, true
		}
	}
	return entry{}, false
}

// Spec is what Open needs to know about one provider block.
type Spec struct {
	Gateway     providers.Gateway
	Name        string // "wllxpay" or "wllxpay.eu"
	Endpoint    string
	Credentials map[string]string
	Options     map[string]string
	Timeout     time.Duration
	// Sandbox runs the gateway's emulator inside this process, its data
	// kept in SandboxDir/NAME.jsonl.
	Sandbox    bool
	SandboxDir string
	Clock      emulator.Clock // for the embedded emulator; nil = wall clock
	// LimitScale divides the documented rate-limit windows (for testing
	// against a sandbox scaled the same way); 0 means 1.
	LimitScale float64
	// Settle overrides KindSupport.Settle for kinds resolved by lookup;
	// 0 keeps the gateway's default.
	Settle time.Duration
	// Failpoints, for tests, crash payform once a create's request is on
	// the wire; nil in production.
	Failpoints *failpoint.Set
	// Account identifies the gateway account behind the block (opaque:
	// schema.Provider.Account). Blocks of one account share one rate
	// limiter, so two aliases together stay under the account's limits;
	// empty makes the block an account of its own.
	Account string
	// SendLog remembers the account's sends across runs (nil: nothing is
	// remembered). It must be comparable (a pointer): blocks share a
	// limiter only when they share the log.
	SendLog providers.SendLog
}

// Retry settings for Retryable failures (nothing reached the gateway).
var (
	RetryAttempts = 5
	RetryBackoff  = providers.Backoff{Base: 200 * time.Millisecond, Max: 5 * time.Second}
)

// Open builds the provider for one provider block, wrapped so that
// Retryable failures are retried and the gateway's documented rate limits
// are never exceeded: every request goes through the account's limiter
// (shared with the other blocks of the account), and spec.Timeout bounds
// it from the moment it leaves, not while it waits. Close releases what
// it holds (the embedded emulator's store, its share of the limiter).
func Open(spec Spec) (providers.Provider, io.Closer, error) {
	// No Timeout: the limiter's transport applies it after the wait. A
	// transport of its own that keeps as many connections as parallel
	// calls use (net/http keeps 2 per host): a refresh at --parallelism
	// 10 would otherwise open a new connection, TLS and all, for most
	// of its calls.
	hc := &http.Client{Transport: pooledTransport()}
	if spec.Failpoints != nil && !spec.Sandbox {
		hc.Transport = spec.Failpoints.Transport() // tests: "during-call" fires once the request is on the wire
	}
	limits := providers.ScaleLimits(spec.Gateway.Limits, spec.LimitScale)
	lim, release, err := acquireLimiter(spec, limits)
	if err != nil {
		return nil, nil, err
	}
	var closer io.Closer = release
	settings := providers.Settings{Name: spec.Name, Endpoint: spec.Endpoint, Credentials: spec.Credentials, HTTPClient: hc, Options: spec.Options}
	if spec.Sandbox {
		e, ok := find(spec.Gateway.Name)
		if !ok {
			release.Close()
			return nil, nil, fmt.Errorf("no sandbox for gateway %s", spec.Gateway.Name)
		}
		if err := os.MkdirAll(spec.SandboxDir, 0o700); err != nil {
			release.Close()
			return nil, nil, err
		}
		store, err := emulator.OpenStore(filepath.Join(spec.SandboxDir, spec.Name+".jsonl"))
		if err != nil {
			release.Close()
			return nil, nil, fmt.Errorf("sandbox %s: %w", spec.Name, err)
		}
		emu, err := e.newEmulator(emuOptions{store: store.Journal(spec.Gateway.Name), clock: spec.Clock, options: spec.Options, limitScale: spec.LimitScale})
		if err != nil {
			store.Close()
			release.Close()
			return nil, nil, fmt.Errorf("sandbox %s: %w", spec.Name, err)
		}
		hc.Transport = emulator.Transport(http.StripPrefix("/"+spec.Gateway.Name, emu))
		closer = closers{emulatorCloser{emu}, store, release}
		settings.Endpoint = "http://sandbox" + spec.Gateway.SandboxPath
		settings.Credentials = map[string]string{}
		for _, c := range spec.Gateway.Credentials {
			settings.Credentials[c.Attr] = c.Sandbox
		}
	}
	hc.Transport = lim.Transport(hc.Transport, spec.Timeout)
	p, err := spec.Gateway.New(settings)
	if err != nil {
		closer.Close()
		return nil, nil, err
	}
	p = providers.WithRateLimit(p, lim)
	p = providers.WithRetry(p, RetryAttempts, RetryBackoff)
	p = providers.WithSettle(p, spec.Settle)
	p = providers.WithScrub(p, settings.Credentials)
	return p, closer, nil
}

// maxIdlePerHost is how many idle connections a provider keeps to its
// gateway: above any --parallelism one would use.
const maxIdlePerHost = 64

func pooledTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxIdlePerHost
	return t
}

// closers closes each in order, keeping the first error.
type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// emulatorCloser stops an emulator's timers and callback retries, where
// it has any.
type emulatorCloser struct{ emu emulator.Emulator }

func (c emulatorCloser) Close() error {
	if cl, ok := c.emu.(interface{ Close() }); ok {
		cl.Close()
	}
	return nil
}

// SandboxOptions configure the server `payform sandbox serve` runs.
type SandboxOptions struct {
	// DataFile keeps every emulator's data across restarts; "" keeps it in
	// memory.
	DataFile string
	Faults   emulator.Faults
	Clock    emulator.Clock
	// CallbackURL is where gateways with a dashboard-configured callback
	// URL (WllxPay) send callbacks; "" sends none until set through the
	// admin API.
	CallbackURL string
	// TimeScale divides callback retry schedules (60: minutes pass as
	// seconds); 0 means real time.
	TimeScale float64
	// Options are gateway options for every emulator, as a provider block
	// would give them (e.g. "v2_lookup": "true").
	Options map[string]string
	// LimitScale divides the documented rate-limit windows, for testing
	// (60: per minute becomes per second); 0 means 1.
	LimitScale float64
	// Strict serves the narrowest reading of the vendors' pages: every
	// leniency docs/sandboxes.md lists is off (MilaCoins' path variants
	// and 60 s X-time window, CoinPay24's JSON bodies, trailing slashes
	// and callbacks to private networks, WllxPay's numbers for strings
	// and its undocumented tag). It cannot be combined with the
	// undocumented v2_lookup option.
	Strict bool
	// ConfirmAfter is how long a WllxPay withdrawal stays processing
	// before the clock confirms it; 0 means the emulator's 10 s.
	ConfirmAfter time.Duration
}

// NewSandboxServer returns every gateway's emulator mounted under
// /<gateway>, with the admin API under /_sandbox/.
func NewSandboxServer(opts SandboxOptions) (*emulator.Server, io.Closer, error) {
	if opts.Strict && opts.Options["v2_lookup"] == "true" {
		return nil, nil, errors.New("strict serves only what the vendors' pages document, and WllxPay's v2 lookup is not on its page")
	}
	store, err := emulator.OpenStore(opts.DataFile)
	if err != nil {
		return nil, nil, err
	}
	var emus []emulator.Emulator
	var close closers
	for _, e := range catalog {
		emu, err := e.newEmulator(emuOptions{store: store.Journal(e.gateway.Name), clock: opts.Clock, callbackURL: opts.CallbackURL,
			timeScale: opts.TimeScale, options: opts.Options, limitScale: opts.LimitScale, strict: opts.Strict, confirmAfter: opts.ConfirmAfter})
		if err != nil {
			close.Close()
			store.Close()
			return nil, nil, errors.Join(fmt.Errorf("sandbox %s", e.gateway.Name), err)
		}
		emus = append(emus, emu)
		close = append(close, emulatorCloser{emu})
	}
	srv := emulator.NewServer(emulator.ServerOptions{Emulators: emus, Faults: emulator.NewFaultInjector(opts.Faults)})
	return srv, append(close, store), nil
}
