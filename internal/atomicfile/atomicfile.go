// Package atomicfile writes a file so that a reader, or a crash, sees the
// old bytes or the new ones, never a mix: through a temporary file in the
// same directory, fsynced, renamed over the old one, and the directory
// fsynced so that the rename itself survives a power cut. Files are mode
// 0600: what payform writes (state, plans, approvals, reports, the
// inbox) is nobody else's to read.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// Write writes data to path atomically.
func Write(path string, data []byte) error {
	return WriteFunc(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc writes what write writes to path atomically; nothing changes
// at path when write fails.
func WriteFunc(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // a no-op after the rename
	err = tmp.Chmod(0o600)
	if err == nil {
		err = write(tmp)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir fsyncs a directory: what was created, removed or renamed in it
// is then on disk.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
