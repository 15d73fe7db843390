package emulator

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// faultServer serves a fake behind an injector set to spec.
func faultServer(t *testing.T, h http.Handler, spec string) (*httptest.Server, *FaultInjector) {
	t.Helper()
	fi := NewFaultInjector(mustFaults(t, spec))
	srv := httptest.NewServer(fi.Wrap(h))
	t.Cleanup(srv.Close)
	return srv, fi
}

type result struct {
	Status int
	Type   string
	Body   string
	Err    bool
}

func post(t *testing.T, client *http.Client, url string) result {
	t.Helper()
	resp, err := client.Post(url, "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		return result{Err: true}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return result{Status: resp.StatusCode, Type: resp.Header.Get("Content-Type"), Body: string(body)}
}

func TestFaultKinds(t *testing.T) {
	for _, tc := range []struct {
		spec          string
		limited       bool
		want          result
		wantProcessed int
		wantCount     string
	}{
		{spec: "seed=1", want: result{201, "application/json", `{"body":"{\"a\":1}","path":"/x","uri":"/x"}` + "\n", false}, wantProcessed: 1},
		{spec: "fail-before-commit=1,seed=1", want: result{Err: true}, wantCount: FaultFailBeforeCommit},
		{spec: "status-429=1,seed=1", want: result{429, "application/json", `{"error":"Too Many Requests"}`, false}, wantCount: FaultStatus429},
		{spec: "status-429=1,seed=1", limited: true, want: result{429, "application/json", `{"errors":{"rate_limit":"slow down"}}`, false}, wantCount: FaultStatus429},
		{spec: "status-500=1,seed=1", want: result{500, "application/json", `{"error":"Internal Server Error"}`, false}, wantCount: FaultStatus500},
		{spec: "drop-after-commit=1,seed=1", want: result{Err: true}, wantProcessed: 1, wantCount: FaultDropAfterCommit},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			f := &fake{name: "fake"}
			var h http.Handler = f
			if tc.limited {
				h = limitedFake{f}
			}
			srv, fi := faultServer(t, h, tc.spec)
			got := post(t, srv.Client(), srv.URL+"/x")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if got := f.Processed(); got != tc.wantProcessed {
				t.Errorf("processed %d requests, want %d", got, tc.wantProcessed)
			}
			for kind, n := range fi.Injected() {
				if want := int64(map[bool]int{true: 1}[kind == tc.wantCount]); n != want {
					t.Errorf("Injected()[%s] = %d, want %d", kind, n, want)
				}
			}
		})
	}
}

// TestDropAfterCommitSendsNothing reads the raw connection: the request is
// processed, and not one byte comes back.
func TestDropAfterCommitSendsNothing(t *testing.T) {
	f := &fake{name: "fake"}
	srv, _ := faultServer(t, f, "drop-after-commit=1,seed=1")
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/x", strings.NewReader(`{}`))
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(bufio.NewReader(conn))
	if len(got) != 0 {
		t.Errorf("got %d bytes %q after drop-after-commit, want none", len(got), got)
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("connection left open; want it closed")
	}
	if f.Processed() != 1 {
		t.Errorf("processed %d requests, want 1", f.Processed())
	}
}

func TestLatency(t *testing.T) {
	f := &fake{name: "fake"}
	srv, fi := faultServer(t, f, "latency=400ms,seed=1")
	start := time.Now()
	if got := post(t, srv.Client(), srv.URL+"/x"); got.Status != http.StatusCreated {
		t.Fatalf("status %d, want 201", got.Status)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("answered after %v, want at least 400ms", d)
	}

	// A client that gives up first still gets its request processed.
	client := &http.Client{Timeout: 20 * time.Millisecond}
	if got := post(t, client, srv.URL+"/x"); !got.Err {
		t.Fatalf("got %+v, want a client timeout", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.Processed() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if f.Processed() != 2 {
		t.Errorf("processed %d requests, want 2: the late one too", f.Processed())
	}
	if n := fi.Injected()[FaultLatency]; n != 2 {
		t.Errorf("Injected()[latency] = %d, want 2", n)
	}
}

func TestFaultsChangeAtRunTime(t *testing.T) {
	f := &fake{name: "fake"}
	srv, fi := faultServer(t, f, "status-500=1,seed=1")
	if got := post(t, srv.Client(), srv.URL+"/x"); got.Status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", got.Status)
	}
	fi.Set(Faults{Seed: 1})
	if got := post(t, srv.Client(), srv.URL+"/x"); got.Status != http.StatusCreated {
		t.Errorf("after Set(no faults): status %d, want 201", got.Status)
	}
}
