package sandbox

import (
	"encoding/json"
	"time"
)

// doc is an invoice in the list and by-id answers, with the documented
// fields in their order.
type doc struct {
	ID                    string      `json:"id"`
	ReceiptID             int64       `json:"receiptID"`
	Type                  string      `json:"type"`
	Status                string      `json:"status"`
	Refund                refundDoc   `json:"refund"`
	InvoiceCurrency       string      `json:"invoiceCurrency"`
	InvoiceAmount         json.Number `json:"invoiceAmount"`
	Wallet                string      `json:"wallet"`
	WalletCredited        json.Number `json:"walletCredited"`
	Network               string      `json:"network"`
	NetworkAmountReceived json.Number `json:"networkAmountReceived"`
	ExchangeRate          rateDoc     `json:"exchangeRate"`
	Address               string      `json:"address"`
	Txs                   []string    `json:"txs"`
	ExternalID            string      `json:"externalID"`
	Customer              customerDoc `json:"customer"`
	CreatedAt             string      `json:"createdAt"`
}

// refundDoc is the documented refund object. The page types refund
// "Object", so it is one even when there is no refund (the emulator
// makes none): every member there, empty ("" and 0).
type refundDoc struct {
	ID        string      `json:"id"`
	Status    string      `json:"status"`
	Network   string      `json:"network"`
	Amount    json.Number `json:"amount"`
	Agent     string      `json:"agent"`
	CreatedAt string      `json:"createdAt"`
	Address   string      `json:"address"`
	TxID      string      `json:"txID"`
}

// rateDoc is the price of one Base (the network coin) in Quote (the
// invoice currency). The page types exchangeRate "Object": before a
// payment it is one with empty members ("", "", 0).
type rateDoc struct {
	Base  string      `json:"base"`
	Quote string      `json:"quote"`
	Rate  json.Number `json:"rate"`
}

type customerDoc struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
}

// isoTime renders t as JavaScript's Date.toISOString does.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// receiptBase offsets receipt numbers from invoice sequence numbers.
const receiptBase = 100000

// doc renders inv at now. Called with e.mu held.
func (e *Emulator) doc(inv *invoice, now time.Time) doc {
	d := doc{
		ID: inv.id, ReceiptID: receiptBase + inv.seq, Type: inv.typ, Status: e.status(inv, now),
		InvoiceCurrency: inv.currency, InvoiceAmount: json.Number(inv.amount.String()), Wallet: inv.wallet,
		WalletCredited: "0", NetworkAmountReceived: "0", Txs: []string{}, ExternalID: inv.externalID,
		Refund: refundDoc{Amount: "0"}, ExchangeRate: rateDoc{Rate: "0"},
		Customer:  customerDoc{inv.firstName, inv.lastName, inv.email},
		CreatedAt: isoTime(inv.createdAt),
	}
	if p := inv.pay; p != nil {
		d.WalletCredited = json.Number(p.walletCredited.String())
		d.Network, d.NetworkAmountReceived = p.network, json.Number(p.networkAmount.String())
		d.ExchangeRate = rateDoc{p.network, inv.currency, json.Number(p.rate.String())}
		d.Address, d.Txs = p.address, []string{p.txID}
	}
	return d
}
