# One deposit address per customer and currency, on WllxPay's embedded
# sandbox, and the output the shop's application reads.
#
#   payform --chdir examples/deposit-addresses apply --auto-approve
#   payform --chdir examples/deposit-addresses output customer_addresses --format csv
#
# Each (foreign_id, currency) pair is taken once and kept for life: removing
# a customer only forgets their pairs, and adding them back restores the same
# addresses with no gateway call. XRP addresses come with a destination tag,
# which the customer must use.

provider "wllxpay" {
  sandbox = true
}

deposit_address_pool "customers" {
  currencies  = ["BTC", "XRP"]
  foreign_ids = ["cust-1872", "cust-1873", "cust-1874"]
}

# The same from a CRM export, one row per customer with the currencies they
# use ("BTC USDTT"):
#
# deposit_address_pool "crm" {
#   for_each    = { for c in csvdecode(file("customers.csv")) : c.foreign_id => c }
#   foreign_ids = [each.key]
#   currencies  = split(" ", each.value.currencies)
# }

output "customer_addresses" {
  description = "Every customer's deposit address and tag, by FOREIGN_ID/CURRENCY."
  value       = deposit_address_pool.customers
}
