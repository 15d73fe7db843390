# Three payouts on WllxPay's embedded sandbox: no network, no credentials.
#
#   payform --chdir examples/quickstart apply --auto-approve
#
# The first run sends the three payouts; run it again and payform reports no
# changes, because each foreign_id was sent once and is recorded in
# payform.state.json. The sandbox keeps its data in .payform/sandbox/.

provider "wllxpay" {
  sandbox = true
}

payout "alice" {
  foreign_id = "quickstart-alice-2026-11"
  currency   = "BTC"
  amount     = "0.0150"
  address    = "bc1qac9ugdn47xg69zet79n3uegql4dru99ad6p3dv"
}

payout "bob" {
  foreign_id = "quickstart-bob-2026-11"
  currency   = "ETH"
  amount     = "0.25"
  address    = "0x0FC8175c4AdB643410df3D5B301638C1a6eb231d"
}

payout "carol" {
  foreign_id = "quickstart-carol-2026-11"
  currency   = "USDTT"
  amount     = "120.50"
  address    = "TBQxJfLfHtDFZ7yViuUTSzvQqMEB5eENUm"
}
