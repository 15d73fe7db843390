// Package emulator holds what every gateway emulator ("sandbox") shares:
// the Emulator interface and its LedgerObject view, fault injection
// (Faults, ParseFaults, FaultInjector), durable JSON-lines persistence
// (Store, Journal), the Server that mounts several emulators on one port
// with the /_sandbox/ admin API, and Transport, which lets a client talk
// to an emulator in-process. Each gateway's own emulator lives in
// providers/<gateway>/sandbox; the CLI (cmd/) wires them together.
//
// Choices where the design is silent: one FaultInjector is shared by every
// mounted gateway, its random draws are made once per request at arrival,
// and its counts survive a change of faults; status-429 also sends
// "Retry-After: 1"; where a connection cannot be hijacked (HTTP/2, the
// in-process Transport) a cut connection is a panic(http.ErrAbortHandler),
// which Transport reports as ErrConnectionClosed; ledger IDs made of digits
// sort as numbers; the admin API's errors are {"error": "..."}. Nothing here
// prints, and nothing runs in the background.
package emulator
