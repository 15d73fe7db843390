package state

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"syscall"
	"time"
)

// lockPoll is how often a waiting command retries the lock.
const lockPoll = 50 * time.Millisecond

// fileLock is an flock(2) on a lock file that holds the holder's LockInfo.
// The kernel drops the flock when the process dies, so a killed payform
// never leaves a lock behind.
type fileLock struct{ f *os.File }

func lockFile(ctx context.Context, path string, info LockInfo, timeout time.Duration) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, err
		}
		waited := time.Since(start)
		if waited >= timeout {
			holder := readLockInfo(f)
			f.Close()
			return nil, &LockedError{Path: path, Holder: holder, Waited: waited.Round(time.Millisecond)}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(min(lockPoll, timeout-waited)):
		}
	}
	data, _ := json.MarshalIndent(info, "", "  ")
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(data, '\n'), 0)
	}
	return &fileLock{f: f}, nil
}

// readLockInfo reads the holder's info; nil when it is unreadable (the
// holder may not have written it yet).
func readLockInfo(f *os.File) *LockInfo {
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<20))
	if err != nil || len(data) == 0 {
		return nil
	}
	var info LockInfo
	if json.Unmarshal(data, &info) != nil {
		return nil
	}
	return &info
}

// Unlock clears the holder's info and releases the lock.
func (l *fileLock) Unlock() error {
	_ = l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}
