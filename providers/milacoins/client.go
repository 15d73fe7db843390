package milacoins

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/payform/payform/providers"
)

// maxBody bounds what the client reads from a response.
const maxBody = 8 << 20

// Options configures a Client.
type Options struct {
	// Endpoint is the base URL: the vendor's host, or a sandbox's mount
	// point such as http://127.0.0.1:8787/milacoins. DefaultEndpoint when
	// empty.
	Endpoint string
	APIKey   string
	Secret   string
	// HTTPClient sends every request; its Timeout bounds each call. The
	// client never follows redirects.
	HTTPClient *http.Client
	// Clock gives X-time; the wall clock when nil.
	Clock func() time.Time
	// Wallet is the wallet invoices are paid into when the invoice does
	// not name one; the invoice currency when empty.
	Wallet string
}

// Client speaks the MilaCoins API. Every request carries X-api-key,
// X-time and X-Sig (see Sign). It implements providers.Provider for
// invoices and is safe for concurrent use.
type Client struct {
	base     string // without a trailing slash
	key      string
	secret   string
	http     *http.Client
	now      func() time.Time
	wallet   string
	pageSize int // list page size, maxPageSize but for tests
}

var _ providers.Provider = (*Client)(nil)

// NewClient returns a client. APIKey and Secret are required.
func NewClient(o Options) (*Client, error) {
	if o.APIKey == "" || o.Secret == "" {
		return nil, errors.New("milacoins: api_key and secret_key are required")
	}
	base := o.Endpoint
	if base == "" {
		base = DefaultEndpoint
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" {
		return nil, errors.New("milacoins: endpoint must be an http(s) URL without a query, e.g. " + DefaultEndpoint)
	}
	// A redirected request would carry a signature for another path, and
	// a redirected POST may turn into a GET: never follow.
	hc := providers.NoRedirects(o.HTTPClient)
	now := o.Clock
	if now == nil {
		now = time.Now
	}
	return &Client{base: strings.TrimRight(base, "/"), key: o.APIKey, secret: o.Secret, http: hc,
		now: now, wallet: o.Wallet, pageSize: maxPageSize}, nil
}

// do sends one signed request to path (from the API root, e.g.
// "/api/v1/wallets") with query, and decodes a 2xx answer into out.
// payload, when not nil, is sent as compact JSON without HTML escaping,
// exactly the bytes signed. Failures are *providers.Error with their
// class.
func (c *Client) do(ctx context.Context, method, path string, query []param, payload any, op string, out any) error {
	var body []byte
	if payload != nil {
		var err error
		if body, err = compactJSON(payload); err != nil {
			return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: op, Message: "encoding request: " + err.Error()}
		}
	}
	target := c.base + path
	if len(query) > 0 {
		target += "?" + encodeQuery(query)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return &providers.Error{Class: providers.Rejected, Gateway: gatewayName, Op: op, Message: err.Error()}
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	xtime := strconv.FormatInt(c.now().Unix(), 10)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-api-key", c.key)
	req.Header.Set("X-time", xtime)
	// The path the server receives: the base URL's path prefix included.
	req.Header.Set("X-Sig", Sign(c.secret, xtime, method, req.URL.RequestURI(), body))

	var trace providers.SendTrace
	resp, err := c.http.Do(trace.Attach(req))
	if err != nil {
		return trace.Failed(gatewayName, op, err)
	}
	defer resp.Body.Close()
	raw, done, err := providers.ReadAnswer(gatewayName, op, resp, maxBody, out)
	if done || err != nil {
		return err
	}
	return decodeError(op, resp, raw)
}

// compactJSON encodes v as JSON.stringify would: compact, and without
// Go's escaping of <, > and &.
func compactJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
