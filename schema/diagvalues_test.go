package schema

import "strings"

// tenMBString is an expression that makes a string of 10^7 characters.
const tenMBString = `format("%010000000d", 7)`

// tenMB is the size of a foreign_id given in a variable file.
const tenMB = 10 << 20

// valueDiagCases are bad values: amounts, currencies, merchant keys,
// addresses and tags.
var valueDiagCases = []diagCase{
	// Amounts.
	{name: "amount_negative", files: config(payoutHCL("x", "amount", `"-1.5"`))},
	{name: "amount_negative_number", files: config(payoutHCL("x", "amount", `-1`))},
	{name: "amount_zero", files: config(payoutHCL("x", "amount", `0`))},
	{name: "amount_zero_string", files: config(payoutHCL("x", "amount", `"0.000"`))},
	{name: "amount_btc_9_decimals", files: config(payoutHCL("x", "amount", `"0.123456789"`))},
	{name: "amount_usdtt_7_decimals", files: config(payoutHCL("x", "currency", `"USDTT"`, "address", `"`+trxAddr+`"`, "amount", `"1.1234567"`))},
	{name: "amount_exponent", files: config(payoutHCL("x", "amount", `"1e3"`))},
	{name: "amount_nan", files: config(payoutHCL("x", "amount", `"NaN"`))},
	{name: "amount_infinity", files: config(payoutHCL("x", "amount", `"Infinity"`))},
	{name: "amount_divide_by_zero", files: config(payoutHCL("x", "amount", `1/0`))},
	{name: "amount_spaces", files: config(payoutHCL("x", "amount", `" 1.5"`))},
	{name: "amount_comma", files: config(payoutHCL("x", "amount", `"1,5"`))},
	{name: "amount_huge_number", files: config(payoutHCL("x", "amount", `1e400`))},
	{name: "amount_tiny_number", files: config(payoutHCL("x", "amount", `1e-400`))},
	{name: "amount_50_digits", files: config(payoutHCL("x", "amount", `"`+strings.Repeat("1234567890", 5)+`"`))},
	{name: "amount_float_arithmetic", files: config(payoutHCL("x", "amount", `1.1 - 1`))},
	{name: "amount_bool", files: config(payoutHCL("x", "amount", `true`))},
	{name: "amount_list", files: config(payoutHCL("x", "amount", `["0.015"]`))},
	{name: "amount_object", files: config(payoutHCL("x", "amount", `{ value = "0.015" }`))},
	{name: "amount_null", files: config(payoutHCL("x", "amount", `null`))},
	{name: "amount_sensitive", files: config(`variable "amt" {
  default   = "0.015"
  sensitive = true
}
`, payoutHCL("x", "amount", `var.amt`))},
	// can() and try() tell whether an expression over a secret succeeds:
	// their result is as sensitive as the secret, so it cannot be read out
	// into a key (one character per instance) or a value.
	{name: "key_from_can_sensitive", secret: "s3cr3t-token", files: config(`variable "token" {
  default   = "s3cr3t-token"
  sensitive = true
}
`, payoutHCL("x", "foreign_id", `can(regex("^s", var.token)) ? "k-s" : "k-other"`))},
	{name: "for_each_from_can_sensitive", secret: "s3cr3t-token", files: config(`variable "token" {
  default   = "s3cr3t-token"
  sensitive = true
}
`, payoutHCL("x", "for_each", `{ for c in ["a", "s"] : c => c if can(regex("^${c}", var.token)) }`, "foreign_id", `"k-${each.key}"`))},
	{name: "key_from_try_sensitive", secret: "s3cr3t-token", files: config(`variable "token" {
  default   = "s3cr3t-token"
  sensitive = true
}
`, payoutHCL("x", "foreign_id", `try(regex("^z", var.token), "k-fallback")`))},

	// Currencies.
	{name: "currency_unknown", files: config(payoutHCL("x", "currency", `"XBT"`))},
	{name: "currency_lower_case", files: config(payoutHCL("x", "currency", `"btc"`))},
	{name: "currency_spaces", files: config(payoutHCL("x", "currency", `" btc"`))},
	{name: "currency_fiat", files: config(payoutHCL("x", "currency", `"USD"`))},

	// Merchant keys.
	{name: "foreign_id_duplicate_blocks", want: []string{"payout.a"}, files: config(
		payoutHCL("a", "foreign_id", `"po-1"`),
		payoutHCL("b", "foreign_id", `"po-1"`, "address", `"`+btcAddr2+`"`))},
	{name: "csv_missing_column", files: with(config(payoutHCL("vendor",
		"for_each", `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v }`,
		"foreign_id", "each.key", "amount", "each.value.amount")),
		"vendors.csv", "foreign_id,Amount\npo-1,0.01\npo-2,0.02\npo-3,0.03\n")},
	{name: "foreign_id_duplicate_csv_rows", files: with(config(payoutHCL("vendor",
		"for_each", `{ for v in csvdecode(file("vendors.csv")) : v.foreign_id => v }`,
		"foreign_id", "each.key", "amount", "each.value.amount")),
		"vendors.csv", "foreign_id,amount\npo-1,0.01\npo-2,0.02\npo-1,0.03\n")},
	// Every error in one run: a bad amount, a bad address, a block with an
	// unsupported argument whose values are bad too, and a key that the
	// refused blocks share (reported now, not once the others are fixed).
	{name: "errors_in_one_wave", want: []string{}, files: config(
		payoutHCL("a", "foreign_id", `"k-1"`, "amount", `"-1"`),
		payoutHCL("b", "foreign_id", `"k-1"`, "currency", `"USDT"`, "address", `"`+trxAddr+`"`),
		payoutHCL("c", "foreign_id", `"k-3"`, "amount", `"-2"`, "bogus", "1"))},
	{name: "foreign_id_duplicate_case", want: []string{"payout.a"}, files: config(
		payoutHCL("a", "foreign_id", `"PO-1"`),
		payoutHCL("b", "foreign_id", `"po-1"`, "address", `"`+btcAddr2+`"`))},
	{name: "foreign_id_duplicate_for_each_value", want: []string{`payout.vendor["a"]`}, files: config(payoutHCL("vendor",
		"for_each", `{ a = "po-1", b = "po-1" }`,
		"foreign_id", "each.value"))},
	{name: "foreign_id_space", files: config(payoutHCL("x", "foreign_id", `"po 1"`))},
	{name: "foreign_id_empty", files: config(payoutHCL("x", "foreign_id", `""`))},
	{name: "foreign_id_129_chars", files: config(payoutHCL("x", "foreign_id", `"`+strings.Repeat("a", 129)+`"`))},
	{name: "foreign_id_cyrillic", files: config(payoutHCL("x", "foreign_id", `"рo-1"`))},
	{name: "foreign_id_zero_width_space", files: config(payoutHCL("x", "foreign_id", "\"po-\u200b1\""))},
	{name: "foreign_id_null", files: config(payoutHCL("x", "foreign_id", `null`))},
	{name: "foreign_id_10mb_format", files: config(payoutHCL("x", "foreign_id", tenMBString))},
	{name: "foreign_id_10mb_var_file", varFiles: []string{"big.json"}, files: with(config(
		`variable "fid" {
  type = string
}
`, payoutHCL("x", "foreign_id", `var.fid`)),
		"big.json", `{"fid": "`+strings.Repeat("x", tenMB)+`"}`)},
	{name: "foreign_id_10mb_failed_expression", files: config(`locals {
  fid = format("x%010000000d", 7)
}
`, payoutHCL("x", "foreign_id", `local.fid + 1`))},

	// Addresses and tags.
	{name: "address_bad_checksum", files: config(payoutHCL("x", "address", `"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"`))},
	{name: "address_eip55_case", files: config(payoutHCL("x", "currency", `"ETH"`, "address", `"0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"`))},
	{name: "address_testnet", files: config(payoutHCL("x", "address", `"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"`))},
	{name: "address_10mb", files: config(payoutHCL("x", "address", tenMBString))},
	{name: "address_usdt_on_tron", files: config(payoutHCL("x", "currency", `"USDT"`, "address", `"`+trxAddr+`"`))},
	{name: "tag_on_btc", files: config(payoutHCL("x", "tag", `"12345"`))},
	{name: "tag_xrp_not_numeric", files: config(payoutHCL("x", "currency", `"XRP"`, "address", `"`+xrpAddr+`"`, "tag", `"memo-1"`))},
	{name: "tag_xrp_too_large", files: config(payoutHCL("x", "currency", `"XRP"`, "address", `"`+xrpAddr+`"`, "tag", `4294967296`))},
	{name: "tag_xrp_empty", warnOnly: true, want: []string{"payout.x"}, files: config(payoutHCL("x", "currency", `"XRP"`, "address", `"`+xrpAddr+`"`, "tag", `""`))},
	{name: "tag_xrp_missing", warnOnly: true, want: []string{"payout.x"}, files: config(payoutHCL("x", "currency", `"XRP"`, "address", `"`+xrpAddr+`"`))},
}
