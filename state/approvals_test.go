package state

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestApprovalsJournaled: the approvals of a plan are recorded on its
// apply entry and read back from the journal as written; approvals on
// any other entry, without a principal, policy or key, or naming one
// signer twice for a policy, are refused before anything is written.
func TestApprovalsJournaled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payform.state.json")
	s := openStore(t, path)
	approvals := []Approval{
		{Policy: "treasury", Principal: "alice@example.com", Fingerprint: "SHA256:aaa"},
		{Policy: "treasury", Principal: "bob@example.com", Fingerprint: "SHA256:bbb"},
		{Policy: "vip", Principal: "alice@example.com", Fingerprint: "SHA256:aaa"},
	}
	record(t, s, &Entry{Op: OpApply, PlanID: "plan-1", Approvals: approvals}, intent(`payout.a["1"]`, "k1"))
	refused := []struct {
		name string
		e    *Entry
		want string
	}{
		{"on an intent", &Entry{Op: OpIntent, PlanID: "plan-1", Address: `payout.a["2"]`, Provider: "wllxpay", Key: "k2",
			Object: &Declared{Kind: "payout", Gateway: "wllxpay", Amount: "1", Currency: "BTC"}, Approvals: approvals[:1]},
			"it is an entry of op intent with approvals"},
		{"no fingerprint", &Entry{Op: OpApply, PlanID: "plan-2", Approvals: []Approval{{Policy: "treasury", Principal: "alice@example.com"}}},
			"an approval without its policy, principal or key fingerprint"},
		{"no policy", &Entry{Op: OpApply, PlanID: "plan-2", Approvals: []Approval{{Principal: "alice@example.com", Fingerprint: "SHA256:aaa"}}},
			"an approval without its policy, principal or key fingerprint"},
		{"twice", &Entry{Op: OpApply, PlanID: "plan-2", Approvals: []Approval{approvals[0], {Policy: "treasury", Principal: "alice@example.com", Fingerprint: "SHA256:ccc"}}},
			"alice@example.com approves plan plan-2 twice for policy treasury"},
	}
	for _, c := range refused {
		err := s.Record(c.e, true)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Record = %v, want an error with %q", c.name, err, c.want)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var got [][]Approval
	err := (&Local{Path: path}).Entries(context.Background(), func(e *Entry) error {
		got = append(got, e.Approvals)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]Approval{approvals, nil}, got); diff != "" {
		t.Errorf("journaled approvals (-want +got):\n%s", diff)
	}
	s2 := openStore(t, path)
	defer s2.Close()
	if st := s2.State(); st.JournalSeq != 2 || !st.Consumed("plan-1") {
		t.Errorf("reloaded: journal_seq %d, consumed %v", st.JournalSeq, st.Consumed("plan-1"))
	}
}
