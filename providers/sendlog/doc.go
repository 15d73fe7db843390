// Package sendlog keeps providers.SendLog in a local file beside the
// state (File), so that the rate limiter of a run started after a killed
// one knows what that run sent. sendlogtest is the conformance suite any
// other implementation (the pg backend's) passes.
package sendlog
