// Package planner decides. MakePlan is a pure function from a
// configuration, a state and what the gateways reported (Observed) to the
// changes that make them agree, with an error for every edit of a sent
// object and every reused key, and the verdicts of the configuration's
// policies (package policy) on every change that may send money. Plan
// files carry a plan between `plan --out` and `apply FILE` (and are what
// approvals sign), CheckStale refuses one that no longer matches what it
// was made from, and Compare one whose changes or verdicts differ from
// the plan made again.
//
// This package does no I/O beyond reading and writing plan files: the
// executor package gathers Observed (Refresh) and does what a plan says
// (Apply, Import, resolve); cmd/ renders plans.
package planner
