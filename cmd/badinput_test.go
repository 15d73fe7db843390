package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The bad-input sweep runs every case through the real binary, as
// `payform apply --auto-approve`, against one `payform sandbox serve`,
// from a state holding one applied payout. Every case must fail before
// anything is sent: exit 1; a diagnostic naming the file and line (or the
// flag at fault) on stderr, under 20 KB; nothing on stdout (no plan was
// made); no secret anywhere; the gateway's ledger, the state (`state
// pull`, and the snapshot and journal bytes) exactly as they were; no
// lock left held.

// biToken is a sensitive variable's value, used where it must never be
// stored or shown. biSecret is the provider's real secret key, given
// through a sensitive variable too.
const (
	biToken  = "pf-TOKEN-9f27c1d4e5"
	biSecret = "wllxpay-test-secret"
	biBTC    = `"bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"`
)

// biBase is the configuration every case starts from (base.hcl); cases
// add main.hcl beside it, so their line numbers start at 1.
const biBase = `variable "sandbox" {
  type = string
}
variable "secret" {
  type      = string
  sensitive = true
}
variable "token" {
  type      = string
  sensitive = true
  default   = "unset"
}
provider "wllxpay" {
  endpoint   = "http://${var.sandbox}/wllxpay/api/v1"
  api_key    = "wllxpay-test-key"
  secret_key = var.secret
}
payout "base" {
  provider   = wllxpay
  foreign_id = "base-1"
  currency   = "BTC"
  amount     = "0.001"
  address    = "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"
}
`

// biPayout is a payout block: foreign_id on line 2, currency 3, amount
// 4, address 5 (then any extra lines), each value an HCL expression.
func biPayout(foreignID, currency, amount, address string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "payout \"p\" {\n  foreign_id = %s\n  currency   = %s\n  amount     = %s\n  address    = %s\n", foreignID, currency, amount, address)
	for _, e := range extra {
		b.WriteString("  " + e + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// biAmount is a payout whose amount (line 4) is expr.
func biAmount(expr string) string { return biPayout(`"p-1"`, `"BTC"`, expr, biBTC) }

// biKey is a payout whose foreign_id (line 2) is expr.
func biKey(expr string) string { return biPayout(expr, `"BTC"`, `"0.1"`, biBTC) }

// biCSVPayout declares payouts from p.csv; for_each is on line 2,
// foreign_id 3, currency 4, amount 5, address 6.
const biCSVPayout = `payout "p" {
  for_each   = { for r in csvdecode(file("p.csv")) : r.foreign_id => r }
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}
`

// biAmountVar declares var.amount (a number, line 1) and pays it.
const biAmountVar = `variable "amount" {
  type    = number
  default = 0.5
}
payout "p" {
  foreign_id = "p-1"
  currency   = "BTC"
  amount     = var.amount
  address    = "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"
}
`

// biCoinPay24 is a CoinPay24 provider block (lines 1-4).
const biCoinPay24 = `provider "coinpay24" {
  endpoint = "http://${var.sandbox}/coinpay24/v1"
  api_key  = "coinpay24-test-key"
}
`

// biBatch is a CoinPay24 invoice batch starting on line 5, after
// biCoinPay24: provider on 6, currency on 7, then body.
func biBatch(body string) string {
	return biCoinPay24 + "invoice_batch \"b\" {\n  provider = coinpay24\n  currency = \"USD\"\n" + body + "}\n"
}

// at matches the diagnostic's location line.
func at(file string, line int) string {
	return fmt.Sprintf(`(?m)^  on %s line %d\b`, regexp.QuoteMeta(file), line)
}

// summary matches the diagnostic's first line.
func summary(s string) string { return `(?m)^Error: ` + regexp.QuoteMeta(s) + `$` }

// says matches text in a diagnostic's detail (which is wrapped: it is
// matched against stderr with its lines joined).
func says(s string) string { return "detail:" + s }

type biCase struct {
	name  string
	files map[string]string // main.hcl and friends
	args  []string          // after apply --auto-approve
	env   []string
	want  []string // summary, location and detail patterns, all required
}

func biCases() []biCase {
	main := func(src string) map[string]string { return map[string]string{"main.hcl": src} }
	withCSV := func(csv string) map[string]string {
		return map[string]string{"main.hcl": biCSVPayout, "p.csv": "foreign_id,currency,amount,address\n" + csv}
	}
	btc := strings.Trim(biBTC, `"`)
	tenMB := strings.Repeat("9", 10<<20)
	return []biCase{
		// Amounts: types, huge numbers, exponents, NaN, infinities.
		{name: "amount exponent", files: main(biAmount(`"1e-3"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`payout.p: amount "1e-3" must be a plain decimal number`)}},
		{name: "amount NaN", files: main(biAmount(`"NaN"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`amount "NaN" must be a plain decimal number`)}},
		{name: "amount Infinity", files: main(biAmount(`"Infinity"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`amount "Infinity" must be a plain decimal number`)}},
		{name: "amount -Infinity", files: main(biAmount(`"-Infinity"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`amount "-Infinity" must be a plain decimal number`)}},
		{name: "amount of 60 digits", files: main(biAmount(`"123456789012345678901234567890123456789012345678901234567890.5"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`has more than 38 digits`)}},
		{name: "amount number 1e400", files: main(biAmount(`1e400`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`amount 1e+400 is out of range`)}},
		{name: "amount number 1e-400", files: main(biAmount(`1e-400`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`amount 1e-400 is out of range`)}},
		{name: "amount 1/3", files: main(biAmount(`1/3`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`Arithmetic on numbers is binary floating point`)}},
		{name: "amount bool", files: main(biAmount(`true`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`not bool`)}},
		{name: "amount list", files: main(biAmount(`["0.1"]`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`not tuple`)}},
		{name: "amount null", files: main(biAmount(`null`)),
			want: []string{summary("Missing amount"), at("main.hcl", 4)}},
		{name: "amount negative", files: main(biAmount(`"-0.5"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`amount "-0.5" must be greater than zero`)}},
		{name: "amount zero", files: main(biAmount(`"0.000"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`amount "0.000" must be greater than zero`)}},
		{name: "amount beyond BTC precision", files: main(biAmount(`"0.123456789"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`has 9 decimal places, but BTC allows at most 8`)}},
		{name: "amount in Arabic-Indic digits", files: main(biAmount(`"٠.٥"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`must be a plain decimal number`)}},
		{name: "amount in fullwidth digits", files: main(biAmount(`"０.５"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`must be a plain decimal number`)}},
		{name: "amount with a decimal comma", files: main(biAmount(`"0,5"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`amount "0,5" must be a plain decimal number`)}},
		{name: "amount of 10 MB", files: main(biAmount(`"` + tenMB + `"`)),
			want: []string{summary("Invalid amount"), at("main.hcl", 4), says(`(10485760 bytes) has more than 38 digits`)}},

		// Merchant keys: look-alikes, invisible characters, size, reuse.
		{name: "key with a Cyrillic a", files: main(biKey(`"bаse-1"`)),
			want: []string{summary("Invalid foreign_id"), at("main.hcl", 2), says(`contains 'а' (U+0430)`)}},
		{name: "key with a zero-width space", files: main(biKey(`"base-1\u200b"`)),
			want: []string{summary("Invalid foreign_id"), at("main.hcl", 2), says(`(U+200B)`)}},
		{name: "key with a newline", files: main(biKey(`"a\nb"`)),
			want: []string{summary("Invalid foreign_id"), at("main.hcl", 2), says(`contains whitespace`)}},
		{name: "key empty", files: main(biKey(`""`)),
			want: []string{summary("Invalid foreign_id"), at("main.hcl", 2), says(`foreign_id "" is empty`)}},
		{name: "key of 300 bytes", files: main(biKey(`join("", [for i in range(300) : "k"])`)),
			want: []string{summary("Invalid foreign_id"), at("main.hcl", 2), says(`is 300 bytes long; merchant keys are limited to 128`)}},
		{name: "key of 10 MB from a local", files: main("locals {\n  big = \"" + strings.Repeat("x", 10<<20) + "\"\n}\n" + biKey(`local.big`)),
			want: []string{summary("Invalid foreign_id"), at("main.hcl", 5), says(`is 10485760 bytes long`)}},
		{name: "key already declared by another block", files: main(biKey(`"base-1"`)),
			want: []string{summary("Duplicate foreign_id"), at("main.hcl", 2), says(`also the foreign_id of payout.base (base.hcl:20,16-24)`)}},
		{name: "currency in lower case", files: main(biPayout(`"p-1"`, `"btc"`, `"0.1"`, biBTC)),
			want: []string{summary("Unknown currency"), at("main.hcl", 3), says(`did you mean "BTC"?`)}},
		{name: "address with a bad checksum", files: main(biPayout(`"p-1"`, `"BTC"`, `"0.1"`, `"bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dx"`)),
			want: []string{summary("Invalid address"), at("main.hcl", 5), says(`is not a valid BTC address: bad checksum`)}},
		{name: "tag on BTC", files: main(biPayout(`"p-1"`, `"BTC"`, `"0.1"`, biBTC, `tag = "123"`)),
			want: []string{summary("Unexpected tag"), at("main.hcl", 6)}},

		// Locals and files.
		{name: "cycle in locals", files: main("locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n" + biKey(`local.a`)),
			want: []string{summary("Cycle in local values"), at("main.hcl", 2), says(`local.a → local.b → local.c → local.a`)}},
		{name: "local referring to itself", files: main("locals {\n  a = \"${local.a}x\"\n}\n"),
			want: []string{summary("Cycle in local values"), at("main.hcl", 2)}},
		{name: "missing file", files: main(`locals {
  rows = csvdecode(file("nope.csv"))
}
`), want: []string{summary("Error in function call"), at("main.hcl", 2), says(`cannot read "nope.csv"`)}},
		{name: "file() on a directory", files: main("locals {\n  rows = file(\".\")\n}\n"),
			want: []string{summary("Error in function call"), at("main.hcl", 2), says(`"." is a directory, not a file`)}},
		{name: "file() on a device", files: main("locals {\n  rows = file(\"/dev/zero\")\n}\n"),
			want: []string{summary("Error in function call"), at("main.hcl", 2), says(`"/dev/zero" is an absolute path: file() reads files inside the configuration directory`)}},
		{name: "file() of the environment", files: main("locals {\n  env = file(\"/proc/self/environ\")\n}\n"),
			want: []string{summary("Error in function call"), at("main.hcl", 2), says(`"/proc/self/environ" is an absolute path`)}},
		{name: "file() out of the directory", files: main("locals {\n  rows = file(\"../base/base.hcl\")\n}\n"),
			want: []string{summary("Error in function call"), at("main.hcl", 2), says(`"../base/base.hcl" leads outside the configuration directory`)}},

		// Hostile CSVs.
		{name: "CSV with a short row", files: withCSV("c-1,BTC,0.1," + btc + "\nc-2,BTC,0.1\n"),
			want: []string{summary("Error in function call"), at("main.hcl", 2), says(`CSV parse error on line 3: wrong number of fields`)}},
		{name: "CSV with a row twice", files: withCSV("c-1,BTC,0.1," + btc + "\nc-1,BTC,0.2," + btc + "\n"),
			want: []string{summary("Duplicate object key"), at("main.hcl", 2), says(`Two items of this for_each produced the key "c-1"`)}},
		{name: "CSV with a formula", files: withCSV("=cmd|' /C calc'!A0,BTC,0.1," + btc + "\n"),
			want: []string{summary("Invalid foreign_id"), at("main.hcl", 3), says(`contains whitespace`)}},
		{name: "CSV with a byte-order mark", files: map[string]string{"main.hcl": biCSVPayout, "p.csv": "\ufefforeign_id,currency,amount,address\nc-1,BTC,0.1," + btc + "\n"},
			want: []string{summary("Unsupported attribute"), at("main.hcl", 2), says(`does not have an attribute named "foreign_id"`)}},
		{name: "CSV with an unclosed quote", files: withCSV("\"c-1,BTC,0.1," + btc + "\n"),
			want: []string{summary("Error in function call"), at("main.hcl", 2), says(`extraneous or missing " in quoted-field`)}},
		{name: "CSV that is not UTF-8", files: withCSV("c-1,BTC,0.1,\xff\xfe\n"),
			want: []string{summary("Error in function call"), at("main.hcl", 2), says(`"p.csv" is not valid UTF-8 text`)}},
		{name: "CSV without the address column", files: map[string]string{"main.hcl": biCSVPayout, "p.csv": "foreign_id,currency,amount\nc-1,BTC,0.1\n"},
			want: []string{summary("Missing CSV column"), at("main.hcl", 6), says(`p.csv has no column "address", which payout.p reads for each of its rows (1; the first is payout.p["c-1"]). Its columns are foreign_id, currency, amount.`)}},
		{name: "CSV with exponent and NaN amounts", files: withCSV("c-1,BTC,1e-3," + btc + "\nc-2,BTC,NaN," + btc + "\n"),
			want: []string{summary("Invalid amount"), at("main.hcl", 5), says(`payout.p["c-1"]: amount "1e-3"`), says(`payout.p["c-2"]: amount "NaN"`)}},
		{name: "CSV with a NUL in a key", files: withCSV("c-1\x00,BTC,0.1," + btc + "\n"),
			want: []string{summary("Invalid foreign_id"), at("main.hcl", 3), says(`contains '\x00' (U+0000)`)}},

		// Variables and variable files.
		{name: "--var not a number", files: main(biAmountVar), args: []string{"--var", "amount=abc"},
			want: []string{summary("Invalid value for variable"), at("main.hcl", 1), says(`variable "amount" (from --var): a number is required`)}},
		{name: "--var NaN", files: main(biAmountVar), args: []string{"--var", "amount=NaN"},
			want: []string{summary("Invalid value for variable"), at("main.hcl", 1), says(`(from --var): a number is required`)}},
		{name: "--var undeclared", files: main(biAmountVar), args: []string{"--var", "amont=1"},
			want: []string{summary("Undeclared variable"), says(`--var sets "amont", but no variable "amont" is declared`), says(`Did you mean "amount"?`)}},
		{name: "--var without a value", files: main(biAmountVar), args: []string{"--var", "amount"},
			want: []string{summary("Invalid --var"), says(`--var "amount" must have the form NAME=VALUE.`)}},
		{name: "--var-file missing", files: main(biAmountVar), args: []string{"--var-file", "nope.vars"},
			want: []string{summary("Cannot read variable file"), says(`--var-file nope.vars: no such file or directory`)}},
		{name: "--var-file a directory", files: main(biAmountVar), args: []string{"--var-file", "."},
			want: []string{summary("Cannot read variable file"), says(`--var-file . is a directory`)}},
		{name: "--var-file with bad syntax", files: map[string]string{"main.hcl": biAmountVar, "bad.vars": "amount = = 1\n"}, args: []string{"--var-file", "bad.vars"},
			want: []string{summary("Invalid expression"), at("bad.vars", 1)}},
		{name: "--var-file with a wrong type", files: map[string]string{"main.hcl": biAmountVar, "bad.vars": "amount = \"abc\"\n"}, args: []string{"--var-file", "bad.vars"},
			want: []string{summary("Invalid value for variable"), at("bad.vars", 1), says(`(from --var-file bad.vars): a number is required`)}},
		{name: "--var-file setting an undeclared variable", files: map[string]string{"main.hcl": biAmountVar, "v.vars": "\namont = 1\n"}, args: []string{"--var-file", "v.vars"},
			want: []string{summary("Undeclared variable"), at("v.vars", 2), says(`Did you mean "amount"?`)}},
		{name: "--var-file JSON unclosed", files: map[string]string{"main.hcl": biAmountVar, "v.json": `{"amount": 1`}, args: []string{"--var-file", "v.json"},
			want: []string{summary("Unclosed object"), at("v.json", 1)}},
		{name: "PAYFORM_VAR_ not a number", files: main(biAmountVar), env: []string{"PAYFORM_VAR_amount=abc"},
			want: []string{summary("Invalid value for variable"), at("main.hcl", 1), says(`(from environment): a number is required`)}},
		{name: "sensitive variable of the wrong type in a --var-file",
			files: map[string]string{"main.hcl": "variable \"pin\" {\n  type      = number\n  sensitive = true\n  default   = 1\n}\n", "s.vars": "pin = \"" + biToken + "\"\n"},
			args:  []string{"--var-file", "s.vars"},
			want:  []string{summary("Invalid value for variable"), at("s.vars", 1), says(`variable "pin" (from --var-file s.vars): a number is required`)}},
		{name: "one-line JSON --var-file with a sensitive value and a syntax error",
			files: map[string]string{"main.hcl": biAmountVar, "s.json": `{"token": "` + biToken + `", "amount": }`},
			args:  []string{"--var-file", "s.json"},
			want:  []string{at("s.json", 1)}},

		// Sensitive values where they would be stored.
		{name: "sensitive amount", files: main(biAmount(`var.token`)),
			want: []string{summary("Sensitive value in amount"), at("main.hcl", 4)}},
		{name: "sensitive amount through tonumber()", files: main(biAmount(`tonumber(var.token)`)),
			want: []string{summary("Invalid function argument"), at("main.hcl", 4), says(`derived from a sensitive variable, so the details are not shown`)}},
		{name: "sensitive foreign_id", files: main(biKey(`var.token`)),
			want: []string{summary("Sensitive value in foreign_id"), at("main.hcl", 2)}},
		{name: "sensitive address in a template", files: main(biPayout(`"p-1"`, `"BTC"`, `"0.1"`, `"${var.token}"`)),
			want: []string{summary("Sensitive value in address"), at("main.hcl", 5)}},
		{name: "sensitive tag", files: main(biPayout(`"p-1"`, `"XRP"`, `"1"`, `"rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"`, `tag = var.token`)),
			want: []string{summary("Sensitive value in tag"), at("main.hcl", 6)}},
		{name: "sensitive for_each", files: main("payout \"p\" {\n  for_each   = toset([var.token])\n  foreign_id = each.key\n  currency   = \"BTC\"\n  amount     = \"0.1\"\n  address    = " + biBTC + "\n}\n"),
			want: []string{summary("Sensitive for_each"), at("main.hcl", 2)}},
		{name: "sensitive endpoint", files: main("provider \"wllxpay\" {\n  alias    = \"x\"\n  endpoint = var.token\n}\n"),
			want: []string{summary("Sensitive value in endpoint"), at("main.hcl", 3)}},
		{name: "sensitive invoice title", files: main(biBatch("  invoice \"o-1\" {\n    amount = \"1.00\"\n    title  = \"Order ${var.token}\"\n  }\n")),
			want: []string{summary("Sensitive value in title"), at("main.hcl", 10)}},
		{name: "sensitive foreign_ids element in a pool", files: main("deposit_address_pool \"c\" {\n  provider    = wllxpay\n  currencies  = [\"BTC\"]\n  foreign_ids = [var.token]\n}\n"),
			want: []string{summary("Sensitive value in foreign_ids"), at("main.hcl", 4)}},
		{name: "sensitive currencies element in a pool", files: main("deposit_address_pool \"c\" {\n  provider    = wllxpay\n  currencies  = [\"BTC\", var.token]\n  foreign_ids = [\"cust-1\"]\n}\n"),
			want: []string{summary("Sensitive value in currencies"), at("main.hcl", 3)}},
		{name: "sensitive value of an unknown invoice attribute", files: main(biBatch("  invoices = { \"o-1\" = { amount = \"1.00\", colour = var.token } }\n")),
			want: []string{at("main.hcl", 8)}},
		{name: "sensitive invoice object", files: main("variable \"inv\" {\n  sensitive = true\n  default   = { amount = \"1.00\" }\n}\n" + biBatch("  invoices = { \"o-1\" = var.inv }\n")),
			want: []string{at("main.hcl", 12)}},

		// Deposit-address pools.
		{name: "pool with a fiat currency", files: main("deposit_address_pool \"c\" {\n  provider    = wllxpay\n  currencies  = [\"BTC\", \"USD\"]\n  foreign_ids = [\"cust-1\"]\n}\n"),
			want: []string{summary("Unsupported currency"), at("main.hcl", 3), says(`WllxPay does not handle USD`)}},
		{name: "pool with a bad foreign_id", files: main("deposit_address_pool \"c\" {\n  provider    = wllxpay\n  currencies  = [\"BTC\"]\n  foreign_ids = [\"cust 1\"]\n}\n"),
			want: []string{summary("Invalid foreign_id"), at("main.hcl", 4), says(`contains whitespace`)}},
		{name: "pool with an amount", files: main("deposit_address_pool \"c\" {\n  provider    = wllxpay\n  currencies  = [\"BTC\"]\n  foreign_ids = [\"cust-1\"]\n  amount      = \"1\"\n}\n"),
			want: []string{summary("Unsupported argument"), at("main.hcl", 5)}},
		{name: "pool without foreign_ids", files: main("deposit_address_pool \"c\" {\n  provider    = wllxpay\n  currencies  = [\"BTC\"]\n}\n"),
			want: []string{summary("Missing required argument"), at("main.hcl", 1), says(`"foreign_ids" is required`)}},
		{name: "pair declared by two pools", files: main("deposit_address_pool \"c\" {\n  provider    = wllxpay\n  currencies  = [\"BTC\"]\n  foreign_ids = [\"cust-1\"]\n}\ndeposit_address_pool \"d\" {\n  provider    = wllxpay\n  currencies  = [\"BTC\"]\n  foreign_ids = [\"cust-1\"]\n}\n"),
			want: []string{summary("Duplicate customer and currency"), at("main.hcl", 9)}},

		// Invoice batches.
		{name: "for_each on a batch", files: main(biCoinPay24 + "invoice_batch \"b\" {\n  provider = coinpay24\n  for_each = toset([\"a\"])\n  currency = \"USD\"\n  invoice \"o-1\" {\n    amount = \"1.00\"\n  }\n}\n"),
			want: []string{summary("for_each on an invoice batch"), at("main.hcl", 5)}},
		{name: "invoice declared twice", files: main(biBatch("  invoice \"o-1\" {\n    amount = \"1.00\"\n  }\n  invoices = { \"o-1\" = { amount = \"2.00\" } }\n")),
			want: []string{summary("Duplicate invoice"), at("main.hcl", 11)}},
		{name: "invoice without an amount", files: main(biBatch("  invoice \"o-1\" {\n    title = \"x\"\n  }\n")),
			want: []string{summary("Missing amount"), at("main.hcl", 8)}},
		{name: "invoice field the gateway does not take", files: main(biBatch("  invoice \"o-1\" {\n    amount = \"1.00\"\n    wallet = \"USD\"\n  }\n")),
			want: []string{summary("Unsupported invoice field"), at("main.hcl", 10), says(`CoinPay24 does not take wallet`)}},
		{name: "invoice with a javascript: URL", files: main(biBatch("  callback_url = \"javascript:alert(1)\"\n  invoice \"o-1\" {\n    amount = \"1.00\"\n  }\n")),
			want: []string{summary("Invalid callback_url"), at("main.hcl", 8)}},
		{name: "invoice description of 5 KB", files: main(biBatch("  invoice \"o-1\" {\n    amount      = \"1.00\"\n    description = \"" + strings.Repeat("d", 5000) + "\"\n  }\n")),
			want: []string{summary("Invalid description"), at("main.hcl", 10), says(`description is 5000 bytes; it is limited to 4096`)}},
		{name: "invoice description of several MiB", files: main(biBatch("  invoice \"o-1\" {\n    amount      = \"1.00\"\n    description = \"" + strings.Repeat("d", 5<<20) + "\"\n  }\n")),
			want: []string{summary("Invalid description"), at("main.hcl", 10), says(`it is limited to 4096`)}},
		{name: "invoice URL with a password", files: main(biBatch("  callback_url = \"https://shop:pw@shop.example.com/hook\"\n  invoice \"o-1\" {\n    amount = \"1.00\"\n  }\n")),
			want: []string{summary("Invalid callback_url"), at("main.hcl", 8), says(`carries a user name or password`)}},
		{name: "endpoint with a password", files: main("provider \"coinpay24\" {\n  endpoint = \"http://u:hunter2@${var.sandbox}/coinpay24/v1\"\n  api_key  = \"coinpay24-test-key\"\n}\n"),
			want: []string{summary("Invalid endpoint"), at("main.hcl", 2), says(`the endpoint carries a user name or password`)}},
		{name: "invoice beyond USD precision", files: main(biBatch("  invoice \"o-1\" {\n    amount = \"1.005\"\n  }\n")),
			want: []string{summary("Invalid amount"), at("main.hcl", 9), says(`has 3 decimal places, but USD allows at most 2`)}},
		{name: "invoice map with an unknown attribute", files: main(biBatch("  invoices = { \"o-1\" = { amount = \"1.00\", colour = \"red\" } }\n")),
			want: []string{summary("Unknown invoice attribute"), at("main.hcl", 8), says(`"colour" is not an invoice attribute`)}},
		{name: "payout at an invoice gateway", files: main(biCoinPay24 + "payout \"x\" {\n  provider   = coinpay24\n  foreign_id = \"x-1\"\n  currency   = \"BTC\"\n  amount     = \"0.1\"\n  address    = " + biBTC + "\n}\n"),
			want: []string{summary("Unsupported resource"), at("main.hcl", 6)}},
		{name: "MiraclePay invoice without blockchains",
			files: main("provider \"miraclepay\" {\n  endpoint  = \"http://${var.sandbox}/miraclepay\"\n  client_id = \"miraclepay-test-client\"\n  api_key   = \"mpay_test_key\"\n}\ninvoice_batch \"b\" {\n  provider = miraclepay\n  currency = \"USD\"\n  invoice \"m-1\" {\n    amount = \"1.00\"\n  }\n}\n"),
			want:  []string{at("main.hcl", 6), says("blockchains")}},
		{name: "MiraclePay payer neither merchant nor customer",
			files: main("provider \"miraclepay\" {\n  endpoint  = \"http://${var.sandbox}/miraclepay\"\n  client_id = \"miraclepay-test-client\"\n  api_key   = \"mpay_test_key\"\n}\ninvoice_batch \"b\" {\n  provider    = miraclepay\n  currency    = \"USD\"\n  blockchains = \"eth\"\n  payer       = \"nobody\"\n  invoice \"m-1\" {\n    amount = \"1.00\"\n  }\n}\n"),
			want:  []string{at("main.hcl", 10), says("payer")}},
		{name: "MilaCoins expires_at not RFC 3339",
			files: main("provider \"milacoins\" {\n  endpoint   = \"http://${var.sandbox}/milacoins\"\n  api_key    = \"milacoins-test-key\"\n  secret_key = \"milacoins-test-secret\"\n}\ninvoice_batch \"b\" {\n  provider   = milacoins\n  currency   = \"EUR\"\n  expires_at = \"tomorrow\"\n  invoice \"m-1\" {\n    amount = \"1.00\"\n  }\n}\n"),
			want:  []string{at("main.hcl", 9), says("expires_at")}},
		{name: "MilaCoins success_url without cancel_url",
			files: main("provider \"milacoins\" {\n  endpoint   = \"http://${var.sandbox}/milacoins\"\n  api_key    = \"milacoins-test-key\"\n  secret_key = \"milacoins-test-secret\"\n}\ninvoice_batch \"b\" {\n  provider    = milacoins\n  currency    = \"EUR\"\n  success_url = \"https://shop.example.com/ok\"\n  invoice \"m-1\" {\n    amount = \"1.00\"\n  }\n}\n"),
			want:  []string{at("main.hcl", 9), says("cancel_url")}},
		{name: "CoinPay24 pay_currency that is fiat", files: main(biBatch("  pay_currency = \"USD\"\n  invoice \"o-1\" {\n    amount = \"1.00\"\n  }\n")),
			want: []string{at("main.hcl", 8), says("pay_currency")}},

		// Provider blocks.
		{name: "unknown gateway", files: main("provider \"paypal\" {\n  api_key = \"x\"\n}\n"),
			want: []string{summary("Unknown gateway"), at("main.hcl", 1)}},
		{name: "provider configured twice", files: main("provider \"wllxpay\" {\n  endpoint = \"http://${var.sandbox}/wllxpay/api/v1\"\n}\n"),
			want: []string{summary("Duplicate provider"), at("main.hcl", 1), says(`also configured at base.hcl:13,1-19`)}},
		{name: "ftp endpoint", files: main("provider \"wllxpay\" {\n  alias    = \"f\"\n  endpoint = \"ftp://127.0.0.1/x\"\n}\n"),
			want: []string{summary("Invalid endpoint"), at("main.hcl", 3), says(`must use https`)}},
		{name: "plain http to a remote host", files: main("provider \"wllxpay\" {\n  alias    = \"h\"\n  endpoint = \"http://example.com/api/v1\"\n}\n"),
			want: []string{summary("Invalid endpoint"), at("main.hcl", 3), says(`uses plain http on a non-loopback host`)}},
		{name: "sandbox with an endpoint", files: main("provider \"wllxpay\" {\n  alias    = \"s\"\n  sandbox  = true\n  endpoint = \"http://${var.sandbox}/wllxpay/api/v1\"\n}\n"),
			want: []string{summary("Endpoint with sandbox"), at("main.hcl", 4)}},
		{name: "misspelt provider attribute", files: main("provider \"wllxpay\" {\n  alias   = \"u\"\n  endpont = \"http://${var.sandbox}/wllxpay/api/v1\"\n}\n"),
			want: []string{summary("Unsupported argument"), at("main.hcl", 3), says(`Did you mean "endpoint"?`)}},
		{name: "alias with a space", files: main("provider \"wllxpay\" {\n  alias = \"e u\"\n}\n"),
			want: []string{summary("Invalid alias"), at("main.hcl", 2)}},
		{name: "negative timeout", files: main("provider \"wllxpay\" {\n  alias   = \"t\"\n  timeout = \"-5s\"\n}\n"),
			want: []string{summary("Invalid timeout"), at("main.hcl", 3)}},
		{name: "negative rate_limit_scale", files: main("provider \"wllxpay\" {\n  alias            = \"r\"\n  rate_limit_scale = -1\n}\n"),
			want: []string{summary("Invalid rate_limit_scale"), at("main.hcl", 3)}},
		{name: "sandbox not a bool", files: main("provider \"wllxpay\" {\n  alias   = \"b\"\n  sandbox = \"yes please\"\n}\n"),
			want: []string{summary("Invalid sandbox"), at("main.hcl", 3)}},
		{name: "credential that is a list", files: main("provider \"coinpay24\" {\n  endpoint = \"http://${var.sandbox}/coinpay24/v1\"\n  api_key  = [\"a\"]\n}\n"),
			want: []string{summary("Invalid api_key"), at("main.hcl", 3)}},
		{name: "credential missing", files: main("provider \"coinpay24\" {\n  endpoint = \"http://${var.sandbox}/coinpay24/v1\"\n}\n"),
			want: []string{summary("Missing credential for provider coinpay24"), at("main.hcl", 1), says(`environment variable COINPAY24_API_KEY`)}},
		{name: "v2_lookup neither true nor false", files: main("provider \"wllxpay\" {\n  alias      = \"v\"\n  endpoint   = \"http://${var.sandbox}/wllxpay/api/v1\"\n  api_key    = \"wllxpay-test-key\"\n  secret_key = var.secret\n  v2_lookup  = \"maybe\"\n}\n"),
			want: []string{at("main.hcl", 6), says(`v2_lookup must be true or false, not "maybe"`)}},
		{name: "provider named in quotes", files: main(strings.Replace(biKey(`"p-1"`), "payout \"p\" {\n", "payout \"p\" {\n  provider   = \"wllxpay\"\n", 1)),
			want: []string{summary("Invalid provider reference"), at("main.hcl", 2)}},
		{name: "provider alias that does not exist", files: main(strings.Replace(biKey(`"p-1"`), "payout \"p\" {\n", "payout \"p\" {\n  provider   = wllxpay.nope\n", 1)),
			want: []string{summary("Unknown provider"), at("main.hcl", 2), says(`there is no provider "wllxpay.nope"`)}},

		// Everything else.
		{name: "unknown backend", files: main("payform {\n  backend \"s3\" {}\n}\n"),
			want: []string{summary("Unknown backend"), at("main.hcl", 2)}},
		{name: "backend path from a variable", files: main("payform {\n  backend \"local\" {\n    path = var.sandbox\n  }\n}\n"),
			want: []string{summary("Variables not allowed"), at("main.hcl", 3)}},
		{name: "unknown block", files: main("refund \"r\" {\n  amount = \"1\"\n}\n"),
			want: []string{summary("Unsupported block type"), at("main.hcl", 1)}},
		{name: "unclosed block", files: main("payout \"p\" {\n  foreign_id = \"p-1\"\n"),
			want: []string{summary("Unclosed configuration block"), at("main.hcl", 1)}},
	}
}

// biEnv is the environment payform runs in: no credentials or variables
// from the test's own environment, the sandbox's address, the provider's
// secret and the token as sensitive variables.
func biEnv(addr string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PAYFORM_") || strings.HasSuffix(k, "_API_KEY") || strings.HasSuffix(k, "_SECRET_KEY") || strings.HasSuffix(k, "_CLIENT_ID") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PAYFORM_VAR_sandbox="+addr, "PAYFORM_VAR_secret="+biSecret, "PAYFORM_VAR_token="+biToken,
		"PAYFORM_ACTOR=badinput@test", "NO_COLOR=1")
}

// biRun runs payform in dir and returns its stdout, stderr and exit code.
func biRun(t *testing.T, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, payformBin, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee) && ee.Exited():
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("payform %s: %v\n%s", strings.Join(args, " "), err, &stderr)
	return "", "", -1
}

// biLedger renders the sandbox's objects with their create requests (not
// their statuses, which move with time), sorted.
func biLedger(t *testing.T, addr string) string {
	t.Helper()
	var lines []string
	for _, o := range fetchLedger(t, addr) {
		lines = append(lines, fmt.Sprintf("%s %s %s id=%s create_requests=%d", o.Gateway, o.Kind, o.Key, o.ID, o.CreateRequests))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// biPull is `payform state pull` of the state in dir, run from a
// directory without configuration (the case's may be broken).
func biPull(t *testing.T, neutral, dir string, env []string) string {
	t.Helper()
	out, stderr, code := biRun(t, neutral, env, "--state", filepath.Join(dir, "payform.state.json"), "state", "pull")
	if code != 0 {
		t.Fatalf("state pull: exit %d: %s", code, stderr)
	}
	return out
}

// biLockFree checks that nobody holds the state's lock.
func biLockFree(t *testing.T, dir string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "payform.state.json.lock"), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Errorf("the state's lock is still held: %v", err)
		return
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// TestBadInputs is the bad-input sweep (see the top of this file).
func TestBadInputs(t *testing.T) {
	cases := biCases()
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	addr := lkSandbox(t, "")
	env := biEnv(addr)
	neutral := t.TempDir()

	base := t.TempDir()
	if err := os.WriteFile(filepath.Join(base, "base.hcl"), []byte(biBase), 0o644); err != nil {
		t.Fatal(err)
	}
	if stdout, stderr, code := biRun(t, base, env, "apply", "--auto-approve"); code != 0 || !strings.Contains(stdout, "Apply complete: 1 created") {
		t.Fatalf("applying the base payout: exit %d\n%s%s", code, stdout, stderr)
	}
	snapshot, err := os.ReadFile(filepath.Join(base, "payform.state.json"))
	if err != nil {
		t.Fatal(err)
	}
	journal, err := os.ReadFile(filepath.Join(base, "payform.state.json.journal"))
	if err != nil {
		t.Fatal(err)
	}
	basePull := biPull(t, neutral, base, env)
	if !strings.Contains(basePull, `"key": "base-1"`) {
		t.Fatalf("base state:\n%s", basePull)
	}

	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"base.hcl": biBase, "payform.state.json": string(snapshot), "payform.state.json.journal": string(journal)}
			for name, data := range tc.files {
				files[name] = data
			}
			for name, data := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ledger := biLedger(t, addr)
			if pull := biPull(t, neutral, dir, env); pull != basePull {
				t.Fatalf("the case's state differs from the base before the run")
			}

			args := append([]string{"apply", "--auto-approve"}, tc.args...)
			stdout, stderr, code := biRun(t, dir, append(env, tc.env...), args...)

			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("payform crashed")
			}
			if len(stderr) >= 20<<10 {
				t.Errorf("stderr is %d bytes, want under 20 KB", len(stderr))
			}
			if stdout != "" {
				t.Errorf("stdout is not empty (a plan was made from a bad configuration):\n%.2000s", stdout)
			}
			joined := strings.Join(strings.Fields(stderr), " ")
			for _, w := range tc.want {
				if d, ok := strings.CutPrefix(w, "detail:"); ok {
					if !strings.Contains(joined, strings.Join(strings.Fields(d), " ")) {
						t.Errorf("stderr does not say %q", d)
					}
				} else if !regexp.MustCompile(w).MatchString(stderr) {
					t.Errorf("stderr does not match %s", w)
				}
			}
			for _, secret := range []string{biToken, biSecret} {
				if strings.Contains(stdout+stderr, secret) {
					t.Errorf("the output shows the secret %q", secret)
				}
			}
			if got := biLedger(t, addr); got != ledger {
				t.Errorf("the gateway's ledger changed:\nbefore:\n%s\nafter:\n%s", ledger, got)
			}
			if got := biPull(t, neutral, dir, env); got != basePull {
				t.Errorf("state pull changed:\n%s", got)
			}
			for name, want := range map[string][]byte{"payform.state.json": snapshot, "payform.state.json.journal": journal} {
				if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s changed (%d bytes, was %d; %v)", name, len(got), len(want), err)
				}
			}
			biLockFree(t, dir)
			if t.Failed() {
				t.Logf("stderr:\n%.4000s", stderr)
			}
		})
	}
}
