package executor

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/gateways"
	"github.com/payform/payform/providers/miraclepay"
	mpsandbox "github.com/payform/payform/providers/miraclepay/sandbox"
	"github.com/payform/payform/providers/providertest"
	"github.com/payform/payform/state"
)

// TestResolveAdoptChecksOnlyWhatTheGatewayProves: MiraclePay's page
// answers GET /external/payments/prompt/:id with id, blockchainId, status
// and createdAt only, and so does its emulator. ResolveAdopt checks what
// those prove — the prompt exists, and was not made before payform first
// sent the item — and adopts nothing it cannot check unless the operator
// attests it; the journal says what was attested.
func TestResolveAdoptChecksOnlyWhatTheGatewayProves(t *testing.T) {
	ctx := context.Background()
	clock := providertest.NewClock(t0.Add(-time.Hour))
	emu, err := mpsandbox.New(mpsandbox.Options{Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{emu}}))
	defer hs.Close()
	endpoint := hs.URL + miraclepay.Gateway.SandboxPath
	mp := miraclepay.NewClient(endpoint, mpsandbox.DefaultClientID, mpsandbox.DefaultAPIKey, nil)
	prompt := func(amount, note string) string {
		p, err := mp.CreatePrompt(ctx, miraclepay.PromptRequest{Amount: decimal.RequireFromString(amount), BlockchainIDs: []string{"eth"}, Payer: "merchant", Note: note})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	old := prompt("10", "payform:ord-1") // an hour before payform first sent ord-1
	clock.Set(t0.Add(time.Minute))
	mine := prompt("10", "payform:ord-1")
	another := prompt("999", "payform:ord-2")

	prov, closer, err := gateways.Open(gateways.Spec{Gateway: miraclepay.Gateway, Name: "miraclepay", Endpoint: endpoint,
		Credentials: map[string]string{"client_id": mpsandbox.DefaultClientID, "api_key": mpsandbox.DefaultAPIKey}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	store, err := state.Open(ctx, &state.Local{Path: filepath.Join(t.TempDir(), "payform.state.json")},
		state.Options{Operation: "test", Actor: "alice", Version: "test", Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	const addr = `invoice_batch.mp["ord-1"]`
	// An apply of plan-1 sent ord-1 and lost the answer.
	if err := store.Record(&state.Entry{Op: state.OpApply, PlanID: "plan-1"}, true); err != nil {
		t.Fatal(err)
	}
	if err := store.Record(&state.Entry{Op: state.OpIntent, PlanID: "plan-1", Address: addr, Provider: "miraclepay", Key: "ord-1",
		Object: &state.Declared{Kind: "invoice", Gateway: "miraclepay", Currency: "USD", Amount: "10"}}, true); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		id, amount, want string
	}{
		{another, "", "miraclepay does not report the amount of invoice " + another},
		{another, "999", "you attest 999 USD, but " + addr + " declares 10 USD: refused"},
		{mine, "", "miraclepay does not report the amount"},
		{old, "10", "was made at " + t0.Add(-time.Hour).Format(time.RFC3339) + ", before payform first sent " + addr},
		{"00000000-0000-4000-8000-000000000000", "10", "miraclepay has no invoice"},
	} {
		_, _, err := ResolveAdopt(ctx, store, prov, addr, tc.id, Attestation{Amount: tc.amount})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ResolveAdopt(%s, --amount %q) = %v, want %q", tc.id, tc.amount, err, tc.want)
		}
		if r := store.State().Resource(addr); !r.InDoubt() {
			t.Fatalf("a refused resolve settled %s: %+v", addr, r)
		}
	}

	r, note, err := ResolveAdopt(ctx, store, prov, addr, mine, Attestation{Amount: "10.00"})
	if err != nil {
		t.Fatal(err)
	}
	const wantNote = "settled by an operator: the gateway's object %s; checked against the gateway: it exists, made after payform first sent the item; " +
		`attested by the operator, not checked: amount 10 USD, key "ord-1"`
	if note != strings.Replace(wantNote, "%s", mine, 1) || r.ID != mine || r.InDoubt() || r.Remote["attested"] != "amount,key" || r.Remote[miraclepay.ResultBlockchain] != "eth" {
		t.Errorf("adopted %+v\nnote %q", r, note)
	}
}
