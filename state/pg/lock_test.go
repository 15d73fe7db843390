package pg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payform/payform/state"
)

// TestLockDiesWithProcess: a SIGKILLed holder leaves no lock behind.
func TestLockDiesWithProcess(t *testing.T) {
	if schema := os.Getenv("PAYFORM_TEST_PG_LOCK_HOLDER"); schema != "" {
		b, err := Open(context.Background(), Config{ConnString: testDSN(t), Schema: schema})
		if err != nil {
			os.Exit(3)
		}
		if _, err := state.Open(context.Background(), b, state.Options{Operation: "apply", Actor: "child"}); err != nil {
			os.Exit(4)
		}
		fmt.Println("locked")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	schema := testSchema(t)
	openBackend(t, schema, "default") // creates the schema before the child runs
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockDiesWithProcess$")
	cmd.Env = append(os.Environ(), "PAYFORM_TEST_PG_LOCK_HOLDER="+schema)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	buf := make([]byte, 64)
	if n, _ := out.Read(buf); !strings.Contains(string(buf[:n]), "locked") {
		t.Fatalf("child did not lock: %q", buf[:n])
	}
	b := openBackend(t, schema, "default")
	_, err := b.Lock(context.Background(), state.LockInfo{ID: "parent"}, 0)
	var le *state.LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.Who != "child" || le.Holder.PID != cmd.Process.Pid {
		t.Fatalf("while held: %v", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	start := time.Now()
	u, err := b.Lock(context.Background(), state.LockInfo{ID: "parent"}, 5*time.Second)
	if err != nil {
		t.Fatalf("after kill: %v", err)
	}
	t.Logf("the lock was free %s after the holder was killed", time.Since(start).Round(time.Millisecond))
	if err := u.Unlock(); err != nil {
		t.Error(err)
	}
}

func TestLease(t *testing.T) {
	schema := testSchema(t)
	b := openBackend(t, schema, "default")
	b.heartbeat = 20 * time.Millisecond
	info := state.LockInfo{ID: "lock-1", Operation: "apply", Who: "ops@ci", PID: 4242, Version: "1.2.3", Created: t0}
	u, err := b.Lock(context.Background(), info, 0)
	if err != nil {
		t.Fatal(err)
	}
	admin := adminConn(t)
	readLease := func() (got state.LockInfo, heartbeat time.Time, backendPID uint32, err error) {
		var pid int32
		err = admin.QueryRow(context.Background(), `SELECT lock_id, operation, who, pid, version, since, heartbeat, backend_pid FROM `+schema+`.lock_leases WHERE workspace = 'default'`).
			Scan(&got.ID, &got.Operation, &got.Who, &pid, &got.Version, &got.Created, &heartbeat, &backendPID)
		got.PID = int(pid)
		return got, heartbeat, backendPID, err
	}
	got, beat1, backendPID, err := readLease()
	if err != nil {
		t.Fatal(err)
	}
	got.Created = got.Created.UTC()
	if got != info || backendPID != lockPID(t, b) {
		t.Errorf("lease = %+v on backend %d, want %+v on %d", got, backendPID, info, lockPID(t, b))
	}
	time.Sleep(100 * time.Millisecond)
	if _, beat2, _, err := readLease(); err != nil || !beat2.After(beat1) {
		t.Errorf("heartbeat %v then %v (%v): not touched", beat1, beat2, err)
	}
	if err := u.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := readLease(); err == nil {
		t.Error("the lease is still there after Unlock")
	}
	if err := u.Unlock(); err != nil {
		t.Errorf("second Unlock = %v", err)
	}
}

func TestForceUnlock(t *testing.T) {
	schema := testSchema(t)
	holder := openBackend(t, schema, "default")
	u, err := holder.Lock(context.Background(), state.LockInfo{ID: "lock-1", Operation: "apply", Who: "ops@ci", PID: 4242, Created: t0}, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := openBackend(t, schema, "default")
	err = b.ForceUnlock(context.Background(), "lock-1")
	want := fmt.Sprintf(`pg:%s/default: force-unlocking: refused: the lock is held by ops@ci (pid 4242) since 2026-11-21T10:00:00Z, running "apply" (lock id lock-1) on PostgreSQL backend %d, whose session is alive`, schema, lockPID(t, holder))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("ForceUnlock while held = %v\nwant %s", err, want)
	}
	if err := holder.ForceUnlock(context.Background(), "lock-1"); err == nil {
		t.Fatal("ForceUnlock by the holder itself succeeded")
	}

	terminate(t, lockPID(t, holder)) // the holder's session is gone, its lease stays
	if err := b.ForceUnlock(context.Background(), "lock-2"); err == nil || !strings.Contains(err.Error(), "the lease has lock id lock-1, not lock-2") {
		t.Errorf("ForceUnlock with another id = %v", err)
	}
	if err := b.ForceUnlock(context.Background(), "lock-1"); err != nil {
		t.Fatalf("ForceUnlock of a dead session's lease = %v", err)
	}
	if err := b.ForceUnlock(context.Background(), "lock-1"); err == nil || !strings.Contains(err.Error(), "there is no lock lease") {
		t.Errorf("second ForceUnlock = %v", err)
	}
	if err := u.Unlock(); err == nil || !strings.Contains(err.Error(), "its session was lost") {
		t.Errorf("Unlock of a lost session = %v", err)
	}
}

// TestWritesWithoutTheLock: a Backend that does not hold the lock writes
// only while no other session holds it.
func TestWritesWithoutTheLock(t *testing.T) {
	schema := testSchema(t)
	holder := openBackend(t, schema, "default")
	u, err := holder.Lock(context.Background(), state.LockInfo{ID: "lock-1", Who: "ops@ci", Operation: "apply"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := openBackend(t, schema, "default")
	err = b.WriteSnapshot(context.Background(), state.New("lineage", "test"))
	var le *state.LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.Who != "ops@ci" {
		t.Errorf("WriteSnapshot under another's lock = %v, want LockedError", err)
	}
	u.Unlock()
	if err := b.WriteSnapshot(context.Background(), state.New("lineage", "test")); err != nil {
		t.Fatalf("WriteSnapshot once free = %v", err)
	}

	// A journal opened without the lock commits while nobody holds it.
	j, err := b.OpenJournal(context.Background(), state.New("lineage", "test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Write(adopt(`payout.a["1"]`, "k1")); err != nil {
		t.Fatal(err)
	}
	if err := j.Sync(1); err != nil {
		t.Fatalf("Sync while free = %v", err)
	}
	if u, err = holder.Lock(context.Background(), state.LockInfo{ID: "lock-2", Who: "ops@ci", Operation: "apply"}, 0); err != nil {
		t.Fatal(err)
	}
	defer u.Unlock()
	if err := j.Write(adopt(`payout.a["2"]`, "k2")); err != nil {
		t.Fatal(err)
	}
	if err := j.Sync(2); !errors.As(err, &le) {
		t.Errorf("Sync under another's lock = %v, want LockedError", err)
	}
	if err := j.Close(); !errors.As(err, &le) {
		t.Errorf("Close = %v, want the sticky LockedError", err)
	}
	if n := journalRows(t, schema, "default"); n != 1 {
		t.Errorf("%d journal rows, want 1", n)
	}
}
