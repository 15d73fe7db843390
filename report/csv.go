package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// CSVHeader is the ledger CSV's header row.
var CSVHeader = []string{
	"address", "kind", "provider", "gateway", "key", "gateway_id", "amount", "currency",
	"status", "raw_status", "category", "reason", "destination", "tag", "forgotten",
	"who", "when", "plan_id", "status_history", "history",
}

// WriteCSV writes the ledger, one row per item in the ledger's order,
// amounts exactly as recorded, times in RFC 3339 (UTC). history holds the item's journal entries,
// oldest first, separated by newlines (CSV quotes them).
func WriteCSV(w io.Writer, m *Model) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, it := range m.Ledger {
		lines := make([]string, len(it.History))
		for i, e := range it.History {
			lines[i] = e.Line()
		}
		rec := []string{
			it.Address, it.Kind, it.Provider, it.Gateway, it.Key, it.ID, it.Amount, it.Currency,
			it.Status, it.RawStatus, it.Category, it.Reason, it.Destination, it.Tag, strconv.FormatBool(it.Forgotten),
			it.Actor, rfc3339(it.At), it.PlanID, it.Trail(), strings.Join(lines, "\n"),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
