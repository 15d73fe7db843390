package providers

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// Kind is the kind of gateway object a resource instance manages.
type Kind string

const (
	// Payout is a withdrawal: money leaves the merchant's balance.
	Payout Kind = "payout"
	// DepositAddress is an address taken for one customer and currency.
	DepositAddress Kind = "deposit_address"
	// Invoice is a payment request a customer pays.
	Invoice Kind = "invoice"
)

// Request is one create call, keyed by the merchant's own key.
type Request struct {
	Kind Kind
	// Key is the merchant key the gateway sees: foreign_id, order_id,
	// refnum or externalID. For deposit addresses it is the customer's
	// foreign_id.
	Key      string
	Amount   decimal.Decimal // zero where the kind has no amount
	Currency string
	Address  string // payout destination
	Tag      string // destination tag or memo, where the chain needs one
	// Fields holds kind-specific values (invoice title, URLs, ...).
	Fields map[string]string
}

// Object is what a gateway reports about one object it holds.
type Object struct {
	Kind      Kind
	Key       string
	ID        string // the gateway's id; empty when the gateway did not say
	Status    Status
	RawStatus string // the gateway's own status word
	Amount    decimal.Decimal
	Currency  string
	Address   string
	Tag       string
	Fields    map[string]string
	// Others lists the ids of further objects the gateway holds under the
	// same key, oldest first. Only Lookup sets it, and only at gateways
	// that do not enforce their key (MilaCoins, CoinPay24): a create the
	// gateway processed after payform had given up on it.
	Others []string
}

// Ref names an object payform already knows, for Refresh.
type Ref struct {
	Kind Kind
	Key  string
	ID   string
	// CreatedAt is when payform recorded the object; list-based refreshes
	// use it to bound the date range they read.
	CreatedAt time.Time
}

// Query asks for an object by merchant key.
type Query struct {
	Kind Kind
	Key  string
	// Since is the earliest moment the object can have been created (the
	// first intent's time), so that gateways that can only scan lists
	// scan no further back; zero means "any time".
	Since time.Time
}

// Provider is one configured gateway account. Implementations are safe for
// concurrent use.
//
// The contract, which the planner's recovery rests on:
//
//   - Create sends exactly one create request carrying req.Key. It is NOT
//     idempotent in general; the planner journals an intent before calling
//     it and never calls it again for the same key unless the gateway's
//     in-doubt strategy (KindSupport.InDoubt) says a resend is safe.
//     Errors are classified (see Class): Rejected, Retryable, Ambiguous or
//     Duplicate. A nil error means the object exists at the gateway.
//   - Lookup finds an object by merchant key. It returns ErrNotFound only
//     when the search was complete and successful; it returns
//     ErrUnsupported when the gateway cannot search by key. Any other error
//     means "unknown" and must never be read as absent. ErrUnsupported
//     is decided from the provider's settings before anything is sent
//     (CanLookup relies on it). Even ErrNotFound proves absence only once
//     every create sent with the key is older than KindSupport.Settle: a
//     request the client gave up on may still be processed. When several
//     objects carry the key, Lookup returns one and names the rest in
//     Object.Others. Lookup is idempotent and has no side effects.
//   - Refresh reads the current status of known objects, in as few requests
//     as the gateway allows. It returns only objects it actually read; an
//     object it could not read is left out, never reported as gone.
//     Refresh returns ErrUnsupported when the gateway has no way to read
//     status. Refresh is idempotent and has no side effects.
//   - List reads every object of a kind the account made since a time
//     (zero: ever), in as few requests as the gateway allows. It returns
//     the objects only when the list was read completely; any failure is
//     an error, and an object absent from a list that failed proves
//     nothing. It returns ErrUnsupported when the gateway cannot list.
//     List is idempotent and has no side effects.
type Provider interface {
	// Gateway returns the gateway's name, e.g. "wllxpay".
	Gateway() string
	// Supports reports how the provider handles a kind, and whether it
	// handles it at all.
	Supports(kind Kind) (KindSupport, bool)
	Create(ctx context.Context, req Request) (Object, error)
	Lookup(ctx context.Context, q Query) (Object, error)
	Refresh(ctx context.Context, refs []Ref) ([]Object, error)
	List(ctx context.Context, kind Kind, since time.Time) ([]Object, error)
}

// InDoubt says how a create whose outcome is unknown (an Ambiguous error)
// is settled for one kind at one gateway (DESIGN §7).
type InDoubt int

const (
	// Resend: send again with the same key. The gateway refuses a repeated
	// key, so an accepted resend proves the first never landed, and a
	// Duplicate answer proves it did.
	Resend InDoubt = iota + 1
	// LookupByKey: search by merchant key; found ⇒ adopt, proven absent ⇒
	// create.
	LookupByKey
	// Retake: take again. Used for deposit addresses, where a second
	// object for the same key is harmless; the superseded one is recorded.
	Retake
	// Manual: nothing can be proven automatically. The item stays unknown
	// until an operator settles it with `payform state resolve`.
	Manual
)

func (d InDoubt) String() string {
	switch d {
	case Resend:
		return "resend"
	case LookupByKey:
		return "lookup"
	case Retake:
		return "retake"
	case Manual:
		return "manual"
	}
	return "invalid"
}

// KindSupport describes one kind at one gateway.
type KindSupport struct {
	Kind    Kind
	InDoubt InDoubt
	// DuplicateAdopts is true when a Duplicate answer to a resend is enough
	// to manage the object without its id (WllxPay payouts). When false, a
	// duplicate leaves the item unknown (Coinilla).
	DuplicateAdopts bool
	// Settle matters for LookupByKey: how long the gateway may still
	// process a create after payform stopped waiting for the answer. A
	// lookup that finds nothing proves absence only when it starts at
	// least Settle after the last attempt was sent; until then the item
	// stays in doubt. Zero trusts a lookup at once (tests).
	Settle time.Duration
	// EchoesTag says that a create's answer echoes the destination tag
	// it was given (WllxPay's withdrawal/make): an answer without the tag
	// a payout was sent with is not the payout sent (a tag the gateway
	// did not take is money lost).
	EchoesTag bool
	// Unread names what an object read back by id (Refresh) does not
	// carry from the gateway's own answer, so that nothing takes it for
	// the gateway's word: with UnreadKey, Object.Key is the ref's key
	// echoed back; with UnreadAmount, Object.Amount is zero. An operator
	// settling such an object by id must attest what cannot be read
	// (`payform state resolve --amount`).
	Unread Unread
	// RefreshEach says that Refresh reads objects of this kind one
	// request each (no list to read them from): a caller may split the
	// refs and call Refresh concurrently, within the account's rate
	// limits. Where it is false, Refresh reads a list, and one call with
	// every ref is cheapest.
	RefreshEach bool
}

// Unread is a set of attributes a read by id cannot prove.
type Unread uint8

const (
	// UnreadKey: the answer does not name the merchant key.
	UnreadKey Unread = 1 << iota
	// UnreadAmount: the answer does not state the amount.
	UnreadAmount
)

// Has reports whether u includes every attribute of v.
func (u Unread) Has(v Unread) bool { return u&v == v }

// DefaultSettle is Settle for gateways that resolve by lookup, unless the
// provider block sets settle_time: longer than the 60-second request
// limits of common load balancers and proxies in front of a gateway.
const DefaultSettle = 2 * time.Minute

// WithSettle returns p with Settle set to d for every kind it resolves by
// lookup; p itself when d is zero.
func WithSettle(p Provider, d time.Duration) Provider {
	if d <= 0 {
		return p
	}
	return &settling{Provider: p, settle: d}
}

type settling struct {
	Provider
	settle time.Duration
}

func (s *settling) Supports(kind Kind) (KindSupport, bool) {
	ks, ok := s.Provider.Supports(kind)
	if ok && ks.InDoubt == LookupByKey {
		ks.Settle = s.settle
	}
	return ks, ok
}
