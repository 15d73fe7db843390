package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/payform/payform/providers/milacoins"
)

// ledgerid VAR GATEWAY KEY: set $VAR to the id of the one object GATEWAY
// holds under KEY (the sandbox's ledger is the referee of which id a
// message must name).
func cmdLedgerID(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: ledgerid VAR GATEWAY KEY")
	}
	var ids []string
	for _, o := range fetchLedger(ts, ts.Getenv("SANDBOX_ADDR")) {
		if o.Gateway == args[1] && o.Key == args[2] {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) != 1 {
		ts.Fatalf("%s holds %d objects with key %q (%v), want 1", args[1], len(ids), args[2], ids)
	}
	ts.Setenv(args[0], ids[0])
}

// reqproxy VAR FILE: start, in the test process, a proxy to the sandbox
// at $SANDBOX_ADDR; its host:port goes into $VAR. Every request it passes
// on is appended to FILE as one line: the method, the path and, for a
// form body, its fields sorted, api_key left out (page=2&per_page=100&
// sort=created_at_desc). For gateways whose sandbox keeps no request log
// of its own (CoinPay24): the script counts lines with grep -count.
func cmdReqProxy(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: reqproxy VAR FILE")
	}
	path := ts.MkAbs(args[1])
	target, err := url.Parse("http://" + ts.Getenv("SANDBOX_ADDR"))
	ts.Check(err)
	rp := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		line := r.Method + " " + r.URL.Path
		if form, err := url.ParseQuery(string(body)); err == nil && len(body) > 0 {
			form.Del("api_key")
			line += " " + form.Encode() // sorted by key
		}
		mu.Lock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(f, line)
			f.Close()
		}
		mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	ts.Defer(srv.Close)
	ts.Setenv(args[0], strings.TrimPrefix(srv.URL, "http://"))
}

// milalogs FILE: write to FILE the requests MilaCoins' own request log
// (GET /api/v1/logs/, its documented call, signed with the sandbox's
// credentials) holds since the script's last milalogs, oldest first, one
// a line: the method and the URI as the gateway saw it. The log's own
// reads are left out.
func cmdMilaLogs(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: milalogs FILE")
	}
	const cursor = "MILALOGS_LAST" // the newest entry the last milalogs read
	last, newest := ts.Getenv(cursor), ""
	var lines []string
pages:
	for page := 1; ; page++ {
		uri := "/milacoins/api/v1/logs/?limit=500&page=" + strconv.Itoa(page)
		req, err := http.NewRequest(http.MethodGet, "http://"+ts.Getenv("SANDBOX_ADDR")+uri, nil)
		ts.Check(err)
		xtime := strconv.FormatInt(time.Now().Unix(), 10)
		req.Header.Set("X-api-key", "milacoins-test-key")
		req.Header.Set("X-time", xtime)
		req.Header.Set("X-Sig", milacoins.Sign("milacoins-test-secret", xtime, http.MethodGet, uri, nil))
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		var out struct {
			Count int `json:"count"`
			Skip  int `json:"skip"`
			Docs  []struct {
				ID     string `json:"id"`
				Method string `json:"method"`
				URI    string `json:"uri"`
			} `json:"docs"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			ts.Fatalf("milalogs: HTTP %d: %v", resp.StatusCode, err)
		}
		for _, d := range out.Docs { // newest first
			if d.ID == last {
				break pages
			}
			if newest == "" {
				newest = d.ID
			}
			if !strings.HasPrefix(d.URI, "/api/v1/logs") {
				lines = append(lines, d.Method+" "+d.URI)
			}
		}
		if len(out.Docs) == 0 || out.Skip+len(out.Docs) >= out.Count {
			if last != "" {
				ts.Fatalf("milalogs: the log no longer holds entry %s, where the last milalogs stopped", last)
			}
			break
		}
	}
	if newest != "" {
		ts.Setenv(cursor, newest)
	}
	slices.Reverse(lines)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}
