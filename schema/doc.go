// Package schema turns payform's HCL configuration into a validated
// Config: it parses every *.hcl file, settles variables (--var, --var-file,
// PAYFORM_VAR_*, defaults), evaluates locals in dependency order, decodes
// the payform and provider blocks, the policy blocks (with the address
// books, screening lists and allowed_signers files they read) and the
// resource blocks in two phases (the generic for_each/provider part
// first, then the kind's own attributes), expands for_each, and checks
// amounts, currencies, addresses, duplicate merchant keys and each
// gateway's own rules for invoices and options.
//
// Every problem becomes an hcl.Diagnostic with a summary, a detail that
// says what to do, and the source range of the attribute at fault; Load
// keeps going to report all of them. Rendering is left to cmd/, planning
// to planner/. The only I/O is reading configuration, variable files and
// files named by file().
package schema
