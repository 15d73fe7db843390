package cmd

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/state"
)

func newStatePushCmd(a *app) *cobra.Command {
	var force bool
	var lockTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "push FILE",
		Short: "Replace the state with a state file (a restored backup)",
		Long: `Replace the state with FILE (- for stdin), under the lock. It is refused when
FILE belongs to another workspace (lineage) or is not newer (serial) than the
state, unless --force, and refused even with --force when its journal head is
not on the journal: pushing it would orphan or invent journal entries.

Exit codes: 0 success; 1 error.`,
		Example: `  payform state push restored.state.json
  payform state pull > s.json && payform state push --force s.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var data []byte
			var err error
			if args[0] == "-" {
				data, err = io.ReadAll(io.LimitReader(a.ios.In, 1<<31))
			} else {
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return err
			}
			cfg := a.backendOnly(true)
			backend, err := a.openBackend(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer closeBackend(backend)
			info := state.LockInfo{ID: state.NewID(), Operation: "state push", Who: state.Actor(), PID: os.Getpid(), Version: Version, Created: a.now().UTC()}
			lock, err := backend.Lock(cmd.Context(), info, lockTimeout)
			if err != nil {
				return err
			}
			defer lock.Unlock()
			p, ok := backend.(state.Pusher)
			if !ok {
				return fmt.Errorf("%s cannot take a pushed state", backend.Describe())
			}
			if err := p.Push(cmd.Context(), data, force); err != nil {
				return err
			}
			fmt.Fprintf(a.ios.Out, "Pushed %s to %s.\n", args[0], backend.Describe())
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "push even a state of another lineage or an older serial")
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 0, "wait this long for the state lock")
	return cmd
}
