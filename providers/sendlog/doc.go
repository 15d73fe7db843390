// Package sendlog keeps providers.SendLog in a local file beside the
// state (File), so that the rate limiter of a run started after a killed
// one knows what that run sent. sendlogtest is the conformance suite any
// other implementation passes: the pg backend's (state/pg's SendLog, a
// table every runner sharing the state reads) runs it through cmd's
// adapter, in cmd's TestPGSendLogConformance.
package sendlog
