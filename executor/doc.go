// Package executor does what a plan says. Executor.Apply runs a plan's
// changes with a pool of workers: for every create it journals a durable
// intent, calls the gateway, and journals the outcome, settling an
// ambiguous outcome by the gateway's in-doubt rule (DESIGN §7). Fold takes
// the callback inbox into the state (journaled callback entries; a
// callback that proves an item in doubt settles it). RefreshWith gathers,
// in parallel within each account's limits, what the gateways report for
// planner.MakePlan, and Tally counts the statuses it leaves. Reconcile
// compares what each gateway account lists with the state. Import,
// ResolveAdopt and ResolveNotCreated are the operator's ways in.
//
// It decides nothing the planner decides and prints nothing: progress
// leaves through the Hooks interface, and cmd/ renders it.
package executor
