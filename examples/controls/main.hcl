# Treasury controls on a batch of vendor payouts, on WllxPay's embedded
# sandbox (docs/controls.md explains every rule).
#
#   sh examples/controls/demo.sh        # the whole flow, with throwaway keys
#
# or by hand, once allowed_signers lists your approvers' keys:
#
#   payform --chdir examples/controls plan --out payform.plan
#   payform --chdir examples/controls approve payform.plan --key ~/.ssh/payform_ed25519
#   ssh-keygen -Y sign -n payform -f ~/.ssh/payform_ed25519 examples/controls/payform.plan  # the same, without payform
#   payform --chdir examples/controls apply payform.plan
#
# The plan shows the policies first: one payout is over the per-item limit
# and one goes to a destination the address book does not list, so the plan
# needs two approvals from allowed_signers (replace its keys with your
# team's: see the comment in that file), and the plan's author (PAYFORM_ACTOR)
# is not counted. A payout to an address on screening.csv would be refused
# outright, approvals or not. The sandbox reports its balances (v2_lookup =
# true), so a batch the account cannot fund is refused before anything is
# sent.

provider "wllxpay" {
  sandbox   = true
  v2_lookup = true # balances (v2 accounts/list) and lookups
}

locals {
  payouts = csvdecode(file("payouts.csv"))
}

payout "vendor" {
  for_each = { for p in local.payouts : p.foreign_id => p }

  foreign_id = each.key
  currency   = each.value.currency
  amount     = each.value.amount
  address    = each.value.address
}

# Limits and destinations for every payout this configuration sends.
policy "treasury" {
  per_item = { BTC = "0.5", ETH = "10", USDTT = "10000" }
  per_plan = { BTC = "2", ETH = "25", USDTT = "50000" }

  # What left in the last day, in doubt included, plus this plan.
  rolling {
    window = "24h"
    limit  = { BTC = "5", ETH = "50", USDTT = "100000" }
  }

  destinations {
    allow   = "address-book.csv" # currency,address[,tag][,label]
    deny    = "screening.csv"    # address[,reason]: always refused
    unknown = "approve"          # allow | approve | refuse
  }

  over_limit = "approve" # approve | refuse

  approvals {
    signers  = "allowed_signers" # OpenSSH allowed_signers
    required = 2                 # distinct signers, the plan's author not counted
  }
}
