# The configuration of ExampleLoad: November's vendor payouts from a CSV
# file, on WllxPay's embedded sandbox.

provider "wllxpay" {
  sandbox = true
}

variable "month" {
  type    = string
  default = "2026-11"
}

locals {
  vendors = csvdecode(file("vendors.csv"))
}

payout "vendor" {
  for_each   = { for v in local.vendors : "${v.id}-${var.month}" => v }
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
  tag        = try(each.value.tag, null)
}
