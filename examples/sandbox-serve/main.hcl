# Payouts against `payform sandbox serve`, the emulators over real HTTP with
# real signatures, here with a third of the answers dropped after the gateway
# committed them (the ambiguous failure payform is built for):
#
#   payform sandbox serve --faults drop-after-commit=0.3 &
#   export WLLXPAY_API_KEY=wllxpay-test-key WLLXPAY_SECRET_KEY=wllxpay-test-secret
#   payform --chdir examples/sandbox-serve init
#   payform --chdir examples/sandbox-serve apply --auto-approve
#   curl -s http://127.0.0.1:8787/_sandbox/ledger
#
# Every payout is at the gateway once, whatever was dropped: a lost answer is
# settled by sending the same foreign_id again, which WllxPay refuses when the
# first landed. --var sandbox=HOST:PORT points it at another address.

variable "sandbox" {
  type    = string
  default = "127.0.0.1:8787"
}

provider "wllxpay" {
  endpoint = "http://${var.sandbox}/wllxpay/api/v1"
}

locals {
  payouts = {
    "serve-1" = { currency = "BTC", amount = "0.0100", address = "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv" }
    "serve-2" = { currency = "ETH", amount = "0.50", address = "0x0FC8175c4AdB643410df3D5B301638C1a6eb231d" }
    "serve-3" = { currency = "USDTT", amount = "250.00", address = "TBQxJfLfHtDFZ7yViuUTSzvQqMEB5eENUm" }
    "serve-4" = { currency = "BTC", amount = "0.0200", address = "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv" }
    "serve-5" = { currency = "ETH", amount = "1.25", address = "0x0FC8175c4AdB643410df3D5B301638C1a6eb231d" }
  }
}

payout "batch" {
  for_each   = local.payouts
  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}
