package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/payform/payform/internal/shell"
	"github.com/payform/payform/providers"
	"github.com/payform/payform/schema"
	"github.com/payform/payform/state"
)

// Attestation is what an operator vouches for, having looked at the
// gateway's dashboard, where the gateway's read-back cannot prove it.
type Attestation struct {
	// Amount is the object's amount as the operator read it, in the
	// item's currency; "" attests nothing.
	Amount string
}

// createdSlack is how much earlier than the item's first intent the
// gateway may date the object it made for it (clocks disagree).
const createdSlack = 5 * time.Minute

// ResolveAdopt settles an in-doubt item by an operator's word that the
// gateway object with id is the one. It reads the object back and checks
// what the gateway can prove: that it exists; its key and amount where
// the answer carries them (KindSupport.Unread says where it does not); and
// that it was not made before payform first sent the item (where the
// gateway reports when it was made). What the gateway cannot prove must
// be attested (att), and is refused unless it matches the declaration.
// The journal's note says what was checked and what was attested, and
// Remote["attested"] names the attested attributes; the entry names the
// operator (the store's actor). The note is returned for the operator.
func ResolveAdopt(ctx context.Context, store *state.Store, prov providers.Provider, addr, id string, att Attestation) (*state.Resource, string, error) {
	rec, err := inDoubt(store, addr)
	if err != nil {
		return nil, "", err
	}
	kind := providers.Kind(rec.Kind)
	objs, err := prov.Refresh(ctx, []providers.Ref{{Kind: kind, Key: rec.Key, ID: id, CreatedAt: rec.CreatedAt}})
	if errors.Is(err, providers.ErrUnsupported) {
		return nil, "", fmt.Errorf("%s cannot read its objects back, so payform cannot check %s; nothing was settled", rec.Provider, id)
	}
	if err != nil {
		return nil, "", fmt.Errorf("reading %s from %s: %w", id, rec.Provider, err)
	}
	var found *providers.Object
	for i := range objs {
		if objs[i].ID == id {
			found = &objs[i]
		}
	}
	keyAttr := schema.KeyAttr(kind)
	if found == nil {
		return nil, "", fmt.Errorf("%s has no %s %s with %s %q; check the id (it must be the object made for this key)", rec.Provider, rec.Kind, id, keyAttr, rec.Key)
	}
	ks, _ := prov.Supports(kind)
	checked := []string{"it exists"}
	var attested, unproven []string

	keyRead := found.Key != "" && !ks.Unread.Has(providers.UnreadKey)
	switch {
	case keyRead && found.Key != rec.Key:
		return nil, "", fmt.Errorf("%s %s has %s %q, but %s is %q: refused", rec.Provider, id, keyAttr, found.Key, addr, rec.Key)
	case keyRead:
		checked = append(checked, fmt.Sprintf("%s %q", keyAttr, rec.Key))
	default:
		unproven = append(unproven, keyAttr)
	}

	want, err := decimal.NewFromString(rec.Amount)
	if err != nil {
		return nil, "", fmt.Errorf("%s has no amount in the state (%q): nothing was settled", addr, rec.Amount)
	}
	var sworn decimal.Decimal
	if att.Amount != "" {
		if sworn, err = decimal.NewFromString(att.Amount); err != nil {
			return nil, "", fmt.Errorf("--amount %q is not an amount", att.Amount)
		}
		if !sworn.Equal(want) {
			return nil, "", fmt.Errorf("you attest %s %s, but %s declares %s %s: refused (a new payment needs a new key)", sworn, rec.Currency, addr, want, rec.Currency)
		}
	}
	amountRead := !found.Amount.IsZero() && !ks.Unread.Has(providers.UnreadAmount)
	switch {
	case amountRead && !found.Amount.Equal(want):
		return nil, "", fmt.Errorf("%s %s is for %s %s, but %s declares %s %s: refused", rec.Provider, id, found.Amount, rec.Currency, addr, want, rec.Currency)
	case amountRead:
		checked = append(checked, fmt.Sprintf("amount %s %s", want, rec.Currency))
	case att.Amount == "":
		return nil, "", fmt.Errorf("%s does not report the amount of %s %s, so payform cannot check it is the one for %s (%s %s): "+
			"look at it on the gateway's dashboard, and if it is for %s %s and %s %q, attest it with --amount %s; nothing was settled",
			rec.Provider, rec.Kind, id, addr, want, rec.Currency, want, rec.Currency, keyAttr, rec.Key, want)
	default:
		attested = append(attested, fmt.Sprintf("amount %s %s", want, rec.Currency))
	}
	if len(unproven) > 0 && att.Amount == "" {
		return nil, "", fmt.Errorf("%s does not report the %s of %s %s: look at it on the gateway's dashboard, and attest it with --amount %s; nothing was settled",
			rec.Provider, keyAttr, rec.Kind, id, want)
	}
	if len(unproven) > 0 {
		attested = append(attested, fmt.Sprintf("%s %q", keyAttr, rec.Key))
	}

	if made, err := time.Parse(time.RFC3339Nano, found.Fields[providers.ResultCreatedAt]); err == nil && !rec.CreatedAt.IsZero() {
		if made.Before(rec.CreatedAt.Add(-createdSlack)) {
			return nil, "", fmt.Errorf("%s %s was made at %s, before payform first sent %s (%s): it is another object; refused",
				rec.Provider, id, made.UTC().Format(time.RFC3339), addr, rec.CreatedAt.UTC().Format(time.RFC3339))
		}
		checked = append(checked, "made after payform first sent the item")
	}

	note := "settled by an operator: the gateway's object " + id + "; checked against the gateway: " + strings.Join(checked, ", ")
	remote := remoteFields(kind, *found)
	if len(attested) > 0 {
		note += "; attested by the operator, not checked: " + strings.Join(attested, ", ")
		if remote == nil {
			remote = map[string]string{}
		}
		names := []string{}
		if att.Amount != "" && !amountRead {
			names = append(names, "amount")
		}
		if len(unproven) > 0 {
			names = append(names, unproven...)
		}
		remote["attested"] = strings.Join(names, ",")
	}
	status := string(found.Status)
	if status == "" {
		status = string(providers.StatusSubmitted)
	}
	err = store.Record(&state.Entry{
		Op: state.OpResolve, Address: addr, Provider: rec.Provider, Key: rec.Key,
		Result: &state.Result{Outcome: state.OutcomeAdopted, ID: id, Status: status, RawStatus: found.RawStatus,
			Remote: remote, Note: note},
	}, true)
	if err != nil {
		return nil, "", err
	}
	return store.State().Resource(addr), note, nil
}

// ResolveNotCreated settles an in-doubt item by an operator's word that
// the gateway made nothing for it: the record goes, so the next apply
// sends the key again. The entry names the operator.
func ResolveNotCreated(ctx context.Context, store *state.Store, prov providers.Provider, addr string, now time.Time) error {
	rec, err := inDoubt(store, addr)
	if err != nil {
		return err
	}
	note := "settled by an operator: the gateway made nothing for this key; the next apply sends it again"
	if prov != nil {
		checked, err := notCreatedAt(ctx, prov, rec, now)
		if err != nil {
			return err
		}
		if checked {
			note += " (looked up at the gateway first: not found)"
		}
	}
	return store.Record(&state.Entry{
		Op: state.OpResolve, Address: addr, Provider: rec.Provider, Key: rec.Key,
		Result: &state.Result{Outcome: state.OutcomeNotCreated, Note: note},
	}, true)
}

// notCreatedAt checks an operator's word that the gateway made nothing
// for rec, where the gateway can look its key up: it refuses when the
// gateway holds an object under the key (naming it), when the lookup
// fails, and while the last attempt may still land (settle_time). It
// reports whether the gateway was looked up at all.
func notCreatedAt(ctx context.Context, prov providers.Provider, rec *state.Resource, now time.Time) (bool, error) {
	kind := providers.Kind(rec.Kind)
	since := now
	if rec.CreatedAt.Before(since) {
		since = rec.CreatedAt
	}
	found, err := prov.Lookup(ctx, providers.Query{Kind: kind, Key: rec.Key, Since: since.Add(-UnsentMargin)})
	keyAttr := schema.KeyAttr(kind)
	switch {
	case errors.Is(err, providers.ErrUnsupported):
		return false, nil // the operator's word is all there is
	case err == nil:
		return true, fmt.Errorf("%s holds %s %s with %s %q (%s): it was created, so it cannot be settled as not created; adopt it with payform state resolve %s --id %s; nothing was settled",
			rec.Provider, rec.Kind, firstNonEmpty(found.ID, "(no id given)"), keyAttr, rec.Key, firstNonEmpty(string(found.Status), "status unknown"), shell.Quote(rec.Address), shell.Quote(firstNonEmpty(found.ID, "ID")))
	case !errors.Is(err, providers.ErrNotFound):
		return true, fmt.Errorf("looking %s %q up at %s before settling it as not created: %v; nothing was settled, try again", keyAttr, rec.Key, rec.Provider, err)
	}
	ks, _ := prov.Supports(kind)
	last := rec.UpdatedAt
	if rec.Pending != nil && rec.Pending.At.After(last) {
		last = rec.Pending.At
	}
	if wait := last.Add(ks.Settle).Sub(now); ks.Settle > 0 && wait > 0 {
		return true, fmt.Errorf("%s does not hold %s %q yet, but the last attempt was journaled at %s, less than settle_time (%s) ago, and may still land; wait %s (or run payform apply, which waits for it and settles it itself); nothing was settled",
			rec.Provider, keyAttr, rec.Key, last.UTC().Format(time.RFC3339), ks.Settle, wait.Round(time.Second))
	}
	return true, nil
}

func inDoubt(store *state.Store, addr string) (*state.Resource, error) {
	rec := store.State().Resource(addr)
	switch {
	case rec == nil:
		return nil, fmt.Errorf("%s is not in the state", addr)
	case !rec.InDoubt():
		return nil, fmt.Errorf("%s is not in doubt (it is %s, id %s): there is nothing to settle", addr, rec.Status, orDash(rec.ID))
	}
	return rec, nil
}
