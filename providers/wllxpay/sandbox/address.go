package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/payform/payform/money"
)

type depositAddress struct {
	id        int64
	foreignID string
	currency  string
	address   string
	tag       string
	createdAt time.Time
}

// addressKey is a deposit address's merchant key in the ledger.
func addressKey(foreignID, currency string) string { return foreignID + "/" + currency }

// addressData is addresses/take's data: the page's example, {id,
// address, foreign_id, tag}, and nothing more.
type addressData struct {
	ID        int64   `json:"id"`
	Address   string  `json:"address"`
	ForeignID string  `json:"foreign_id"`
	Tag       *string `json:"tag"`
}

// takeAddress serves POST /api/v1/addresses/take. Every call makes a new
// deposit address, even for a foreign_id seen before (foreign_id names a
// customer, not a request). For a currency that needs a tag (XRP) the
// address is the merchant's one account and the tag is new each time, as
// real XRP deposits work.
func (e *Emulator) takeAddress(f form) reply {
	errs := map[string]string{}
	fid, fidOK := requiredText(f, "foreign_id", errs)
	code, codeOK := requiredText(f, "currency", errs)
	if fidOK && len(fid) > maxForeignID {
		errs["foreign_id"] = fmt.Sprintf("The foreign id may not be greater than %d characters.", maxForeignID)
	}
	cur, _ := currency(code, errs)
	key := ""
	if fidOK && codeOK {
		key = addressKey(fid, code)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	refuse := func(r reply) reply { return e.refuse(kindAddress, key, r) }
	if len(errs) > 0 {
		return refuse(validation(errs))
	}
	if !e.enabled[code] {
		return refuse(forbiddenCurrency(code))
	}
	id := e.lastAddress + 1
	address, tag, err := e.newDepositAddress(cur, id)
	if err != nil {
		return internalError
	}
	rec := record{Op: opAddress, ID: id, ForeignID: fid, Currency: code, Address: address, Tag: tag, At: e.clock.Now()}
	if err := e.commit(rec); err != nil {
		return internalError
	}
	return reply{http.StatusCreated, okEnvelope{"ok", addressData{
		ID: id, Address: address, ForeignID: fid, Tag: nullable(tag),
	}}}
}

// newDepositAddress makes the id'th deposit address. Addresses derive
// from the merchant key and the id, so a rebuilt emulator hands out the
// same ones; a tag currency's address derives from the key alone.
func (e *Emulator) newDepositAddress(cur money.Currency, id int64) (address, tag string, err error) {
	seed := "wllxpay-sandbox/" + e.key + "/" + cur.Code
	if cur.Tag == money.TagRequired {
		tag = strconv.FormatInt(100_000_000+id, 10)
	} else {
		seed += "/" + strconv.FormatInt(id, 10)
	}
	address, err = money.GenerateAddress(cur.Code, []byte(seed))
	return address, tag, err
}
