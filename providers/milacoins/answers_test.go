package milacoins_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payform/payform/providers"
	"github.com/payform/payform/providers/milacoins"
)

// TestAnswers classifies answers the emulator does not give.
func TestAnswers(t *testing.T) {
	tests := []struct {
		status int
		header string
		body   string
		want   *providers.Error
	}{
		{403, "", `{"requestID":"62d956eda0a3bf0730f5fd18","name":"IP_WHITE_LIST","message":"\"10.0.0.1\" ip not allowed","code":4301}`,
			&providers.Error{Class: providers.Rejected, Status: 403, Code: "IP_WHITE_LIST", Message: `"10.0.0.1" ip not allowed`, Auth: true}},
		{401, "", `{"code":1601,"message":"Already exist."}`,
			&providers.Error{Class: providers.Duplicate, Status: 401, Code: "1601", Message: "Already exist."}},
		{400, "", `{"code":4302}`, &providers.Error{Class: providers.Retryable, Status: 400, Code: "4302", Message: "Bad Request"}},
		{503, "", `<html>busy</html>`, &providers.Error{Class: providers.Ambiguous, Status: 503, Message: "Service Unavailable"}},
		{302, "https://api.milacoins.com/api/v1/invoices", ``,
			&providers.Error{Class: providers.Ambiguous, Status: 302, Message: "the gateway answered with a redirect to https://api.milacoins.com/api/v1/invoices, which payform does not follow (it would send the credentials there); check the endpoint"}},
		{200, "", `<html>ok</html>`,
			&providers.Error{Class: providers.Ambiguous, Status: 200, Message: "undecodable success response: invalid character '<' looking for beginning of value"}},
		{200, "", `{"wallet":"USD"}`, &providers.Error{Class: providers.Ambiguous, Message: "answer without an invoice id"}},
	}
	for _, tc := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.header != "" {
				w.Header().Set("Location", tc.header)
			}
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		}))
		c, err := milacoins.NewClient(milacoins.Options{Endpoint: srv.URL, APIKey: "k", Secret: "s"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Create(context.Background(), invoice("a", "1", nil))
		srv.Close()
		var got *providers.Error
		if !errors.As(err, &got) {
			t.Fatalf("%d %s: Create = %v", tc.status, tc.body, err)
		}
		tc.want.Gateway, tc.want.Op = "milacoins", "invoices"
		if diff := cmp.Diff(tc.want, got, ignoreErr); diff != "" {
			t.Errorf("%d %s (-want +got):\n%s", tc.status, tc.body, diff)
		}
	}
}
