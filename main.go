// Command payform is Terraform for money: it declares payouts, deposit
// addresses and invoices in HCL and applies them to payment gateways, each
// exactly once. See README.md.
package main

import (
	"os"

	"github.com/payform/payform/cmd"
)

func main() { os.Exit(cmd.Execute()) }
