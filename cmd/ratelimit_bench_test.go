package cmd

import (
	"strings"
	"testing"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/coinpay24"
)

// The rate-limit rows of docs/performance.md. Each iteration starts a
// fresh `payform sandbox serve` (whose windows start empty) and applies
// a fresh workspace; the sandbox's counters are the referee. Run with
// -benchtime=1x: an iteration takes as long as the limits allow.
//
//	go test ./cmd -run '^$' -bench 'RateLimit' -benchtime=1x -v

// BenchmarkRateLimitInvoices200 is 200 CoinPay24 invoices under the
// documented limits (200 requests a minute, 1,000 an hour, 1,000
// invoices an hour): the target is at most 70 s and no 429.
func BenchmarkRateLimitInvoices200(b *testing.B) {
	benchInvoices(b, 1, 200, "", "")
}

// BenchmarkRateLimitInvoices200Checkout is the same with pay_currency
// set, so that each invoice is a create and a checkout: 400 requests,
// two minutes' allowance (the floor is a minute).
func BenchmarkRateLimitInvoices200Checkout(b *testing.B) {
	benchInvoices(b, 1, 200, `pay_currency = "BTC"`, "")
}

// BenchmarkRateLimitUse60 is 1,200 invoices with the limits scaled by 60
// (200 a second, 1,000 requests and 1,000 invoices a minute): the first
// 1,000 in five bursts a second apart, the last 200 a minute after the
// first. achieved/allowed is the least span the limits allow over the
// span taken at the sandbox; the target is 0.9 to 1.
func BenchmarkRateLimitUse60(b *testing.B) {
	benchInvoices(b, 60, 1200, "", "")
}

// BenchmarkRateLimitAliases60 is the same 1,200 invoices split between
// two provider blocks of one account: together they get the account's
// limits once (achieved/allowed at most 1, no 429).
func BenchmarkRateLimitAliases60(b *testing.B) {
	benchInvoices(b, 60, 1200, "", "", "main")
}

func benchInvoices(b *testing.B, scale float64, n int, batchAttrs string, aliases ...string) {
	var ratio, refusals float64
	var progress string
	for range b.N {
		b.StopTimer()
		addr := rateSandbox(b, scale)
		dir := invoiceWorkspaceWith(b, addr, scale, n, batchAttrs, aliases...)
		var stdout, stderr strings.Builder
		b.StartTimer()
		if err := applyCmd(dir, &stdout, &stderr).Run(); err != nil {
			b.Fatalf("apply: %v\n%s\n%s", err, tail(stdout.String(), 5), stderr.String())
		}
		b.StopTimer()
		objs := invoices(b, addr)
		checkOnce(b, objs, n)
		r, _ := use(b, objs, scale)
		ratio += r
		refusals += float64(refused(b, addr))
		progress = stderr.String()
	}
	b.ReportMetric(refusals/float64(b.N), "429s/op")
	// achieved/allowed where the ledger's invoices are all the requests
	// (no checkouts) and the limits make them wait.
	if ideal := idealSpan(n, providers.ScaleLimits(coinpay24.Gateway.Limits, scale)); ideal > 0 && batchAttrs == "" {
		b.ReportMetric(ratio/float64(b.N), "achieved/allowed")
		b.ReportMetric(ideal.Seconds(), "allowed-s")
	}
	b.Logf("progress of the last run:\n%s", progress)
}
