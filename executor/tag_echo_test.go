package executor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/payform/payform/providers/wllxpay"
	"github.com/payform/payform/state"
)

// TestTagNotEchoed: an XRP payout's answer from WllxPay echoes the
// destination tag (the v1 page's response has "tag"); an answer that
// drops it, or names another tag, may mean the gateway sent without the
// tag the recipient needs: money lost. payform never records such a
// payout as sent: the item is unknown, for an operator, named in the
// result, and the next apply sends nothing more.
func TestTagNotEchoed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rewrite func(m map[string]any)
		want    string
	}{
		{"dropped", func(m map[string]any) { delete(m, "tag") }, `no tag, declared "123456" (the gateway did not echo it)`},
		{"another", func(m map[string]any) { m["tag"] = "654321" }, `tag "654321", declared "123456"`},
		{"echoed", func(map[string]any) {}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t, "")
			target, _ := url.Parse(sb.URL)
			proxy := httputil.NewSingleHostReverseProxy(target)
			proxy.ModifyResponse = func(r *http.Response) error {
				if !strings.HasSuffix(r.Request.URL.Path, "/withdrawal/make") || r.StatusCode/100 != 2 {
					return nil
				}
				body, err := io.ReadAll(r.Body)
				if err != nil {
					return err
				}
				var answer map[string]any
				if err := json.Unmarshal(body, &answer); err != nil {
					return err
				}
				if data, ok := answer["data"].(map[string]any); ok {
					tc.rewrite(data)
				} else {
					tc.rewrite(answer)
				}
				body, _ = json.Marshal(answer)
				r.Body = io.NopCloser(bytes.NewReader(body))
				r.ContentLength = int64(len(body))
				r.Header.Set("Content-Length", fmt.Sprint(len(body)))
				return nil
			}
			front := httptest.NewServer(proxy)
			t.Cleanup(front.Close)
			dir := t.TempDir()
			cfg := loadConfig(t, dir, map[string]string{"main.hcl": fmt.Sprintf(`provider "wllxpay" {
  endpoint   = %q
  api_key    = "wllxpay-test-key"
  secret_key = "wllxpay-test-secret"
  timeout    = "2s"
}
payout "x" {
  foreign_id = "xrp-1"
  currency   = "XRP"
  amount     = "10"
  address    = "rh3UMU2qwhYFZUFzb5MfuWAsw3nRe2pMpa"
  tag        = "123456"
}
`, front.URL+wllxpay.Gateway.SandboxPath)})
			store := openStore(t, filepath.Join(dir, "s.json"))
			defer store.Close()
			provs := openProviders(t, cfg, dir)
			_, res := planAndApply(t, cfg, store, provs)
			rec := store.State().Resource("payout.x")
			if tc.want == "" {
				if len(res.Failures) != 0 || rec == nil || rec.Status != "submitted" {
					t.Fatalf("failures %v, record %+v: want the payout created", res.Failures, rec)
				}
				return
			}
			if len(res.Failures) != 1 || res.Failures[0].Outcome != state.OutcomeUnknown || !strings.Contains(res.Failures[0].Message, tc.want) {
				t.Fatalf("failures %+v: want payout.x unknown, saying %q", res.Failures, tc.want)
			}
			if rec == nil || rec.Status != "unknown" {
				t.Fatalf("record %+v: want it unknown, never submitted", rec)
			}
			planAndApply(t, cfg, store, provs)
			if got := sb.keyCounts(); len(got) != 1 || got["withdrawal xrp-1"] != 1 {
				t.Errorf("the gateway holds %v after a second apply, want the one payout", got)
			}
		})
	}
}
