package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFaults(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want Faults
	}{
		{"seed=7", Faults{Seed: 7}},
		{"drop-after-commit=0.3,seed=1", Faults{DropAfterCommit: 0.3, Seed: 1}},
		{" fail-before-commit=1 , status-500=0.25,status-429=0,latency=150ms,seed=-3",
			Faults{FailBeforeCommit: 1, Status500: 0.25, Latency: 150 * time.Millisecond, Seed: -3}},
	} {
		got, err := ParseFaults(tc.spec)
		if err != nil {
			t.Errorf("ParseFaults(%q): %v", tc.spec, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseFaults(%q) (-want +got):\n%s", tc.spec, diff)
		}
		back, err := ParseFaults(got.String())
		if err != nil || back != got {
			t.Errorf("ParseFaults(%q.String() = %q) = %+v, %v; want %+v", tc.spec, got.String(), back, err, got)
		}
	}
}

func TestParseFaultsErrors(t *testing.T) {
	for spec, want := range map[string]string{
		"drop-after-commit=1.5":       `faults: item 1 "drop-after-commit=1.5": drop-after-commit must be a probability between 0 and 1`,
		"seed=1,status-500=NaN":       `faults: item 2 "status-500=NaN": status-500 must be a probability between 0 and 1`,
		"status-429=-0.1":             `faults: item 1 "status-429=-0.1": status-429 must be a probability between 0 and 1`,
		"latency=fast":                `faults: item 1 "latency=fast": latency must be a non-negative Go duration such as 250ms`,
		"latency=-1s":                 `faults: item 1 "latency=-1s": latency must be a non-negative Go duration such as 250ms`,
		"seed=x":                      `faults: item 1 "seed=x": seed must be an integer`,
		"explode=1":                   `faults: item 1 "explode=1": unknown fault "explode" (want drop-after-commit, fail-before-commit, status-500, status-429, latency or seed)`,
		"status-500":                  `faults: item 1 "status-500": want NAME=VALUE, e.g. drop-after-commit=0.3`,
		"status-500=0.1,":             `faults: item 2 "": want NAME=VALUE, e.g. drop-after-commit=0.3`,
		"status-500=0.1,status-500=1": `faults: item 2 "status-500=1": status-500 is given twice`,
	} {
		_, err := ParseFaults(spec)
		if err == nil || err.Error() != want {
			t.Errorf("ParseFaults(%q) error = %v, want %s", spec, err, want)
		}
	}
}

func TestFaultsDefaultSeed(t *testing.T) {
	f := mustFaults(t, "status-500=0.5")
	if f.Seed == 0 {
		t.Errorf("ParseFaults without seed= left the seed 0; want a time-based seed")
	}
	if got := f.String(); !strings.HasPrefix(got, "status-500=0.5,seed=") {
		t.Errorf("String() = %q, want the fault then the seed in use", got)
	}
	if got := (Faults{}).String(); got != "seed=0" {
		t.Errorf("Faults{}.String() = %q, want seed=0", got)
	}
}

// decisions draws n decisions from an injector set to spec.
func decisions(t *testing.T, spec string, n int) []decision {
	fi := NewFaultInjector(mustFaults(t, spec))
	out := make([]decision, n)
	for i := range out {
		out[i] = fi.decide()
	}
	return out
}

func TestFaultsSeeded(t *testing.T) {
	const spec = "fail-before-commit=0.2,status-429=0.2,status-500=0.2,drop-after-commit=0.5"
	a := decisions(t, spec+",seed=42", 200)
	b := decisions(t, spec+",seed=42", 200)
	c := decisions(t, spec+",seed=43", 200)
	opts := cmp.AllowUnexported(decision{})
	if diff := cmp.Diff(a, b, opts); diff != "" {
		t.Errorf("same seed, different decisions (-first +second):\n%s", diff)
	}
	if cmp.Equal(a, c, opts) {
		t.Errorf("seeds 42 and 43 made the same 200 decisions")
	}
	seen := map[string]int{}
	for _, d := range a {
		seen[d.fault]++
		if d.drop {
			seen[FaultDropAfterCommit]++
		}
	}
	for _, kind := range []string{"", FaultFailBeforeCommit, FaultStatus429, FaultStatus500, FaultDropAfterCommit} {
		if seen[kind] == 0 {
			t.Errorf("200 decisions with every fault likely never chose %q: %v", kind, seen)
		}
	}
}

func TestFaultInjectorSetGetCounts(t *testing.T) {
	fi := NewFaultInjector(mustFaults(t, "status-500=1,seed=1"))
	fi.decide()
	fi.decide()
	fi.Set(mustFaults(t, "drop-after-commit=1,latency=1ms,seed=2"))
	if got, want := fi.Get().String(), "drop-after-commit=1,latency=1ms,seed=2"; got != want {
		t.Errorf("Get().String() = %q, want %q", got, want)
	}
	fi.decide()
	want := map[string]int64{FaultLatency: 1, FaultFailBeforeCommit: 0, FaultStatus429: 0, FaultStatus500: 2, FaultDropAfterCommit: 1}
	if diff := cmp.Diff(want, fi.Injected()); diff != "" {
		t.Errorf("Injected() (-want +got):\n%s", diff)
	}
}
