// Package failpoint lets tests crash payform at the steps of a create that
// no sandbox fault can reach. It is off unless PAYFORM_FAILPOINT is set,
// which the README documents as test-only:
//
//	PAYFORM_FAILPOINT=STEP[:N]
//
// kills the process with SIGKILL, as a crash or kill -9 would, the Nth
// time (default the first) the step is reached. Steps:
//
//	before-intent   a create is about to be journaled
//	after-intent    its intent is durable; no request sent yet
//	during-call     the request was written; no answer read yet
//	after-call      the answer was read; its outcome not yet journaled
//	after-outcome   the outcome is written, not yet fsynced
package failpoint

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// Steps lists the failpoints.
var Steps = []string{"before-intent", "after-intent", "during-call", "after-call", "after-outcome"}

var (
	step  string
	nth   int64 = 1
	count atomic.Int64
)

func init() {
	spec := os.Getenv("PAYFORM_FAILPOINT")
	if spec == "" {
		return
	}
	name, n, ok := strings.Cut(spec, ":")
	step = name
	if ok {
		if v, err := strconv.ParseInt(n, 10, 64); err == nil && v > 0 {
			nth = v
		}
	}
}

// Enabled reports whether any failpoint is armed.
func Enabled() bool { return step != "" }

// Hit marks that name was reached; when it is the armed step, reached for
// the Nth time, the process dies at once.
func Hit(name string) {
	if step != name {
		return
	}
	if count.Add(1) == nth {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is delivered; never return
	}
}
