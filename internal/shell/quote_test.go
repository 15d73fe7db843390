package shell

import (
	"os/exec"
	"testing"
)

func TestQuote(t *testing.T) {
	for _, s := range []string{`payout.vendor["po-1"]`, `invoice_batch.prompts["mp-1"]`, "payout.single", `a'b`, `$HOME`, `x y`, "", `back\slash`, "`cmd`", "!bang"} {
		q := Quote(s)
		out, err := exec.Command("sh", "-c", "printf %s "+q).Output()
		if err != nil {
			t.Fatalf("sh -c printf %%s %s: %v", q, err)
		}
		if string(out) != s {
			t.Errorf("Quote(%q) = %s, which the shell reads as %q", s, q, out)
		}
	}
	if got := Quote("payout.single"); got != "payout.single" {
		t.Errorf("a safe word is quoted: %s", got)
	}
}
