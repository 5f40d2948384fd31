package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gorilla/mux"
	"golang.org/x/crypto/bcrypt"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/hub/payment/sandbox"
	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/hub/sender/twilio"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
	"github.com/tandemhq/tandem/web"
)

// Who may call what: every route the router serves, called as each kind
// of caller, against what the table below allows. The routes are read from
// the router itself, so a route added without an entry here fails the
// test instead of going unchecked.

// callerID is a kind of caller. Account A has an admin, an agent, and two
// live rooms R1 and R2 whose customers opened their links; account B has
// an admin and an agent (and a room of its own).
type callerID int

const (
	stranger   callerID = iota // no credentials at all
	agentB                     // an agent (not an admin) of account B, by bearer token
	adminB                     // an admin of account B, by session cookie
	customerR2                 // the customer of R2 (its room cookie), calling R1's routes
	customerR1                 // the customer of R1 (its room cookie)
	agentA                     // an agent (not an admin) of account A, by session cookie
	adminA                     // an admin of account A, by bearer token
	numCallers
)

var callerNames = [numCallers]string{
	stranger: "stranger", agentB: "agent of B", adminB: "admin of B",
	customerR2: "customer of R2", customerR1: "customer of R1",
	agentA: "agent of A", adminA: "admin of A",
}

// allowed is the expectation of a success: 2xx, or 101 for a WebSocket. Any
// other expectation is the exact status of the refusal. Zero is no
// expectation at all, which fails the test.
const allowed = 1

// isoExpect is what each caller may get from a route.
type isoExpect struct {
	stranger, agentB, adminB, customerR2, customerR1, agentA, adminA int
}

func (x isoExpect) of(c callerID) int {
	return [numCallers]int{x.stranger, x.agentB, x.adminB, x.customerR2, x.customerR1, x.agentA, x.adminA}[c]
}

func everyone(status int) isoExpect {
	return isoExpect{status, status, status, status, status, status, status}
}

var (
	// Routes of the signed-in agent's own account: any agent, of any
	// account, gets their own account's answer.
	anyAgent = isoExpect{stranger: 401, agentB: allowed, adminB: allowed, customerR2: 401, customerR1: 401, agentA: allowed, adminA: allowed}
	// Admins of their own account only.
	anyAdmin = isoExpect{stranger: 401, agentB: 403, adminB: allowed, customerR2: 401, customerR1: 401, agentA: 403, adminA: allowed}
	// A room of A, for agents of A and the room's own customer. Another
	// account's agent and another room's customer get the answer of a
	// room that does not exist.
	roomOfA = isoExpect{stranger: 401, agentB: 404, adminB: 404, customerR2: 404, customerR1: allowed, agentA: allowed, adminA: allowed}
	// A room of A, for agents of A only: a customer, even the room's own,
	// is not signed in as an agent.
	roomOfAForAgents = isoExpect{stranger: 401, agentB: 404, adminB: 404, customerR2: 401, customerR1: 401, agentA: allowed, adminA: allowed}
	// A contact of A's address book (or a request naming one).
	contactOfA = isoExpect{stranger: 401, agentB: 404, adminB: 404, customerR2: 401, customerR1: 401, agentA: allowed, adminA: allowed}
	// An asset of A's library, read by any agent of A.
	assetOfA = isoExpect{stranger: 401, agentB: 404, adminB: 404, customerR2: 401, customerR1: 401, agentA: allowed, adminA: allowed}
	// A document's customer-only step, in a room of A: the room's own
	// customer only. An agent, of any account, is refused before any
	// look-up (the same answer whether the room exists or not); another
	// room's customer gets the answer of a room that does not exist.
	customerOfR1Only = isoExpect{stranger: 401, agentB: 403, adminB: 403, customerR2: 404, customerR1: allowed, agentA: 403, adminA: 403}
	// An asset of A's library, changed by A's admins only: agents are
	// refused whatever the asset, and another account's admin gets the
	// answer of an asset that does not exist.
	assetOfAForAdmins = isoExpect{stranger: 401, agentB: 403, adminB: 404, customerR2: 401, customerR1: 401, agentA: 403, adminA: allowed}
	// A document type of A's catalog, changed by A's admins only, as an
	// asset is.
	docTypeOfAForAdmins = assetOfAForAdmins
	// A user of A, managed by A's admins only, as an asset is changed.
	userOfAForAdmins = assetOfAForAdmins
)

// isoFixture is what a caller who may succeed works on instead of R1 or the
// contact, when succeeding would spend them (a closed room, a deleted
// contact, a session signed out) for the callers after it. Refused callers
// always aim at R1, the contact and their own session, so that a hole
// would show on the real targets.
type isoFixture int

const (
	onTheRealTargets isoFixture = iota
	aPreplannedRoom             // a new pre-planned room of A
	aLiveRoom                   // a new live room of A, invited, never connected
	aContact                    // a new contact of A
	aSession                    // a new sign-in of the caller
	anAsset                     // a new asset of A
	aDocType                    // a new document type of A
	aDocument                   // a document of R1 sent and not touched yet
	aFiledRequest               // a request of R1 with a file, not sent yet
	aSentRequest                // a request of R1 sent for review
	aPayment                    // a payment request of R1, not paid
	anInvitedUser               // a new user of A, invited, not accepted
)

// isoRoute is the expectation of one route, and the request that tries it.
type isoRoute struct {
	want isoExpect
	// public says why a stranger's answer is not 401. Required for every
	// route that does not refuse strangers.
	public string
	// path is the path to call when the template's variables do not say it
	// (a prefix).
	path  string
	query string // without "?"; may name {contact}, {room}, {userA}
	body  string // may name {contact}, {room}
	ctype string // default application/json
	fresh isoFixture
	ws    bool // a WebSocket: only the handshake is checked
}

// isolationTable holds every route, keyed by "METHOD /path/template" (the
// variables without their patterns).
var isolationTable = map[string]isoRoute{
	"GET /healthz": {want: everyone(allowed), public: "a load balancer's liveness probe; it says only \"ok\""},
	"GET /readyz":  {want: everyone(allowed), public: "a load balancer's readiness probe; it says only whether the store answers"},
	"GET /metrics": {want: everyone(allowed), public: "Prometheus scrapes it without a session; it counts this instance's traffic, no account's data, and TANDEM_METRICS_TOKEN closes it where the balancer exposes it"},

	"POST /api/v1/login": {want: everyone(allowed), public: "signing in is how one gets credentials; the email and password in the body are the credentials (here of a third account, so its answer is no caller's secret)",
		body: `{"email":"cleo@initech.test","password":"` + testPassword + `"}`},
	"POST /api/v1/logout": {want: anyAgent, fresh: aSession},
	"GET /api/v1/me":      {want: anyAgent},
	"GET /api/v1/whoami":  {want: everyone(allowed), public: "tells a page whether its caller is signed in; it shows a caller only their own user and account, as /me does, and anyone else signed_in false"},
	"POST /api/v1/password/forgot": {want: everyone(allowed), public: "one who forgot their password has no credentials; the answer is 202 whether or not the email has an account, and the link goes to the email only",
		body: `{"email":"bo@acme.test"}`},
	"POST /api/v1/password/reset": {want: everyone(404), public: "the reset token in the body is the credential; an unknown one is refused whoever asks",
		body: `{"token":"` + strings.Repeat("x", 43) + `","password":"mallory was here"}`},

	// People: an account's admins manage its users. The user every step
	// aims at is A's agent Bo; the invitation is resent to a new one.
	"GET /api/v1/users":                  {want: anyAdmin},
	"POST /api/v1/users":                 {want: anyAdmin, body: `{"name":"Newcomer","email":"{unique}@newcomer.test","team":"Isolation"}`},
	"PATCH /api/v1/users/{id}":           {want: userOfAForAdmins, body: `{"team":"Mallory","name":"Bo Renamed"}`},
	"POST /api/v1/users/{id}/invitation": {want: userOfAForAdmins, fresh: anInvitedUser},
	"POST /api/v1/invitation/accept": {want: everyone(404), public: "the invitation token in the body is the credential; an unknown one is refused whoever asks",
		body: `{"token":"` + strings.Repeat("x", 43) + `","password":"mallory was here"}`},

	"GET /api/v1/account/settings": {want: anyAgent},
	"PUT /api/v1/account/settings": {want: anyAdmin, body: `{"time_zone":"Europe/Paris","contact_scope":"all"}`},
	// The brand: each admin changes their own account's, each agent their
	// own photo.
	"PATCH /api/v1/account":       {want: anyAdmin, body: `{"name":"Renamed Co"}`},
	"GET /api/v1/account/brand":   {want: anyAgent},
	"PUT /api/v1/account/logo":    {want: anyAdmin, body: string(pdftest.PNG(30, 10)), ctype: "image/png"},
	"DELETE /api/v1/account/logo": {want: anyAdmin},
	"PUT /api/v1/me/photo":        {want: anyAgent, body: string(pdftest.PNG(12, 12)), ctype: "image/png"},
	"DELETE /api/v1/me/photo":     {want: anyAgent},
	"GET /api/v1/brand":           {want: everyone(allowed), public: "the sign-in page shows it before anyone signs in: a hub's one account's name, color and logo, or Tandem's when it has several"},
	"GET /brand/images/{sha}":     {want: everyone(allowed), public: "a logo or an agent's photo, which the sign-in page and the customers' rooms show; its address is its content's SHA-256 (here a third account's logo)"},

	// Uploads go to the admin's own account.
	"POST /api/v1/assets":            {want: anyAdmin, body: isoUploadBody, ctype: "multipart/form-data; boundary=" + isoBoundary},
	"GET /api/v1/assets":             {want: anyAgent, query: "q=Acme"},
	"GET /api/v1/assets/{id}":        {want: assetOfA},
	"GET /api/v1/assets/{id}/file":   {want: assetOfA},
	"PATCH /api/v1/assets/{id}":      {want: assetOfAForAdmins, body: `{"name":"Mallory's form","folder":"Mallory"}`, fresh: anAsset},
	"PUT /api/v1/assets/{id}/fields": {want: assetOfAForAdmins, body: `{"fields":[{"type":"text","role":"customer","label":"Mallory","page":1,"x":0,"y":0,"w":0.5,"h":0.1}]}`, fresh: anAsset},
	"DELETE /api/v1/assets/{id}":     {want: assetOfAForAdmins, fresh: anAsset},

	"GET /api/v1/document-types":  {want: anyAgent, query: "q=Acme&include_retired=1"},
	"POST /api/v1/document-types": {want: anyAdmin, body: `{"code":"mallory_statement","name":"Mallory's statement","category":"Mallory"}`},
	"PATCH /api/v1/document-types/{id}": {want: docTypeOfAForAdmins, body: `{"name":"Mallory's type","category":"Mallory","retired":true}`,
		fresh: aDocType},

	"GET /api/v1/contacts":         {want: anyAgent, query: "q=Cora"},
	"GET /api/v1/contacts/{id}":    {want: contactOfA},
	"PATCH /api/v1/contacts/{id}":  {want: contactOfA, body: `{"name":"Mallory Patched"}`, fresh: aContact},
	"DELETE /api/v1/contacts/{id}": {want: contactOfA, fresh: aContact},

	// Creating a room is any agent's, in their own account; the request
	// names a contact of A, which only A's agents may use.
	"POST /api/v1/rooms": {want: contactOfA, body: `{"mode":"preplan","channel":"email","contact":"{contact}"}`},
	"GET /api/v1/rooms":  {want: anyAgent, query: "agent={userA}"},
	"GET /api/v1/feed":   {want: anyAgent, query: "agent={userA}", ws: true},

	"GET /api/v1/rooms/{id}":        {want: roomOfA},
	"GET /api/v1/rooms/{id}/events": {want: roomOfA},
	// The room's customer reports what they do too (protocol.md, activity).
	"POST /api/v1/rooms/{id}/activity": {want: roomOfA, body: `{"what":"viewing","ref":"isolation"}`},
	"GET /api/v1/rooms/{id}/ws":        {want: roomOfA, ws: true},
	// Documents: agents put them in rooms (here a fresh live room, whose
	// customer never came, so that no notice replaces R1's link); both
	// sides read them; the customer alone fills, finishes or declines.
	"POST /api/v1/rooms/{id}/documents":                     {want: roomOfAForAgents, body: `{"asset_id":"{docasset}","values":{}}`, fresh: aLiveRoom},
	"GET /api/v1/rooms/{id}/documents/{doc}":                {want: roomOfA},
	"GET /api/v1/rooms/{id}/documents/{doc}/file":           {want: roomOfA},
	"GET /api/v1/rooms/{id}/documents/{doc}/preview":        {want: roomOfAForAgents},
	"GET /api/v1/rooms/{id}/documents/{doc}/completed":      {want: roomOfA},
	"GET /api/v1/rooms/{id}/documents/{doc}/signed":         {want: roomOfA},
	"PUT /api/v1/rooms/{id}/documents/{doc}/fields/{field}": {want: customerOfR1Only, body: `{"value":"Isolation"}`},
	"POST /api/v1/rooms/{id}/documents/{doc}/viewed":        {want: customerOfR1Only, body: `{"page":1}`},
	"POST /api/v1/rooms/{id}/documents/{doc}/complete":      {want: customerOfR1Only, fresh: aDocument},
	"POST /api/v1/rooms/{id}/documents/{doc}/decline":       {want: customerOfR1Only, body: `{"reason":"isolation"}`, fresh: aDocument},
	// Requests and payments: agents ask (in a fresh live room, as for
	// documents) and review; the customer alone uploads, sends and pays;
	// both read the files and may cancel a payment.
	"POST /api/v1/rooms/{id}/requests":                      {want: roomOfAForAgents, body: `{"items":[{"type_id":"{doctype}","note":"isolation"}]}`, fresh: aLiveRoom},
	"POST /api/v1/rooms/{id}/requests/{req}/files":          {want: customerOfR1Only, body: isoPhotoBody, ctype: "multipart/form-data; boundary=" + isoBoundary},
	"GET /api/v1/rooms/{id}/requests/{req}/files/{file}":    {want: roomOfA},
	"DELETE /api/v1/rooms/{id}/requests/{req}/files/{file}": {want: customerOfR1Only, fresh: aFiledRequest},
	"POST /api/v1/rooms/{id}/requests/{req}/submit":         {want: customerOfR1Only, fresh: aFiledRequest},
	"POST /api/v1/rooms/{id}/requests/{req}/review":         {want: roomOfAForAgents, body: `{"decision":"accept"}`, fresh: aSentRequest},
	"POST /api/v1/rooms/{id}/payments":                      {want: roomOfAForAgents, body: `{"amount":"12.50","currency":"USD"}`, fresh: aLiveRoom},
	"POST /api/v1/rooms/{id}/payments/{pay}/cancel":         {want: roomOfA, body: `{"reason":"isolation"}`, fresh: aPayment},
	"POST /api/v1/rooms/{id}/payments/{pay}/checkout":       {want: customerOfR1Only},
	"POST /api/v1/rooms/{id}/payments/{pay}/card":           {want: customerOfR1Only, body: `{"number":"4242424242424242","exp_month":12,"exp_year":2040,"cvc":"123"}`, fresh: aPayment},
	"POST /api/v1/hooks/{provider}": {want: everyone(404), public: "a payment provider calls it and proves it by its signature, not by our credentials; this hub (the sandbox) takes no webhooks, from anyone",
		body: `{"type":"checkout.session.completed"}`},
	"POST /api/v1/rooms/{id}/invite":   {want: roomOfAForAgents, fresh: aPreplannedRoom},
	"POST /api/v1/rooms/{id}/close":    {want: roomOfAForAgents, body: `{"reason":"isolation"}`, fresh: aLiveRoom},
	"POST /api/v1/rooms/{id}/reengage": {want: roomOfAForAgents, body: `{"channel":"email","customer":{"email":"mallory@evil.test"}}`, fresh: aLiveRoom},
	"POST /api/v1/rooms/{id}/resend":   {want: roomOfAForAgents, fresh: aLiveRoom},
	"POST /api/v1/rooms/{id}/link":     {want: roomOfAForAgents, fresh: aLiveRoom},
	"GET /api/v1/dev/outbox":           {want: anyAdmin},
	"POST /api/v1/hooks/{provider}/status": {want: everyone(403), public: "the provider calls it, and proves it by its signature (X-Twilio-Signature), not by our credentials: without one every caller is refused, an admin too",
		body: "MessageSid=SM00000000000000000000000000000000&MessageStatus=delivered", ctype: "application/x-www-form-urlencoded"},

	"POST /api/v1/verify": {want: everyone(allowed), public: "anyone holding a signed PDF may check it; the file is the only input, read in memory and never kept, and the answer is about that file alone",
		body: "%PDF-1.7 a file to check", ctype: "application/pdf"},
	"GET /api/v1/verify/root.pem": {want: everyone(allowed), public: "the root certificate of the hub's seals, public by nature: readers import it to trust them"},

	"GET /r/{token}": {want: everyone(allowed), public: "the link the customer was sent: its 256-bit token is the credential, whoever holds it"},
	// The pages are the same for everyone and carry no data: they call
	// the API, which checks the caller.
	"GET /room/{id}":      {want: everyone(allowed), public: "the customer's page, the same for every room; its data come from the API with the room cookie"},
	"GET /console":        {want: everyone(allowed), public: "the console's page, which asks to sign in"},
	"GET /verify":         {want: everyone(allowed), public: "the public page that checks a signed PDF; its data come from POST /api/v1/verify"},
	"GET /password/reset": {want: everyone(allowed), public: "the page a reset email links to, for one who cannot sign in"},
	"GET /invitation":     {want: everyone(allowed), public: "the page an invitation email links to, for one who has no password yet"},
	"GET /":               {want: everyone(302), public: "the hub's address, which sends everyone to the console"},
	"GET /favicon.ico":    {want: everyone(allowed), public: "the hub's icon, which browsers ask for on every page"},
	"GET /static/":        {want: everyone(allowed), public: "the pages' scripts and styles", path: "/static/room.js"},
}

// isoCaller is one caller: its credentials and what it must never read.
type isoCaller struct {
	id      callerID
	hdr     http.Header
	ofA     bool   // a person of account A, who may change A
	email   string // the agent behind it, for a new session
	cookie  bool   // its session travels as a cookie, not a bearer token
	secrets []string
}

// isoTarget is what a request names: a room, a contact, an asset, a
// document type, and in the room a document (doc, sent) and a completed
// one (done).
type isoTarget struct{ room, contact, asset, docType, doc, done, req, file, pay, user string }

// isoBoundary and isoUploadBody are an upload of a one-page PDF.
const isoBoundary = "isolationboundary"

var isoUploadBody = "--" + isoBoundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nUploaded form\r\n" +
	"--" + isoBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"form.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" +
	string(pdftest.PDF(1, false)) + "\r\n--" + isoBoundary + "--\r\n"

// isoPhotoBody is an upload of a small PNG, for a request.
var isoPhotoBody = "--" + isoBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"id.png\"\r\nContent-Type: image/png\r\n\r\n" +
	string(pdftest.PNG(20, 10)) + "\r\n--" + isoBoundary + "--\r\n"

// isoWorld is the hub the table runs against.
type isoWorld struct {
	e       *env
	hc      *http.Client
	r1, r2  room.State
	contact string // a contact of A
	token   string // R1's link token
	logo    string // the SHA-256 of a third account's logo
	userA   string // the admin of A's user id
	real    isoTarget
	ghost   isoTarget // ids of the right shape that exist nowhere
	callers [numCallers]isoCaller
	admin   http.Header // the admin of A, for reading the state around each call
	fresh   int
	// docAsset is the template of R1's documents; spare are documents of
	// R1 sent and untouched, for the steps that spend one (aDocument).
	docAsset string
	spare    []string
	// Requests and payments of R1 for the steps that spend one: filed
	// (a file uploaded, not sent), sent (waiting for review), payments
	// not paid; each with its file, for the filed ones.
	spareFiled, spareSent, sparePay []isoTarget
}

func TestIsolation(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // a hub of its own per store
			start := time.Now()
			w := newIsoWorld(t, open)
			type served struct{ method, key, tmpl string }
			var routes []served
			err := w.e.hub.RouterForTest().Walk(func(r *mux.Route, _ *mux.Router, _ []*mux.Route) error {
				if r.GetHandler() == nil {
					return nil // only holds a subrouter, walked next
				}
				tmpl, err := r.GetPathTemplate()
				if err != nil {
					return err
				}
				key, err := routeKey(tmpl)
				if err != nil {
					return err
				}
				// A path's handler says which methods it takes (the rest
				// answer method_not_allowed); a route that does not say
				// needs an entry of its own.
				methods := []string{"ANY"}
				if h, ok := r.GetHandler().(interface{ Allowed() []string }); ok {
					methods = h.Allowed()
				}
				for _, m := range methods {
					routes = append(routes, served{m, m + " " + key, tmpl})
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			cases := 0
			for _, r := range routes {
				seen[r.key] = true
				rc, found := isolationTable[r.key]
				if !found {
					t.Errorf("route %s has no entry in the isolation table: say who may call it", r.key)
					continue
				}
				if rc.want.stranger != 401 && rc.public == "" {
					t.Errorf("route %s answers strangers otherwise than 401: its entry must say why it is public", r.key)
				}
				for c := range numCallers {
					cases++
					t.Run(r.key+" as "+callerNames[c], func(t *testing.T) {
						w.check(t, r.method, r.tmpl, rc, &w.callers[c])
					})
				}
			}
			for key := range isolationTable {
				if !seen[key] {
					t.Errorf("the isolation table has an entry for %s, which the router does not serve", key)
				}
			}
			t.Logf("%d routes and methods × %d callers: %d cases in %v", len(routes), numCallers, cases, time.Since(start).Round(time.Millisecond))
		})
	}
}

// newIsoWorld starts a hub with every optional route on (the pages, a
// provider's callbacks, the dev outbox), and the accounts, rooms and
// contact the table names.
func newIsoWorld(t *testing.T, open func(testing.TB) store.Store) *isoWorld {
	t.Helper()
	ctx := context.Background()
	sealWith := newSealing(t, false).option(t)
	e := newEnv(t, open, func(cfg *api.Config) {
		sealWith(cfg)
		cfg.Web = web.FS()
		cfg.LoginPerMinute = 1000 // every caller signs in, and the table signs in again
		tw, err := twilio.New(twilio.Options{
			AccountSID: "AC00000000000000000000000000000000", AuthToken: "isolation-secret", From: "+15005550006",
			StatusCallbackURL: cfg.PublicURL.String() + "/api/v1/hooks/twilio/status",
		})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Callbacks = map[string]sender.StatusCallback{"twilio": tw}
		cfg.Payments = &sandbox.Provider{}
	})
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	w := &isoWorld{e: e, hc: &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	me, err := e.agent.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.userA = me.User.ID
	accountB, adminBc := e.newAgent("Globex", "gia@globex.test", "Gia")
	_, cleo := e.newAgent("Initech", "cleo@initech.test", "Cleo") // whom the login route signs in
	logo, err := cleo.PutLogo(ctx, bytes.NewReader(pdftest.PNG(40, 20)))
	if err != nil {
		t.Fatal(err)
	}
	w.logo = strings.TrimPrefix(logo.LogoURL, "/brand/images/")
	agentAc := isoSignIn(t, e, e.account, "bo@acme.test", tandem.RoleAgent)
	boMe, err := agentAc.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	agentBc := isoSignIn(t, e, accountB, "bram@globex.test", tandem.RoleAgent)

	create := func(c *client.Client, mode room.Mode, ch room.Channel, cust room.Customer) room.State {
		t.Helper()
		s, err := c.CreateRoom(ctx, client.CreateRoom{Mode: mode, Channel: ch, Customer: cust})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	w.r1 = create(e.agent, room.ModeLive, room.ChannelSMS, room.Customer{Name: "Rhea Isolde", Phone: "+1 415 555 0171"})
	w.r2 = create(e.agent, room.ModeLive, room.ChannelSMS, room.Customer{Name: "Remy Second", Phone: "+1 415 555 0172"})
	create(e.agent, room.ModePreplan, room.ChannelEmail, room.Customer{Name: "Cora Contact", Email: "cora@contact.test"})
	create(adminBc, room.ModeLive, room.ChannelSMS, room.Customer{Name: "Bea Globex", Phone: "+1 415 555 0181"})
	cs, err := e.agent.Contacts(ctx, "Cora", 0)
	if err != nil || len(cs) != 1 {
		t.Fatalf("the contact of A: %+v, %v", cs, err)
	}
	w.contact = cs[0].ID
	// A password reset of A waits in A's outbox: another account's admin
	// must not read it in theirs.
	if err := e.client().ForgotPassword(ctx, "bo@acme.test"); err != nil {
		t.Fatal(err)
	}
	link, err := url.Parse(e.lastLink(w.r1.ID))
	if err != nil {
		t.Fatal(err)
	}
	w.token = path.Base(link.Path)
	cookieR1, cookieR2 := e.roomCookie(w.r1.ID), e.roomCookie(w.r2.ID)
	asset, err := e.agent.UploadAsset(ctx, "Acme Loan Form", "Acme forms", "loan.pdf", bytes.NewReader(pdftest.PDF(2, false)))
	if err != nil {
		t.Fatal(err)
	}
	docType, err := e.agent.CreateDocumentType(ctx, client.NewDocumentType{Code: "acme_loan_letter", Name: "Acme Loan Letter", Category: "Acme letters"})
	if err != nil {
		t.Fatal(err)
	}
	w.real = isoTarget{room: w.r1.ID, contact: w.contact, asset: asset.ID, docType: docType.ID, user: boMe.User.ID}
	w.ghost = isoTarget{room: room.NewID("rm"), contact: room.NewID("ct"), asset: room.NewID("as"), docType: room.NewID("dt"), user: room.NewID("us"),
		doc: room.NewID("dc"), done: room.NewID("dc"), req: room.NewID("rq"), file: room.NewID("fl"), pay: room.NewID("py")}
	w.isoDocuments(t)

	// What each side must never read of the other.
	r1 := []string{"Rhea Isolde", "+14155550171"}
	r2 := []string{"Remy Second", "+14155550172"}
	contact := []string{"Cora Contact", "cora@contact.test"}
	peopleA := []string{"ana@acme.test", "bo@acme.test"}
	assetA := []string{"Acme Loan Form", "Acme forms", "Acme Loan Letter", "acme_loan_letter", "Acme letters"}
	allA := slices.Concat(r1, r2, contact, peopleA, assetA, []string{e.account})
	allB := []string{"Bea Globex", "+14155550181", "gia@globex.test", "bram@globex.test", accountB}

	bearer := func(c *client.Client) http.Header { return http.Header{"Authorization": {"Bearer " + c.Token()}} }
	cookie := func(v string) http.Header { return http.Header{"Cookie": {v}} }
	w.admin = bearer(e.agent)
	w.callers = [numCallers]isoCaller{
		stranger:   {hdr: http.Header{}, secrets: slices.Concat(allA, allB)},
		agentB:     {hdr: bearer(agentBc), email: "bram@globex.test", secrets: allA},
		adminB:     {hdr: cookie("tandem_session=" + adminBc.Token()), email: "gia@globex.test", cookie: true, secrets: allA},
		customerR2: {hdr: cookie(cookieR2), secrets: slices.Concat(r1, contact, peopleA, assetA, allB)},
		customerR1: {hdr: cookie(cookieR1), ofA: true, secrets: slices.Concat(r2, contact, peopleA, assetA, allB)},
		agentA:     {hdr: cookie("tandem_session=" + agentAc.Token()), ofA: true, email: "bo@acme.test", cookie: true, secrets: allB},
		adminA:     {hdr: w.admin, ofA: true, email: "ana@acme.test", secrets: allB},
	}
	for c := range numCallers {
		w.callers[c].id = c
	}
	return w
}

// isoDocuments puts documents in R1 before anyone connects to it (so that
// no "new in your room" notice replaces its link): the one every step aims
// at, a completed one, and spares for the steps that spend one. Their
// template has one optional field of the customer's, "cf".
func (w *isoWorld) isoDocuments(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	tpl, err := w.e.agent.UploadAsset(ctx, "Isolation agreement", "", "agreement.pdf", bytes.NewReader(pdftest.PDF(1, false)))
	if err != nil {
		t.Fatal(err)
	}
	cf := client.Field{ID: "cf", Type: room.FieldText, Role: room.FieldByCustomer, Label: "Comment", Page: 1, X: .1, Y: .1, W: .5, H: .05}
	if _, err := w.e.agent.SetAssetFields(ctx, tpl.ID, []client.Field{cf}); err != nil {
		t.Fatal(err)
	}
	w.docAsset = tpl.ID
	var ids []string
	for range 5 {
		d, err := w.e.agent.AddDocument(ctx, w.r1.ID, tpl.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	w.real.doc, w.real.done, w.spare = ids[0], ids[1], ids[2:]
	cust := w.e.customer(w.r1.ID)
	if _, err := cust.CompleteDocument(ctx, w.r1.ID, w.real.done); err != nil {
		t.Fatal(err)
	}
	signed(t, cust, w.r1.ID, w.real.done)
	w.isoRequests(t, cust)
}

// isoRequests puts requests and payments in R1, before anyone connects to
// it, as isoDocuments does documents: the real ones every step aims at
// (a request with a file, not sent; a payment), and spares for the steps
// that spend one.
func (w *isoWorld) isoRequests(t *testing.T, cust *client.Client) {
	t.Helper()
	ctx := context.Background()
	// A preset type: what a request asks for is the customer's to read,
	// and the catalog's own entries (Acme Loan Letter) are the secrets of
	// other callers.
	types, err := w.e.agent.DocumentTypes(ctx, "photo_id", false)
	if err != nil || len(types) != 1 {
		t.Fatalf("the preset type: %+v, %v", types, err)
	}
	items := make([]client.RequestItem, 5)
	for i := range items {
		items[i] = client.RequestItem{TypeID: types[0].ID}
	}
	rs, err := w.e.agent.AddRequests(ctx, w.r1.ID, items...)
	if err != nil {
		t.Fatal(err)
	}
	filed := make([]isoTarget, len(rs))
	for i, r := range rs {
		_, f, err := cust.UploadRequestFile(ctx, w.r1.ID, r.ID, "id.png", bytes.NewReader(pdftest.PNG(20, 10)))
		if err != nil {
			t.Fatal(err)
		}
		filed[i] = isoTarget{req: r.ID, file: f.ID}
	}
	for _, r := range filed[3:] {
		if _, err := cust.SubmitRequest(ctx, w.r1.ID, r.req); err != nil {
			t.Fatal(err)
		}
	}
	w.real.req, w.real.file = filed[0].req, filed[0].file
	w.spareFiled, w.spareSent = filed[1:3], filed[3:]
	for i := range 5 {
		p, err := w.e.agent.RequestPayment(ctx, w.r1.ID, client.PaymentRequest{Amount: "9.99", Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w.real.pay = p.ID
		} else {
			w.sparePay = append(w.sparePay, isoTarget{pay: p.ID})
		}
	}
}

// isoSignIn creates a user of account with role and signs them in.
func isoSignIn(t *testing.T, e *env, account, email string, role tandem.Role) *client.Client {
	t.Helper()
	hash, _ := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err := e.st.CreateUser(context.Background(), tandem.User{ID: room.NewID("us"), Account: account, Email: email, Name: email,
		Role: role, PasswordHash: string(hash), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	if _, err := c.Login(context.Background(), email, testPassword); err != nil {
		t.Fatal(err)
	}
	return c
}

// check calls one route as one caller.
func (w *isoWorld) check(t *testing.T, method, tmpl string, rc isoRoute, c *isoCaller) {
	want := rc.want.of(c.id)
	if want == 0 {
		t.Fatalf("no expectation for the %s", callerNames[c.id])
	}
	may := want == allowed
	tg, hdr := w.real, c.hdr
	if may && rc.fresh != onTheRealTargets {
		tg, hdr = w.makeFresh(t, rc.fresh, c)
	}
	// A change is checked against A's state unless it is one that A's own
	// people may make.
	guard := method != http.MethodGet && !(may && c.ofA)
	var before isoSnapshot
	if guard {
		before = w.snapshot(t)
	}
	status, body := w.call(t, method, tmpl, rc, tg, hdr)
	switch {
	case may && rc.ws && status != http.StatusSwitchingProtocols:
		t.Errorf("handshake answered %d, want 101: %s", status, body)
	case may && !rc.ws && status/100 != 2:
		t.Errorf("answered %d, want a success: %s", status, body)
	case !may && status != want:
		t.Errorf("answered %d, want %d: %s", status, want, body)
	}
	for _, s := range c.secrets {
		if bytes.Contains(body, []byte(s)) {
			t.Errorf("the answer (%d) carries %q, which the %s may not read: %s", status, s, callerNames[c.id], body)
		}
	}
	if may && strings.HasSuffix(tmpl, "/complete") {
		// Sealing follows a completion, in the background: let it land
		// before the next case takes A's state.
		signed(t, w.e.agent, tg.room, tg.doc)
	}
	if guard {
		if after := w.snapshot(t); after != before {
			t.Errorf("A's state changed:\nbefore %+v\nafter  %+v", before, after)
		}
	}
	if !may && namesTargets(tmpl, rc) {
		// A refusal must not tell whether the room or contact exists.
		gs, gb := w.call(t, method, tmpl, rc, w.ghost, hdr)
		if gs != status {
			t.Errorf("a room or contact that exists answers %d, one that does not %d: the refusal reveals which", status, gs)
		} else if a, b := w.normalize(body, w.real), w.normalize(gb, w.ghost); a != b {
			t.Errorf("a room or contact that exists answers\n%s\none that does not\n%s", a, b)
		}
	}
	if rc.ws && may && c.id == customerR1 {
		w.settle(t)
	}
}

// namesTargets reports whether the request names R1 or the contact.
func namesTargets(tmpl string, rc isoRoute) bool {
	return strings.Contains(tmpl, "{id") || strings.Contains(rc.body+rc.query, "{contact}") || strings.Contains(rc.body+rc.query, "{room}")
}

// call makes the route's request on tg with hdr: an HTTP request, or a
// WebSocket handshake closed at once.
func (w *isoWorld) call(t *testing.T, method, tmpl string, rc isoRoute, tg isoTarget, hdr http.Header) (int, []byte) {
	t.Helper()
	p := rc.path
	if p == "" {
		var err error
		if p, err = expandTemplate(tmpl, func(name, before string) (string, error) {
			switch {
			case name == "id" && (strings.HasSuffix(before, "/rooms/") || strings.HasSuffix(before, "/room/")):
				return tg.room, nil
			case name == "id" && strings.HasSuffix(before, "/contacts/"):
				return tg.contact, nil
			case name == "id" && strings.HasSuffix(before, "/assets/"):
				return tg.asset, nil
			case name == "id" && strings.HasSuffix(before, "/document-types/"):
				return tg.docType, nil
			case name == "id" && strings.HasSuffix(before, "/users/"):
				return tg.user, nil
			case name == "doc" && (strings.HasSuffix(tmpl, "/completed") || strings.HasSuffix(tmpl, "/signed")):
				return tg.done, nil
			case name == "doc":
				return tg.doc, nil
			case name == "field":
				return "cf", nil
			case name == "req":
				return tg.req, nil
			case name == "file":
				return tg.file, nil
			case name == "pay":
				return tg.pay, nil
			case name == "token":
				return w.token, nil
			case name == "provider":
				return "twilio", nil
			case name == "sha":
				return w.logo, nil
			}
			return "", fmt.Errorf("no value for {%s} after %s", name, before)
		}); err != nil {
			t.Fatal(err)
		}
	}
	subst := strings.NewReplacer("{unique}", strings.ToLower(room.NewID("nu")), "{room}", tg.room, "{contact}", tg.contact, "{userA}", w.userA, "{docasset}", w.docAsset, "{doctype}", w.real.docType)
	if rc.query != "" {
		p += "?" + subst.Replace(rc.query)
	}
	if rc.ws {
		return w.dial(t, p, hdr)
	}
	body := subst.Replace(rc.body)
	req, err := http.NewRequest(method, w.e.url+p, stringsReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		ct := rc.ctype
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	res, err := w.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// dial opens a WebSocket and closes it once it has sent its first frame
// (by then a customer's joining is recorded); or returns the refusal.
func (w *isoWorld) dial(t *testing.T, p string, hdr http.Header) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(w.e.url, "http")+p, &websocket.DialOptions{HTTPHeader: hdr.Clone(), HTTPClient: w.hc})
	if err == nil {
		defer c.CloseNow()
		if _, _, err := c.Read(ctx); err != nil {
			t.Errorf("first frame: %v", err)
		}
		return http.StatusSwitchingProtocols, nil
	}
	if res == nil {
		t.Fatalf("dial %s: %v", p, err)
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// settle waits until R1's customer, whose socket just closed, is recorded
// as gone, so that the next checks of R1's log see it still.
func (w *isoWorld) settle(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var s room.State
		w.getJSON(t, "/api/v1/rooms/"+w.r1.ID, &s)
		if !slices.ContainsFunc(s.Participants, func(p room.Participant) bool { return p.Connected }) {
			return
		}
	}
	t.Fatal("R1's customer is still connected 10 s after closing their socket")
}

// makeFresh makes what an allowed caller works on instead of the real
// targets.
func (w *isoWorld) makeFresh(t *testing.T, f isoFixture, c *isoCaller) (isoTarget, http.Header) {
	t.Helper()
	ctx := context.Background()
	w.fresh++
	tg := w.real
	cust := room.Customer{Name: fmt.Sprintf("Fresh %d", w.fresh), Phone: fmt.Sprintf("+1 415 555 %04d", 200+w.fresh)}
	switch f {
	case aPreplannedRoom, aLiveRoom, aContact:
		mode := room.ModeLive
		if f != aLiveRoom {
			mode = room.ModePreplan
		}
		s, err := w.e.agent.CreateRoom(ctx, client.CreateRoom{Mode: mode, Channel: room.ChannelSMS, Customer: cust})
		if err != nil {
			t.Fatal(err)
		}
		tg.room = s.ID
		if f == aContact {
			cs, err := w.e.agent.Contacts(ctx, cust.Name, 0)
			if err != nil || len(cs) != 1 {
				t.Fatalf("the new contact: %+v, %v", cs, err)
			}
			tg.room, tg.contact = w.real.room, cs[0].ID
		}
		return tg, c.hdr
	case anAsset:
		a, err := w.e.agent.UploadAsset(ctx, fmt.Sprintf("Fresh form %d", w.fresh), "", "fresh.pdf", bytes.NewReader(pdftest.PDF(1, false)))
		if err != nil {
			t.Fatal(err)
		}
		tg.asset = a.ID
		return tg, c.hdr
	case anInvitedUser:
		p, err := w.e.agent.InvitePerson(ctx, client.NewPerson{Name: fmt.Sprintf("Fresh person %d", w.fresh), Email: fmt.Sprintf("fresh%d@acme.test", w.fresh)})
		if err != nil {
			t.Fatal(err)
		}
		tg.user = p.ID
		return tg, c.hdr
	case aDocType:
		dt, err := w.e.agent.CreateDocumentType(ctx, client.NewDocumentType{Code: fmt.Sprintf("fresh_%d", w.fresh), Name: fmt.Sprintf("Fresh type %d", w.fresh), Category: "Fresh"})
		if err != nil {
			t.Fatal(err)
		}
		tg.docType = dt.ID
		return tg, c.hdr
	case aFiledRequest, aSentRequest, aPayment:
		spares := map[isoFixture]*[]isoTarget{aFiledRequest: &w.spareFiled, aSentRequest: &w.spareSent, aPayment: &w.sparePay}[f]
		if len(*spares) == 0 {
			t.Fatal("no spare request or payment of R1 left: make more in isoRequests")
		}
		next := (*spares)[0]
		*spares = (*spares)[1:]
		if next.req != "" {
			tg.req, tg.file = next.req, next.file
		} else {
			tg.pay = next.pay
		}
		return tg, c.hdr
	case aDocument:
		if len(w.spare) == 0 {
			t.Fatal("no spare document of R1 left: make more in isoDocuments")
		}
		tg.doc, w.spare = w.spare[0], w.spare[1:]
		return tg, c.hdr
	case aSession:
		if c.email == "" {
			t.Fatalf("the %s has no session to renew", callerNames[c.id])
		}
		s := w.e.client()
		if _, err := s.Login(ctx, c.email, testPassword); err != nil {
			t.Fatal(err)
		}
		if c.cookie {
			return tg, http.Header{"Cookie": {"tandem_session=" + s.Token()}}
		}
		return tg, http.Header{"Authorization": {"Bearer " + s.Token()}}
	}
	t.Fatalf("unknown isoFixture %d", f)
	return tg, nil
}

// isoSnapshot is what of A a refused caller must leave as it was.
type isoSnapshot struct {
	r1Seq, r2Seq     int64
	contact          string // the contact, as the admin reads it
	settings         string
	rooms, contacts  int
	r1Link, r2Status string
	assets           string // A's library and its asset, as the admin reads them
	docTypes         string // A's catalog of document types, retired ones too
	users            string // A's people
}

func (w *isoWorld) snapshot(t *testing.T) isoSnapshot {
	t.Helper()
	var s isoSnapshot
	var r1, r2 room.State
	w.getJSON(t, "/api/v1/rooms/"+w.r1.ID, &r1)
	w.getJSON(t, "/api/v1/rooms/"+w.r2.ID, &r2)
	s.r1Seq, s.r2Seq, s.r2Status = r1.Seq, r2.Seq, string(r2.Status)
	if r1.Invite != nil {
		s.r1Link = r1.Invite.Link
	}
	var ct, set json.RawMessage
	w.getJSON(t, "/api/v1/contacts/"+w.contact, &ct)
	w.getJSON(t, "/api/v1/account/settings", &set)
	s.contact, s.settings = string(ct), string(set)
	var rooms struct{ Rooms []json.RawMessage }
	w.getJSON(t, "/api/v1/rooms?limit=200", &rooms)
	var contacts struct{ Contacts []json.RawMessage }
	w.getJSON(t, "/api/v1/contacts?limit=100", &contacts)
	s.rooms, s.contacts = len(rooms.Rooms), len(contacts.Contacts)
	var assets, asset json.RawMessage
	w.getJSON(t, "/api/v1/assets", &assets)
	w.getJSON(t, "/api/v1/assets/"+w.real.asset, &asset)
	s.assets = string(assets) + string(asset)
	var docTypes json.RawMessage
	w.getJSON(t, "/api/v1/document-types?include_retired=1", &docTypes)
	s.docTypes = string(docTypes)
	var users json.RawMessage
	w.getJSON(t, "/api/v1/users", &users)
	s.users = string(users)
	return s
}

// getJSON reads p as the admin of A.
func (w *isoWorld) getJSON(t *testing.T, p string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.e.url+p, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = w.admin.Clone()
	res, err := w.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("the admin of A reading %s: %d %s", p, res.StatusCode, b)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

// normalize is an answer with the ids of tg written as placeholders, so
// the answers about a real and a ghost isoTarget compare.
func (w *isoWorld) normalize(b []byte, tg isoTarget) string {
	return strings.NewReplacer(tg.room, "{room}", tg.contact, "{contact}", tg.asset, "{asset}", tg.docType, "{docType}", tg.user, "{user}").Replace(string(b))
}

// routeKey is a mux path template with its variables' patterns left out:
// "/rooms/{id:rm_[a-z2-7]{24}}" is "/rooms/{id}".
func routeKey(tmpl string) (string, error) {
	return expandTemplate(tmpl, func(name, _ string) (string, error) { return "{" + name + "}", nil })
}

// expandTemplate writes tmpl with each variable replaced by value(name,
// the path written so far).
func expandTemplate(tmpl string, value func(name, before string) (string, error)) (string, error) {
	var b strings.Builder
	for i := 0; i < len(tmpl); {
		if tmpl[i] != '{' {
			b.WriteByte(tmpl[i])
			i++
			continue
		}
		depth, j := 0, i
		for ; j < len(tmpl); j++ {
			if tmpl[j] == '{' {
				depth++
			} else if tmpl[j] == '}' {
				if depth--; depth == 0 {
					break
				}
			}
		}
		if j == len(tmpl) {
			return "", fmt.Errorf("unbalanced braces in %q", tmpl)
		}
		name, _, _ := strings.Cut(tmpl[i+1:j], ":")
		v, err := value(name, b.String())
		if err != nil {
			return "", fmt.Errorf("%s: %w", tmpl, err)
		}
		b.WriteString(v)
		i = j + 1
	}
	return b.String(), nil
}
