package state

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// lockPoll is how often a waiting command retries the lock.
const lockPoll = 50 * time.Millisecond

// fileLock is an exclusive lock (flock(2) on unix) on a lock file that
// holds the holder's LockInfo. The kernel drops the lock when the process
// dies, so a killed payform never leaves a lock behind. The lock is only
// as good as the file it is on: once taken, it is checked to be on the
// file that is still at the path (same inode), before the command starts
// and again before every durable journal write, so that removing or
// replacing the lock file under a running command cannot give a second
// writer a lock of its own unnoticed.
type fileLock struct {
	path string
	f    *os.File
}

var _ Checker = (*fileLock)(nil)

func lockFile(ctx context.Context, path string, info LockInfo, timeout time.Duration) (*fileLock, error) {
	start := time.Now()
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		if ok {
			l := &fileLock{path: path, f: f}
			if l.Check() == nil {
				data, _ := json.MarshalIndent(info, "", "  ")
				if err := f.Truncate(0); err == nil {
					_, _ = f.WriteAt(append(data, '\n'), 0)
				}
				return l, nil
			}
			// The file was removed or replaced between open and lock: the
			// lock is on a file nobody else will see. Take the new one.
			unlock(f)
			f.Close()
			continue
		}
		waited := time.Since(start)
		if waited >= timeout {
			holder := readLockInfo(f)
			f.Close()
			return nil, &LockedError{Path: path, Holder: holder, Waited: waited.Round(time.Millisecond)}
		}
		f.Close()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(lockPoll, timeout-waited)):
		}
	}
}

// Check reports an error when the lock file at the path is no longer the
// one this lock holds.
func (l *fileLock) Check() error {
	held, err := l.f.Stat()
	if err != nil {
		return fmt.Errorf("checking the lock %s: %w", l.path, err)
	}
	now, err := os.Stat(l.path)
	if err != nil || !os.SameFile(held, now) {
		return &LostLockError{Path: l.path}
	}
	return nil
}

// LostLockError says the lock file was removed or replaced while this
// command held it: another command may be writing, so this one stops.
type LostLockError struct{ Path string }

func (e *LostLockError) Error() string {
	return fmt.Sprintf("the lock file %s was removed or replaced while this command held it: another payform may now be writing the same state, so this one stops before sending anything more; run payform again once no other command runs", e.Path)
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
	if l.Check() == nil {
		_ = l.f.Truncate(0)
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}
