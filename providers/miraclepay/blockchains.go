package miraclepay

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/payform/payform/providers"
)

// Blockchain is one network a prompt can be paid on.
type Blockchain struct {
	ID     string
	Name   string
	Active bool
}

// Blockchains lists the active blockchains (GET
// /external/blockchains/active). The vendor does not document the
// answer's shape; an array of {id, name, active} objects, an array of id
// strings, and either wrapped in {"data": [...]} or {"blockchains": [...]}
// are all read. An entry without "active" is active: the list is of
// active ones.
func (c *Client) Blockchains(ctx context.Context) ([]Blockchain, error) {
	var raw json.RawMessage
	if err := c.do(ctx, http.MethodGet, "/external/blockchains/active", "blockchains", nil, &raw); err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		var wrapped struct {
			_           struct{}          `undocumented:"the page names GET /external/blockchains/active, not its answer; NOTES.md section 2 lists the plausible shapes" absent:"no blockchain is listed"`
			Data        []json.RawMessage `json:"data"`
			Blockchains []json.RawMessage `json:"blockchains"`
		}
		json.Unmarshal(raw, &wrapped)
		items = append(wrapped.Data, wrapped.Blockchains...)
	}
	out := make([]Blockchain, 0, len(items))
	for _, it := range items {
		var id string
		if json.Unmarshal(it, &id) == nil {
			out = append(out, Blockchain{ID: id, Active: true})
			continue
		}
		var obj struct {
			_            struct{}             `undocumented:"the page names GET /external/blockchains/active, not its answer; NOTES.md section 2 suggests {id, name, active}" absent:"the entry is skipped; one without active is active"`
			ID           providers.FlexString `json:"id"`
			BlockchainID providers.FlexString `json:"blockchainId"`
			Name         providers.FlexString `json:"name"`
			Active       *bool                `json:"active"`
		}
		if json.Unmarshal(it, &obj) != nil {
			continue
		}
		b := Blockchain{ID: string(obj.ID), Name: string(obj.Name), Active: obj.Active == nil || *obj.Active}
		if b.ID == "" {
			b.ID = string(obj.BlockchainID)
		}
		if b.ID != "" {
			out = append(out, b)
		}
	}
	return out, nil
}
