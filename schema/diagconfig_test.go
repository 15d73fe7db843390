package schema

import "strings"

// configDiagCases are bad configurations: block structure, providers,
// for_each, locals, variables, files and the payform block.
var configDiagCases = []diagCase{
	// Block structure.
	{name: "missing_required_attributes", files: config(`payout "x" {
}
`)},
	{name: "unknown_attribute_amout", files: config(payoutHCL("x", "amount", "", "amout", `"0.015"`))},
	{name: "malformed_unclosed_brace", files: config(`payout "x" {
  foreign_id = "po-1"
`)},
	{name: "malformed_missing_equals", files: config(`payout "x" {
  foreign_id "po-1"
}
`)},
	{name: "unknown_block_type", files: config(`payuot "x" {
}
`)},
	{name: "payout_duplicate_name", want: []string{"payout.x"}, files: config(
		payoutHCL("x"),
		payoutHCL("x", "foreign_id", `"po-2"`))},
	{name: "payout_invalid_name", files: config(payoutHCL("1st"))},
	{name: "each_without_for_each", files: config(payoutHCL("x", "foreign_id", "each.key"))},
	{name: "no_configuration_files", noSubject: true, files: map[string]string{"README.md": "not configuration\n"}},

	// Providers.
	{name: "provider_unknown_gateway", files: map[string]string{"main.hcl": `provider "wllxpy" {
  sandbox = true
}

` + payoutHCL("x")}},
	{name: "provider_none", files: map[string]string{"main.hcl": payoutHCL("x")}},
	{name: "provider_duplicate_without_alias", want: []string{"payout.x"}, files: map[string]string{"main.hcl": sandboxProvider + "\n" + sandboxProvider + "\n" + payoutHCL("x")}},
	{name: "provider_unknown_alias", files: config(payoutHCL("x", "provider", "wllxpay.nope"))},
	{name: "provider_ambiguous", files: map[string]string{"main.hcl": sandboxProvider + `
provider "wllxpay" {
  alias   = "eu"
  sandbox = true
}

` + payoutHCL("x")}},
	{name: "provider_string", files: config(payoutHCL("x", "provider", `"wllxpay"`))},
	{name: "provider_invalid_alias", files: map[string]string{"main.hcl": `provider "wllxpay" {
  alias   = "eu west"
  sandbox = true
}

` + payoutHCL("x", "provider", "wllxpay.eu")}},
	{name: "provider_alias_from_failed_variable", files: map[string]string{"main.hcl": `variable "region" {
  type = string
}

provider "wllxpay" {
  alias   = var.region
  sandbox = true
}

provider "wllxpay" {
  sandbox = true
}

` + payoutHCL("x", "provider", "wllxpay.eu")}},
	{name: "provider_http_endpoint", want: []string{"payout.x"}, files: map[string]string{"main.hcl": `provider "wllxpay" {
  endpoint   = "http://gateway.example.com/api/v1"
  api_key    = "k"
  secret_key = "s"
}

` + payoutHCL("x")}},
	{name: "provider_endpoint_with_sandbox", want: []string{"payout.x"}, files: map[string]string{"main.hcl": `provider "wllxpay" {
  sandbox  = true
  endpoint = "https://app.wllxpay.io/api/v1"
}

` + payoutHCL("x")}},
	{name: "provider_bad_timeout", want: []string{"payout.x"}, files: map[string]string{"main.hcl": `provider "wllxpay" {
  sandbox = true
  timeout = "30 seconds"
}

` + payoutHCL("x")}},
	{name: "provider_unknown_attribute", want: []string{"payout.x"}, files: map[string]string{"main.hcl": `provider "wllxpay" {
  sandbox = true
  apikey  = "k"
}

` + payoutHCL("x")}},

	// for_each.
	{name: "for_each_list", files: config(payoutHCL("x", "for_each", `["po-1", "po-2"]`, "foreign_id", "each.key"))},
	{name: "for_each_null", files: config(payoutHCL("x", "for_each", `null`, "foreign_id", "each.key"))},
	{name: "for_each_set_of_numbers", files: config(payoutHCL("x", "for_each", `toset([1, 2])`, "foreign_id", "each.key"))},
	{name: "for_each_10mb_key", files: config(payoutHCL("x", "for_each", "toset(["+tenMBString+"])", "amount", `"-1"`))},
	{name: "for_each_sensitive", files: config(`variable "ids" {
  type      = set(string)
  default   = ["po-1"]
  sensitive = true
}
`, payoutHCL("x", "for_each", `var.ids`, "foreign_id", "each.key"))},

	// Locals.
	{name: "locals_cycle", files: config(`locals {
  a = local.b
  b = local.a
}
`, payoutHCL("x", "foreign_id", "local.a"))},
	{name: "locals_cycle_3", files: config(`locals {
  a = local.b
  b = local.c
  c = local.a
}
`, payoutHCL("x", "foreign_id", "local.c"))},
	{name: "locals_undeclared", files: config(`locals {
  id = local.prefix
}
`, payoutHCL("x", "foreign_id", "local.id"))},
	{name: "locals_duplicate", want: []string{"payout.x"}, files: config(`locals {
  id = "po-1"
}

locals {
  id = "po-2"
}
`, payoutHCL("x", "foreign_id", "local.id"))},

	// Variables.
	{name: "var_undeclared", noSubject: true, want: []string{"payout.x"}, vars: []string{"montth=2026-11"}, files: config(`variable "month" {
  default = "2026-11"
}
`, payoutHCL("x"))},
	{name: "var_without_equals", noSubject: true, want: []string{"payout.x"}, vars: []string{"month"}, files: config(`variable "month" {
  default = "2026-11"
}
`, payoutHCL("x"))},
	{name: "var_wrong_type", vars: []string{"n=abc"}, files: config(`variable "n" {
  type = number
}
`, payoutHCL("x", "amount", "var.n"))},
	{name: "var_env_wrong_type", env: []string{"PAYFORM_VAR_n=abc"}, files: config(`variable "n" {
  type = number
}
`, payoutHCL("x", "amount", "var.n"))},
	{name: "var_required", files: config(`variable "month" {
  type = string
}
`, payoutHCL("x", "foreign_id", `"po-${var.month}"`))},
	{name: "var_default_wrong_type", files: config(`variable "n" {
  type    = number
  default = "abc"
}
`, payoutHCL("x", "amount", "var.n"))},
	{name: "var_duplicate", want: []string{"payout.x"}, files: config(`variable "month" {
  default = "2026-11"
}

variable "month" {
  default = "2026-12"
}
`, payoutHCL("x", "foreign_id", `"po-${var.month}"`))},
	{name: "var_file_undeclared", want: []string{"payout.x"}, varFiles: []string{"prod.tfvars"}, files: with(config(`variable "month" {
  default = "2026-11"
}
`, payoutHCL("x", "foreign_id", `"po-${var.month}"`)), "prod.tfvars", "montth = \"2026-12\"\n")},
	{name: "var_file_malformed", want: []string{"payout.x"}, varFiles: []string{"prod.tfvars"}, files: with(config(`variable "month" {
  default = "2026-11"
}
`, payoutHCL("x", "foreign_id", `"po-${var.month}"`)), "prod.tfvars", "month = \"2026-12\nyear 2026\n")},
	{name: "var_file_malformed_json", want: []string{"payout.x"}, varFiles: []string{"prod.json"}, files: with(config(`variable "month" {
  default = "2026-11"
}
`, payoutHCL("x", "foreign_id", `"po-${var.month}"`)), "prod.json", `{"month": "2026-12",}`)},
	{name: "var_file_missing", noSubject: true, want: []string{"payout.x"}, varFiles: []string{"missing.tfvars"}, files: config(`variable "month" {
  default = "2026-11"
}
`, payoutHCL("x", "foreign_id", `"po-${var.month}"`))},
	{name: "var_file_wrong_type", varFiles: []string{"prod.tfvars"}, files: with(config(`variable "n" {
  type = number
}
`, payoutHCL("x", "amount", "var.n")), "prod.tfvars", "n = \"abc\"\n")},
	{name: "sensitive_address", files: config(`variable "dest" {
  default   = "`+btcAddr+`"
  sensitive = true
}
`, payoutHCL("x", "address", "var.dest"))},
	{name: "sensitive_function_error", want: []string{"payout.x"}, secret: "s3cr3t-Value", env: []string{"PAYFORM_VAR_key=s3cr3t-Value"}, files: map[string]string{"main.hcl": `variable "key" {
  type      = string
  sensitive = true
}

locals {
  key = lower(var.key)
}

provider "wllxpay" {
  api_key    = parseint(var.key, 10)
  secret_key = regex("^[0-9]+$", local.key)
}

` + payoutHCL("x")}},
	{name: "sensitive_for_each_key_duplicate", secret: "s3cr3t", vars: []string{`ids=["s3cr3t", "S3CR3T"]`}, files: config(`variable "ids" {
  type      = list(string)
  sensitive = true
}
`, payoutHCL("x", "for_each", `{ for id in var.ids : lower(id) => id }`, "foreign_id", "each.key"))},
	{name: "sensitive_foreign_id_template", files: config(`variable "id" {
  default   = "1"
  sensitive = true
}
`, payoutHCL("x", "foreign_id", `"po-${var.id}"`))},

	// Files and CSV.
	{name: "file_missing", files: config(payoutHCL("x", "for_each", `{ for v in csvdecode(file("missing.csv")) : v.foreign_id => v }`, "foreign_id", "each.key"))},
	{name: "file_directory", files: with(config(payoutHCL("x", "foreign_id", `file("data")`)), "data/vendors.csv", "foreign_id\n")},
	{name: "file_10mb_name", files: config(payoutHCL("x", "foreign_id", "file("+tenMBString+")"))},
	{name: "nesting_200k", files: config("locals {\n  x = " + strings.Repeat("[", 200_000) + strings.Repeat("]", 200_000) + "\n}\n")},
	{name: "nesting_200k_var", vars: []string{"deep=" + strings.Repeat("[", 200_000) + strings.Repeat("]", 200_000)}, noSubject: true,
		files: config("variable \"deep\" {\n  type = list(any)\n}\n")},
	{name: "nesting_json_200k", files: with(config("locals {\n  x = jsondecode(file(\"deep.json\"))\n}\n"), "deep.json", strings.Repeat("[", 200_000)+strings.Repeat("]", 200_000))},
	{name: "file_absolute", files: config(payoutHCL("x", "foreign_id", `file("/proc/self/environ")`))},
	{name: "file_dotdot", files: config(payoutHCL("x", "foreign_id", `file("data/../../secret.txt")`))},
	{name: "file_not_utf8", files: with(config(payoutHCL("x", "foreign_id", `trimspace(file("id.txt"))`)), "id.txt", "po-\xff\n")},
	{name: "csv_row_missing_column", files: with(config(payoutHCL("vendor",
		"for_each", `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v }`,
		"foreign_id", "each.key", "amount", "each.value.amount")),
		"vendors.csv", "foreign_id,amount\npo-1,0.01\npo-2\n")},
	{name: "csv_malformed", files: with(config(payoutHCL("vendor",
		"for_each", `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v }`,
		"foreign_id", "each.key", "amount", "each.value.amount")),
		"vendors.csv", "foreign_id,amount\n\"po-1,0.01\npo-2,0.02\n")},
	{name: "csv_bad_amount_row", want: []string{`payout.vendor["po-1"]`}, files: with(config(payoutHCL("vendor",
		"for_each", `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v }`,
		"foreign_id", "each.key", "amount", "each.value.amount")),
		"vendors.csv", "foreign_id,amount\npo-1,0.01\npo-2,-0.02\n")},

	// The payform block.
	{name: "backend_unknown", want: []string{"payout.x"}, files: config(`payform {
  backend "s3" {
    bucket = "x"
  }
}
`, payoutHCL("x"))},
}
