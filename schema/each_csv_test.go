package schema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// csvForEach is the for_each of a batch from vendors.csv.
const csvForEach = `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v }`

// eachCSVBlocks are payout blocks over vendors.csv, each writing its
// attributes another way; fast says whether expandCSV reads the rows
// (the for_each's shape), whatever the CSV holds.
var eachCSVBlocks = []struct {
	name string
	fast bool
	src  string
}{
	{"columns", true, payoutHCL("v", "for_each", csvForEach, "foreign_id", "each.key", "currency", "each.value.currency",
		"amount", "each.value.amount", "address", "each.value.address", "tag", "each.value.tag")},
	{"index-and-constants", true, payoutHCL("v", "for_each", `{ for v in csvdecode(file("vendors.csv")) : v["foreign_id"] => v }`,
		"foreign_id", `each.value["foreign_id"]`, "currency", `"BTC"`, "amount", "each.value.amount", "address", `"`+btcAddr+`"`)},
	{"functions", true, payoutHCL("v", "for_each", csvForEach, "foreign_id", `"x-${each.key}"`, "currency", "upper(each.value.currency)",
		"amount", "each.value.amount", "address", "trimspace(each.value.address)", "tag", "try(each.value.tag, null)")},
	{"number-and-null", true, payoutHCL("v", "for_each", csvForEach, "foreign_id", "each.key", "currency", `"BTC"`,
		"amount", "1", "address", "each.value.address", "tag", "null")},
	{"missing-column", true, payoutHCL("v", "for_each", csvForEach, "foreign_id", "each.key", "currency", "each.value.currency",
		"amount", "each.value.price", "address", "each.value.address")},
	{"failing-constant", true, payoutHCL("v", "for_each", csvForEach, "foreign_id", "each.key", "currency", `"BTC"`,
		"amount", "each.value.amount", "address", `file("nope.txt")`)},
	{"whole-object", true, payoutHCL("v", "for_each", csvForEach, "foreign_id", "each.key", "currency", "each.value",
		"amount", "each.value.amount", "address", "each.value.address")},
	{"condition", false, payoutHCL("v", "for_each", `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v if v.amount != "0" }`,
		"foreign_id", "each.key", "currency", "each.value.currency", "amount", "each.value.amount", "address", "each.value.address")},
	{"value-not-the-row", false, payoutHCL("v", "for_each", `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v.amount }`,
		"foreign_id", "each.key", "currency", `"BTC"`, "amount", "each.value", "address", `"`+btcAddr+`"`)},
	{"sensitive-source", false, `variable "data" {
  type      = string
  sensitive = true
  default   = "foreign_id,amount\npo-1,0.01\n"
}
` + payoutHCL("v", "for_each", `{ for v in csvdecode(var.data) : v.foreign_id => v }`, "foreign_id", "each.key", "amount", "each.value.amount")},
}

// eachCSVFiles are contents of vendors.csv: good rows, rows every
// attribute refuses, and files csvdecode or the for expression refuse.
var eachCSVFiles = []struct {
	name string
	csv  string
	// fast says whether expandCSV takes the rows (for the blocks that
	// have its shape); otherwise HCL reports what is wrong.
	fast bool
}{
	{"good", "foreign_id,currency,amount,address,tag\npo-2,BTC,0.0150," + btcAddr + ",\npo-1,BTC,2," + btcAddr2 + ",\npo-10,XRP,12.5," + xrpAddr + ",123\n", true},
	{"crlf-quoted-unicode", "foreign_id,currency,amount,address,tag\r\n\"po,1\",BTC,\"0.01\"," + btcAddr + ",\r\n\"cafe\u0301\",BTC,1," + btcAddr + ",\"a\nb\"\r\n", true},
	{"bad-values", "foreign_id,currency,amount,address,tag\n,BTC,0.01," + btcAddr + ",\npo 2,BTC,-1,nope,\npo-3,DOGE,0.000000001," + btcAddr + ",x\npo-4,XRP,1," + xrpAddr + ",abc\n", true},
	{"header-only", "foreign_id,currency,amount,address,tag\n", true},
	{"case-duplicates", "foreign_id,currency,amount,address,tag\nPO-1,BTC,1," + btcAddr + ",\npo-1,BTC,1," + btcAddr + ",\n", true},
	{"duplicate-key", "foreign_id,currency,amount,address,tag\npo-1,BTC,1," + btcAddr + ",\npo-1,BTC,2," + btcAddr + ",\n", false},
	{"wrong-field-count", "foreign_id,currency,amount,address,tag\npo-1,BTC,1," + btcAddr + "\n", false},
	{"bare-quote", "foreign_id,currency,amount,address,tag\npo-\"1,BTC,1," + btcAddr + ",\n", false},
	{"duplicate-column", "foreign_id,currency,amount,address,amount\npo-1,BTC,1," + btcAddr + ",2\n", false},
	{"no-key-column", "id,currency,amount,address,tag\npo-1,BTC,1," + btcAddr + ",\n", false},
	{"empty", "", false},
}

// TestEachCSV checks that reading a CSV for_each's rows without HCL
// gives exactly what HCL gives: the same instances with the same values
// and ranges, and the same diagnostics, rendered.
func TestEachCSV(t *testing.T) {
	for _, b := range eachCSVBlocks {
		for _, f := range eachCSVFiles {
			t.Run(b.name+"/"+f.name, func(t *testing.T) {
				dir := writeFiles(t, with(config(b.src), "vendors.csv", f.csv))
				want, wantDiags, _ := loadEach(t, dir, true)
				got, gotDiags, blocks := loadEach(t, dir, false)
				if fast := b.fast && f.fast; blocks != map[bool]int{true: 1, false: 0}[fast] {
					t.Errorf("expandCSV read %d blocks, want it to read them: %v", blocks, fast)
				}
				if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
					t.Errorf("resources (-hcl +rows):\n%s", diff)
				}
				if b.name == "missing-column" && f.fast && strings.Contains(wantDiags, "does not have an attribute named \"price\"") {
					// HCL says it once a row; the rows are read without HCL
					// to say it once, naming the file and its header.
					if n := strings.Count(gotDiags, "Error: Missing CSV column"); n != 1 || strings.Contains(gotDiags, "does not have an attribute") ||
						!strings.Contains(gotDiags, `vendors.csv has no column "price", which payout.v reads for each of its rows`) {
						t.Errorf("a missing column: want one diagnostic naming the file and its header, got:\n%s", gotDiags)
					}
					return
				}
				if wantDiags != gotDiags {
					t.Errorf("diagnostics differ\nhcl:\n%s\nrows:\n%s", wantDiags, gotDiags)
				}
			})
		}
	}
}

// eachDecoded is a resource as TestEachCSV compares it.
type eachDecoded struct {
	Decoded   decoded
	Address   string
	Ranges    map[string]hcl.Range
	DeclRange hcl.Range
}

// loadEach loads dir with or without expandCSV and returns the
// resources, the rendered diagnostics and how many blocks expandCSV read.
func loadEach(t *testing.T, dir string, hclOnly bool) ([]eachDecoded, string, int) {
	t.Helper()
	l := newLoader(Options{Dir: dir, Gateways: testGateways})
	l.hclOnly = hclOnly
	cfg, diags := l.load()
	var out []eachDecoded
	for i, d := range decodedAll(cfg.Resources) {
		r := cfg.Resources[i]
		out = append(out, eachDecoded{d, r.Address(), r.Ranges, r.DeclRange})
	}
	return out, renderDiags(t, cfg.Files, diags, dir) + fmt.Sprint(len(diags)), l.csvBlocks
}

// FuzzEachCSV feeds random CSV files to the blocks of TestEachCSV: with
// and without expandCSV, Load must give the same.
func FuzzEachCSV(f *testing.F) {
	for _, c := range eachCSVFiles {
		f.Add(c.csv)
	}
	f.Fuzz(func(t *testing.T, csv string) {
		for _, b := range eachCSVBlocks[:3] {
			dir := writeFiles(t, with(config(b.src), "vendors.csv", csv))
			want, wantDiags, _ := loadEach(t, dir, true)
			got, gotDiags, _ := loadEach(t, dir, false)
			if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
				t.Errorf("%s: resources (-hcl +rows):\n%s", b.name, diff)
			}
			if wantDiags != gotDiags {
				t.Errorf("%s: diagnostics differ\nhcl:\n%s\nrows:\n%s", b.name, wantDiags, gotDiags)
			}
		}
	})
}
