package planner

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/state"
)

// fileTestPlans returns plans with every part a plan file holds: policy
// sections, approvals, verdicts with shared findings and a resolve (the
// policy plan); a forget, drift and a create; and no change at all.
func fileTestPlans(t *testing.T) map[string]*Plan {
	t.Helper()
	pol, _, _ := policyPlan(t, "approve")
	dir := t.TempDir()
	cfg := loadConfig(t, dir, map[string]string{"main.hcl": sandboxProvider + payoutBlock("kept", "k-1", "0.5", btcAddr(1)) + payoutBlock("new", "k-3", "0.25", btcAddr(4))})
	store := openStore(t, filepath.Join(dir, "payform.state.json"))
	t.Cleanup(func() { store.Close() })
	entries := append([]*state.Entry{{Op: state.OpApply, PlanID: "p0"}}, sent("kept", "k-1", "0.5", btcAddr(1))...)
	for _, e := range append(entries, sent("gone", "k-2", "0.1", btcAddr(2))...) {
		if err := store.Record(e, false); err != nil {
			t.Fatal(err)
		}
	}
	obs := &Observed{Current: map[string]providers.Object{`payout.kept`: {ID: "7", Status: providers.StatusConfirmed, RawStatus: "done"}}}
	mixed, diags := MakePlan(cfg, store.State(), obs, Options{PlanID: "plan-2", Now: t0, Version: "test"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	none, diags := MakePlan(loadConfig(t, t.TempDir(), map[string]string{"main.hcl": sandboxProvider}), state.New("l", "v"), nil, Options{PlanID: "plan-3", Now: t0})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	// Creates written member by member: keys and values json.Marshal
	// escapes, a tag, a deposit address (no amount).
	odd := sandboxProvider + `
payout "odd" {
  foreign_id = "k<&>\"\\'"
  currency   = "XRP"
  amount     = "12.5"
  address    = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"
  tag        = "123"
}
payout "café" {
  foreign_id = "k-2"
  currency   = "BTC"
  amount     = "0.00000001"
  address    = "` + btcAddr(9) + `"
}
payout "lt" {
  foreign_id = "lt<gt>"
  currency   = "BTC"
  amount     = "1"
  address    = "` + btcAddr(10) + `"
}
payout "amp" {
  foreign_id = "a&b"
  currency   = "BTC"
  amount     = "1"
  address    = "` + btcAddr(11) + `"
}
deposit_address_pool "customers" {
  currencies  = ["BTC"]
  foreign_ids = ["c-1"]
}
`
	strange, diags := MakePlan(loadConfig(t, t.TempDir(), map[string]string{"main.hcl": odd}), state.New("l", "v"), nil, Options{PlanID: "plan-4", Now: t0})
	if diags.HasErrors() || strange.Summary.Create != 5 {
		t.Fatalf("odd plan: %v %+v", diags, strange.Summary)
	}
	if len(pol.Changes) == 0 || pol.Policy == nil || len(mixed.Drift) != 1 || mixed.Summary.Forget != 1 || mixed.Summary.Create != 1 || none.HasChanges() {
		t.Fatalf("the test plans are not what they should be: %+v %+v %+v", pol.Summary, mixed.Summary, none.Summary)
	}
	return map[string]*Plan{"policy": pol, "mixed": mixed, "none": none, "odd": strange}
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	line, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return line
}

func regzip(t *testing.T, line []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(line)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestEncodeWritesTheDocument: the JSON Encode writes a change at a time
// is, byte for byte, json.Marshal of the whole document with its digest
// and mac (seal), and reads back as the plan it was written from.
func TestEncodeWritesTheDocument(t *testing.T) {
	for name, p := range fileTestPlans(t) {
		for _, key := range []state.Key{nil, state.Key("audit-key-of-32-bytes-for-tests!")} {
			want, wantDigest, err := toFile(p).seal(key)
			if err != nil {
				t.Fatal(err)
			}
			data, err := Encode(p, key)
			if err != nil {
				t.Fatal(err)
			}
			if got := gunzip(t, data); !bytes.Equal(got, want) {
				t.Errorf("%s: Encode wrote\n%s\nwant\n%s", name, got, want)
			}
			if p.Digest != wantDigest {
				t.Errorf("%s: digest %s, want %s", name, p.Digest, wantDigest)
			}
			back, err := Decode(data, "x.plan", key)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if d := Compare(back, p); d != "" || back.Digest != p.Digest {
				t.Errorf("%s: read back, the plan differs: %s (digest %s, want %s)", name, d, back.Digest, p.Digest)
			}
		}
	}
}

// TestDecodeRefusesEditedContent: an edit of the decompressed JSON is
// refused unless its digest is recomputed, and with an audit key even
// then; the file need not be compressed the way payform compresses it.
func TestDecodeRefusesEditedContent(t *testing.T) {
	p := fileTestPlans(t)["mixed"]
	key := state.Key("audit-key-of-32-bytes-for-tests!")
	for _, k := range []state.Key{nil, key} {
		data, err := Encode(p, k)
		if err != nil {
			t.Fatal(err)
		}
		line := gunzip(t, data)
		if _, err := Decode(regzip(t, line), "same.plan", k); err != nil {
			t.Fatalf("recompressed unchanged: %v", err)
		}
		edited := bytes.Replace(line, []byte(`"amount":"0.25"`), []byte(`"amount":"2.50"`), 1)
		if bytes.Equal(edited, line) {
			t.Fatalf("no amount 0.25 in %s", line)
		}
		var altered *AlteredError
		_, err = Decode(regzip(t, edited), "edited.plan", k)
		if !errors.As(err, &altered) || altered.Reason != "its content does not match its digest" {
			t.Errorf("edited content: %v, want the digest mismatch", err)
		}
		if altered != nil && altered.Plan.Changes[1].Amount.String() != "2.5" {
			t.Errorf("the altered plan holds %s %s, want what the file says (2.5)", altered.Plan.Changes[1].Address, altered.Plan.Changes[1].Amount)
		}
		// Recompute the digest as anyone can.
		body, _, mac, ok := unseal(edited)
		if !ok {
			t.Fatal("cannot unseal")
		}
		i := bytes.LastIndex(edited, []byte(digestMember))
		forged := append([]byte{}, edited[:i]...)
		forged = append(forged, digestMember+digestOf(body)+`"`...)
		if mac != "" {
			forged = append(forged, `,"mac":"`+mac+`"`...)
		}
		forged = append(forged, "}\n"...)
		_, err = Decode(regzip(t, forged), "forged.plan", k)
		switch {
		case k == nil && err != nil:
			t.Errorf("a recomputed digest without a key: %v (re-deriving the plan is what catches it)", err)
		case k != nil && (!errors.As(err, &altered) || !strings.Contains(altered.Reason, "mac does not match")):
			t.Errorf("a recomputed digest with a key: %v, want the mac mismatch", err)
		}
	}
}

// TestPlanFileSize: 10,000 payouts to distinct addresses, as a CSV batch
// declares them, take at most 120 bytes a change in a plan file (issue
// 15: a plan file of 1M changes ≤ 120 MB; BenchmarkPlanFile reports the
// figure).
func TestPlanFileSize(t *testing.T) {
	const n = 10_000
	cfg := loadConfig(t, t.TempDir(), payoutsHCL("", n, "0.001"))
	p, diags := MakePlan(cfg, state.New("l", "v"), nil, Options{PlanID: "p", Now: t0})
	if diags.HasErrors() || p.Summary.Create != n {
		t.Fatalf("plan: %v %+v", diags, p.Summary)
	}
	data, err := Encode(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if per := len(data) / n; per > 120 {
		t.Errorf("%d bytes for %d changes: %d a change, want ≤ 120", len(data), n, per)
	}
}

// TestFirstSorted: the sample of new destinations is the first names,
// sorted, as naming and sorting them all and cutting would give; names
// compare as strings (a tag after the address, a prefix before longer).
func TestFirstSorted(t *testing.T) {
	set := map[dest]bool{}
	for i := range 500 {
		set[dest{"BTC", btcAddr(i), ""}] = true
	}
	for _, d := range []dest{{"XRP", "rA", "1"}, {"XRP", "rA", ""}, {"XRP", "rA", "12"}, {"XRP", "rAB", ""}, {"XR", "P", ""}, {"BT", "", ""}, {"BTC", "", ""}} {
		set[d] = true
	}
	all := make([]string, 0, len(set))
	for d := range set {
		all = append(all, d.String())
	}
	slices.Sort(all)
	for _, n := range []int{0, 1, 20, 499, len(set), len(set) + 1} {
		want := all[:min(n, len(all))]
		if got := firstSorted(set, n); !slices.Equal(got, want) {
			t.Errorf("n=%d: got %v, want %v", n, got, want)
		}
	}
	// The largest, too: sort them the other way.
	for d := range set {
		for _, s := range all[len(all)-12:] {
			if got, want := d.compare(s), strings.Compare(d.String(), s); got != want {
				t.Errorf("%q compared with %q: %d, want %d", d.String(), s, got, want)
			}
		}
	}
}

// TestAmountSum: the sum equals decimal.Add's, at the same exponent,
// for amounts of mixed scales, coefficients past int64 and sums that
// overflow it.
func TestAmountSum(t *testing.T) {
	cases := [][]string{
		{},
		{"0.001", "0.001", "0.002"},
		{"0.001", "12", "0.00000001", "5.5"},
		{"9223372036854775807", "1", "0.1"},
		{"922337203685477580.7", "922337203685477580.7", "0.1"},
		{"123456789012345678901234567890", "0.5"},
	}
	for _, c := range cases {
		var s amountSum
		want := decimal.Decimal{}
		for _, a := range c {
			d := decimal.RequireFromString(a)
			s.add(d)
			want = want.Add(d)
		}
		if got := s.value(); !got.Equal(want) || got.Exponent() != want.Exponent() {
			t.Errorf("%v: sum %s (exp %d), want %s (exp %d)", c, got, got.Exponent(), want, want.Exponent())
		}
	}
}
