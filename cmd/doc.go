// Package cmd is payform's command line: cobra commands, flags, terminal
// I/O, progress, the human rendering of plans, state and diagnostics, and
// exit codes (decided in root.go, nowhere else). Each command is an
// options struct, a constructor that binds flags, and a run function;
// the deciding is left to schema/ and planner/, the storing to state/.
package cmd
