// Package planner decides and does. MakePlan is a pure function from a
// configuration, a state and what the gateways reported (Observed) to the
// changes that make them agree, with an error for every edit of a sent
// object and every reused key; Refresh gathers Observed and is the only
// I/O on the planning side. Plan files carry a plan between `plan --out`
// and `apply FILE`, and CheckStale refuses one that no longer matches.
//
// Executor.Apply runs a plan with a pool of workers: for every create it
// journals a durable intent, calls the gateway, and journals the outcome,
// settling ambiguous outcomes by the gateway's in-doubt rule (a lookup
// proves absence only once the last attempt is KindSupport.Settle old).
// Import, ResolveAdopt and ResolveNotCreated are the operator's ways in;
// OutputData reads outputs. Progress leaves through the Hooks interface;
// this package never prints.
package planner
