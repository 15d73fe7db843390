package coinilla_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/payform/payform/providers"
)

// TestOddAnswers covers answers the emulator never gives but a gateway
// might.
func TestOddAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		class  providers.Class
	}{
		{"not JSON", 200, "<html>oops</html>", providers.Ambiguous},
		{"no invoice, no error", 200, `{"invoice":"","error":""}`, providers.Ambiguous},
		{"short invoice", 200, `{"invoice":"abc","error":""}`, providers.Ambiguous},
		{"error beside an invoice", 200, `{"invoice":"` + strings.Repeat("0a", 32) + `","error":"warning: slow network"}`, providers.Ambiguous},
		{"duplicate beside an invoice", 200, `{"invoice":"` + strings.Repeat("0a", 32) + `","error":"duplicate refnum"}`, providers.Duplicate},
		{"duplicate as 400", 400, `{"invoice":"","error":"duplicate refnum"}`, providers.Duplicate},
		{"bad duplicate_refnum flag", 200, `{"invoice":"","error":"invalid duplicate_refnum"}`, providers.Rejected},
		{"403", 403, "Forbidden", providers.Rejected},
		{"503", 503, "", providers.Ambiguous},
	} {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		}))
		_, err := provider(t, hs.URL, "k").Create(context.Background(), invoice("a", "1", "USD"))
		if c := providers.ClassOf(err); err == nil || c != tc.class {
			t.Errorf("%s: Create = %v (%v), want %v", tc.name, err, c, tc.class)
		}
		hs.Close()
	}
}

// TestUnreachable: a refused connection never reached the gateway.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String() + "/coinilla"
	ln.Close()
	_, err = provider(t, endpoint, "k").Create(context.Background(), invoice("a", "1", "USD"))
	if c := providers.ClassOf(err); c != providers.Retryable {
		t.Errorf("class = %v (%v), want retryable", c, err)
	}
}
