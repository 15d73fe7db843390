package cmd

import (
	"fmt"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/payform/payform/executor"
	"github.com/payform/payform/planner"
)

// progress renders apply's progress: a bar with counts, rate and ETA on a
// terminal; otherwise a plain line every few seconds.
type progress struct {
	a     *app
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	total int
	done  int
	fails int
	start time.Time
	last  time.Time
	every time.Duration
}

var _ executor.Hooks = (*progress)(nil)

// progressEvery is how often plain progress lines appear.
const progressEvery = 5 * time.Second

func (a *app) newProgress() *progress {
	return &progress{a: a, every: progressEvery}
}

func (p *progress) Started(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.start, p.last = total, time.Now(), time.Now()
	if total == 0 {
		return
	}
	if p.a.ios.IsTerminal() {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.a.ios.ErrOut),
			progressbar.OptionSetDescription("applying"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("items"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionEnableColorCodes(p.a.ios.color),
		)
	}
}

func (p *progress) Finished(_ *planner.Change, r executor.ItemResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
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
	elapsed := now.Sub(p.start)
	rate := float64(p.done) / elapsed.Seconds()
	eta := "-"
	if rate > 0 {
		eta = time.Duration(float64(p.total-p.done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	fmt.Fprintf(p.a.ios.ErrOut, "apply: %d/%d done (%.0f/s, about %s left), %d need attention\n", p.done, p.total, rate, eta, p.fails)
}

// finish ends the bar.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
