package cmd

import (
	"path/filepath"

	"github.com/payform/payform/providers/sendlog"
	"github.com/payform/payform/schema"
)

// sendLogPath is where the rate limiters remember the requests sent, so
// that a run started after another (killed mid-window, or just finished)
// does not trip the gateway's counters: beside a local state
// (payform.state.json.sendlog), in .payform/ for the pg backend until it
// keeps them itself.
func (a *app) sendLogPath(cfg *schema.Config) string {
	if cfg != nil && cfg.Backend.Type == "pg" {
		return filepath.Join(".payform", "sendlog")
	}
	return a.statePath(cfg) + ".sendlog"
}

// openSendLog returns the send log of the workspace; it touches no file
// until a limited gateway is first called.
func (a *app) openSendLog(cfg *schema.Config) *sendlog.File {
	return sendlog.Open(a.sendLogPath(cfg), sendlog.Options{})
}
