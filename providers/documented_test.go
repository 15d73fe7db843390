package providers_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The rule this file enforces: no client decodes (or sends) a field the
// vendor's page does not document, unless the code says where the field
// comes from and what happens without it.
//
// Every struct with json tags in a client package (providers/<gateway>,
// not its sandbox) is a wire struct and must be listed in pages below,
// with the members the vendor's page documents for the answers (or
// requests) it carries. A member that is not among them needs two struct
// tags on its field:
//
//	undocumented:"where it comes from"   (a public source, NOTES.md, ...)
//	absent:"what happens without it"
//
// A blank field `_ struct{}` carrying both tags covers a whole struct the
// page does not document at all (an undocumented endpoint, an error body
// the page leaves out). A documented member must not carry them. Fields
// read from forms and maps by name (callbacks, return forms) are outside
// this check; their readers say where each field comes from.

// wire is a wire struct's documented members, from its vendor's page.
type wire struct {
	// page quotes where the page documents them.
	page string
	// members are dotted paths from the struct: "prompt.id".
	members []string
}

var pages = map[string]map[string]wire{
	"wllxpay": {
		"takeRequest": {`addresses/take "Request Body": foreign_id, currency`, []string{"foreign_id", "currency"}},
		"withdrawalRequest": {`withdrawal/make "Request Body": currency, foreign_id, amount, address`,
			[]string{"currency", "foreign_id", "amount", "address"}},
		"envelope": {`{"status": "ok", "data": {...}}`, []string{"status", "data"}},
		"transaction": {`withdrawal/make's answer: "id", "currency", "currency_fee", "address", "tag", "amount", "status"`,
			[]string{"id", "currency", "currency_fee", "address", "tag", "amount", "status"}},
		"depositAddress": {`addresses/take's answer: "id", "address", "foreign_id", "tag"`,
			[]string{"id", "address", "foreign_id", "tag"}},
		"v2Transaction":  {`not on the page (a v2 endpoint)`, nil},
		"accountsList":   {`not on the page (a v2 endpoint)`, nil},
		"accountBalance": {`not on the page (a v2 endpoint)`, nil},
		"errorEnvelope":  {`not on the page (no error is documented)`, nil},
	},
	"milacoins": {
		"createRequest": {`create invoice "Request Body": wallet, amount, currency, externalID, expiredAt; payment link adds cancelUrl, completedUrl, callbackUrl, customerEmail, customerLastName, customerFirstName`,
			[]string{"wallet", "amount", "currency", "externalID", "expiredAt", "cancelUrl", "completedUrl", "callbackUrl", "customerEmail", "customerLastName", "customerFirstName"}},
		"createResponse": {`create answers "Response (JSON)": id, wallet, amount, currency, externalID, url, expiredAt, createdAt`,
			[]string{"id", "wallet", "amount", "currency", "externalID", "url", "expiredAt", "createdAt"}},
		"Invoice": {`list docs and invoice by id: id, receiptID, type, status, refund, invoiceCurrency, invoiceAmount, wallet, walletCredited, network, networkAmountReceived, exchangeRate, address, txs, externalID, customer, createdAt`,
			[]string{"id", "receiptID", "type", "status", "refund", "invoiceCurrency", "invoiceAmount", "wallet", "walletCredited", "network",
				"networkAmountReceived", "exchangeRate", "address", "txs", "externalID", "customer", "createdAt"}},
		"ExchangeRate":          {`exchangeRate Object: base, quote, rate`, []string{"base", "quote", "rate"}},
		"Page":                  {`list "Response (JSON)": count, limit, skip, docs`, []string{"count", "limit", "skip", "docs"}},
		"errorBody":             {`{"requestID", "name", "message", "code"}`, []string{"requestID", "name", "message", "code"}},
		"Client.Wallets.out":    {`wallets "Response (JSON)": wallets`, []string{"wallets"}},
		"Client.Currencies.out": {`currencies "Response (JSON)": currencies`, []string{"currencies"}},
	},
	"miraclepay": {
		"promptRequest": {`"Request Body": amount, blockchainIds, payer, note, redirectUrl`,
			[]string{"amount", "blockchainIds", "payer", "note", "redirectUrl"}},
		"createResponse": {`"Response Fields": prompt.id, prompt.amount, prompt.commissionAmount, prompt.status, prompt.sessionStatus, prompt.expiresAt, prompt.createdAt, prompt.redirectUrl, checkoutUrl`,
			[]string{"prompt", "prompt.id", "prompt.amount", "prompt.commissionAmount", "prompt.status", "prompt.sessionStatus", "prompt.expiresAt",
				"prompt.createdAt", "prompt.redirectUrl", "checkoutUrl"}},
		"statusResponse": {`GET /external/payments/prompt/:id "Example Response": id, blockchainId, status, createdAt`,
			[]string{"id", "blockchainId", "status", "createdAt"}},
		"errorBody":                  {`"Error Response Format": statusCode, message, error`, []string{"statusCode", "message", "error"}},
		"Client.Blockchains.wrapped": {`not on the page (it names GET /external/blockchains/active, not its answer)`, nil},
		"Client.Blockchains.obj":     {`not on the page (it names GET /external/blockchains/active, not its answer)`, nil},
	},
	"coinilla": {
		"payResponse":      {`"In return, we send a JSON array with two parameters: invoice ... error"`, []string{"invoice", "error"}},
		"verifyResponse":   {`"In return, we send a JSON array with two parameters: status ... error"`, []string{"status", "error"}},
		"statusError.body": {`"error : error message if something is wrong"`, []string{"error"}},
	},
	"coinpay24": {
		"invoiceWire": {`create (created_at, payment_url), checkout, Get Invoice and the list's invoices: id, status, price_currency, price_amount, pay_currency, pay_amount, created_at, expire_at, payment_address, order_id, underpaid_amount, overpaid_amount, payment_url`,
			[]string{"id", "status", "price_currency", "price_amount", "pay_currency", "pay_amount", "created_at", "expire_at", "payment_address",
				"order_id", "underpaid_amount", "overpaid_amount", "payment_url"}},
		"listWire": {`List Invoices: current_page, per_page, total_invoices, total_pages, invoices`,
			[]string{"current_page", "per_page", "total_invoices", "total_pages", "invoices"}},
		"errorEnvelope": {`not on the page (its Errors table lists HTTP codes only)`, nil},
	},
}

func TestClientsDecodeOnlyDocumentedFields(t *testing.T) {
	for gw, table := range pages {
		t.Run(gw, func(t *testing.T) {
			found := wireStructs(t, gw)
			for name, ws := range found {
				doc, ok := table[name]
				if !ok {
					t.Errorf("%s: wire struct %s is not in the page table of documented_test.go: list the members its vendor's page documents", ws.pos, name)
					continue
				}
				for _, p := range problems(name, ws, doc) {
					t.Error(p)
				}
			}
			for name := range table {
				if _, ok := found[name]; !ok {
					t.Errorf("the page table names %s, which providers/%s no longer has", name, gw)
				}
			}
		})
	}
}

// problems lists what breaks the rule in one wire struct.
func problems(name string, ws *wireStruct, doc wire) []string {
	documented := map[string]bool{}
	for _, m := range doc.members {
		documented[m] = true
	}
	var out []string
	for _, f := range ws.fields {
		switch {
		case documented[f.path] && (f.source != "" || f.absent != ""):
			out = append(out, fmt.Sprintf("%s: %s.%s is documented (%s) but annotated as undocumented", f.pos, name, f.path, doc.page))
		case documented[f.path], ws.whole, f.source != "" && f.absent != "":
		case f.source != "" || f.absent != "":
			out = append(out, fmt.Sprintf("%s: %s.%s: give both undocumented:\"where it comes from\" and absent:\"what happens without it\"", f.pos, name, f.path))
		default:
			out = append(out, fmt.Sprintf("%s: %s decodes %q, which the page does not document (%s): drop it, or say where it comes from "+
				"(undocumented:\"...\") and what happens without it (absent:\"...\"), or annotate the whole struct with a blank field",
				f.pos, name, f.path, doc.page))
		}
	}
	return out
}

// TestDocumentedRuleCatches: the rule's check finds what it is for.
func TestDocumentedRuleCatches(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gw")
	os.Mkdir(dir, 0o755)
	src := "package gw\n\n" +
		"type answer struct {\n" +
		"\tID string `json:\"id\"`\n" +
		"\tExtra string `json:\"extra\"`\n" +
		"\tHalf string `json:\"half\" undocumented:\"somewhere\"`\n" +
		"\tFine string `json:\"fine\" undocumented:\"NOTES.md\" absent:\"nothing\"`\n" +
		"\tLying string `json:\"lying\" undocumented:\"x\" absent:\"y\"`\n" +
		"\tInner struct{ Deep string `json:\"deep\"` } `json:\"inner\"`\n" +
		"}\n\n" +
		"type whole struct {\n\t_ struct{} `undocumented:\"a v2 endpoint\" absent:\"no lookup\"`\n\tAny string `json:\"any\"`\n}\n\n" +
		"func f() { var out struct{ X string `json:\"x\"` }; _ = out }\n"
	if err := os.WriteFile(filepath.Join(dir, "wire.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	found := wireStructs(t, dir)
	if len(found) != 3 || found["answer"] == nil || found["whole"] == nil || found["f.out"] == nil {
		t.Fatalf("found %v, want answer, whole and f.out", found)
	}
	got := problems("answer", found["answer"], wire{"the page", []string{"id", "lying", "inner"}})
	var paths []string
	for _, p := range got {
		for _, f := range []string{"extra", "half", "lying", "inner.deep"} {
			if strings.Contains(p, "."+f+":") || strings.Contains(p, "."+f+" is") || strings.Contains(p, `"`+f+`"`) {
				paths = append(paths, f)
			}
		}
	}
	sort.Strings(paths)
	if want := []string{"extra", "half", "inner.deep", "lying"}; strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("problems for %v:\n%s", want, strings.Join(got, "\n"))
	}
	if p := problems("whole", found["whole"], wire{"not on the page", nil}); len(p) != 0 {
		t.Errorf("a whole-annotated struct: %v", p)
	}
	if p := problems("f.out", found["f.out"], wire{"not on the page", nil}); len(p) != 1 {
		t.Errorf("a function's struct: %v, want one problem", p)
	}
}

// wireField is one json member of a wire struct.
type wireField struct {
	path           string
	source, absent string
	pos            token.Position
}

type wireStruct struct {
	fields []wireField
	whole  bool // a blank field carries both annotations
	pos    token.Position
}

// wireStructs finds every struct with json tags in a client package's
// non-test files: named types by name, structs declared inside a function
// as Func.var (Type.Method.var for methods).
func wireStructs(t *testing.T, gw string) map[string]*wireStruct {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(gw, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", gw, err)
	}
	out := map[string]*wireStruct{}
	seen := map[*ast.StructType]bool{}
	add := func(name string, st *ast.StructType) {
		ws := &wireStruct{pos: fset.Position(st.Pos())}
		tagged := collect(fset, st, "", ws, seen)
		if tagged {
			if _, dup := out[name]; dup {
				t.Fatalf("%s: two wire structs named %s", ws.pos, name)
			}
			out[name] = ws
		}
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if ts, ok := spec.(*ast.TypeSpec); ok {
						if st, ok := ts.Type.(*ast.StructType); ok {
							add(ts.Name.Name, st)
						}
					}
				}
			case *ast.FuncDecl:
				fn := d.Name.Name
				if d.Recv != nil && len(d.Recv.List) == 1 {
					fn = recvName(d.Recv.List[0].Type) + "." + fn
				}
				n := 0
				ast.Inspect(d.Body, func(node ast.Node) bool {
					switch x := node.(type) {
					case *ast.ValueSpec:
						if st, ok := x.Type.(*ast.StructType); ok && len(x.Names) == 1 {
							add(fn+"."+x.Names[0].Name, st)
						}
					case *ast.StructType:
						if !seen[x] {
							n++
							add(fmt.Sprintf("%s.struct%d", fn, n), x)
						}
					}
					return true
				})
			}
		}
	}
	return out
}

func recvName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return recvName(x.X)
	case *ast.Ident:
		return x.Name
	case *ast.IndexExpr:
		return recvName(x.X)
	}
	return "?"
}

// collect adds st's json members under prefix to ws, recursing into
// nested struct types, and reports whether it has any json tag.
func collect(fset *token.FileSet, st *ast.StructType, prefix string, ws *wireStruct, seen map[*ast.StructType]bool) bool {
	seen[st] = true
	tagged := false
	for _, field := range st.Fields.List {
		var tag reflect.StructTag
		if field.Tag != nil {
			s, err := strconv.Unquote(field.Tag.Value)
			if err == nil {
				tag = reflect.StructTag(s)
			}
		}
		source, absent := tag.Get("undocumented"), tag.Get("absent")
		if len(field.Names) == 1 && field.Names[0].Name == "_" {
			if source != "" && absent != "" && prefix == "" {
				ws.whole = true
			}
			continue
		}
		jsonTag, hasJSON := tag.Lookup("json")
		name, _, _ := strings.Cut(jsonTag, ",")
		if name == "-" || len(field.Names) == 0 {
			continue
		}
		if hasJSON {
			tagged = true
		}
		if name == "" {
			name = field.Names[0].Name
		}
		path := prefix + name
		ws.fields = append(ws.fields, wireField{path: path, source: source, absent: absent, pos: fset.Position(field.Pos())})
		if nested := structOf(field.Type); nested != nil {
			if collect(fset, nested, path+".", ws, seen) {
				tagged = true
			}
		}
	}
	sort.Slice(ws.fields, func(i, j int) bool { return ws.fields[i].path < ws.fields[j].path })
	return tagged
}

// structOf returns the anonymous struct type a field has, through
// pointers and slices.
func structOf(e ast.Expr) *ast.StructType {
	switch x := e.(type) {
	case *ast.StructType:
		return x
	case *ast.StarExpr:
		return structOf(x.X)
	case *ast.ArrayType:
		return structOf(x.Elt)
	}
	return nil
}
