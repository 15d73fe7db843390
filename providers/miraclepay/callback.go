package miraclepay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/payform/payform/providers"
)

var _ providers.CallbackConfirmer = (*provider)(nil)

// ConfirmCallback confirms the redirect MiraclePay sends the customer's
// browser to when a prompt ends: the page says promptId and status are
// appended to redirectUrl. MiraclePay signs nothing and documents no
// webhook, so the redirect is only a hint; the prompt read by id (GET
// /external/payments/prompt/:id) is the truth. That answer names neither
// the merchant key nor the amount (Gateway.Kinds: Unread), so the
// confirmed callback carries neither: it can tell a status, never
// settle a prompt in doubt.
func (p *provider) ConfirmCallback(ctx context.Context, r providers.Received) (*providers.Callback, error) {
	id := ""
	if r.URL != nil {
		id = strings.TrimSpace(r.URL.Query().Get("promptId"))
	}
	if id == "" {
		return nil, fmt.Errorf("%w: a MiraclePay redirect names its prompt in promptId", providers.ErrNotFound)
	}
	st, err := p.c.GetPrompt(ctx, id)
	switch {
	case errors.Is(err, ErrPromptNotFound):
		return nil, fmt.Errorf("%w: MiraclePay has no prompt %s for this account", providers.ErrNotFound, id)
	case err != nil:
		return nil, err
	}
	obj := providers.Object{Kind: providers.Invoice, ID: st.ID, Status: MapStatus(st.Status), RawStatus: st.Status, Currency: "USD",
		Fields: map[string]string{}}
	if st.BlockchainID != "" {
		obj.Fields[ResultBlockchain] = st.BlockchainID
	}
	if !st.CreatedAt.IsZero() {
		obj.Fields[providers.ResultCreatedAt] = st.CreatedAt.Format(time.RFC3339Nano)
	}
	fields := map[string]string{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			fields[k] = v[0]
		}
	}
	return &providers.Callback{Type: "invoice", ID: st.ID, Status: st.Status, Currency: "USD", Fields: fields, Object: &obj, Via: "prompt"}, nil
}
