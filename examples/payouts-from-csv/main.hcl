# Monthly vendor payouts from a treasury export (vendors.csv), on WllxPay's
# embedded sandbox.
#
#   payform --chdir examples/payouts-from-csv plan
#   payform --chdir examples/payouts-from-csv apply --var month=2026-12
#
# Each payout is keyed by month and vendor, and its foreign_id is
# "<month>-<vendor>": re-running a month changes nothing, and a new month
# pays everyone again under new, single-use keys while last month's records
# are forgotten (no call; their keys stay reserved). Amounts are strings in
# the CSV and stay exact.
# Against a real account, drop `sandbox = true` and set WLLXPAY_API_KEY and
# WLLXPAY_SECRET_KEY.

provider "wllxpay" {
  sandbox = true
}

variable "month" {
  type        = string
  default     = "2026-11"
  description = "The payout month; part of every foreign_id."
}

locals {
  vendors = csvdecode(file("vendors.csv"))
}

payout "vendor" {
  for_each = { for v in local.vendors : "${var.month}/${v.vendor}" => v }

  foreign_id = "${var.month}-${each.value.vendor}"
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}
