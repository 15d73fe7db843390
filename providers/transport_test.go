package providers_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payform/payform/providers"
)

// TestSendTrace: only a round trip that never had a connection is
// Retryable; once connected, any failure may have been processed.
func TestSendTrace(t *testing.T) {
	// A port nobody listens on: the dial fails.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	// A server that reads the request head and hangs up (cut before an
	// answer), and one that never answers (timeout).
	serve := func(handle func(net.Conn)) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go handle(c)
			}
		}()
		return "http://" + ln.Addr().String()
	}
	readHead := func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil || line == "\r\n" {
				return
			}
		}
	}
	hangUp := serve(func(c net.Conn) { readHead(c); c.Close() })
	silent := serve(func(c net.Conn) { readHead(c); time.Sleep(2 * time.Second); c.Close() })

	hc := &http.Client{Timeout: 300 * time.Millisecond}
	for _, tc := range []struct {
		name, url string
		want      providers.Class
		message   string
	}{
		{"dial refused", closed, providers.Retryable, "connect: connection refused"},
		{"cut after the request", hangUp, providers.Ambiguous, "EOF"},
		{"no answer", silent, providers.Ambiguous, "no answer before the timeout"},
	} {
		req, _ := http.NewRequest(http.MethodPost, tc.url+"/create", strings.NewReader("key=k-1"))
		var trace providers.SendTrace
		_, err := hc.Do(trace.Attach(req))
		if err == nil {
			t.Fatalf("%s: no error", tc.name)
		}
		e := trace.Failed("gw", "create", err)
		if e.Class != tc.want || !strings.Contains(e.Message, tc.message) || strings.Contains(e.Message, tc.url) {
			t.Errorf("%s: %s %q, want %s with %q and no URL", tc.name, e.Class, e.Message, tc.want, tc.message)
		}
	}
}
