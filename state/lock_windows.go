//go:build windows

package state

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// tryLock takes an exclusive lock on f's first byte without waiting.
func tryLock(f *os.File) (bool, error) {
	ol := new(windows.Overlapped)
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return false, nil
	}
	return err == nil, err
}

func unlock(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}

// appendRange is the byte range lockAppend locks: far past any journal's
// end, so that readers of the journal are never blocked by it.
const appendRange = 0x7fffffff

// lockAppend holds an exclusive lock on the journal file f for one
// append: two processes that both believe they hold the workspace lock
// (its lock file was removed under one of them) cannot interleave the
// check of the file's end with the write after it.
func lockAppend(f *os.File) (unlock func(), err error) {
	h := windows.Handle(f.Fd())
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &windows.Overlapped{OffsetHigh: appendRange}); err != nil {
		return nil, err
	}
	return func() { _ = windows.UnlockFileEx(h, 0, 1, 0, &windows.Overlapped{OffsetHigh: appendRange}) }, nil
}
