package wllxpay_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/emulator"
	"github.com/payform/payform/providers/wllxpay/sandbox"
)

// receiver records the callbacks it gets; it answers 500 to the first
// fails of them.
type receiver struct {
	mu    sync.Mutex
	fails int
	got   []received
}

type received struct {
	header http.Header
	body   []byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, received{r.Header.Clone(), body})
	if rc.fails > 0 {
		rc.fails--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// TestDepositCallback: a simulated deposit reaches the merchant's receiver,
// retried until it answers 200, with a signature the client accepts; a
// tampered body is refused.
func TestDepositCallback(t *testing.T) {
	rc := &receiver{fails: 1}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	store, err := emulator.OpenStore(filepath.Join(t.TempDir(), "data.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	emu, err := sandbox.New(sandbox.Options{Store: store.Journal("wllxpay"), CallbackURL: hook.URL, CallbackScale: 60000})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	srv := httptest.NewServer(emulator.NewServer(emulator.ServerOptions{Emulators: []emulator.Emulator{emu}}))
	defer srv.Close()
	p := client(t, srv.URL+"/wllxpay/api/v1", sandbox.DefaultKey, sandbox.DefaultSecret, nil)
	addr, err := p.Create(context.Background(), providers.Request{Kind: providers.DepositAddress, Key: "cust-1", Currency: "XRP"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL+"/_sandbox/deposit", "application/json",
		strings.NewReader(`{"gateway":"wllxpay","address":"`+addr.Address+`","tag":"`+addr.Tag+`","amount":"25.5"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("deposit: %v %v", err, resp.Status)
	}
	emu.WaitCallbacks()
	if len(rc.got) != 2 || !bytes.Equal(rc.got[0].body, rc.got[1].body) {
		t.Fatalf("receiver got %d callbacks, want the same one twice (a 500, then a retry)", len(rc.got))
	}
	cb, err := p.(providers.CallbackVerifier).VerifyCallback(rc.got[1].header, rc.got[1].body)
	if err != nil {
		t.Fatalf("VerifyCallback: %v", err)
	}
	if cb.Type != "deposit" || cb.Status != "confirmed" || cb.Address != addr.Address || cb.Tag != addr.Tag || cb.Amount != "25.5" || cb.Currency != "XRP" {
		t.Errorf("callback = %+v", cb)
	}
	tampered := bytes.Replace(rc.got[1].body, []byte(`"25.5"`), []byte(`"255"`), 1)
	if _, err := p.(providers.CallbackVerifier).VerifyCallback(rc.got[1].header, tampered); err == nil || !strings.Contains(err.Error(), "signature mismatch") {
		t.Errorf("tampered body: %v, want a signature mismatch", err)
	}
	if _, err := emu.Deposit(emulator.Deposit{Address: "rNotTaken", Amount: "1"}); !errors.Is(err, emulator.ErrNoAddress) {
		t.Errorf("deposit to an unknown address: %v", err)
	}
	// Deposits and the callback URL survive a restart.
	again, err := sandbox.New(sandbox.Options{Store: store.Journal("wllxpay")})
	if err != nil {
		t.Fatal(err)
	}
	if d := again.Deposits(); len(d) != 1 || d[0]["amount"] != "25.5" {
		t.Errorf("after restart: deposits %v", d)
	}
}
