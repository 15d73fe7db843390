package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTransportRoundTrip(t *testing.T) {
	var seen *http.Request
	var seenBody string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen, seenBody = r, string(b)
		r.Header.Set("X-Changed", "by handler")
		w.Header().Set("X-Reply", "1")
		w.WriteHeader(http.StatusCreated)
		w.Header().Set("X-Too-Late", "1")
		io.WriteString(w, `{"ok":true}`)
	})
	client := &http.Client{Transport: Transport(h)}
	req, _ := http.NewRequest(http.MethodPost, "http://sandbox.local/wllxpay/api/v1/x?y=1", strings.NewReader(`{"a":1}`))
	req.Header["x-processing-key"] = []string{"k"} // not canonical, as some clients send it
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	if got, want := []any{resp.StatusCode, resp.Status, string(body), resp.ContentLength, resp.Header.Get("X-Reply"), resp.Header.Get("X-Too-Late"), resp.Header.Get("Content-Type")},
		[]any{201, "201 Created", `{"ok":true}`, int64(11), "1", "", "text/plain; charset=utf-8"}; !cmp.Equal(got, want) {
		t.Errorf("response (-want +got):\n%s", cmp.Diff(want, got))
	}
	if got, want := []any{seen.Method, seen.RequestURI, seen.URL.Path, seen.Host, seenBody, seen.ContentLength, seen.Header.Get("X-Processing-Key")},
		[]any{"POST", "/wllxpay/api/v1/x?y=1", "/wllxpay/api/v1/x", "sandbox.local", `{"a":1}`, int64(7), "k"}; !cmp.Equal(got, want) {
		t.Errorf("request the handler saw (-want +got):\n%s", cmp.Diff(want, got))
	}
	if req.Header.Get("X-Changed") != "" {
		t.Errorf("the handler's change to its request headers reached the client's request")
	}
	resp.Header.Set("X-Reply", "changed")
	if seen.Header.Get("X-Reply") != "" {
		t.Errorf("response headers are shared with the handler")
	}
}

func TestTransportHonoursContext(t *testing.T) {
	release, finished := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "late")
		close(finished)
	})
	client := &http.Client{Transport: Transport(h)}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://sandbox.local/x", strings.NewReader("{}"))
	_, err := client.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do = %v, want context.DeadlineExceeded", err)
	}
	close(release)
	select {
	case <-finished: // the handler went on, as a server with a late request does
	case <-time.After(5 * time.Second):
		t.Errorf("the handler never finished")
	}

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://sandbox.local/x", nil)
	if _, err := client.Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("Do with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestTransportFaults(t *testing.T) {
	f := &fake{name: "fake"}
	fi := NewFaultInjector(mustFaults(t, "drop-after-commit=1,seed=1"))
	client := &http.Client{Transport: Transport(fi.Wrap(f))}
	_, err := client.Post("http://sandbox.local/x", "application/json", strings.NewReader("{}"))
	if !errors.Is(err, ErrConnectionClosed) {
		t.Errorf("Post = %v, want ErrConnectionClosed", err)
	}
	if f.Processed() != 1 {
		t.Errorf("processed %d, want 1", f.Processed())
	}

	fi.Set(mustFaults(t, "fail-before-commit=1,seed=1"))
	if _, err := client.Post("http://sandbox.local/x", "application/json", strings.NewReader("{}")); !errors.Is(err, ErrConnectionClosed) {
		t.Errorf("Post = %v, want ErrConnectionClosed", err)
	}
	if f.Processed() != 1 {
		t.Errorf("processed %d, want still 1", f.Processed())
	}
}

func TestTransportHandlerPanic(t *testing.T) {
	client := &http.Client{Transport: Transport(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("oops") }))}
	_, err := client.Get("http://sandbox.local/x")
	if err == nil || !strings.Contains(err.Error(), "handler panic: oops") {
		t.Errorf("Get = %v, want the panic as an error", err)
	}
}
