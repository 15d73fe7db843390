package schema

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/zclconf/go-cty/cty"
)

// TestVariablePrecedence checks where a variable's value comes from:
// environment < --var-file (in order) < --var (in order), and the default
// only when nothing is given.
func TestVariablePrecedence(t *testing.T) {
	const decl = `variable "month" {
  type        = string
  default     = "2026-11"
  description = "The payout month."
}
`
	files := map[string]string{
		"main.hcl":   decl,
		"a.tfvars":   "month = \"from-a\"\n",
		"b.tfvars":   "month = \"from-b\"\n",
		"c.json":     `{"month": "from-json"}`,
		"empty.json": `{}`,
	}
	tests := []struct {
		name       string
		env        []string
		varFiles   []string
		vars       []string
		want       string
		wantSource string
	}{
		{name: "default", want: "2026-11", wantSource: "default"},
		{name: "environment", env: []string{"PAYFORM_VAR_month=from-env"}, want: "from-env", wantSource: "environment"},
		{name: "environment variables of other names are ignored", env: []string{"PAYFORM_VAR_MONTH=x", "month=y", "PAYFORM_VAR_other=z"}, want: "2026-11", wantSource: "default"},
		{name: "var file", varFiles: []string{"a.tfvars"}, want: "from-a", wantSource: "--var-file a.tfvars"},
		{name: "JSON var file", varFiles: []string{"c.json"}, want: "from-json", wantSource: "--var-file c.json"},
		{name: "var file that does not set it", varFiles: []string{"empty.json"}, want: "2026-11", wantSource: "default"},
		{name: "var file over environment", env: []string{"PAYFORM_VAR_month=from-env"}, varFiles: []string{"a.tfvars"}, want: "from-a", wantSource: "--var-file a.tfvars"},
		{name: "later var file wins", varFiles: []string{"b.tfvars", "a.tfvars"}, want: "from-a", wantSource: "--var-file a.tfvars"},
		{name: "var over var file and environment", env: []string{"PAYFORM_VAR_month=from-env"}, varFiles: []string{"a.tfvars"}, vars: []string{"month=from-var"}, want: "from-var", wantSource: "--var"},
		{name: "later var wins", vars: []string{"month=first", "month=second"}, want: "second", wantSource: "--var"},
		{name: "var value with =", vars: []string{"month=a=b"}, want: "a=b", wantSource: "--var"},
		{name: "empty var value", vars: []string{"month="}, want: "", wantSource: "--var"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, files)
			var varFiles []string
			for _, f := range tt.varFiles {
				varFiles = append(varFiles, filepath.Join(dir, f))
			}
			cfg := mustLoad(t, Options{Dir: dir, Env: tt.env, VarFiles: varFiles, Vars: tt.vars})
			source := tt.wantSource
			if name, ok := strings.CutPrefix(source, "--var-file "); ok {
				source = "--var-file " + filepath.Join(dir, name)
			}
			want := []*Variable{{Name: "month", Description: "The payout month.", Type: cty.String, Value: cty.StringVal(tt.want), Source: source}}
			if diff := cmp.Diff(want, cfg.Variables, cmpOpts, cmpopts.IgnoreFields(Variable{}, "DeclRange")); diff != "" {
				t.Errorf("variables (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVariableTypes checks that values are converted to the declared
// type, whatever their source.
func TestVariableTypes(t *testing.T) {
	files := map[string]string{
		"main.hcl": `variable "n" {
  type = number
}

variable "ids" {
  type = list(string)
}

variable "rates" {
  type = map(number)
}

variable "on" {
  type    = bool
  default = false
}

variable "any" {
  default = "x"
}

variable "secret" {
  type      = string
  sensitive = true
  default   = "s"
}
`,
		"v.json": `{"rates": {"BTC": 0.5, "ETH": "2"}}`,
	}
	dir := writeFiles(t, files)
	cfg := mustLoad(t, Options{
		Dir:      dir,
		Vars:     []string{"n=12.50", `ids=["po-1", "po-2"]`},
		VarFiles: []string{filepath.Join(dir, "v.json")},
		Env:      []string{"PAYFORM_VAR_on=true", "PAYFORM_VAR_any=7"},
	})
	want := []*Variable{
		{Name: "any", Type: cty.DynamicPseudoType, Value: cty.StringVal("7"), Source: "environment"},
		{Name: "ids", Type: cty.List(cty.String), Value: cty.ListVal([]cty.Value{cty.StringVal("po-1"), cty.StringVal("po-2")}), Source: "--var"},
		{Name: "n", Type: cty.Number, Value: cty.MustParseNumberVal("12.5"), Source: "--var"},
		{Name: "on", Type: cty.Bool, Value: cty.True, Source: "environment"},
		{Name: "rates", Type: cty.Map(cty.Number), Value: cty.MapVal(map[string]cty.Value{"BTC": cty.MustParseNumberVal("0.5"), "ETH": cty.NumberIntVal(2)}), Source: "--var-file " + filepath.Join(dir, "v.json")},
		{Name: "secret", Type: cty.String, Sensitive: true, Value: cty.StringVal("s"), Source: "default"},
	}
	if diff := cmp.Diff(want, cfg.Variables, cmpOpts, cmpopts.IgnoreFields(Variable{}, "DeclRange")); diff != "" {
		t.Errorf("variables (-want +got):\n%s", diff)
	}
}

// TestVariablesInResources checks that variable values reach resources,
// and that a sensitive one is not marked in Config.Variables.
func TestVariablesInResources(t *testing.T) {
	dir := writeFiles(t, config(`variable "month" {
  type = string
}

variable "amount" {
  type    = number
  default = 0.5
}
`, payoutHCL("x", "foreign_id", `"po-${var.month}"`, "amount", "var.amount")))
	cfg := mustLoad(t, Options{Dir: dir, Vars: []string{"month=2026-12", "amount=0.0150"}})
	want := []decoded{{Addr: "payout.x", Provider: "wllxpay", Key: "po-2026-12", Amount: dec("0.015"), Currency: "BTC", Attrs: map[string]string{"address": btcAddr}}}
	if diff := cmp.Diff(want, decodedAll(cfg.Resources), cmpOpts); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}
