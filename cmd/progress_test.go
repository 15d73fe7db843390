package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
	cp24sandbox "github.com/payform/payform/providers/coinpay24/sandbox"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/state"
)

func TestFormatRate(t *testing.T) {
	for perSec, want := range map[float64]string{
		250: "250/s", 2.5: "2.5/s", 0.2: "12/min", 1.0 / 40: "1.5/min", 1.0 / 120: "30/h", 0: "0/s",
	} {
		if got := formatRate(perSec); got != want {
			t.Errorf("formatRate(%v) = %q, want %q", perSec, got, want)
		}
	}
}

// TestProgressKnowsTheLimits: 200 CoinPay24 invoices made in the first
// five seconds of 1,200 go at 40 a second, but the other 1,000 must wait
// for the hour: the line says so, and names the limit. The invoices go
// through two aliases of the account, whose items the one limiter
// serves together.
func TestProgressKnowsTheLimits(t *testing.T) {
	emu, err := cp24sandbox.New(cp24sandbox.Options{}) // the documented limits
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	srv := httptest.NewServer(http.StripPrefix("/coinpay24", emu))
	defer srv.Close()
	prov, closer, err := gateways.Open(gateways.Spec{Gateway: coinpay24.Gateway, Name: "coinpay24", Endpoint: srv.URL + "/coinpay24/v1",
		Credentials: map[string]string{"api_key": cp24sandbox.DefaultAPIKey}, Account: "progress-test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()

	ios, _, stderr := Test("")
	lim := providers.LimiterOf(prov)
	a := &app{ios: ios, limiters: map[string]*providers.Limiter{"coinpay24": lim, "coinpay24.main": lim}}
	p := a.newProgress()
	p.Started(1200)
	defer p.finish()
	var wg sync.WaitGroup
	for w := range 20 {
		wg.Go(func() {
			for i := range 10 {
				key := fmt.Sprintf("ord-%d-%d", w, i)
				_, err := prov.Create(context.Background(), providers.Request{Kind: providers.Invoice, Key: key, Amount: decimal.RequireFromString("10"), Currency: "USD"})
				if err != nil {
					t.Error(err)
				}
				p.Finished(&planner.Change{Provider: []string{"coinpay24", "coinpay24.main"}[i%2]}, executor.ItemResult{Outcome: state.OutcomeCreated})
			}
		})
	}
	wg.Wait()
	p.mu.Lock()
	now := time.Now()
	p.start = now.Add(-5 * time.Second)
	stderr.Reset()
	p.line(now)
	p.mu.Unlock()
	want := "apply: 200/1200 done (40/s, about 1h1m left, limited by CoinPay24: 1,000 invoices/h), 0 need attention\n"
	if got := stderr.String(); got != want {
		t.Errorf("progress line\n got %q\nwant %q", got, want)
	}
}

// TestProgressWithoutLimits: where no limit holds anything back the
// estimate is the pace so far.
func TestProgressWithoutLimits(t *testing.T) {
	ios, _, stderr := Test("")
	a := &app{ios: ios}
	p := a.newProgress()
	p.Started(100)
	defer p.finish()
	for range 3 {
		p.Finished(&planner.Change{Provider: "wllxpay"}, executor.ItemResult{Outcome: state.OutcomeCreated})
	}
	p.mu.Lock()
	now := time.Now()
	p.start = now.Add(-15 * time.Second)
	stderr.Reset()
	p.line(now)
	p.mu.Unlock()
	want := "apply: 3/100 done (12/min, about 8m5s left), 0 need attention\n"
	if got := stderr.String(); got != want {
		t.Errorf("progress line\n got %q\nwant %q", got, want)
	}
}

// TestProgressCountsCalls: apply's progress counts the gateway calls, and
// the items that only record (here 5 forgets, journaled first, at once)
// apart, so that they do not make the sends look further along.
func TestProgressCountsCalls(t *testing.T) {
	ios, _, stderr := Test("")
	a := &app{ios: ios}
	p := a.newProgress()
	plan := &planner.Plan{}
	for range 5 {
		plan.Changes = append(plan.Changes, &planner.Change{Action: planner.Forget, Provider: "wllxpay"})
	}
	for range 4 {
		plan.Changes = append(plan.Changes, &planner.Change{Action: planner.Create, Provider: "wllxpay"})
	}
	p.countCalls(plan)
	p.Started(len(plan.Changes) + 1) // and one status the gateways reported
	defer p.finish()
	for _, c := range plan.Changes[:6] {
		p.Finished(c, executor.ItemResult{Outcome: state.OutcomeCreated})
	}
	p.Finished(&planner.Change{Action: planner.NoOp, Provider: "wllxpay"}, executor.ItemResult{Outcome: state.OutcomeRefreshed})
	p.mu.Lock()
	now := time.Now()
	p.start = now.Add(-10 * time.Second)
	stderr.Reset()
	p.line(now)
	p.mu.Unlock()
	want := "apply: 1/4 calls done (6.0/min, about 30s left), 0 need attention; 6 recorded without a call\n"
	if got := stderr.String(); got != want {
		t.Errorf("progress line\n got %q\nwant %q", got, want)
	}
}

// TestRefreshProgress: refresh's line counts the statuses read and those
// it could not read.
func TestRefreshProgress(t *testing.T) {
	ios, _, stderr := Test("")
	a := &app{ios: ios}
	p := a.newProgress()
	p.verb = "refresh"
	p.Started(5000)
	defer p.finish()
	for range 1200 {
		p.Finished(&planner.Change{Provider: "wllxpay"}, executor.ItemResult{Outcome: state.OutcomeRefreshed})
	}
	p.Finished(&planner.Change{Provider: "wllxpay"}, executor.ItemResult{Outcome: state.OutcomeUnknown, Err: errors.New("timeout")})
	p.mu.Lock()
	now := time.Now()
	p.start = now.Add(-5 * time.Second)
	stderr.Reset()
	p.line(now)
	p.mu.Unlock()
	want := "refresh: 1201/5000 done (240/s, about 16s left), 1 not read\n"
	if got := stderr.String(); got != want {
		t.Errorf("progress line\n got %q\nwant %q", got, want)
	}
}
