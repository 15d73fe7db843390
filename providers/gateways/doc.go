// Package gateways is the catalog of every gateway payform speaks to: its
// descriptor, its client and its emulator. Open builds a ready provider
// for one provider block (real HTTP, or the emulator inside this process
// for sandbox = true), wrapped for retries, rate limits and settle_time,
// with one rate limiter per gateway account shared by the account's
// blocks (limiters.go); NewSandboxServer builds what `payform sandbox
// serve` runs. Adding a gateway means adding one catalog entry here.
package gateways
