package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/hub/broker/memory"
	"github.com/tandemhq/tandem/hub/payment/sandbox"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/store/postgres/pgtest"
	"github.com/tandemhq/tandem/store/sqlite/sqlitetest"
)

// documentedCodes reads the error codes of docs/errors.md, each with the
// HTTP statuses it is documented with: the codes clients may switch on.
func documentedCodes(tb testing.TB) map[string]map[int]bool {
	tb.Helper()
	b, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		tb.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([a-z_]+)` \\| ([0-9]{3}) \\|")
	codes := map[string]map[int]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			status, _ := strconv.Atoi(m[2])
			if codes[m[1]] == nil {
				codes[m[1]] = map[int]bool{}
			}
			codes[m[1]][status] = true
		}
	}
	if len(codes) < 10 {
		tb.Fatalf("docs/errors.md lists %d codes: its table is not where the test looks", len(codes))
	}
	return codes
}

// logBuffer keeps what the hub logs, for the report of a failing input.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 64<<10 {
		l.b.Reset()
	}
	return l.b.Write(p)
}

func (l *logBuffer) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

// fuzzHub is a hub on a fresh SQLite store with an admin signed in, a room
// to close, a room to re-engage and report activity in, and a contact,
// for feeding request bodies to every route that reads one. It is built
// once per fuzzing process and served in-process, without a network.
type fuzzHub struct {
	s      *Server
	log    *logBuffer
	token  string
	caller app.Caller
	// toClose is the room of the close route: a new one once it is closed,
	// so that closing goes on being tried on an open room.
	toClose string
	open    string // the room of re-engage and activity
	contact string
	asset   string // an asset of the library (its file is not needed)
	docType string // a document type of the catalog
	codes   map[string]map[int]bool
}

const (
	fuzzEmail    = "ana@acme.test"
	fuzzPassword = "correct horse battery"
)

func newFuzzHub(f testing.TB, st store.Store) *fuzzHub {
	f.Helper()
	ctx := context.Background()
	pub, _ := url.Parse("http://tandem.test")
	h := &fuzzHub{log: &logBuffer{}, codes: documentedCodes(f)}
	s, err := New(Config{
		Store: st, Broker: memory.New(), PublicURL: pub,
		Logger:     zerolog.New(h.log).Level(zerolog.WarnLevel),
		BcryptCost: bcrypt.MinCost,
		// Past the limit every sign-in would be a 429 before its body
		// is used: the limiter is not what is fuzzed here.
		LoginPerMinute: math.MaxInt32,
		Payments:       &sandbox.Provider{},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(sctx); err != nil {
			f.Errorf("hub shutdown: %v", err)
		}
	})
	h.s = s
	now := time.Now().UTC().Truncate(time.Microsecond)
	acct := tandem.Account{ID: room.NewID("ac"), Name: "Acme", CreatedAt: now}
	if err := st.CreateAccount(ctx, acct); err != nil {
		f.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte(fuzzPassword), bcrypt.MinCost)
	u := tandem.User{ID: room.NewID("us"), Account: acct.ID, Email: fuzzEmail, Name: "Ana", Role: tandem.RoleAdmin, PasswordHash: string(hash), CreatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		f.Fatal(err)
	}
	if h.token, _, _, err = s.app.SignIn(ctx, fuzzEmail, fuzzPassword); err != nil {
		f.Fatal(err)
	}
	if h.caller, err = s.app.Agent(ctx, h.token); err != nil {
		f.Fatal(err)
	}
	h.toClose, h.open = h.newRoom(f), h.newRoom(f)
	cs, err := s.app.Contacts(ctx, h.caller, "", 1)
	if err != nil || len(cs) == 0 {
		f.Fatalf("the rooms' customer is no contact: %v %v", cs, err)
	}
	h.contact = cs[0].ID
	h.asset = fuzzAsset
	if err := st.CreateAsset(ctx, store.Asset{ID: h.asset, Account: acct.ID, Name: "Form", Pages: 2, SHA256: strings.Repeat("0", 64),
		CreatedBy: u.ID, CreatedAt: now, UpdatedAt: now}); err != nil {
		f.Fatal(err)
	}
	dt, err := s.app.CreateDocumentType(ctx, h.caller, app.NewDocumentType{Code: "fuzz_letter", Name: "Letter", Category: "Letters"})
	if err != nil {
		f.Fatal(err)
	}
	h.docType = dt.ID
	return h
}

// newRoom creates a room whose customer has been sent a link.
func (h *fuzzHub) newRoom(tb testing.TB) string {
	tb.Helper()
	s, err := h.s.app.CreateRoom(context.Background(), h.caller, app.NewRoom{
		Mode: room.ModeLive, Channel: room.ChannelSMS,
		Customer: room.Customer{Name: "Sam Lee", Phone: "+1 (415) 555-0134"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s.ID
}

// bodyRoute is a route that reads a JSON body.
type bodyRoute struct {
	name, method string
	path         func(h *fuzzHub) string
	agent        bool // sent with the agent's token
}

var bodyRoutes = []bodyRoute{
	{"login", http.MethodPost, func(*fuzzHub) string { return "/api/v1/login" }, false},
	{"forgot", http.MethodPost, func(*fuzzHub) string { return "/api/v1/password/forgot" }, false},
	{"reset", http.MethodPost, func(*fuzzHub) string { return "/api/v1/password/reset" }, false},
	{"create room", http.MethodPost, func(*fuzzHub) string { return "/api/v1/rooms" }, true},
	{"close", http.MethodPost, func(h *fuzzHub) string { return "/api/v1/rooms/" + h.toClose + "/close" }, true},
	{"reengage", http.MethodPost, func(h *fuzzHub) string { return "/api/v1/rooms/" + h.open + "/reengage" }, true},
	{"activity", http.MethodPost, func(h *fuzzHub) string { return "/api/v1/rooms/" + h.open + "/activity" }, true},
	{"contact patch", http.MethodPatch, func(h *fuzzHub) string { return "/api/v1/contacts/" + h.contact }, true},
	{"settings", http.MethodPut, func(*fuzzHub) string { return "/api/v1/account/settings" }, true},
	{"asset fields", http.MethodPut, func(h *fuzzHub) string { return "/api/v1/assets/" + h.asset + "/fields" }, true},
	{"asset patch", http.MethodPatch, func(h *fuzzHub) string { return "/api/v1/assets/" + h.asset }, true},
	{"document type", http.MethodPost, func(*fuzzHub) string { return "/api/v1/document-types" }, true},
	{"document type patch", http.MethodPatch, func(h *fuzzHub) string { return "/api/v1/document-types/" + h.docType }, true},
	{"send document", http.MethodPost, func(h *fuzzHub) string { return "/api/v1/rooms/" + h.open + "/documents" }, true},
	{"request documents", http.MethodPost, func(h *fuzzHub) string { return "/api/v1/rooms/" + h.open + "/requests" }, true},
	{"review", http.MethodPost, func(h *fuzzHub) string { return "/api/v1/rooms/" + h.open + "/requests/" + fuzzRequest + "/review" }, true},
	{"request payment", http.MethodPost, func(h *fuzzHub) string { return "/api/v1/rooms/" + h.open + "/payments" }, true},
	{"cancel payment", http.MethodPost, func(h *fuzzHub) string { return "/api/v1/rooms/" + h.open + "/payments/" + fuzzPayment + "/cancel" }, true},
}

// fuzzRequest and fuzzPayment are ids of a request and a payment that no
// room has: their routes still read and check the body first.
const (
	fuzzRequest = "rq_fuzzfuzzfuzzfuzzfuzzfuzz"
	fuzzPayment = "py_fuzzfuzzfuzzfuzzfuzzfuzz"
)

// errorShape is the protocol's error body, exactly.
type errorShape struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// check fails t unless rec is an answer the protocol allows to any body:
// no 5xx; a 4xx is a JSON error body with a documented code, for its
// status, and a message; a 2xx is JSON, or nothing with 204.
func (h *fuzzHub) check(t *testing.T, rt bodyRoute, body []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		in := string(body)
		if len(in) > 300 {
			in = in[:300] + "…"
		}
		t.Fatalf("%s with body %q: %d %s\n%s\nhub log:\n%s", rt.name, in, rec.Code, bytes.TrimSpace(rec.Body.Bytes()), strings.TrimSpace(fmt.Sprintf(format, args...)), h.log.take())
	}
	ct := rec.Header().Get("Content-Type")
	switch {
	case rec.Code >= 500:
		fail("a server error")
	case rec.Code >= 400:
		if !strings.HasPrefix(ct, "application/json") {
			fail("an error answered as %q, not JSON", ct)
		}
		var e errorShape
		dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil || e.Error == nil {
			fail("an error body that is not the protocol's: %v", err)
		}
		if !h.codes[e.Error.Code][rec.Code] {
			fail("code %q is not documented in docs/errors.md with status %d", e.Error.Code, rec.Code)
		}
		if e.Error.Message == "" {
			fail("an error with no message")
		}
	case rec.Code == http.StatusNoContent:
		if rec.Body.Len() != 0 {
			fail("204 with a body")
		}
	case rec.Code >= 200 && rec.Code < 300:
		if !strings.HasPrefix(ct, "application/json") || !json.Valid(rec.Body.Bytes()) {
			fail("a success that is not JSON (%q)", ct)
		}
	default:
		fail("an unexpected status")
	}
}

// requestBodies are the seeds of FuzzRequestBody: bodies each route takes,
// and bodies no route takes.
// fuzzAsset is the id of the fuzz hub's asset, fixed so seeds can name it.
const fuzzAsset = "as_fuzzfuzzfuzzfuzzfuzzfuzz"

var requestBodies = []string{
	`{"asset_id":"` + fuzzAsset + `","values":{}}`,
	`{"asset_id":"` + fuzzAsset + `","values":{"nope":"x"}}`,
	`{"asset_id":"as_` + strings.Repeat("z", 24) + `"}`,
	`{"email":"` + fuzzEmail + `","password":"` + fuzzPassword + `"}`,
	`{"email":" ANA@acme.test ","password":"wrong password"}`,
	`{"email":"` + fuzzEmail + `"}`,
	`{"email":"ana\u0000@acme.test","password":"` + fuzzPassword + `"}`,
	`{"token":"` + strings.Repeat("a", 43) + `","password":"a new password"}`,
	`{"mode":"live","channel":"sms","customer":{"name":"Sam Lee","phone":"+1 (415) 555-0134"}}`,
	`{"mode":"preplan","channel":"email","customer":{"name":"Zoé","email":"Zoe@Example.FR"}}`,
	`{"mode":"live","channel":"sms","customer":{"name":"Sam"},"contact":"ct_aaaaaaaaaaaaaaaaaaaaaaaa"}`,
	`{"reason":"resolved"}`, `{}`, `null`, ``,
	`{"reason":"` + strings.Repeat("x", app.MaxReasonLen+1) + `"}`, `{"reason":"\u0000"}`,
	`{"channel":"email","customer":{"email":"sam@example.com"}}`,
	`{"channel":"sms","customer":{"name":"Sam Lee","phone":"020 7946 0958"}}`,
	`{"what":"viewing","ref":"r-1"}`, `{"what":"Viewing!","ref":" "}`,
	`{"name":"Sam","phone":"+44 20 7946 0958","email":null}`, `{"phone":"","email":""}`,
	`{"time_zone":"Europe/Paris","quiet_start":"20:00","quiet_end":"08:00","remind_after_hours":24,"remind_max":2,"contact_scope":"team"}`,
	`{"invite_template":"{customer}: {link} {nope}","email_subject":"{company}"}`,
	`{"invite_template":"Hi\u0000{customer}: {link}","email_subject":"{company}\u0000"}`,
	// After the templates above: an invitation written with them.
	`{"mode":"live","channel":"email","customer":{"name":"Sam Lee","email":"sam@example.com"}}`,
	`{"time_zone":"Local"}`, `{"remind_after_hours":-1,"remind_max":99999999999999999999}`,
	`{"fields":[{"type":"select","role":"customer","required":true,"label":"Term","page":2,"x":0.5,"y":0.5,"w":0.5,"h":0.1,"options":["12","24"]}]}`,
	`{"fields":[{"id":"a","type":"text","role":"agent","label":"\u0000","page":1,"x":0,"y":0,"w":1,"h":1}]}`,
	`{"fields":[{"type":"date","role":"customer","page":3,"x":-1,"y":2,"w":0,"h":1e308}]}`, `{"fields":null}`,
	`{"name":"Loan form","folder":"Auto loans/Credit"}`, `{"name":"\u0000","folder":"a//b"}`, `{"folder":""}`,
	`{"items":[{"type_id":"dt_` + strings.Repeat("a", 24) + `","note":"last two months"}]}`, `{"items":[]}`, `{"items":[{"type_id":"x"}]}`,
	`{"decision":"reject","reason":""}`, `{"decision":"accept"}`,
	`{"amount":"125.50","currency":"USD","description":"Deposit"}`, `{"amount":125.5}`, `{"amount":"1e3","currency":"usd"}`, `{"amount":"0.001"}`,
	`{"amount":"12,50","currency":"JPY"}`, `{"amount":"99999999999999999999999"}`,
	`{"unknown":1}`, `{} {}`, `{}x`, `{`, `[`, `[]`, `"string"`, `42`, `true`, `1e999`, `{"email":1}`,
	`{"email":"\ud800"}`, "{\"email\":\"\xff\"}", `{"mode":{"nested":[1,2,3]}}`, `{"customer":[]}`,
	`{"remind_max":1.5}`, `{"what":"a","what":"b"}`, "\xef\xbb\xbf{}",
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	`{"reason":"` + strings.Repeat("x", maxBody) + `"}`,
}

// send sends body to each route that reads one and checks the answers.
func (h *fuzzHub) send(t *testing.T, body []byte) {
	t.Helper()
	handler := h.s.Handler()
	for _, rt := range bodyRoutes {
		req := httptest.NewRequest(rt.method, rt.path(h), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if rt.agent {
			req.Header.Set("Authorization", "Bearer "+h.token)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		h.check(t, rt, body, rec)
		if rt.name == "close" && rec.Code == http.StatusOK {
			h.toClose = h.newRoom(t)
		}
	}
	h.log.take()
}

// FuzzRequestBody sends every input as the body of each route that reads
// a JSON body, through the hub's whole handler (routing, sign-in, decode,
// the use case, the store), as the signed-in admin where the route needs
// one, on SQLite. Whatever the body, the answer is never a 5xx (a panic in
// a handler is one) and every refusal is the protocol's error body with a
// code docs/errors.md documents for that status. The hub keeps what earlier
// inputs did (settings, the contact, new rooms), as a real one would, so a
// failure's report carries the hub's log. TestRequestBodiesOnPostgres sends
// the corpus to a hub on PostgreSQL.
func FuzzRequestBody(f *testing.F) {
	for _, s := range requestBodies {
		f.Add([]byte(s))
	}
	h := newFuzzHub(f, sqlitetest.Open(f))
	f.Fuzz(func(t *testing.T, body []byte) { h.send(t, body) })
}

// TestRequestBodiesOnPostgres sends FuzzRequestBody's seeds and its
// corpus in testdata, in order, to a hub on PostgreSQL, with the same
// checks: PostgreSQL's text refuses what SQLite takes (NUL), and a
// refusal there must not be a 5xx either.
func TestRequestBodiesOnPostgres(t *testing.T) {
	h := newFuzzHub(t, pgtest.Open(t))
	for _, s := range requestBodies {
		h.send(t, []byte(s))
	}
	for _, b := range corpus(t, "FuzzRequestBody") {
		h.send(t, b)
	}
}

// corpus reads the []byte inputs of a fuzz target's corpus in testdata.
func corpus(tb testing.TB, target string) [][]byte {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "[]byte(") || !strings.HasSuffix(lines[1], ")") {
			tb.Fatalf("%s is not a corpus file of one []byte", p)
		}
		v, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			tb.Fatalf("%s: %v", p, err)
		}
		out = append(out, []byte(v))
	}
	return out
}

// FuzzQueryInt feeds the reader of since, after and limit any query
// value: empty is the default, a whole number of int64 is itself (and
// reads back from its decimal form), anything else is refused as invalid,
// never a panic.
func FuzzQueryInt(f *testing.F) {
	for _, s := range []string{"", "0", "7", "-1", "+5", "007", " 5", "5 ", "1e3", "0x10", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808", "١٢", "5\x00", "NaN", "½"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		const def = 50
		n, err := queryInt(s, def, "limit")
		switch {
		case s == "":
			if n != def || err != nil {
				t.Fatalf("queryInt(\"\") = %d, %v; want the default", n, err)
			}
		case err != nil:
			var e *tandem.Error
			if !errors.As(err, &e) || e.Kind != tandem.KindInvalid || n != 0 || !strings.Contains(e.Message, "limit") {
				t.Fatalf("queryInt(%q) = %d, %v; want 0 and an invalid error naming the parameter", s, n, err)
			}
		default:
			if n < 0 {
				t.Fatalf("queryInt(%q) = %d", s, n)
			}
			if again, err := queryInt(strconv.FormatInt(n, 10), def, "limit"); again != n || err != nil {
				t.Fatalf("queryInt(%q) = %d, but its decimal form reads %d, %v", s, n, again, err)
			}
		}
	})
}

// FuzzRoomCursor checks the room list's cursor both ways. Any cursor
// (from clients, so anything) is refused as invalid or decodes to a
// time and a room id that encode to a cursor decoding to the same; and
// any cursor the hub makes (a room's creation time, to the microsecond,
// and its id) decodes to what it was made from.
func FuzzRoomCursor(f *testing.F) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 123456000, time.UTC)
	id := "rm_" + strings.Repeat("a", 24)
	f.Add(encodeCursor(store.RoomCursor{CreatedAt: at, ID: id}), at.UnixMicro(), []byte(id[3:]))
	f.Add("", int64(0), []byte{})
	for _, s := range []string{
		"not base64!", "MjAyNi0xMS0yNVQxMDowMDowMFp8cm1fYWFh", "fA", "MjAyNi0xMS0yNVQxMDowMDowMFp8",
		encodeCursor(store.RoomCursor{CreatedAt: at, ID: "ct_" + strings.Repeat("a", 24)}),
		encodeCursor(store.RoomCursor{CreatedAt: at.In(time.FixedZone("", 3600)), ID: id}) + "=",
		// Year 0, which PostgreSQL refuses, and years that are out of
		// range once in UTC.
		base64.RawURLEncoding.EncodeToString([]byte("0000-01-01T00:00:00Z|" + id)),
		base64.RawURLEncoding.EncodeToString([]byte("0001-01-01T00:30:00+01:00|" + id)),
		base64.RawURLEncoding.EncodeToString([]byte("9999-12-31T23:30:00-01:00|" + id)),
		base64.RawURLEncoding.EncodeToString([]byte("0001-01-01T00:00:00Z|" + id)),
		base64.RawURLEncoding.EncodeToString([]byte("9999-12-31T23:59:59.999999999Z|" + id)),
	} {
		f.Add(s, int64(-1), []byte("zz"))
	}
	f.Fuzz(func(t *testing.T, s string, micros int64, idBytes []byte) {
		c, err := decodeCursor(s)
		if err != nil {
			var e *tandem.Error
			if !errors.As(err, &e) || e.Kind != tandem.KindInvalid {
				t.Fatalf("decodeCursor(%q): %v; want an invalid error", s, err)
			}
		} else {
			if !room.ValidID("rm", c.ID) {
				t.Fatalf("decodeCursor(%q) gave the room id %q", s, c.ID)
			}
			if y := c.CreatedAt.UTC().Year(); y < 1 || y > 9999 {
				t.Fatalf("decodeCursor(%q) gave %v: the stores keep years 1 to 9999", s, c.CreatedAt)
			}
			again, err := decodeCursor(encodeCursor(c))
			if err != nil || !again.CreatedAt.Equal(c.CreatedAt) || again.ID != c.ID {
				t.Fatalf("decodeCursor(%q) = %+v, which encodes to a cursor of %+v, %v", s, c, again, err)
			}
		}

		// A cursor the hub makes: ids are 24 characters of base32, times
		// what the stores keep.
		alphabet := "abcdefghijklmnopqrstuvwxyz234567"
		b := []byte(strings.Repeat("a", 24))
		for i, x := range idBytes {
			b[i%24] = alphabet[(int(b[i%24])+int(x))%32]
		}
		made := store.RoomCursor{CreatedAt: time.UnixMicro(micros).UTC(), ID: "rm_" + string(b)}
		if y := made.CreatedAt.Year(); y < 1 || y > 9999 {
			return // RFC 3339 has four-digit years; no room is that old or that far ahead
		}
		got, err := decodeCursor(encodeCursor(made))
		if err != nil || !got.CreatedAt.Equal(made.CreatedAt) || got.ID != made.ID {
			t.Fatalf("cursor of %+v decodes to %+v, %v", made, got, err)
		}
	})
}

// FuzzCutUserAgent: whatever a client sends as User-Agent, the origin keeps
// valid UTF-8 of at most room.MaxUserAgent bytes, the start of what it sent.
func FuzzCutUserAgent(f *testing.F) {
	f.Add("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)")
	f.Add(strings.Repeat("é", 300))
	f.Add("a\xffb" + strings.Repeat("€", 200))
	f.Add("")
	f.Fuzz(func(t *testing.T, ua string) {
		got := cutUserAgent(ua)
		if !utf8.ValidString(got) || len(got) > room.MaxUserAgent {
			t.Fatalf("cutUserAgent(%q) = %q (%d bytes)", ua, got, len(got))
		}
		valid := strings.ToValidUTF8(ua, "\uFFFD")
		if !strings.HasPrefix(valid, got) || len(valid) <= room.MaxUserAgent && got != valid || len(valid) > room.MaxUserAgent && len(got) < room.MaxUserAgent-utf8.UTFMax {
			t.Fatalf("cutUserAgent(%q) = %q: not the longest start", ua, got)
		}
	})
}
