package inbox

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func accepted(id, status string) *Item {
	u := &url.URL{Path: "/"}
	body := []byte(`{"id":"` + id + `","status":"` + status + `"}`)
	return &Item{ReceivedAt: t0, Gateway: "wllxpay", Verdict: Accepted, Provider: "wllxpay", Account: "acct", Via: "signature",
		Callback: &Callback{Type: "withdrawal", ID: id, Key: "po-" + id, Status: status,
			Object: &Object{Kind: "payout", Key: "po-" + id, ID: id, Status: "failed", RawStatus: status, Amount: "0.25", Currency: "BTC"}},
		Request: NewRequest("POST", u, nil, body), Digest: RequestDigest("POST", u, body)}
}

func collect(t *testing.T, s Store, after uint64) []*Item {
	t.Helper()
	var out []*Item
	if err := s.Items(context.Background(), after, func(it *Item) error { out = append(out, it); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLocalKeepsAndDedupes(t *testing.T) {
	ctx := context.Background()
	statePath := filepath.Join(t.TempDir(), "payform.state.json")
	w, err := OpenLocal(statePath, true)
	if err != nil {
		t.Fatal(err)
	}
	seq, added, err := w.Add(ctx, accepted("12", "error"))
	if err != nil || seq != 1 || !added {
		t.Fatalf("Add = %d %v %v", seq, added, err)
	}
	// The same callback again (a gateway's retry) is not kept twice.
	if seq, added, err := w.Add(ctx, accepted("12", "error")); err != nil || seq != 1 || added {
		t.Fatalf("repeat: Add = %d %v %v, want 1 false", seq, added, err)
	}
	// Same id, another status: another callback.
	if seq, added, _ := w.Add(ctx, accepted("12", "cancelled")); seq != 2 || !added {
		t.Fatalf("another status: Add = %d %v", seq, added)
	}
	// A rejected item is kept apart, its body cut.
	big := &Item{ReceivedAt: t0, Gateway: "wllxpay", Verdict: Rejected, Reason: "not verified",
		Request: Request{Method: "POST", Path: "/", Body: strings.Repeat("x", MaxApartBody*3)}}
	if seq, added, _ := w.Add(ctx, big); seq != 3 || !added {
		t.Fatalf("rejected: Add = %d %v", seq, added)
	}
	// A second writer is refused while the first holds the inbox.
	if _, err := OpenLocal(statePath, true); !errors.Is(err, ErrBusy) {
		t.Fatalf("second writer: %v, want ErrBusy", err)
	}
	// A reader sees every item, in order, even while it is written.
	r, _ := OpenLocal(statePath, false)
	items := collect(t, r, 0)
	if len(items) != 3 || items[0].Callback.Object.Amount != "0.25" || items[2].Verdict != Rejected || !items[2].Request.Truncated || len(items[2].Request.Body) != MaxApartBody {
		t.Fatalf("items: %+v", items)
	}
	if fi, _ := os.Stat(LocalPath(statePath)); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	w.Close()

	// Reopened after a crash that tore a line: the torn line is dropped,
	// numbering and de-duplication go on.
	f, _ := os.OpenFile(LocalPath(statePath), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"seq":4,"received_at":"2026-`)
	f.Close()
	w, err = OpenLocal(statePath, true)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if seq, added, _ := w.Add(ctx, accepted("12", "error")); seq != 1 || added {
		t.Errorf("repeat after reopening: %d %v", seq, added)
	}
	if seq, _, _ := w.Add(ctx, accepted("13", "confirmed")); seq != 4 {
		t.Errorf("next seq after the torn line: %d, want 4", seq)
	}
	if n := len(collect(t, r, 0)); n != 4 {
		t.Errorf("%d items after reopening, want 4", n)
	}
}

func TestLocalFoldedCursor(t *testing.T) {
	ctx := context.Background()
	statePath := filepath.Join(t.TempDir(), "payform.state.json")
	w, _ := OpenLocal(statePath, true)
	defer w.Close()
	r, _ := OpenLocal(statePath, false)
	if n, err := r.Folded(ctx); n != 0 || err != nil {
		t.Fatalf("Folded of a new inbox: %d %v", n, err)
	}
	if items := collect(t, r, 0); len(items) != 0 {
		t.Fatalf("a new inbox has %d items", len(items))
	}
	for i := range 5 {
		w.Add(ctx, accepted(string(rune('a'+i)), "confirmed"))
	}
	items := collect(t, r, 2)
	if len(items) != 3 || items[0].Seq != 3 {
		t.Fatalf("after 2: %d items, first %d", len(items), items[0].Seq)
	}
	if err := r.SetFolded(ctx, 3, map[uint64]string{2: "a repeat"}); err != nil {
		t.Fatal(err)
	}
	if err := r.SetFolded(ctx, 5, map[uint64]string{4: "kept apart: no record", 2: "overwritten?"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := r.Folded(ctx); n != 5 {
		t.Fatalf("Folded = %d, want 5", n)
	}
	if notes, _ := r.Notes(ctx); len(notes) != 2 || notes[2] != "a repeat" || notes[4] != "kept apart: no record" {
		t.Fatalf("Notes = %v: every note kept, the first one of an item", notes)
	}
	w.Add(ctx, accepted("f", "confirmed"))
	// From the cursor's offset: only the new one.
	if items := collect(t, r, 5); len(items) != 1 || items[0].Seq != 6 {
		t.Fatalf("after the cursor: %+v", items)
	}
	// A cursor whose offset is wrong (the file was replaced) falls back
	// to reading from the first item.
	os.WriteFile(LocalPath(statePath)+".folded", []byte(`{"folded":5,"offset":3}`), 0o600)
	if items := collect(t, r, 5); len(items) != 1 || items[0].Seq != 6 {
		t.Fatalf("after a bad offset: %+v", items)
	}
}

func TestReceiverKeepsApartAGatewayNoBlockNames(t *testing.T) {
	store, _ := OpenLocal(filepath.Join(t.TempDir(), "payform.state.json"), true)
	defer store.Close()
	rv := &Receiver{Store: store, Known: []string{"coinilla"}}
	out := rv.Receive(httptestRequest("POST", "/coinilla", "state=OK"))
	if out.Status != 404 || out.Item == nil || out.Item.Verdict != Rejected || !strings.Contains(out.Item.Reason, "no provider block for coinilla") {
		t.Fatalf("Receive = %+v", out)
	}
	if items := collect(t, store, 0); len(items) != 1 || items[0].Request.Body != "state=OK" {
		t.Fatalf("kept: %+v", items)
	}
}

func httptestRequest(method, target, body string) *http.Request {
	return httptest.NewRequest(method, target, strings.NewReader(body))
}

func TestReceiverBoundsWhatItKeepsApart(t *testing.T) {
	store, _ := OpenLocal(filepath.Join(t.TempDir(), "payform.state.json"), true)
	defer store.Close()
	rv := &Receiver{Store: store, Known: []string{"coinilla"}, MaxApart: 3}
	for i := range 5 {
		out := rv.Receive(httptestRequest("POST", "/coinilla", "forged"))
		if out.Status != 404 || (i < 3) != (out.Item != nil) {
			t.Fatalf("request %d: %+v", i, out)
		}
	}
	if items := collect(t, store, 0); len(items) != 3 {
		t.Fatalf("kept %d, want 3", len(items))
	}
}
