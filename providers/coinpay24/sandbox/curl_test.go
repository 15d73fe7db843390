package sandbox

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payform/payform/providers/providertest"
)

// recordingTransport answers every callback 200 and keeps it, so that
// tests can send callbacks to hosts that do not exist.
type recordingTransport struct {
	mu    sync.Mutex
	calls []*http.Request
	forms []string
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	rt.mu.Lock()
	rt.calls = append(rt.calls, r)
	rt.forms = append(rt.forms, string(body))
	rt.mu.Unlock()
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("ok")), Header: http.Header{}, Request: r}, nil
}

// TestVendorCurlCalls sends the requests of every curl example on the
// vendor's page, byte for byte as curl sends them (-d joins the data with
// "&" and does not encode it; the Content-Type is form), with the host
// replaced and YOUR_API_KEY the sandbox key. The examples' invoice ids
// are answered 404; the same calls with the ids the sandbox made work.
func TestVendorCurlCalls(t *testing.T) {
	rt := &recordingTransport{}
	clock := providertest.NewClock(time.Date(2018, 9, 14, 10, 30, 0, 0, time.UTC))
	h := newHarness(t, Options{Clock: clock.Now, CallbackClient: &http.Client{Transport: rt}})
	curl := func(path, data string) (int, string) {
		t.Helper()
		return h.send(http.MethodPost, path, formType, strings.ReplaceAll(data, "YOUR_API_KEY", DefaultAPIKey))
	}

	// Create Invoice: the -d options, joined.
	status, body := curl("/invoices/create", strings.Join([]string{
		"api_key=YOUR_API_KEY", "order_id=123456", "price_amount=100", "price_currency=USD",
		"title=Test Title", "description=Test Description", "callback_url=http://your-callback-url.com",
		"cancel_url=http://your-cancel-url.com", "success_url=http://your-success-url.com",
	}, "&"))
	providertest.Expect(t, "create", status, body, 200, `{"id":1,"order_id":"123456","status":"new","price_amount":"100.0","price_currency":"USD",`+
		`"created_at":"2018-09-14T10:30:00+00:00","payment_url":"`+paymentURL(1)+`"}`)

	// API Authentication and Get Invoice.
	for _, path := range []string{"/invoices/464623", "/invoices/6587512"} {
		status, body = curl(path, "api_key=YOUR_API_KEY")
		id := strings.TrimPrefix(path, "/invoices/")
		providertest.Expect(t, path, status, body, 404, `{"error_message":"Invoice `+id+` not found","errors":{"id":"not found"}}`)
	}
	status, body = curl("/invoices/1", "api_key=YOUR_API_KEY")
	providertest.Expect(t, "get 1", status, body, 200, `{"id":1,"order_id":"123456","status":"new","price_amount":"100.0","price_currency":"USD",`+
		`"created_at":"2018-09-14T10:30:00+00:00","payment_url":"`+paymentURL(1)+`"}`)

	// Checkout.
	status, body = curl("/invoices/512472/checkout", "api_key=YOUR_API_KEY&pay_currency=BTC")
	providertest.Expect(t, "checkout 512472", status, body, 404, `{"error_message":"Invoice 512472 not found","errors":{"id":"not found"}}`)
	clock.Advance(5 * time.Minute)
	status, body = curl("/invoices/1/checkout", "api_key=YOUR_API_KEY&pay_currency=BTC")
	providertest.Expect(t, "checkout 1", status, body, 200, `{"id":1,"order_id":"123456","status":"pending","price_amount":"100.0","price_currency":"USD",`+
		`"pay_amount":"0.00166667","pay_currency":"BTC","payment_address":"bc1qspw4c2nk7fsj6mrvtvaldsm22f6lf9uqq8egsh",`+
		`"created_at":"2018-09-14T10:30:00+00:00","expire_at":"2018-09-14T10:50:00+00:00",`+
		`"underpaid_amount":"0","overpaid_amount":"0","payment_url":"`+paymentURL(1)+`"}`)

	// List Invoices, both examples.
	h.create("124", "2000", "USD")
	status, body = curl("/invoices", "api_key=YOUR_API_KEY&per_page=2&page=1&sort=created_at_desc")
	if status != 200 || !strings.HasPrefix(body, `{"current_page":1,"per_page":2,"total_invoices":2,"total_pages":1,"invoices":[{"id":2,"order_id":"124","status":"new"`) {
		t.Errorf("list, first example: %d %s", status, body)
	}
	status, body = curl("/invoices", "api_key=YOUR_API_KEY&created_at[from]=2018-09-01&created_at[to]=2018-09-30")
	if status != 200 || !strings.HasPrefix(body, `{"current_page":1,"per_page":100,"total_invoices":2,"total_pages":1,"invoices":[{"id":2,`) {
		t.Errorf("list, second example: %d %s", status, body)
	}

	// The checkout's callback went to the example's callback_url.
	h.em.WaitCallbacks()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.calls) != 1 || rt.calls[0].URL.String() != "http://your-callback-url.com" || !strings.Contains(rt.forms[0], "status=pending") {
		t.Errorf("callbacks %v %q, want one pending callback to http://your-callback-url.com", rt.calls, rt.forms)
	}
}
