# Invoice batches on CoinPay24 and MilaCoins, on their embedded sandboxes.
#
#   payform --chdir examples/invoices apply --auto-approve
#   payform --chdir examples/invoices show
#
# Each invoice is keyed by the shop's own order id (CoinPay24's order_id,
# MilaCoins' externalID): it is created once, and an apply interrupted or
# cut off mid-call finds it again by that key instead of creating another.
# Paid, expired or underpaid invoices show up as status changes in the next
# plan, with the totals invoiced and paid per currency. Against
# `payform sandbox serve`, simulate payments with
# POST /_sandbox/pay {"gateway":"coinpay24","key":"ord-1001"}.

provider "coinpay24" {
  sandbox = true
}

provider "milacoins" {
  sandbox = true
}

invoice_batch "shop" {
  provider     = coinpay24
  currency     = "USD"
  callback_url = "https://shop.example.com/hooks/coinpay24"
  success_url  = "https://shop.example.com/thanks"
  cancel_url   = "https://shop.example.com/cart"

  invoice "ord-1001" {
    amount = "100.00"
    title  = "Order 1001"
  }
  invoice "ord-1002" {
    amount       = "12.50"
    title        = "Order 1002"
    pay_currency = "BTC" # the customer pays in BTC: payform checks out at once
  }

  # More orders from the shop's export; their values override the batch's.
  invoices = { for r in csvdecode(file("orders.csv")) : r.order_id => { amount = r.amount, title = r.title } }
}

invoice_batch "eu" {
  provider      = milacoins
  currency      = "EUR"
  wallet        = "EUR"
  completed_url = "https://shop.example.com/eu/thanks?invoice={INVOICE_ID}"
  cancel_url    = "https://shop.example.com/eu/cart?order={EXTERNAL_ID}"
  callback_url  = "https://shop.example.com/hooks/milacoins/{EVENT}/{INVOICE_ID}"

  invoice "eu-2001" {
    amount = "49.90"
  }
  invoice "eu-2002" {
    amount = "149.00"
  }
}

# Coinilla (BTC invoices keyed by refnum) and MiraclePay (payment prompts,
# which have no merchant key: payform writes "payform:<key>" into the note).
# Neither can find an invoice by the shop's key, so a create whose answer
# was lost ends "unknown": plan says so, apply never creates a second one,
# and an operator settles it after a look at the dashboard with
#   payform state resolve 'invoice_batch.btc["ord-3001"]' --id INVOICE_ID
# (checked against the gateway) or --not-created.

provider "coinilla" {
  sandbox = true
}

provider "miraclepay" {
  sandbox = true
}

invoice_batch "btc" {
  provider    = coinilla
  currency    = "BTC"
  success_url = "https://shop.example.com/thanks"
  cancel_url  = "https://shop.example.com/cart"
  pending_url = "https://shop.example.com/confirming"

  invoice "ord-3001" {
    amount      = "0.0025"
    description = "Order 3001"
  }
}

invoice_batch "prompts" {
  provider    = miraclepay
  currency    = "USD"
  blockchains = "eth,btc,tron-usdt"
  payer       = "customer" # the customer pays the 3% commission on top
  success_url = "https://shop.example.com/order/4001/complete"

  invoice "ord-4001" {
    amount      = "100.50"
    description = "Order 4001"
  }
}
