package emulator

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestStoreSurvivesSIGKILL appends in a child process, which reports each
// record once Append returned, kills it with SIGKILL mid-stream and checks
// that every acknowledged record is replayed.
func TestStoreSurvivesSIGKILL(t *testing.T) {
	if path := os.Getenv("EMULATOR_STORE_CHILD"); path != "" {
		appendForever(path)
		return
	}
	path := filepath.Join(t.TempDir(), "sandbox.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreSurvivesSIGKILL$")
	cmd.Env = append(os.Environ(), "EMULATOR_STORE_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := -1
	lines := bufio.NewScanner(out)
	for lines.Scan() && acked < 500 {
		if n, err := strconv.Atoi(lines.Text()); err == nil {
			acked = n
		}
	}
	cmd.Process.Kill() // SIGKILL
	cmd.Wait()
	if acked < 0 {
		t.Fatal("child acknowledged nothing")
	}

	s := openStore(t, path)
	got := replayAll(t, s.Journal("alpha"))
	if len(got) <= acked {
		t.Fatalf("replayed %d records, want at least the %d acknowledged", len(got), acked+1)
	}
	for i, r := range got {
		if r.N != i {
			t.Fatalf("record %d is %d, want %d", i, r.N, i)
		}
	}
}

func appendForever(path string) {
	s, err := OpenStore(path)
	if err != nil {
		os.Exit(2)
	}
	j := s.Journal("alpha")
	for n := 0; ; n++ {
		if err := j.Append(rec{n}); err != nil {
			os.Exit(3)
		}
		fmt.Println(n)
	}
}
