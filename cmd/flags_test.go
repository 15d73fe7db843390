package cmd

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/payform/payform/planner"
	"github.com/payform/payform/state/pg"
)

// parseWith builds a command whose runF records the options it is given,
// so that a test parses argv without running anything (cli/cli's shape).
func parseWith[O any](newCmd func(*app, func(*O) error) *cobra.Command) func(t *testing.T, args []string) (any, error) {
	return func(t *testing.T, args []string) (any, error) {
		ios, out, errOut := Test("")
		a := &app{ios: ios, now: func() time.Time { return time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) }}
		var got *O
		cmd := newCmd(a, func(o *O) error { got = o; return nil })
		cmd.SetArgs(args)
		cmd.SetIn(strings.NewReader(""))
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		err := cmd.Execute()
		if out.Len() > 0 || errOut.Len() > 0 {
			t.Errorf("parsing wrote output (stdout %q, stderr %q): the command ran", out, errOut)
		}
		if got == nil {
			return nil, err
		}
		return *got, err
	}
}

// planDefaults are plan's and apply's flags as they are when none is
// given.
var planDefaults = planFlags{refresh: true, parallelism: 10}

func TestFlagParsing(t *testing.T) {
	plan, apply, refresh := parseWith(newPlanCmd), parseWith(newApplyCmd), parseWith(newRefreshCmd)
	resolve := parseWith(newStateResolveCmd)
	output := parseWith(newOutputCmd)
	cases := []struct {
		name    string
		parse   func(*testing.T, []string) (any, error)
		args    []string
		want    any
		wantErr string
	}{
		{name: "plan", parse: plan, want: planOptions{planFlags: planDefaults, ttl: planner.DefaultTTL}},
		{name: "plan every flag", parse: plan,
			args: []string{"--out", "nov.plan", "--var", "month=2026-11", "--var", "x=1", "--var-file", "v.hcl", "--target", `payout.vendor["po-1"]`,
				"--target", "payout.x", "--refresh-only", "--parallelism", "3", "--lock-timeout", "30s", "--json", "--detailed-exitcode", "--ttl", "2h"},
			want: planOptions{planFlags: planFlags{
				vars: varFlags{vars: []string{"month=2026-11", "x=1"}, files: []string{"v.hcl"}}, refresh: true, refreshOnly: true,
				targets: []string{`payout.vendor["po-1"]`, "payout.x"}, parallelism: 3, lockTimeout: 30 * time.Second, json: true,
			}, out: "nov.plan", detailedExitcode: true, ttl: 2 * time.Hour}},
		{name: "plan markdown without refresh", parse: plan, args: []string{"--refresh=false", "--markdown"},
			want: planOptions{planFlags: planFlags{parallelism: 10}, ttl: planner.DefaultTTL, markdown: true}},
		{name: "plan json and markdown", parse: plan, args: []string{"--json", "--markdown"}, wantErr: "--json and --markdown are two renderings; choose one"},
		{name: "plan takes no argument", parse: plan, args: []string{"nov.plan"}, wantErr: `unknown command "nov.plan" for "plan"`},

		{name: "apply", parse: apply, want: applyOptions{planFlags: planDefaults}},
		{name: "apply plan file", parse: apply, args: []string{"nov.plan", "--approval", "a.sig", "--approval", "b.sig", "--json"},
			want: applyOptions{planFlags: planFlags{refresh: true, parallelism: 10, json: true}, planFile: "nov.plan", approvals: []string{"a.sig", "b.sig"}}},
		{name: "apply auto-approve", parse: apply, args: []string{"--auto-approve", "--parallelism", "20", "--target", "payout.vendor"},
			want: applyOptions{planFlags: planFlags{refresh: true, parallelism: 20, targets: []string{"payout.vendor"}}, autoApprove: true}},
		{name: "apply json needs a plan or auto-approve", parse: apply, args: []string{"--json"},
			wantErr: "--json cannot ask for confirmation: add --auto-approve, or apply a saved plan"},
		{name: "apply one plan file", parse: apply, args: []string{"a.plan", "b.plan"}, wantErr: "accepts at most 1 arg(s), received 2"},
		{name: "apply parallelism is a number", parse: apply, args: []string{"--parallelism", "many"},
			wantErr: `invalid argument "many" for "--parallelism" flag: strconv.ParseInt: parsing "many": invalid syntax`},

		{name: "approve", parse: parseWith(newApproveCmd), args: []string{"nov.plan", "--key", "id.pub"}, want: approveOptions{planFile: "nov.plan", key: "id.pub"}},
		{name: "approve needs the plan", parse: parseWith(newApproveCmd), args: []string{"--key", "id.pub"}, wantErr: "accepts 1 arg(s), received 0"},

		{name: "refresh", parse: refresh, args: []string{"--target", "payout.vendor", "--parallelism", "20", "--json", "--var", "a=b"},
			want: refreshOptions{planFlags: planFlags{vars: varFlags{vars: []string{"a=b"}}, refresh: true, parallelism: 20, targets: []string{"payout.vendor"}, json: true}}},

		{name: "state list", parse: parseWith(newStateListCmd), want: stateListOptions{}},
		{name: "state list forgotten", parse: parseWith(newStateListCmd), args: []string{"--forgotten"}, want: stateListOptions{forgotten: true}},
		{name: "state show", parse: parseWith(newStateShowCmd), args: []string{`payout.vendor["po-1"]`}, want: stateShowOptions{addr: `payout.vendor["po-1"]`}},
		{name: "state rm", parse: parseWith(newStateRmCmd), args: []string{"payout.a", `payout.b["x"]`, "--force", "--lock-timeout", "1m"},
			want: stateRmOptions{addrs: []string{"payout.a", `payout.b["x"]`}, force: true, lockTimeout: time.Minute}},
		{name: "state rm needs an address", parse: parseWith(newStateRmCmd), wantErr: "requires at least 1 arg(s), only received 0"},
		{name: "state mv", parse: parseWith(newStateMvCmd), args: []string{"payout.a", "payout.b"}, want: stateMvOptions{src: "payout.a", dst: "payout.b"}},
		{name: "state mv needs both", parse: parseWith(newStateMvCmd), args: []string{"payout.a"}, wantErr: "accepts 2 arg(s), received 1"},
		{name: "state pull", parse: parseWith(newStatePullCmd), want: statePullOptions{}},
		{name: "state push stdin", parse: parseWith(newStatePushCmd), args: []string{"-", "--force", "--lock-timeout", "5s"},
			want: statePushOptions{file: "-", force: true, lockTimeout: 5 * time.Second}},
		{name: "state migrate defaults", parse: parseWith(newStateMigrateCmd), args: []string{"--to", "local"},
			want: migrateOptions{to: "local", path: DefaultStateFile, workspace: pg.DefaultWorkspace, schema: pg.DefaultSchema}},
		{name: "state migrate to pg", parse: parseWith(newStateMigrateCmd), args: []string{"--to", "pg", "--conn-str", "postgres://db", "--workspace", "treasury", "--schema", "pf", "--lock-timeout", "1m"},
			want: migrateOptions{to: "pg", path: DefaultStateFile, connStr: "postgres://db", workspace: "treasury", schema: "pf", lockTimeout: time.Minute}},
		{name: "state resolve adopt", parse: resolve, args: []string{`invoice_batch.p["ord-7"]`, "--id", "3f1c", "--amount", "10.00"},
			want: resolveOptions{addr: `invoice_batch.p["ord-7"]`, id: "3f1c", amount: "10.00"}},
		{name: "state resolve not created", parse: resolve, args: []string{`invoice_batch.p["ord-9"]`, "--not-created", "--var", "a=b", "--lock-timeout", "2s"},
			want: resolveOptions{addr: `invoice_batch.p["ord-9"]`, vars: varFlags{vars: []string{"a=b"}}, notCreated: true, lockTimeout: 2 * time.Second}},
		{name: "state resolve needs a verdict", parse: resolve, args: []string{"payout.a"}, wantErr: "give exactly one of --id ID and --not-created"},
		{name: "state resolve one verdict", parse: resolve, args: []string{"payout.a", "--id", "1", "--not-created"}, wantErr: "give exactly one of --id ID and --not-created"},
		{name: "state resolve amount with id", parse: resolve, args: []string{"payout.a", "--not-created", "--amount", "1"}, wantErr: "--amount attests the object adopted with --id"},
		{name: "force-unlock", parse: parseWith(newForceUnlockCmd), args: []string{"6f1c2a9e"}, want: forceUnlockOptions{lockID: "6f1c2a9e"}},
		{name: "import", parse: parseWith(newImportCmd), args: []string{`payout.vendor["po-7"]`, "1187", "--lock-timeout", "3s"},
			want: importOptions{addr: `payout.vendor["po-7"]`, id: "1187", lockTimeout: 3 * time.Second}},

		{name: "audit log", parse: parseWith(newAuditLogCmd), args: []string{"--since", "24h", "--address", "payout.vendor", "--json"},
			want: auditLogOptions{since: "24h", address: "payout.vendor", json: true}},
		{name: "audit verify", parse: parseWith(newAuditVerifyCmd), args: []string{"--head", "1:ab", "--head", "2:cd"}, want: auditVerifyOptions{heads: []string{"1:ab", "2:cd"}}},
		{name: "audit verify takes no argument", parse: parseWith(newAuditVerifyCmd), args: []string{"1:ab"}, wantErr: `unknown command "1:ab" for "verify"`},
		{name: "audit head", parse: parseWith(newAuditHeadCmd), args: []string{"--json"}, want: auditHeadOptions{json: true}},

		{name: "init", parse: parseWith(newInitCmd), want: initOptions{}},
		{name: "init with variables", parse: parseWith(newInitCmd), args: []string{"--var", "a=1", "--var-file", "prod.tfvars"},
			want: initOptions{vars: varFlags{vars: []string{"a=1"}, files: []string{"prod.tfvars"}}}},
		{name: "init takes no arguments", parse: parseWith(newInitCmd), args: []string{"extra"}, wantErr: `unknown command "extra" for "init"`},
		{name: "report", parse: parseWith(newReportCmd), want: reportOptions{format: "html"}},
		{name: "report every flag", parse: parseWith(newReportCmd), args: []string{"--since", "2026-11-01", "--until", "2026-11-30", "--format", "csv", "-o", "l.csv", "--head", "3:ff"},
			want: reportOptions{since: "2026-11-01", until: "2026-11-30", format: "csv", out: "l.csv", heads: []string{"3:ff"}}},

		{name: "callback serve", parse: parseWith(newCallbackServeCmd), want: callbackServeOptions{addr: "127.0.0.1:9000"}},
		{name: "callback serve addr", parse: parseWith(newCallbackServeCmd), args: []string{"--addr", "0.0.0.0:80", "--var-file", "v.hcl"},
			want: callbackServeOptions{addr: "0.0.0.0:80", vars: varFlags{files: []string{"v.hcl"}}}},
		{name: "callback ingest", parse: parseWith(newCallbackIngestCmd), args: []string{"--request", "r.http", "--gateway", "wllxpay"},
			want: callbackIngestOptions{request: "r.http", gateway: "wllxpay"}},
		{name: "callback list", parse: parseWith(newCallbackListCmd), args: []string{"--apart", "--json"}, want: callbackListOptions{apart: true, json: true}},
		{name: "callback verify", parse: parseWith(newCallbackVerifyCmd), want: callbackVerifyOptions{body: "-"}},
		{name: "callback verify every flag", parse: parseWith(newCallbackVerifyCmd),
			args: []string{"--body", "b.json", "--header", "X-Sig: 3a9f", "--header", "X-Time: 1", "--headers", "h.txt", "--request", "r.http", "--provider", "wllxpay.eu", "--json"},
			want: callbackVerifyOptions{provider: "wllxpay.eu", body: "b.json", headers: []string{"X-Sig: 3a9f", "X-Time: 1"}, hfile: "h.txt", request: "r.http", json: true}},

		{name: "output", parse: output, want: outputOptions{format: "text"}},
		{name: "output one as csv", parse: output, args: []string{"addresses", "--format", "csv"}, want: outputOptions{name: "addresses", format: "csv"}},
		{name: "output json is a format", parse: output, args: []string{"--json"}, want: outputOptions{json: true, format: "json"}},
		{name: "output unknown format", parse: output, args: []string{"--format", "xml"}, wantErr: `--format "xml": want text, json or csv`},

		{name: "show", parse: parseWith(newShowCmd), want: showOptions{}},
		{name: "show plan", parse: parseWith(newShowCmd), args: []string{"nov.plan", "--json", "--approval", "bob.sig"},
			want: showOptions{planFile: "nov.plan", json: true, approvals: []string{"bob.sig"}}},
		{name: "validate", parse: parseWith(newValidateCmd), args: []string{"--var", "a=b"}, want: validateOptions{vars: varFlags{vars: []string{"a=b"}}}},
		{name: "fmt", parse: parseWith(newFmtCmd), args: []string{"--check", "a.hcl", "b.hcl"}, want: fmtOptions{paths: []string{"a.hcl", "b.hcl"}, check: true}},
		{name: "reconcile", parse: parseWith(newReconcileCmd), args: []string{"--since", "720h", "--json", "--parallelism", "4"},
			want: reconcileOptions{since: "720h", json: true, parallelism: 4}},
		{name: "sandbox serve", parse: parseWith(newSandboxServeCmd),
			want: sandboxServeOptions{addr: "127.0.0.1:8787", timeScale: 1, limitScale: 1, confirm: 10 * time.Second}},
		{name: "sandbox serve strict", parse: parseWith(newSandboxServeCmd), args: []string{"--strict", "--faults", "drop-after-commit=0.3", "--addr", ":0", "--time-scale", "60"},
			want: sandboxServeOptions{addr: ":0", faults: "drop-after-commit=0.3", timeScale: 60, limitScale: 1, strict: true, confirm: 10 * time.Second}},
	}
	everything := cmp.Exporter(func(reflect.Type) bool { return true })
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse(t, tc.args)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if got != nil {
					t.Errorf("ran with %+v despite the error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, everything); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}
