package cmd

import "github.com/spf13/cobra"

func newCallbackCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "callback",
		Short: "Work with the callbacks gateways send",
		Example: `  payform callback serve --addr 127.0.0.1:9000
  payform callback list
  payform callback ingest --request received.http --gateway wllxpay
  payform callback verify --request received.http`,
	}
	cmd.AddCommand(newCallbackServeCmd(a, nil), newCallbackIngestCmd(a, nil), newCallbackListCmd(a, nil), newCallbackVerifyCmd(a, nil))
	return cmd
}
