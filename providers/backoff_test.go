package providers

import (
	"testing"
	"time"
)

// TestBackoffDelay: the waits double from Base to Max, half fixed and half
// jitter; with the jitter injected each wait is exact.
func TestBackoffDelay(t *testing.T) {
	for _, tc := range []struct {
		name   string
		jitter func(time.Duration) time.Duration
		want   []time.Duration // attempts 1..6
	}{
		{"no jitter", func(time.Duration) time.Duration { return 0 },
			[]time.Duration{50, 100, 200, 400, 800, 800}},
		{"full jitter", func(max time.Duration) time.Duration { return max },
			[]time.Duration{100, 200, 400, 800, 1000, 1000}},
	} {
		b := Backoff{Base: 100 * time.Millisecond, Max: time.Second, Jitter: tc.jitter}
		for i, want := range tc.want {
			if got := b.Delay(i + 1); got != want*time.Millisecond {
				t.Errorf("%s: Delay(%d) = %v, want %v", tc.name, i+1, got, want*time.Millisecond)
			}
		}
	}
	// The default jitter stays within its half.
	b := Backoff{Base: 100 * time.Millisecond, Max: time.Second}
	for range 100 {
		if d := b.Delay(2); d < 100*time.Millisecond || d > 200*time.Millisecond {
			t.Fatalf("Delay(2) = %v, want 100ms to 200ms", d)
		}
	}
}
