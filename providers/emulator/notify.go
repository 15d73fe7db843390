package emulator

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Callback is one webhook an emulator sends to a merchant.
type Callback struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Delivery is one attempt to deliver a callback, as the admin API shows
// it.
type Delivery struct {
	URL     string    `json:"url"`
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	Status  int       `json:"status"` // 0 when no answer arrived
	Error   string    `json:"error,omitempty"`
	Final   bool      `json:"final"` // no further attempt
}

// Notifier delivers callbacks in the background the way a gateway does:
// until the receiver answers 2xx, on the gateway's retry schedule, giving
// up early on the answers the gateway treats as final.
type Notifier struct {
	// Schedule is the wait before each retry; its length bounds them.
	Schedule []time.Duration
	// Scale divides every wait (60: a minute passes in a second), so that
	// tests and demos need not wait for a real schedule. 0 means 1.
	Scale float64
	// GiveUp reports answers after which the gateway stops retrying
	// (besides 2xx), e.g. CoinPay24's 301/302/401. May be nil.
	GiveUp func(status int) bool
	// Client sends the callbacks; its Timeout is the gateway's response
	// timeout. nil means a client with a 20 s timeout.
	Client *http.Client
	// Clock stamps deliveries.
	Clock Clock
	// Refuse, when set, says why the gateway would not call a URL at all
	// (e.g. PrivateTarget); such a callback is recorded as one final
	// delivery with that reason and never sent. "" sends it.
	Refuse func(u *url.URL) string

	mu         sync.Mutex
	deliveries []Delivery
	wg         sync.WaitGroup
	ctx        context.Context
	cancel     context.CancelFunc
	once       sync.Once
}

// maxDeliveries bounds the delivery log.
const maxDeliveries = 10_000

func (n *Notifier) init() {
	n.once.Do(func() {
		n.ctx, n.cancel = context.WithCancel(context.Background())
		if n.Client == nil {
			n.Client = &http.Client{Timeout: 20 * time.Second}
		}
	})
}

// Send queues a callback and returns at once.
func (n *Notifier) Send(cb Callback) {
	n.init()
	if cb.Method == "" {
		cb.Method = http.MethodPost
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.deliver(cb)
	}()
}

func (n *Notifier) deliver(cb Callback) {
	if n.Refuse != nil {
		if u, err := url.Parse(cb.URL); err == nil {
			if why := n.Refuse(u); why != "" {
				n.record(Delivery{URL: cb.URL, Attempt: 1, At: n.Clock.Now(), Error: "not sent: the gateway does not call " + why, Final: true})
				return
			}
		}
	}
	for attempt := 1; ; attempt++ {
		status, err := n.attempt(cb)
		d := Delivery{URL: cb.URL, Attempt: attempt, At: n.Clock.Now(), Status: status}
		if err != nil {
			d.Error = err.Error()
		}
		ok := err == nil && status >= 200 && status < 300
		d.Final = ok || attempt > len(n.Schedule) || (err == nil && n.GiveUp != nil && n.GiveUp(status))
		n.record(d)
		if d.Final {
			return
		}
		wait := n.Schedule[attempt-1]
		if n.Scale > 0 {
			wait = time.Duration(float64(wait) / n.Scale)
		}
		select {
		case <-n.ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (n *Notifier) attempt(cb Callback) (int, error) {
	req, err := http.NewRequestWithContext(n.ctx, cb.Method, cb.URL, bytes.NewReader(cb.Body))
	if err != nil {
		return 0, err
	}
	for k, v := range cb.Header {
		req.Header[k] = v
	}
	resp, err := n.Client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (n *Notifier) record(d Delivery) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.deliveries) == maxDeliveries {
		n.deliveries = n.deliveries[1:]
	}
	n.deliveries = append(n.deliveries, d)
}

// Deliveries returns the attempts so far, oldest first.
func (n *Notifier) Deliveries() []Delivery {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Delivery(nil), n.deliveries...)
}

// Wait blocks until every queued callback is delivered or given up.
func (n *Notifier) Wait() { n.wg.Wait() }

// Close stops pending retries.
func (n *Notifier) Close() {
	n.init()
	n.cancel()
	n.wg.Wait()
}
