#!/bin/sh
# The approval flow of this example, end to end, on WllxPay's embedded
# sandbox: two throwaway approver keys (alice and bob), a plan made by
# carol, alice's approval through payform, bob's through stock ssh-keygen,
# the apply, and the journal saying who approved.
#
#   sh examples/controls/demo.sh [DIR]
#
# It works in DIR (default: a new temporary directory) on a copy of this
# directory, whose allowed_signers it replaces with the two new keys; the
# example's own allowed_signers holds keys nobody has. Needs payform on
# PATH (or PAYFORM=/path/to/payform) and ssh-keygen.
set -eu

payform=${PAYFORM:-payform}
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
mkdir -p "$work"
cp "$here"/main.hcl "$here"/*.csv "$work"/
cd "$work"

for who in alice bob; do
  ssh-keygen -q -t ed25519 -N '' -C "$who@example.com" -f "$who"
done
for who in alice bob; do
  printf '%s@example.com %s\n' "$who" "$(cut -d' ' -f1,2 "$who.pub")"
done > allowed_signers

# carol makes the plan; her own approval would not count.
export PAYFORM_ACTOR=carol@example.com
"$payform" plan --out payform.plan

# Without approvals, apply refuses the plan and sends nothing.
if "$payform" apply payform.plan; then
  echo "demo: apply ran a plan without its approvals" >&2
  exit 1
fi

# alice approves with payform, bob with ssh-keygen alone.
"$payform" approve payform.plan --key alice
ssh-keygen -Y sign -n payform -f bob payform.plan
mv payform.plan.sig payform.plan.bob.sig
"$payform" show payform.plan | tail -n 4

"$payform" apply payform.plan
"$payform" audit log
echo "demo: done in $work"
