package cmd

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// TestWriteCSVColumns: payouts carry their amount, gateway id and status
// (they once came out as a pool's four columns, since they have the
// same foreign_id, currency, address and tag); pools keep their columns;
// anything else gets every attribute.
func TestWriteCSVColumns(t *testing.T) {
	str := cty.StringVal
	null := cty.NullVal(cty.String)
	for _, tc := range []struct {
		name string
		val  cty.Value
		want string
	}{
		{"payouts", cty.ObjectVal(map[string]cty.Value{
			"po-1": cty.ObjectVal(map[string]cty.Value{
				"key": str("po-1"), "foreign_id": str("po-1"), "amount": str("0.015"), "currency": str("BTC"),
				"address": str("bc1qxy"), "tag": null, "id": str("17"), "status": str("confirmed"),
			}),
			"po-2": cty.ObjectVal(map[string]cty.Value{
				"key": str("po-2"), "foreign_id": str("po-2"), "amount": str("25"), "currency": str("XRP"),
				"address": str("rXYZ"), "tag": str("42"), "id": str("18"), "status": str("failed"), "memo": str("x,y"),
			}),
		}), "foreign_id,currency,amount,address,tag,id,status,memo\n" +
			"po-1,BTC,0.015,bc1qxy,,17,confirmed,\n" +
			"po-2,XRP,25,rXYZ,42,18,failed,\"x,y\"\n"},
		{"pool", cty.ObjectVal(map[string]cty.Value{
			"c-1/XRP": cty.ObjectVal(map[string]cty.Value{
				"foreign_id": str("c-1"), "currency": str("XRP"), "address": str("rA"), "tag": str("9"), "id": str("3"), "status": str("active"),
			}),
		}), "foreign_id,currency,address,tag\nc-1,XRP,rA,9\n"},
		{"other", cty.TupleVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"b": str("2"), "a": str("1")}),
		}), "a,b\n1,2\n"},
	} {
		var b strings.Builder
		if err := writeCSV(&b, tc.val); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, b.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
