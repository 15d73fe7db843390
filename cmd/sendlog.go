package cmd

import (
	"io"
	"time"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/sendlog"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state/pg"
)

// sendLog is where the rate limiters remember the requests sent, so that
// a run started after another (killed mid-window, or just finished, on
// this machine or another) does not trip the gateway's counters.
type sendLog interface {
	providers.SendLog
	io.Closer
}

// openSendLog returns the send log of the workspace: the pg backend's
// sendlog table, which every runner sharing the state reads, or a file
// beside a local state (payform.state.json.sendlog). It connects to
// nothing and touches no file until a limited gateway is first called.
func (a *app) openSendLog(cfg *schema.Config) sendLog {
	if cfg != nil && cfg.Backend.Type == "pg" {
		b := cfg.Backend
		return pgSendLog{pg.OpenSendLog(pg.Config{ConnString: b.ConnString, Workspace: b.Workspace, Schema: b.Schema}, pg.SendLogOptions{})}
	}
	return sendlog.Open(a.statePath(cfg)+".sendlog", sendlog.Options{})
}

// pgSendLog is a pg.SendLog as a providers.SendLog: state/pg does not
// import providers, and its Send has providers.Send's fields.
type pgSendLog struct{ log *pg.SendLog }

func (l pgSendLog) Load(account string, since time.Time) ([]providers.Send, error) {
	sends, err := l.log.Load(account, since)
	out := make([]providers.Send, len(sends))
	for i, s := range sends {
		out[i] = providers.Send(s)
	}
	return out, err
}

func (l pgSendLog) Record(account string, s providers.Send) error {
	return l.log.Record(account, pg.Send(s))
}

func (l pgSendLog) Close() error { return l.log.Close() }
