package gateways

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/payform/payform/providers"
)

// limiters is the process-wide registry of rate limiters, one per gateway
// account and send log, so that every provider block of an account sends
// through one limiter: two aliases get the account's limits once, not
// twice. An entry lives while a provider holds it.
var limiters = struct {
	sync.Mutex
	m map[limiterKey]*sharedLimiter
}{m: map[limiterKey]*sharedLimiter{}}

type limiterKey struct {
	account string
	log     providers.SendLog
}

type sharedLimiter struct {
	l      *providers.Limiter
	limits []providers.Limit
	names  []string // the provider blocks holding it
}

// acquireLimiter returns the limiter of spec's account, made on first
// use (and filled from spec.SendLog as it is first used), and the closer
// that gives it back.
func acquireLimiter(spec Spec, limits []providers.Limit) (*providers.Limiter, io.Closer, error) {
	account := spec.Account
	if account == "" {
		account = "block:" + spec.Name
	}
	key := limiterKey{account: spec.Gateway.Name + "|" + account, log: spec.SendLog}
	limiters.Lock()
	defer limiters.Unlock()
	s := limiters.m[key]
	if s == nil {
		s = &sharedLimiter{limits: limits, l: providers.NewLimiter(providers.LimiterOptions{
			Name: spec.Gateway.Title, Noun: createsNoun(spec.Gateway), Account: key.account,
			Limits: limits, Log: spec.SendLog, InFlight: spec.Timeout,
		})}
		limiters.m[key] = s
	} else if !slices.Equal(s.limits, limits) {
		return nil, nil, fmt.Errorf("provider %s is the same %s account as %s but asks for other rate limits (rate_limit_scale); one account has one set of limits",
			spec.Name, spec.Gateway.Title, strings.Join(s.names, ", "))
	}
	s.names = append(s.names, spec.Name)
	return s.l, &limiterRelease{key: key, name: spec.Name}, nil
}

type limiterRelease struct {
	key  limiterKey
	name string
	once sync.Once
}

func (r *limiterRelease) Close() error {
	r.once.Do(func() {
		limiters.Lock()
		defer limiters.Unlock()
		s := limiters.m[r.key]
		if s == nil {
			return
		}
		if i := slices.Index(s.names, r.name); i >= 0 {
			s.names = slices.Delete(s.names, i, i+1)
		}
		if len(s.names) == 0 {
			delete(limiters.m, r.key)
		}
	})
	return nil
}

// createsNoun is what a gateway's creates-only limits count: its one
// kind, in the plural ("invoices").
func createsNoun(g providers.Gateway) string {
	if len(g.Kinds) != 1 {
		return "creates"
	}
	return strings.ReplaceAll(string(g.Kinds[0].Kind), "_", " ") + plural(g.Kinds[0].Kind)
}

func plural(k providers.Kind) string {
	if strings.HasSuffix(string(k), "s") {
		return "es"
	}
	return "s"
}
