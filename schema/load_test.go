package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

func TestLoadResources(t *testing.T) {
	btc := func(addr, key, amount string) decoded {
		return decoded{Addr: addr, Provider: "wllxpay", Key: key, Amount: dec(amount), Currency: "BTC", Attrs: map[string]string{"address": btcAddr}}
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []decoded
	}{
		{
			name:  "literal payout",
			files: config(payoutHCL("single")),
			want:  []decoded{btc("payout.single", "po-1", "0.015")},
		},
		{
			name: "for_each over a map",
			files: config(payoutHCL("vendor",
				"for_each", `{ "po-2" = "0.02", "po-1" = 0.01 }`,
				"foreign_id", "each.key", "amount", "each.value")),
			want: []decoded{
				btc(`payout.vendor["po-1"]`, "po-1", "0.01"),
				btc(`payout.vendor["po-2"]`, "po-2", "0.02"),
			},
		},
		{
			name: "for_each over a set",
			files: config(payoutHCL("vendor",
				"for_each", `toset(["po-2", "po-1", "po-2"])`,
				"foreign_id", "each.value")),
			want: []decoded{
				btc(`payout.vendor["po-1"]`, "po-1", "0.015"),
				btc(`payout.vendor["po-2"]`, "po-2", "0.015"),
			},
		},
		{
			name: "for_each over a CSV file",
			files: with(config(payoutHCL("vendor",
				"for_each", `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v }`,
				"foreign_id", "each.key",
				"currency", "each.value.currency",
				"amount", "each.value.amount",
				"address", "each.value.address",
				"tag", `try(each.value.tag, null)`)),
				"vendors.csv", "foreign_id,currency,amount,address,tag\n"+
					"po-1,BTC,0.0150,"+btcAddr+",\n"+
					"po-2,XRP,12.5,"+xrpAddr+",00123\n"+
					"po-3,USDTT,100,"+trxAddr+",\n"),
			want: []decoded{
				btc(`payout.vendor["po-1"]`, "po-1", "0.015"),
				{Addr: `payout.vendor["po-2"]`, Provider: "wllxpay", Key: "po-2", Amount: dec("12.5"), Currency: "XRP", Attrs: map[string]string{"address": xrpAddr, "tag": "123"}},
				{Addr: `payout.vendor["po-3"]`, Provider: "wllxpay", Key: "po-3", Amount: dec("100"), Currency: "USDTT", Attrs: map[string]string{"address": trxAddr}},
			},
		},
		{
			name:  "an empty tag is no tag",
			files: config(payoutHCL("x", "tag", `""`)),
			want:  []decoded{btc("payout.x", "po-1", "0.015")},
		},
		{
			name: "locals depending on locals, in any order and block",
			files: config(`locals {
  id = "${local.prefix}-${local.n}"
}

locals {
  prefix = lower(local.upper)
  n      = 1
  upper  = "PO"
}
`, payoutHCL("x", "foreign_id", "local.id")),
			want: []decoded{btc("payout.x", "po-1", "0.015")},
		},
		{
			name:  "number amount",
			files: config(payoutHCL("x", "amount", "0.015")),
			want:  []decoded{btc("payout.x", "po-1", "0.015")},
		},
		{
			name:  "string amount with trailing zeros",
			files: config(payoutHCL("x", "amount", `"0.0150"`)),
			want:  []decoded{btc("payout.x", "po-1", "0.015")},
		},
		{
			name:  "exact number arithmetic",
			files: config(payoutHCL("x", "amount", "0.1 + 0.2")),
			want:  []decoded{btc("payout.x", "po-1", "0.3")},
		},
		{
			name:  "whole BTC with 8 decimals",
			files: config(payoutHCL("x", "amount", `"21000000.00000001"`)),
			want:  []decoded{btc("payout.x", "po-1", "21000000.00000001")},
		},
		{
			name:  "ETH with 18 decimals",
			files: config(payoutHCL("x", "currency", `"ETH"`, "address", `"`+ethAddr+`"`, "amount", `"0.000000000000000001"`)),
			want:  []decoded{{Addr: "payout.x", Provider: "wllxpay", Key: "po-1", Amount: dec("0.000000000000000001"), Currency: "ETH", Attrs: map[string]string{"address": ethAddr}}},
		},
		{
			name:  "XRP with a number tag",
			files: config(payoutHCL("x", "currency", `"XRP"`, "address", `"`+xrpAddr+`"`, "amount", `"12.5"`, "tag", "4294967295")),
			want:  []decoded{{Addr: "payout.x", Provider: "wllxpay", Key: "po-1", Amount: dec("12.5"), Currency: "XRP", Attrs: map[string]string{"address": xrpAddr, "tag": "4294967295"}}},
		},
		{
			name: "provider by alias",
			files: map[string]string{"main.hcl": sandboxProvider + `
provider "wllxpay" {
  alias   = "eu"
  sandbox = true
}

` + payoutHCL("a", "provider", "wllxpay.eu") + payoutHCL("b", "provider", "wllxpay", "foreign_id", `"po-2"`)},
			want: []decoded{
				{Addr: "payout.a", Provider: "wllxpay.eu", Key: "po-1", Amount: dec("0.015"), Currency: "BTC", Attrs: map[string]string{"address": btcAddr}},
				btc("payout.b", "po-2", "0.015"),
			},
		},
		{
			name: "one aliased provider needs no provider attribute",
			files: map[string]string{"main.hcl": `provider "wllxpay" {
  alias   = "eu"
  sandbox = true
}

` + payoutHCL("x")},
			want: []decoded{{Addr: "payout.x", Provider: "wllxpay.eu", Key: "po-1", Amount: dec("0.015"), Currency: "BTC", Attrs: map[string]string{"address": btcAddr}}},
		},
		{
			name: "several files",
			files: map[string]string{
				"providers.hcl": sandboxProvider,
				"a.hcl":         payoutHCL("a"),
				"b.hcl":         payoutHCL("b", "foreign_id", `"po-2"`),
			},
			want: []decoded{btc("payout.a", "po-1", "0.015"), btc("payout.b", "po-2", "0.015")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoad(t, Options{Dir: writeFiles(t, tt.files)})
			if diff := cmp.Diff(tt.want, decodedAll(cfg.Resources), cmpOpts); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddrString(t *testing.T) {
	tests := []struct {
		addr Addr
		want string
	}{
		{Addr{Type: "payout", Name: "single"}, "payout.single"},
		{Addr{Type: "payout", Name: "vendor", Key: "po-1", HasKey: true}, `payout.vendor["po-1"]`},
		{Addr{Type: "payout", Name: "vendor", Key: "", HasKey: true}, `payout.vendor[""]`},
		{Addr{Type: "payout", Name: "vendor", Key: `a"b\c`, HasKey: true}, `payout.vendor["a\"b\\c"]`},
	}
	for _, tt := range tests {
		if got := tt.addr.String(); got != tt.want {
			t.Errorf("%#v.String() = %s, want %s", tt.addr, got, tt.want)
		}
	}
}

// TestLoadRanges checks that a resource keeps where each attribute was
// written, so that plan errors can point at it.
func TestLoadRanges(t *testing.T) {
	dir := writeFiles(t, config(payoutHCL("x")))
	cfg := mustLoad(t, Options{Dir: dir})
	if len(cfg.Resources) != 1 {
		t.Fatalf("got %d resources, want 1", len(cfg.Resources))
	}
	r := cfg.Resources[0]
	type pos struct {
		File string
		Line int
	}
	at := func(attr string) pos {
		rng := r.Range(attr)
		rel, err := filepath.Rel(dir, rng.Filename)
		if err != nil {
			t.Fatal(err)
		}
		return pos{rel, rng.Start.Line}
	}
	got := map[string]pos{"foreign_id": at("foreign_id"), "amount": at("amount"), "address": at("address"), "tag": at("tag")}
	want := map[string]pos{
		"foreign_id": {"main.hcl", 6}, "amount": {"main.hcl", 8}, "address": {"main.hcl", 9},
		"tag": {"main.hcl", 5}, // not written: the block's own range
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ranges (-want +got):\n%s", diff)
	}
}

// TestConfigFilesConfined: a *.hcl in the configuration directory that is a
// symlink out of it (to the runner's environment, a secret file) is
// refused, and nothing it points at reaches a diagnostic or the
// configuration; one that stays inside is read.
func TestConfigFilesConfined(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.hcl")
	if err := os.WriteFile(outside, []byte("WLLXPAY_SECRET_KEY = hunter2hunter2 ="), 0o600); err != nil {
		t.Fatal(err)
	}
	main := `provider "wllxpay" { sandbox = true }
`
	for _, tc := range []struct{ target, want string }{
		{outside, "x.hcl is a symlink leading outside its directory"},
		{"/proc/self/environ", "x.hcl is a symlink leading outside its directory"},
		{"inside.txt", ""},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(main), 0o600); err != nil {
			t.Fatal(err)
		}
		payout := `payout "x" {
  foreign_id = "po-1"
  currency   = "BTC"
  amount     = "0.1"
  address    = "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"
}
`
		if err := os.WriteFile(filepath.Join(dir, "inside.txt"), []byte(payout), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(tc.target, filepath.Join(dir, "x.hcl")); err != nil {
			t.Fatal(err)
		}
		cfg, diags := Load(Options{Dir: dir, Gateways: testGateways, Env: []string{"CI_SECRET=hunter2hunter2"}})
		var shown strings.Builder
		wr := hcl.NewDiagnosticTextWriter(&shown, cfg.Files, 100, false)
		wr.WriteDiagnostics(diags)
		switch {
		case tc.want == "" && diags.HasErrors():
			t.Errorf("symlink to %s: %v", tc.target, diags)
		case tc.want == "" && len(cfg.Resources) != 1:
			t.Errorf("symlink to %s: resources %v", tc.target, addrs(cfg.Resources))
		case tc.want != "" && !strings.Contains(shown.String(), tc.want):
			t.Errorf("symlink to %s:\n%s\nwant %q", tc.target, shown.String(), tc.want)
		case strings.Contains(shown.String(), "hunter2"):
			t.Errorf("symlink to %s put the secret in a message:\n%s", tc.target, shown.String())
		}
		if tc.want != "" {
			if _, err := ReadConfigFile(filepath.Join(dir, "x.hcl")); !errors.Is(err, errOutside) {
				t.Errorf("ReadConfigFile through a symlink to %s: %v", tc.target, err)
			}
		}
	}
}

// TestFileConfined: file() reads only inside the configuration directory:
// a symlink pointing out of it (to the runner's environment, a secret
// file) is refused like an absolute path or a .. that leaves it, and
// nothing it points at reaches the configuration; a symlink that stays
// inside is followed.
func TestFileConfined(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("WLLXPAY_SECRET_KEY=hunter2hunter2"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ids.txt"), []byte("po-1"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"out.txt": outside, "environ": "/proc/self/environ", "in.txt": "ids.txt"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ path, want string }{
		{"out.txt", `"out.txt" leads outside the configuration directory`},
		{"environ", `"environ" leads outside the configuration directory`},
		{"in.txt", ""},
	} {
		hcl := `provider "wllxpay" { sandbox = true }
payout "x" {
  foreign_id = trimspace(file("` + tc.path + `"))
  currency   = "BTC"
  amount     = "0.1"
  address    = "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"
}
`
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(hcl), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, diags := Load(Options{Dir: dir, Gateways: testGateways})
		switch {
		case tc.want == "" && diags.HasErrors():
			t.Errorf("file(%q): %v", tc.path, diags)
		case tc.want == "" && (len(cfg.Resources) != 1 || cfg.Resources[0].Key != "po-1"):
			t.Errorf("file(%q): resources %v", tc.path, addrs(cfg.Resources))
		case tc.want != "" && !strings.Contains(diags.Error(), tc.want):
			t.Errorf("file(%q) = %v, want %q", tc.path, diags, tc.want)
		case tc.want != "" && strings.Contains(diags.Error(), "hunter2"):
			t.Errorf("file(%q) put the secret in a message: %v", tc.path, diags)
		}
	}
}
