// Package executor does what a plan says. Executor.Apply runs a plan's
// changes with a pool of workers: for every create it journals a durable
// intent, calls the gateway, and journals the outcome, settling an
// ambiguous outcome by the gateway's in-doubt rule (DESIGN §7). Refresh
// gathers what the gateways report for planner.MakePlan; Import,
// ResolveAdopt and ResolveNotCreated are the operator's ways in.
//
// It decides nothing the planner decides and prints nothing: progress
// leaves through the Hooks interface, and cmd/ renders it.
package executor
