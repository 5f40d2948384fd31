package room_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

var (
	docAgent = room.Actor{Kind: room.ActorAgent, ID: "us_1", Name: "Ana"}
	sigFile  = strings.Repeat("5", 64) // a drawing's SHA-256
)

func leaseDoc(values map[string]string) room.NewDocument {
	return room.NewDocument{Agent: docAgent, ID: "dc_1", Name: "Lease", File: "f", ContentType: "application/pdf", Pages: 2, Values: values,
		Fields: []room.Field{
			{ID: "ref", Type: room.FieldText, Role: room.FieldByAgent, Required: true, Label: "Reference", Page: 1, X: .1, Y: .1, W: .3, H: .05},
			{ID: "note", Type: room.FieldText, Role: room.FieldByAgent, Label: "Note", Page: 1, X: .1, Y: .2, W: .3, H: .05},
			{ID: "born", Type: room.FieldDate, Role: room.FieldByCustomer, Required: true, Label: "Date of birth", Page: 1, X: .1, Y: .3, W: .3, H: .05},
			{ID: "sign", Type: room.FieldSignature, Role: room.FieldByCustomer, Required: true, Label: "Signature", Page: 2, X: .1, Y: .8, W: .3, H: .1},
			{ID: "news", Type: room.FieldCheckbox, Role: room.FieldByCustomer, Label: "Newsletter", Page: 2, X: .1, Y: .9, W: .05, H: .05},
		}}
}

// roomIn folds a room of mode, invited when live, then applies drafts.
func roomIn(t *testing.T, mode room.Mode) room.State {
	t.Helper()
	d, err := room.Create(room.CreateRoom{Account: "ac_1", Agent: docAgent, Mode: mode, Channel: room.ChannelSMS, Customer: room.Customer{Name: "Sam", Phone: "+14155550134"}})
	if err != nil {
		t.Fatal(err)
	}
	s := applyDrafts(t, room.State{}, d)
	if mode == room.ModeLive {
		inv, err := room.Invite(s, room.InviteCustomer{Agent: docAgent, Link: "ln_1", ExpiresAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		s = applyDrafts(t, s, inv)
	}
	return s
}

func applyDrafts(t *testing.T, s room.State, ds ...room.Draft) room.State {
	t.Helper()
	id := s.ID
	if id == "" {
		id = "rm_1"
	}
	evs, err := room.Number(id, s.Seq, time.Now(), ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if s, err = room.Apply(s, e); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func requiredFields(t *testing.T, err error) []string {
	t.Helper()
	var e *tandem.Error
	if !errors.As(err, &e) || e.Code != room.CodeRequiredFields {
		t.Fatalf("error %v, want required_fields", err)
	}
	return e.Fields
}

func TestAddDocumentNeedsTheAgentsRequiredFields(t *testing.T) {
	s := roomIn(t, room.ModeLive)
	_, err := room.AddDocument(s, leaseDoc(nil))
	if got := requiredFields(t, err); !slices.Equal(got, []string{"ref"}) {
		t.Fatalf("missing %v, want [ref]", got)
	}
	if _, err := room.AddDocument(s, leaseDoc(map[string]string{"ref": "L-1", "born": "2000-01-01"})); tandem.ErrorKind(err) != tandem.KindInvalid {
		t.Fatalf("an agent filling a customer's field: %v", err)
	}
	ds, err := room.AddDocument(s, leaseDoc(map[string]string{"ref": "L-1"}))
	if err != nil {
		t.Fatal(err)
	}
	s = applyDrafts(t, s, ds...)
	d, _ := s.Document("dc_1")
	if d.Status != room.DocumentSent || !d.Fields[0].Filled || d.Fields[1].Filled {
		t.Fatalf("in a live room: %+v", d)
	}
}

func TestPreplannedDocumentsWaitForTheInvitation(t *testing.T) {
	s := roomIn(t, room.ModePreplan)
	ds, err := room.AddDocument(s, leaseDoc(map[string]string{"ref": "L-1"}))
	if err != nil {
		t.Fatal(err)
	}
	s = applyDrafts(t, s, ds...)
	if d, _ := s.Document("dc_1"); d.Status != room.DocumentPending {
		t.Fatalf("pre-planned: %s", d.Status)
	}
	if _, err := room.OpenDocument(s, "dc_1"); tandem.ErrorKind(err) != tandem.KindNotFound {
		t.Fatalf("the customer reached a pending document: %v", err)
	}
	s = applyDrafts(t, s, room.SendPending(s, docAgent)...)
	if d, _ := s.Document("dc_1"); d.Status != room.DocumentSent {
		t.Fatalf("after Invite client: %s", d.Status)
	}
	if len(room.SendPending(s, docAgent)) != 0 {
		t.Fatal("sent twice")
	}
}

func TestCustomerFillsCompletesAndCannotChangeAfter(t *testing.T) {
	s := roomIn(t, room.ModeLive)
	ds, _ := room.AddDocument(s, leaseDoc(map[string]string{"ref": "L-1"}))
	s = applyDrafts(t, s, ds...)
	if _, err := room.FillField(s, "dc_1", "ref", "L-2", ""); tandem.ErrorCode(err) != "agent_field" {
		t.Fatalf("the customer filled an agent's field: %v", err)
	}
	for _, tc := range []struct{ field, value, code string }{
		{"born", "1/1/2000", "invalid_value"},
		{"born", "2000-13-01", "invalid_value"},
		{"sign", "data:image/png;base64,iVBORw0KGgo=", "invalid_value"}, // a drawing is a file, never in the log
		{"news", "yes", "invalid_value"},
		{"nope", "x", "field_not_found"},
	} {
		if _, err := room.FillField(s, "dc_1", tc.field, tc.value, ""); tandem.ErrorCode(err) != tc.code {
			t.Errorf("%s = %.20q: %v, want %s", tc.field, tc.value, err, tc.code)
		}
	}
	s = applyDrafts(t, s, must(t)(room.FillField(s, "dc_1", "born", "2000-01-01", "")))
	_, err := room.CompleteDocument(s, "dc_1", strings.Repeat("a", 64))
	if got := requiredFields(t, err); !slices.Equal(got, []string{"sign"}) {
		t.Fatalf("missing %v, want [sign]", got)
	}
	s = applyDrafts(t, s, must(t)(room.FillField(s, "dc_1", "sign", "", sigFile)))
	if d, _ := s.Document("dc_1"); d.Status != room.DocumentInProgress {
		t.Fatalf("after filling: %s", d.Status)
	}
	s = applyDrafts(t, s, must(t)(room.CompleteDocument(s, "dc_1", strings.Repeat("a", 64))))
	if d, _ := s.Document("dc_1"); d.Status != room.DocumentCompleted {
		t.Fatalf("after finishing: %s", d.Status)
	}
	if _, err := room.FillField(s, "dc_1", "news", "true", ""); tandem.ErrorKind(err) != tandem.KindConflict {
		t.Fatalf("a completed document changed: %v", err)
	}
	if _, err := room.DeclineDocument(s, "dc_1", "no"); tandem.ErrorKind(err) != tandem.KindConflict {
		t.Fatalf("a completed document declined: %v", err)
	}
}

// A drawn signature is never in the log, which every agent's timeline
// reads: the log names its file.
func TestSignaturesStayOutOfTheLog(t *testing.T) {
	s := roomIn(t, room.ModeLive)
	ds, _ := room.AddDocument(s, leaseDoc(map[string]string{"ref": "L-1"}))
	s = applyDrafts(t, s, ds...)
	d := must(t)(room.FillField(s, "dc_1", "sign", "", sigFile))
	evs, _ := room.Number(s.ID, s.Seq, time.Now(), []room.Draft{d})
	var f room.FieldFilled
	_ = json.Unmarshal(evs[0].Data, &f)
	if f.Value != "" || f.File != sigFile || !f.Signature {
		t.Fatalf("want the drawing's file and no value: %+v", f)
	}
	if _, err := room.FillField(s, "dc_1", "sign", "", "../etc/passwd"); tandem.ErrorCode(err) != "invalid_value" {
		t.Errorf("a file that is not a SHA-256: %v", err)
	}
	if _, err := room.FillField(s, "dc_1", "born", "", sigFile); tandem.ErrorCode(err) != "invalid_value" {
		t.Errorf("a file for a date: %v", err)
	}
	s = applyDrafts(t, s, d)
	if doc, _ := s.Document("dc_1"); !doc.Fields[3].Filled {
		t.Errorf("the signed field reads empty: %+v", doc.Fields[3])
	}
	_, files, _ := room.DocumentValues(evs, "dc_1")
	if files["sign"] != sigFile {
		t.Errorf("files %v", files)
	}
}

func must(t *testing.T) func(room.Draft, error) room.Draft {
	return func(d room.Draft, err error) room.Draft {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
}

// numbered folds drafts into s like applyDrafts and also returns the events.
func numbered(t *testing.T, s room.State, ds ...room.Draft) (room.State, []room.Event) {
	t.Helper()
	evs, err := room.Number(s.ID, s.Seq, time.Now(), ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if s, err = room.Apply(s, e); err != nil {
			t.Fatal(err)
		}
	}
	return s, evs
}

func TestDocumentValuesFoldTheLogAndAnEmptyValueClears(t *testing.T) {
	s := roomIn(t, room.ModeLive)
	add, err := room.AddDocument(s, leaseDoc(map[string]string{"ref": "L-7"}))
	if err != nil {
		t.Fatal(err)
	}
	s, log := numbered(t, s, add...)
	var evs []room.Event
	for _, step := range []struct{ field, value string }{{"born", "1990-04-02"}, {"news", "true"}, {"born", "1991-05-03"}, {"news", ""}} {
		s, evs = numbered(t, s, must(t)(room.FillField(s, "dc_1", step.field, step.value, "")))
		log = append(log, evs...)
	}
	got, _, err := room.DocumentValues(log, "dc_1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ref": "L-7", "born": "1991-05-03"}
	if len(got) != len(want) || got["ref"] != want["ref"] || got["born"] != want["born"] {
		t.Errorf("values %v, want %v", got, want)
	}
	d, _ := s.Document("dc_1")
	for _, f := range d.Fields {
		if f.ID == "news" && f.Filled {
			t.Error("a cleared checkbox still reads filled")
		}
	}
	if other, _, _ := room.DocumentValues(log, "dc_2"); len(other) != 0 {
		t.Errorf("another document's values: %v", other)
	}
}

// A required checkbox ("I agree") is filled only when ticked: "false" is
// an answer, not consent.
func TestRequiredCheckboxMustBeTicked(t *testing.T) {
	s := roomIn(t, room.ModeLive)
	d := leaseDoc(map[string]string{"ref": "L-1", "ok": "false"})
	d.Fields = append(d.Fields, room.Field{ID: "ok", Type: room.FieldCheckbox, Role: room.FieldByAgent, Required: true, Label: "Checked ID", Page: 1, X: .5, Y: .5, W: .05, H: .05},
		room.Field{ID: "agree", Type: room.FieldCheckbox, Role: room.FieldByCustomer, Required: true, Label: "I agree", Page: 2, X: .5, Y: .5, W: .05, H: .05})
	if _, err := room.AddDocument(s, d); !slices.Equal(requiredFields(t, err), []string{"ok"}) {
		t.Fatalf("an agent's required box left unticked: %v", err)
	}
	d.Values["ok"] = "true"
	ds, err := room.AddDocument(s, d)
	if err != nil {
		t.Fatal(err)
	}
	s = applyDrafts(t, s, ds...)
	s = applyDrafts(t, s, must(t)(room.FillField(s, "dc_1", "born", "2000-01-01", "")), must(t)(room.FillField(s, "dc_1", "sign", "", sigFile)))
	s = applyDrafts(t, s, must(t)(room.FillField(s, "dc_1", "agree", "false", "")))
	_, err = room.CompleteDocument(s, "dc_1", strings.Repeat("a", 64))
	if got := requiredFields(t, err); !slices.Equal(got, []string{"agree"}) {
		t.Fatalf("finished with the required box unticked: %v", err)
	}
	s = applyDrafts(t, s, must(t)(room.FillField(s, "dc_1", "agree", "true", "")))
	if _, err := room.CompleteDocument(s, "dc_1", strings.Repeat("a", 64)); err != nil {
		t.Fatalf("ticked: %v", err)
	}
}
