// Package policy evaluates the treasury controls of policy blocks on a
// plan: per-item, per-plan and rolling limits per gateway account and
// currency, destination allow and deny lists, and which approvals the
// plan needs. It is pure: the plan's items, the state (what was sent in
// each rolling window), the configuration and a clock go in; a verdict
// per item, a section per policy for renderings and the refusals as
// hcl.Diagnostics at their attributes come out.
//
// CheckFunding compares what a plan sends with the balances the gateways
// report (providers.ReadBalances). Decoding policy blocks is schema's,
// verifying approvals is package approval's, and rendering is cmd's.
package policy
