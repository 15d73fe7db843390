package state

// Kill ends s as SIGKILL ends its process: the journal and lock files
// are closed (the kernel drops the lock with them), nothing is synced,
// no snapshot or head is written. s must not be used again.
func Kill(s *Store) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.journal.(*journalFile); ok {
		j.f.Close()
	}
	if l, ok := s.unlock.(*fileLock); ok {
		l.f.Close()
	}
	s.journal, s.unlock, s.closed = nil, nil, true
}
