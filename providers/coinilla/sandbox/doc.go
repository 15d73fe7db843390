// Package sandbox emulates Coinilla's API 1.0: POST /pay (func=1) makes
// an invoice keyed by refnum, POST /verify answers func=3 (invoice and
// refnum) and func=4 (trans_id), GET /pay?invoice=ID shows a minimal
// payment page. Requests are form fields (urlencoded or multipart; the
// query string does not count) authenticated by apikey. Every mutation is
// journalled through an emulator.Journal before the answer is sent, and
// New rebuilds the state from it. Statuses follow from timestamps.
//
// Choices where the vendor is silent (gateways/NOTES.md lists the
// sources):
//   - every API answer is HTTP 200 JSON; errors are texts: "invalid
//     apikey" (checked first), "invalid func", then a taken refnum with
//     duplicate_refnum other than 1 answers {"invoice":"","error":
//     "duplicate refnum"} (Options.DuplicateMessage) before any other
//     validation, then every field error joined by "; " ("invalid
//     currency", "amount is required", "invalid amount", "amount must be
//     greater than 0", "amount has more than N decimal places for X",
//     "amount is too large", "refnum is required", "NAME is longer than
//     255 characters", "invalid return_url", "invalid duplicate_refnum");
//     an unreadable body is "invalid request"; a journal failure is HTTP
//     500 "internal error"; an unknown path 404, a wrong method 405;
//   - amounts must be above zero within the currency's precision (BTC 8,
//     fiat 2, JPY 0); an invoice is due in satoshi: exactly amount × 10^8
//     for BTC, rounded up at a fixed rate table for fiat (DefaultRates,
//     overridable per currency), at most 21 million BTC;
//   - invoice ids are 64 hex characters from Options.Entropy; each invoice
//     has its own bech32 bitcoin address derived from its id; trans_ids
//     are numbers counting from 1000001;
//   - verify answers notpaid with "invoice not found" for an unknown
//     invoice or one whose refnum differs, "transaction not found" for an
//     unknown trans_id; beside notpaid it says "invoice expired" once
//     Expiry (1 h) passed unpaid, "invoice canceled" after the buyer
//     cancelled, "invoice underpaid" after a partial payment — the only
//     way a client can tell those from a payable invoice;
//   - Pay: a full (or over) payment is paid-0 for ConfirmAfter (10 min),
//     then paid; the buyer returns with PENDING (OK with Options.ZeroConf);
//     a partial payment fails for good (CANCELED); a late one is credited
//     like a full one, since the funds reached the merchant's wallet;
//     Cancel (admin) cancels a pending invoice (CANCELED); the return forms
//     are only shown (Returns, GET /_sandbox/coinilla/returns), never sent;
//   - the 429 body is {"invoice":"","error":"too many requests"};
//   - a ledger object's create_requests counts every authenticated func=1
//     request that named its refnum, accepted or refused.
package sandbox
