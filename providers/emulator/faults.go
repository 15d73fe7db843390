package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fault kinds, as they are named in a spec and in the injected counts.
const (
	FaultFailBeforeCommit = "fail-before-commit"
	FaultStatus429        = "status-429"
	FaultStatus500        = "status-500"
	FaultDropAfterCommit  = "drop-after-commit"
	FaultLatency          = "latency"
)

// FaultKinds lists the fault kinds in the order they are decided.
var FaultKinds = []string{FaultLatency, FaultFailBeforeCommit, FaultStatus429, FaultStatus500, FaultDropAfterCommit}

// Faults says which failures to inject into gateway API requests. Each
// probability is in [0, 1]; a request meets them in this order:
//
//	Latency           sleep, then go on even if the client has gone
//	FailBeforeCommit  close the connection without processing or answering
//	Status429         answer the gateway's rate-limit body, not processed
//	Status500         answer 500 {"error":"Internal Server Error"}, not processed
//	(process the request)
//	DropAfterCommit   processed, then the connection is closed unanswered
type Faults struct {
	FailBeforeCommit float64
	Status429        float64
	Status500        float64
	DropAfterCommit  float64
	Latency          time.Duration
	// Seed seeds the random source that decides each fault.
	Seed int64
}

// ParseFaults parses a spec such as
// "drop-after-commit=0.3,latency=200ms,seed=7". Without seed=, the seed is
// taken from the clock; String reports it. The empty spec injects nothing.
func ParseFaults(spec string) (Faults, error) {
	f := Faults{Seed: time.Now().UnixNano()}
	seen := map[string]bool{}
	if strings.TrimSpace(spec) == "" {
		return f, nil
	}
	for i, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		name, value, ok := strings.Cut(item, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || value == "" {
			return Faults{}, fmt.Errorf("faults: item %d %q: want NAME=VALUE, e.g. drop-after-commit=0.3", i+1, item)
		}
		if seen[name] {
			return Faults{}, fmt.Errorf("faults: item %d %q: %s is given twice", i+1, item, name)
		}
		seen[name] = true
		if err := f.set(name, value); err != nil {
			return Faults{}, fmt.Errorf("faults: item %d %q: %v", i+1, item, err)
		}
	}
	return f, nil
}

func (f *Faults) set(name, value string) error {
	var p *float64
	switch name {
	case FaultFailBeforeCommit:
		p = &f.FailBeforeCommit
	case FaultStatus429:
		p = &f.Status429
	case FaultStatus500:
		p = &f.Status500
	case FaultDropAfterCommit:
		p = &f.DropAfterCommit
	case FaultLatency:
		d, err := time.ParseDuration(value)
		if err != nil || d < 0 {
			return fmt.Errorf("latency must be a non-negative Go duration such as 250ms")
		}
		f.Latency = d
		return nil
	case "seed":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("seed must be an integer")
		}
		f.Seed = n
		return nil
	default:
		return fmt.Errorf("unknown fault %q (want drop-after-commit, fail-before-commit, status-500, status-429, latency or seed)", name)
	}
	v, err := strconv.ParseFloat(value, 64)
	if err != nil || !(v >= 0 && v <= 1) {
		return fmt.Errorf("%s must be a probability between 0 and 1", name)
	}
	*p = v
	return nil
}

// String renders f as a spec that ParseFaults reads back: the faults in
// effect, then the seed.
func (f Faults) String() string {
	var items []string
	for _, p := range []struct {
		name string
		v    float64
	}{
		{FaultFailBeforeCommit, f.FailBeforeCommit},
		{FaultStatus429, f.Status429},
		{FaultStatus500, f.Status500},
		{FaultDropAfterCommit, f.DropAfterCommit},
	} {
		if p.v > 0 {
			items = append(items, p.name+"="+strconv.FormatFloat(p.v, 'g', -1, 64))
		}
	}
	if f.Latency > 0 {
		items = append(items, FaultLatency+"="+f.Latency.String())
	}
	items = append(items, "seed="+strconv.FormatInt(f.Seed, 10))
	return strings.Join(items, ",")
}
