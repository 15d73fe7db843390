package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/payform/payform/state"
)

type statePushOptions struct {
	file        string
	force       bool
	lockTimeout time.Duration
}

func newStatePushCmd(a *app, runF func(*statePushOptions) error) *cobra.Command {
	opts := &statePushOptions{}
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
			opts.file = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runStatePush(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.force, "force", false, "push even a state of another lineage or an older serial")
	cmd.Flags().DurationVar(&opts.lockTimeout, "lock-timeout", 0, "wait this long for the state lock")
	return cmd
}

func runStatePush(ctx context.Context, a *app, opts *statePushOptions) error {
	var data []byte
	var err error
	if opts.file == "-" {
		data, err = io.ReadAll(io.LimitReader(a.ios.In, 1<<31))
	} else {
		data, err = os.ReadFile(opts.file)
	}
	if err != nil {
		return fmt.Errorf("cannot read the state file to push: %s", osErr(err))
	}
	cfg := a.backendOnly(true)
	backend, err := a.openBackend(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeBackend(backend)
	info := state.LockInfo{ID: state.NewID(), Operation: "state push", Who: state.Actor(), PID: os.Getpid(), Version: Version, Created: a.now().UTC()}
	lock, err := backend.Lock(ctx, info, opts.lockTimeout)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	p, ok := backend.(state.Pusher)
	if !ok {
		return fmt.Errorf("%s cannot take a pushed state", backend.Describe())
	}
	if err := p.Push(ctx, data, opts.force); err != nil {
		return err
	}
	fmt.Fprintf(a.ios.Out, "Pushed %s to %s.\n", opts.file, backend.Describe())
	return nil
}
