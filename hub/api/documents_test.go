package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/hub/api"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/hub/app/pdftest"
	"github.com/tandemhq/tandem/room"
)

// loanFields are the fields of the loan template: an agent's reference
// (required), the customer's name, birth date and signature (required),
// a consent box and a term to pick (optional).
var loanFields = []client.Field{
	{ID: "ref", Type: room.FieldText, Role: room.FieldByAgent, Required: true, Label: "Reference", Page: 1, X: .1, Y: .05, W: .4, H: .04},
	{ID: "name", Type: room.FieldText, Role: room.FieldByCustomer, Required: true, Label: "Full name", Page: 1, X: .1, Y: .2, W: .5, H: .04},
	{ID: "born", Type: room.FieldDate, Role: room.FieldByCustomer, Required: true, Label: "Date of birth", Page: 1, X: .1, Y: .3, W: .3, H: .04},
	{ID: "consent", Type: room.FieldCheckbox, Role: room.FieldByCustomer, Label: "Consent", Page: 2, X: .1, Y: .5, W: .04, H: .04},
	{ID: "term", Type: room.FieldSelect, Role: room.FieldByCustomer, Label: "Term", Page: 2, X: .1, Y: .6, W: .3, H: .04, Options: []string{"12 months", "24 months"}},
	{ID: "sign", Type: room.FieldSignature, Role: room.FieldByCustomer, Required: true, Label: "Signature", Page: 2, X: .5, Y: .8, W: .4, H: .1},
}

// loanTemplate uploads a two-page template with loanFields.
func (e *env) loanTemplate(t testing.TB) client.Asset {
	t.Helper()
	ctx := context.Background()
	a, err := e.agent.UploadAsset(ctx, "Loan agreement", "Loans", "loan.pdf", bytes.NewReader(pdftest.PDF(2, false)))
	if err != nil {
		t.Fatal(err)
	}
	if a, err = e.agent.SetAssetFields(ctx, a.ID, loanFields); err != nil {
		t.Fatal(err)
	}
	return a
}

// drawing is a signature as the customer's pad sends it.
func drawing() string { return pdftest.DataURL(pdftest.PNG(400, 120)) }

func TestDocumentSendFillSignComplete(t *testing.T) {
	t.Parallel() // a hub of its own, and mostly waiting
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			completed := make(chan app.CompletedDocument, 1)
			e := newEnv(t, open, func(cfg *api.Config) {
				cfg.OnCompleted = func(_ context.Context, d app.CompletedDocument) { completed <- d }
			})
			tpl := e.loanTemplate(t)
			s := e.liveRoom()

			// The agent's required field blocks the send, and the error
			// names it.
			_, err := e.agent.AddDocument(ctx, s.ID, tpl.ID, nil)
			var apiErr *client.APIError
			if !asAPIError(err, &apiErr) || apiErr.StatusCode != http.StatusUnprocessableEntity || apiErr.Code != "required_fields" || !slices.Equal(apiErr.Fields, []string{"ref"}) || !strings.Contains(apiErr.Message, "Reference") {
				t.Fatalf("send without the reference: %+v (%v)", apiErr, err)
			}
			doc, err := e.agent.AddDocument(ctx, s.ID, tpl.ID, map[string]string{"ref": "LN-2026-0042"})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Status != room.DocumentSent || doc.Pages != 2 || len(doc.Fields) != len(loanFields) || !doc.Fields[0].Filled {
				t.Fatalf("the document sent: %+v", doc)
			}

			// The agent watches, live.
			sub, err := e.agent.Subscribe(ctx, s.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()

			cust := e.customer(s.ID)
			if _, err := cust.FillField(ctx, s.ID, doc.ID, "ref", "LN-1"); apiCode(t, err) != "agent_field" {
				t.Errorf("the customer filled the agent's field: %v", err)
			}
			if _, err := cust.FillField(ctx, s.ID, doc.ID, "born", "02/04/1990"); apiCode(t, err) != "invalid_value" {
				t.Errorf("a date written otherwise: %v", err)
			}
			if _, err := e.agent.FillField(ctx, s.ID, doc.ID, "name", "Agent Smith"); apiCode(t, err) != "customer_only" {
				t.Errorf("the agent filled the customer's field: %v", err)
			}
			if _, err := cust.ViewPage(ctx, s.ID, doc.ID, 1); err != nil {
				t.Fatal(err)
			}
			nextOfType(t, sub, room.TypeDocumentOpened)
			nextOfType(t, sub, room.TypeDocumentPageViewed)
			for _, f := range [][2]string{{"name", "Ria Novak"}, {"born", "1990-04-02"}, {"consent", "true"}, {"term", "24 months"}} {
				if _, err := cust.FillField(ctx, s.ID, doc.ID, f[0], f[1]); err != nil {
					t.Fatalf("fill %s: %v", f[0], err)
				}
				ev := nextOfType(t, sub, room.TypeDocumentFieldFilled)
				var d room.FieldFilled
				_ = json.Unmarshal(ev.Data, &d)
				if d.Field != f[0] || d.Value != f[1] {
					t.Errorf("the agent saw %+v, want %s = %s", d, f[0], f[1])
				}
			}
			_, err = cust.CompleteDocument(ctx, s.ID, doc.ID)
			if !asAPIError(err, &apiErr) || apiErr.StatusCode != http.StatusUnprocessableEntity || !slices.Equal(apiErr.Fields, []string{"sign"}) {
				t.Fatalf("finish without signing: %v", err)
			}
			if _, err := e.agent.CompletedFile(ctx, s.ID, doc.ID); apiCode(t, err) != "not_completed" {
				t.Errorf("the completed PDF before completion: %v", err)
			}
			sig := drawing()
			if _, err := cust.FillField(ctx, s.ID, doc.ID, "sign", sig); err != nil {
				t.Fatal(err)
			}
			ev := nextOfType(t, sub, room.TypeDocumentFieldFilled)
			if strings.Contains(string(ev.Data), "base64") || !strings.Contains(string(ev.Data), `"signature":true`) {
				t.Errorf("the timeline's event carries the drawing: %s", ev.Data)
			}
			// Both sides read the values back, the drawing included.
			for who, c := range map[string]*client.Client{"agent": e.agent, "customer": cust} {
				v, err := c.Document(ctx, s.ID, doc.ID)
				if err != nil || v.Values["sign"] != sig || v.Values["ref"] != "LN-2026-0042" || v.Values["born"] != "1990-04-02" {
					t.Errorf("the %s reads %v, %v", who, v.Values, err)
				}
			}
			done, err := cust.CompleteDocument(ctx, s.ID, doc.ID)
			if err != nil {
				t.Fatal(err)
			}
			ev = nextOfType(t, sub, room.TypeDocumentCompleted)
			var dc room.DocumentCompletion
			_ = json.Unmarshal(ev.Data, &dc)

			for who, c := range map[string]*client.Client{"agent": e.agent, "customer": cust} {
				f, err := c.CompletedFile(ctx, s.ID, doc.ID)
				if err != nil {
					t.Fatalf("the %s downloads the completed PDF: %v", who, err)
				}
				pdf, _ := io.ReadAll(f)
				f.Close()
				sum := sha256.Sum256(pdf)
				if hex.EncodeToString(sum[:]) != dc.SHA256 || done.Completed != dc.SHA256 {
					t.Errorf("the %s's PDF has SHA-256 %x; document.completed says %s", who, sum, dc.SHA256)
				}
				text := pdfText(t, pdf)
				for _, want := range []string{"LN-2026-0042", "Ria Novak", "1990-04-02", "24 months", "X"} {
					if !strings.Contains(text, want) {
						t.Errorf("the completed PDF lacks %q:\n%s", want, text)
					}
				}
				if imgs := pdfImages(t, pdf); !strings.Contains(imgs, " 400   120 ") && !strings.Contains(imgs, "400   120") {
					t.Errorf("the completed PDF lacks the 400×120 signature:\n%s", imgs)
				}
			}
			select {
			case d := <-completed:
				if d.SHA256 != dc.SHA256 || d.Document.ID != doc.ID || len(d.Log) == 0 || d.Log[len(d.Log)-1].Type != room.TypeDocumentCompleted {
					t.Errorf("the completion hook got %s %s with %d events", d.Document.ID, d.SHA256, len(d.Log))
				}
				if sum := sha256.Sum256(d.PDF); hex.EncodeToString(sum[:]) != dc.SHA256 {
					t.Error("the hook's PDF is not the completed one")
				}
			case <-time.After(10 * time.Second):
				t.Error("the completion hook was not called")
			}
			// A completed document takes no more changes.
			if _, err := cust.FillField(ctx, s.ID, doc.ID, "consent", "false"); apiCode(t, err) != "document_completed" {
				t.Errorf("changing a completed document: %v", err)
			}
			if _, err := cust.DeclineDocument(ctx, s.ID, doc.ID, "changed my mind"); apiCode(t, err) != "document_completed" {
				t.Errorf("declining a completed document: %v", err)
			}
		})
	}
}

// pdfText is the text of pdf as poppler's pdftotext reads it.
func pdfText(t *testing.T, pdf []byte) string { return pdftest.Poppler(t, pdf, "pdftotext", "{}", "-") }

// pdfImages lists the images of pdf (poppler's pdfimages -list).
func pdfImages(t *testing.T, pdf []byte) string {
	return pdftest.Poppler(t, pdf, "pdfimages", "-list", "{}")
}

func TestPreplannedDocumentWaitsForInvite(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	tpl := e.loanTemplate(t)
	s, err := e.agent.CreateRoom(ctx, client.CreateRoom{Mode: room.ModePreplan, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Pat Planned", Phone: "+1 415 555 0150"}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := e.agent.AddDocument(ctx, s.ID, tpl.ID, map[string]string{"ref": "LN-9"})
	if err != nil || doc.Status != room.DocumentPending {
		t.Fatalf("staged: %+v, %v", doc, err)
	}
	if _, err := e.agent.Invite(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	st, err := e.agent.Room(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := st.Document(doc.ID); d.Status != room.DocumentSent {
		t.Errorf("after Invite client the document is %s", d.Status)
	}
	cust := e.customer(s.ID)
	if _, err := cust.ViewPage(ctx, s.ID, doc.ID, 1); err != nil {
		t.Errorf("the invited customer cannot open it: %v", err)
	}
}

func TestCustomerCannotReachAnotherRoomsDocument(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	tpl := e.loanTemplate(t)
	r1, r2 := e.liveRoom(), e.liveRoom()
	doc, err := e.agent.AddDocument(ctx, r1.ID, tpl.ID, map[string]string{"ref": "LN-1"})
	if err != nil {
		t.Fatal(err)
	}
	cust2 := e.customer(r2.ID)
	if _, err := cust2.FillField(ctx, r1.ID, doc.ID, "name", "Mallory"); apiCode(t, err) != "room_not_found" {
		t.Errorf("R2's customer fills R1's document: %v", err)
	}
	if _, err := cust2.FillField(ctx, r2.ID, doc.ID, "name", "Mallory"); apiCode(t, err) != "document_not_found" {
		t.Errorf("R2's customer names R1's document in R2: %v", err)
	}
	if _, err := cust2.DocumentFile(ctx, r2.ID, doc.ID); apiCode(t, err) != "document_not_found" {
		t.Errorf("R2's customer reads R1's document through R2: %v", err)
	}
}

func TestAttachDocument(t *testing.T) {
	t.Parallel() // a hub of its own, and mostly waiting
	ctx := context.Background()
	e := newEnv(t, nil, func(cfg *api.Config) { cfg.MaxImageBytes = 16 << 10 }) // the 640×480 test image is 3.5 KB, 2000×2000 22 KB
	s := e.liveRoom()
	sign := []client.Field{{Type: room.FieldSignature, Role: room.FieldByCustomer, Required: true, Label: "Sign here", Page: 1, X: .5, Y: .8, W: .3, H: .1}}

	doc, err := e.agent.AttachDocument(ctx, s.ID, client.Attachment{Filename: `C:\Users\ana\Side letter.pdf`, Fields: sign}, bytes.NewReader(pdftest.PDF(1, false)))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Name != "Side letter" || doc.Status != room.DocumentSent || len(doc.Fields) != 1 || doc.Fields[0].ID == "" {
		t.Errorf("the attached PDF: %+v", doc)
	}
	img, err := e.agent.AttachDocument(ctx, s.ID, client.Attachment{Name: "Photo of the car", Filename: "car.png"}, bytes.NewReader(pdftest.PNG(640, 480)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.agent.DocumentFile(ctx, s.ID, img.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if img.Pages != 1 || !bytes.HasPrefix(b, []byte("%PDF-")) || !strings.Contains(pdfImages(t, b), "640   480") {
		t.Errorf("the image became %d pages: %.20q", img.Pages, b)
	}

	files := e.blobFiles(t)
	for _, tc := range []struct {
		name string
		file []byte
		att  client.Attachment
		code string
	}{
		{"a text file named .pdf", []byte("just text, not a PDF at all"), client.Attachment{Filename: "x.pdf"}, "unsupported_type"},
		{"a broken PDF", []byte("%PDF-1.7\nnot really"), client.Attachment{Filename: "x.pdf"}, "invalid_pdf"},
		{"an image over the limit", pdftest.PNG(2000, 2000), client.Attachment{Filename: "big.png"}, "too_large"},
		{"a field off the page", pdftest.PDF(1, false), client.Attachment{Filename: "x.pdf", Fields: []client.Field{{Type: room.FieldText, Role: room.FieldByCustomer, Page: 2, X: 0, Y: 0, W: .1, H: .1}}}, "invalid_fields"},
		{"a required agent field empty", pdftest.PDF(1, false), client.Attachment{Filename: "x.pdf", Fields: []client.Field{{ID: "a", Type: room.FieldText, Role: room.FieldByAgent, Required: true, Label: "Amount", Page: 1, X: 0, Y: 0, W: .1, H: .1}}}, "required_fields"},
	} {
		if _, err := e.agent.AttachDocument(ctx, s.ID, tc.att, bytes.NewReader(tc.file)); apiCode(t, err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if got := e.blobFiles(t); got != files {
		t.Errorf("refused attachments left %d files behind", got-files)
	}
	// Customers do not put documents in rooms.
	cust := e.customer(s.ID)
	if _, err := cust.AttachDocument(ctx, s.ID, client.Attachment{Filename: "x.pdf"}, bytes.NewReader(pdftest.PDF(1, false))); apiCode(t, err) != "unauthorized" {
		t.Errorf("a customer attached a document: %v", err)
	}
}

// The customer's writes to a room's documents are bounded like its
// activity reports (here at 10 a minute).
func TestDocumentWritesAreLimited(t *testing.T) {
	ctx := context.Background()
	const perMinute = 10
	e := newEnv(t, nil, func(cfg *api.Config) { cfg.CustomerWritesPerMinute = perMinute })
	tpl := e.loanTemplate(t)
	s := e.liveRoom()
	doc, err := e.agent.AddDocument(ctx, s.ID, tpl.ID, map[string]string{"ref": "LN-1"})
	if err != nil {
		t.Fatal(err)
	}
	cust := e.customer(s.ID)
	limited := 0
	for i := range perMinute + 5 {
		_, err := cust.FillField(ctx, s.ID, doc.ID, "name", strings.Repeat("a", 1+i%5))
		switch client.ErrorCode(err) {
		case "":
		case "rate_limited":
			limited++
		default:
			t.Fatal(err)
		}
	}
	if _, err := cust.ViewPage(ctx, s.ID, doc.ID, 1); client.ErrorCode(err) != "rate_limited" {
		t.Errorf("viewing a page past the limit: %v", err)
	}
	if limited != 5 {
		t.Errorf("%d of %d writes limited, want 5", limited, perMinute+5)
	}
}

// The agent's own signature, drawn before sending, is a file too: the
// log that every subscriber reads never carries a drawing.
func TestAgentDrawingIsAFile(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	s := e.liveRoom()
	fields := []client.Field{{ID: "agent_sig", Type: room.FieldSignature, Role: room.FieldByAgent, Required: true, Label: "Agent signature", Page: 1, X: .1, Y: .8, W: .3, H: .1}}
	sig := drawing()
	if _, err := e.agent.AttachDocument(ctx, s.ID, client.Attachment{Filename: "x.pdf", Fields: fields, Values: map[string]string{"agent_sig": "not a drawing"}}, bytes.NewReader(pdftest.PDF(1, false))); apiCode(t, err) != "invalid_value" {
		t.Errorf("an agent's signature that is not a drawing: %v", err)
	}
	doc, err := e.agent.AttachDocument(ctx, s.ID, client.Attachment{Filename: "x.pdf", Fields: fields, Values: map[string]string{"agent_sig": sig}}, bytes.NewReader(pdftest.PDF(1, false)))
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Fields[0].Filled {
		t.Error("the agent's drawn signature reads empty")
	}
	evs, err := e.agent.Events(ctx, s.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if strings.Contains(string(ev.Data), "base64") {
			t.Errorf("%s carries the drawing: %.120s", ev.Type, ev.Data)
		}
	}
	v, err := e.agent.Document(ctx, s.ID, doc.ID)
	if err != nil || v.Values["agent_sig"] != sig {
		t.Errorf("the agent's drawing read back: %.40q, %v", v.Values["agent_sig"], err)
	}
}
