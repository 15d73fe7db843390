package cmd

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/planner"
	"github.com/payform/payform/providers"
)

// progress renders apply's progress: a bar with counts, rate and ETA on a
// terminal; otherwise a plain line every few seconds, and at least every
// half minute while a rate limit holds everything back. The ETA is the
// later of what the pace so far and the gateways' limits allow, and names
// the limit when that decides ("limited by CoinPay24: 1,000 invoices/h").
type progress struct {
	a *app
	// verb names the work: "apply" (the default) or "refresh".
	verb  string
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	total int
	done  int
	fails int
	// calls, when not negative, is how many of apply's items call a
	// gateway: the bar and the counts are of those, and the items that
	// only record (forgets, statuses the gateways reported, restores) are
	// counted apart in recorded, so that 5,000 forgets done at once do not
	// make 5,000 sends look half done.
	calls    int
	recorded int
	// byProvider counts the items finished per provider, to share the
	// items left between the providers' limiters.
	byProvider map[string]int
	// before is what each limiter had counted before apply began (the
	// plan's lookups), so that the estimate counts apply's alone.
	before map[*providers.Limiter]providers.LimiterStats
	start  time.Time
	last   time.Time
	every  time.Duration
	idle   time.Duration // a plain line at least this often
	stop   chan struct{}
}

var _ executor.Hooks = (*progress)(nil)

const (
	// progressEvery is how often plain progress lines appear.
	progressEvery = 5 * time.Second
	// progressIdle is how often they appear while nothing finishes.
	progressIdle = 30 * time.Second
)

func (a *app) newProgress() *progress {
	return &progress{a: a, every: progressEvery, idle: progressIdle, byProvider: map[string]int{}, calls: -1}
}

// countCalls makes the progress count the plan's gateway calls alone.
func (p *progress) countCalls(plan *planner.Plan) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = 0
	for _, c := range plan.Changes {
		if c.Action.Calls() {
			p.calls++
		}
	}
}

func (p *progress) Started(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.calls >= 0 {
		total = p.calls
	}
	p.total, p.start, p.last = total, time.Now(), time.Now()
	p.before = map[*providers.Limiter]providers.LimiterStats{}
	for _, l := range p.a.limiters {
		if l != nil {
			p.before[l] = l.Stats()
		}
	}
	if total == 0 {
		return
	}
	if p.a.ios.IsTerminal() {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.a.ios.ErrOut),
			progressbar.OptionSetDescription(p.doing()),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("items"),
			progressbar.OptionSetPredictTime(false), // its ETA knows no limits: ours is in the description
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionShowDescriptionAtLineEnd(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionEnableColorCodes(p.a.ios.errColor),
		)
		_ = p.bar.RenderBlank() // at once, not when the first call returns
	}
	p.stop = make(chan struct{})
	go p.tick(p.stop)
}

// tick refreshes the estimate while items are slow to finish.
func (p *progress) tick(stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			p.mu.Lock()
			switch {
			case p.bar != nil:
				p.describe(now)
			case now.Sub(p.last) >= p.idle && p.done < p.total:
				p.last = now
				p.line(now)
			}
			p.mu.Unlock()
		}
	}
}

func (p *progress) Finished(c *planner.Change, r executor.ItemResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.calls >= 0 && (c == nil || !c.Action.Calls()) {
		p.recorded++
		return
	}
	p.done++
	if c != nil {
		p.byProvider[c.Provider]++
	}
	if r.Failed() {
		p.fails++
	}
	if p.bar != nil {
		_ = p.bar.Add(1)
		return
	}
	if now := time.Now(); now.Sub(p.last) >= p.every && p.done < p.total {
		p.last = now
		p.line(now)
	}
}

// line writes one plain progress line; p.mu is held.
func (p *progress) line(now time.Time) {
	eta, limit := p.estimate(now)
	left := "-"
	if eta >= 0 {
		left = roughly(eta)
	}
	left = "about " + left + " left"
	if limit != "" {
		left += ", limited by " + limit
	}
	verb, attention := "apply", "need attention"
	if p.verb == "refresh" {
		verb, attention = "refresh", "not read"
	}
	what := ""
	if p.calls >= 0 {
		what = " " + plural(p.total, "call", "calls")
	}
	apart := ""
	if p.recorded > 0 {
		apart = fmt.Sprintf("; %d recorded without a call", p.recorded)
	}
	fmt.Fprintf(p.a.ios.ErrOut, "%s: %d/%d%s done (%s, %s), %d %s%s\n",
		verb, p.done, p.total, what, formatRate(float64(p.done)/now.Sub(p.start).Seconds()), left, p.fails, attention, apart)
}

// doing describes the work on the bar: "applying", "refreshing".
func (p *progress) doing() string {
	if p.verb == "refresh" {
		return "refreshing"
	}
	return "applying"
}

// describe puts the estimate at the end of the bar; p.mu is held.
func (p *progress) describe(now time.Time) {
	eta, limit := p.estimate(now)
	if eta < 0 {
		return
	}
	d := "about " + roughly(eta) + " left"
	if limit != "" {
		d += ", limited by " + limit
	}
	p.bar.Describe(d)
}

// estimate is the time left (-1 when unknown) and, when a rate limit
// decides it, that limit described; p.mu is held. Each limiter (one per
// gateway account, shared by its blocks) forecasts when its share of the
// items left could be sent: as many creates, and requests at the rate per
// item so far. Once a limiter has held requests back, the pace so far
// measures its windows, not the work, so the forecast alone is the
// estimate; until then the later of the pace and the forecasts is.
func (p *progress) estimate(now time.Time) (time.Duration, string) {
	left := p.total - p.done
	if left <= 0 {
		return 0, ""
	}
	pace := time.Duration(-1)
	if rate := float64(p.done) / now.Sub(p.start).Seconds(); rate > 0 {
		pace = time.Duration(float64(left) / rate * float64(time.Second))
	}
	// The items finished by each limiter's providers.
	finished := map[*providers.Limiter]int{}
	var order []*providers.Limiter
	for _, name := range slices.Sorted(maps.Keys(p.a.limiters)) {
		l := p.a.limiters[name]
		if l == nil {
			continue
		}
		if _, seen := finished[l]; !seen {
			order = append(order, l)
		}
		finished[l] += p.byProvider[name]
	}
	held := false
	forecast, limit := time.Duration(0), ""
	for _, l := range order {
		stats, before := l.Stats(), p.before[l]
		held = held || stats.Held > before.Held
		// Its share of the items left: in proportion to those finished,
		// and at least the requests waiting for it now.
		share := left
		switch {
		case p.done > 0:
			share = max(left*finished[l]/p.done, min(left, stats.Waiting))
		case len(order) > 1 && stats.Sent == before.Sent:
			share = 0
		}
		if share <= 0 {
			continue
		}
		// Requests per item: those sent over the items finished or
		// waiting for one.
		perItem := 1.0
		if items := finished[l] + stats.Waiting; items > 0 && stats.Sent > before.Sent {
			perItem = max(1, float64(stats.Sent-before.Sent)/float64(items))
		}
		wait, by, ok := l.Forecast(int(float64(share)*perItem+0.5), share)
		if ok && wait > forecast {
			forecast, limit = wait, l.Describe(by)
		}
	}
	switch {
	case held:
		return max(forecast, time.Second), limit
	case forecast > pace:
		return forecast, limit
	}
	return pace, ""
}

// formatRate renders a rate per second so that slow ones still show:
// "25/s", "2.5/s", "12/min", "40/h".
func formatRate(perSec float64) string {
	switch {
	case perSec >= 10:
		return fmt.Sprintf("%.0f/s", perSec)
	case perSec >= 1:
		return fmt.Sprintf("%.1f/s", perSec)
	case perSec*60 >= 10:
		return fmt.Sprintf("%.0f/min", perSec*60)
	case perSec*60 >= 1:
		return fmt.Sprintf("%.1f/min", perSec*60)
	case perSec > 0:
		return fmt.Sprintf("%.0f/h", perSec*3600)
	}
	return "0/s"
}

// roughly rounds a time left to what a person needs: seconds under ten
// minutes, then minutes.
func roughly(d time.Duration) string {
	if d < 10*time.Minute {
		return d.Round(time.Second).String()
	}
	s := d.Round(time.Minute).String()
	return s[:len(s)-2] // "1h12m0s" → "1h12m"
}

// finish ends the bar and the ticks.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
