package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Received is a request exactly as it arrived: its method, its URL
// (the path below the gateway's mount point, and the raw query), its
// headers and its raw body.
type Received struct {
	Method string
	URL    *url.URL
	Header http.Header
	Body   []byte
}

// ErrDenied marks a request a Verifier found not to be its account's
// (a bad signature, an object the gateway does not know): it proves
// nothing. inbox/verifier builds Verifiers from providers.
var ErrDenied = errors.New("not verified")

// Verifier checks a request with one provider block's credentials.
type Verifier struct {
	Provider string // the block: "wllxpay.eu"
	Account  string // its gateway account (schema.Provider.Account)
	// Check verifies the request, returning what it proves and how it
	// was verified ("signature", "verify", "refetch", "prompt"). An
	// error wrapping ErrDenied means "not this account's, or forged";
	// any other error means the gateway could not be asked now.
	Check func(ctx context.Context, r Received) (cb *Callback, via string, err error)
}

// Outcome is what the receiver did with one request.
type Outcome struct {
	Item   *Item
	Added  bool // false for a repeat of an item already kept
	Status int  // the HTTP status answered
	Err    error
}

// Receiver is the inbox's HTTP side: one path per gateway, named as
// `payform sandbox serve` mounts them (/wllxpay, /coinpay24, /milacoins,
// /coinilla, /miraclepay; anything below them too, for callback URLs
// that carry values in their path). Each request is verified with every
// provider block of its gateway in turn, the first that verifies it
// wins; a verified one is made durable (Store.Add) before the 200.
//
//	verified                          200, kept (a repeat: 200, not kept twice)
//	the gateway could not be asked    503 with Retry-After, kept apart: sent again
//	not verified by any block         400, kept apart
//	a gateway no block names          404, kept apart
//	a body over MaxBody               413
//	the store failed                  500: the gateway sends it again
type Receiver struct {
	Store Store
	// Gateways are the verifiers by mount name ("wllxpay").
	Gateways map[string][]*Verifier
	// Known are the gateways payform speaks to: a request for one of
	// them without a verifier is kept apart; any other path is a 404,
	// not kept (scanners).
	Known   []string
	Now     func() time.Time
	MaxBody int64
	// Timeout bounds the verification of one request (a read back).
	Timeout time.Duration
	// Done, when set, is told of every request handled.
	Done func(Outcome)
	// MaxApart bounds the items kept apart by this receiver
	// (DefaultMaxApart when zero): past it, what is not verified is
	// answered but no longer kept, so that a flood of forged requests
	// cannot fill the disk. Verified callbacks are always kept.
	MaxApart int64

	apart atomic.Int64
}

// DefaultMaxApart is Receiver.MaxApart's default.
const DefaultMaxApart = 10_000

// DefaultMaxBody bounds a callback's body.
const DefaultMaxBody = 1 << 20

func (rv *Receiver) now() time.Time {
	if rv.Now != nil {
		return rv.Now()
	}
	return time.Now()
}

func (rv *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	out := rv.receive(r)
	if rv.Done != nil {
		rv.Done(out)
	}
	switch out.Status {
	case http.StatusOK:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "ok\n")
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "60")
		http.Error(w, "the callback could not be checked now; send it again", out.Status)
	default:
		msg := http.StatusText(out.Status)
		if out.Err != nil && out.Status != http.StatusInternalServerError {
			msg = out.Err.Error()
		}
		http.Error(w, msg, out.Status)
	}
}

// Receive handles one request as ServeHTTP does, without answering: for
// `payform callback ingest`, which reads a saved request.
func (rv *Receiver) Receive(r *http.Request) Outcome {
	out := rv.receive(r)
	if rv.Done != nil {
		rv.Done(out)
	}
	return out
}

func (rv *Receiver) receive(r *http.Request) Outcome {
	gateway, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	verifiers, named := rv.Gateways[gateway]
	known := named
	for _, k := range rv.Known {
		known = known || k == gateway
	}
	if !known {
		return Outcome{Status: http.StatusNotFound, Err: fmt.Errorf("no gateway is served at /%s: payform callback serve takes /%s", gateway, strings.Join(rv.Known, ", /"))}
	}
	max := rv.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return Outcome{Status: http.StatusBadRequest, Err: fmt.Errorf("reading the body: %v", err)}
	}
	if int64(len(body)) > max {
		return Outcome{Status: http.StatusRequestEntityTooLarge, Err: fmt.Errorf("the body is over %d bytes", max)}
	}
	below := &url.URL{Path: "/" + rest, RawQuery: r.URL.RawQuery}
	it := &Item{
		ReceivedAt: rv.now().UTC(), Gateway: gateway,
		Request: NewRequest(r.Method, below, r.Header, body),
		Digest:  RequestDigest(r.Method, below, body),
	}
	if len(verifiers) == 0 {
		it.Verdict, it.Reason = Rejected, fmt.Sprintf("no provider block for %s in the configuration", gateway)
		return rv.keep(r.Context(), it, http.StatusNotFound, errors.New(it.Reason))
	}
	ctx := r.Context()
	if rv.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rv.Timeout)
		defer cancel()
	}
	recv := Received{Method: r.Method, URL: below, Header: r.Header.Clone(), Body: body}
	var denied, unreachable []string
	for _, v := range verifiers {
		cb, via, err := v.Check(ctx, recv)
		switch {
		case err == nil && cb != nil:
			it.Verdict, it.Provider, it.Account, it.Via, it.Callback = Accepted, v.Provider, v.Account, via, cb
			return rv.keep(r.Context(), it, http.StatusOK, nil)
		case err == nil:
			denied = append(denied, v.Provider+": nothing verified")
		case errors.Is(err, ErrDenied):
			denied = append(denied, v.Provider+": "+strings.TrimPrefix(err.Error(), ErrDenied.Error()+": "))
		default:
			unreachable = append(unreachable, v.Provider+": "+err.Error())
		}
	}
	if len(unreachable) > 0 {
		it.Verdict, it.Reason = Unconfirmed, "could not be checked: "+strings.Join(append(unreachable, denied...), "; ")
		return rv.keep(r.Context(), it, http.StatusServiceUnavailable, errors.New(it.Reason))
	}
	it.Verdict, it.Reason = Rejected, "not verified: "+strings.Join(denied, "; ")
	return rv.keep(r.Context(), it, http.StatusBadRequest, errors.New(it.Reason))
}

// keep adds it to the store; an accepted item is answered status only
// once it is durable.
func (rv *Receiver) keep(ctx context.Context, it *Item, status int, why error) Outcome {
	if it.Verdict != Accepted {
		max := rv.MaxApart
		if max <= 0 {
			max = DefaultMaxApart
		}
		if rv.apart.Add(1) > max {
			return Outcome{Status: status, Err: errors.Join(why, fmt.Errorf("not kept: %d requests were kept apart since this server started", max))}
		}
	}
	seq, added, err := rv.Store.Add(context.WithoutCancel(ctx), it)
	if err != nil {
		if it.Verdict == Accepted {
			return Outcome{Item: it, Status: http.StatusInternalServerError, Err: fmt.Errorf("keeping it in %s: %w", rv.Store.Describe(), err)}
		}
		return Outcome{Item: it, Status: status, Err: errors.Join(why, fmt.Errorf("not kept: %w", err))}
	}
	it.Seq = seq
	return Outcome{Item: it, Added: added, Status: status, Err: why}
}
