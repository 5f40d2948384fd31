package room_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

var payStub = room.RequestType{ID: "dt_1", Code: "pay_stub", Name: "Pay stub", Category: "Income"}

func requestFile(name string) room.RequestFile {
	return room.RequestFile{ID: room.NewID("fl"), Name: name, ContentType: "image/jpeg", Size: 2048, SHA256: strings.Repeat("c", 64)}
}

// withRequest is a live room with one pay-stub request.
func withRequest(t *testing.T) (room.State, string) {
	t.Helper()
	s := roomIn(t, room.ModeLive)
	id := room.NewID("rq")
	ds, err := room.AddRequests(s, docAgent, []room.NewRequest{{ID: id, Type: payStub, Note: " last two months "}})
	if err != nil {
		t.Fatal(err)
	}
	return applyDrafts(t, s, ds...), id
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if tandem.ErrorCode(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	if tandem.ErrorMessage(err) == "" {
		t.Fatalf("%s has no message", code)
	}
}

// The whole round trip: upload two, take one back, send, rejected with a
// reason, a new round replaces the rejected files, accepted.
func TestRequestRounds(t *testing.T) {
	s, id := withRequest(t)
	r, _ := s.Request(id)
	if r.Status != room.RequestRequested || r.Note != "last two months" || r.Type != payStub || r.Files == nil {
		t.Fatalf("added: %+v", r)
	}
	b, _ := json.Marshal(s)
	if !strings.Contains(string(b), `"files":[]`) || !strings.Contains(string(b), `"payments":[]`) {
		t.Fatalf("empty lists are not arrays: %s", b)
	}
	_, err := room.SubmitRequest(s, id)
	wantCode(t, err, "file_required")
	_, err = room.ReviewRequest(s, docAgent, id, room.DecisionAccept, "")
	wantCode(t, err, "request_requested")

	front, back := requestFile("front.jpg"), requestFile("back.jpg")
	s = applyDrafts(t, s, must(t)(room.UploadRequestFile(s, id, front)))
	s = applyDrafts(t, s, must(t)(room.UploadRequestFile(s, id, back)))
	s = applyDrafts(t, s, must(t)(room.RemoveRequestFile(s, id, front.ID)))
	r, _ = s.Request(id)
	if len(r.Files) != 1 || r.Files[0].ID != back.ID || r.Files[0].UploadedAt.IsZero() {
		t.Fatalf("files after removing the front: %+v", r.Files)
	}
	_, err = room.RemoveRequestFile(s, id, front.ID)
	wantCode(t, err, "file_not_found")
	s = applyDrafts(t, s, must(t)(room.SubmitRequest(s, id)))
	if r, _ = s.Request(id); r.Status != room.RequestUploaded {
		t.Fatalf("submitted: %s", r.Status)
	}
	_, err = room.UploadRequestFile(s, id, requestFile("late.jpg"))
	wantCode(t, err, "request_uploaded")
	_, err = room.ReviewRequest(s, docAgent, id, room.DecisionReject, "  ")
	wantCode(t, err, "reason_required")
	_, err = room.ReviewRequest(s, docAgent, id, "maybe", "")
	wantCode(t, err, "invalid_decision")
	_, err = room.ReviewRequest(s, docAgent, id, room.DecisionReject, "blurry\nand dark")
	wantCode(t, err, "invalid_reason")
	s = applyDrafts(t, s, must(t)(room.ReviewRequest(s, docAgent, id, room.DecisionReject, "Blurry")))
	r, _ = s.Request(id)
	if r.Status != room.RequestRejected || r.Reason != "Blurry" || len(r.Files) != 1 {
		t.Fatalf("rejected: %+v", r)
	}
	_, err = room.SubmitRequest(s, id)
	wantCode(t, err, "request_rejected")

	again := requestFile("again.jpg")
	s = applyDrafts(t, s, must(t)(room.UploadRequestFile(s, id, again)))
	r, _ = s.Request(id)
	if r.Status != room.RequestRequested || len(r.Files) != 1 || r.Files[0].ID != again.ID || r.Reason != "Blurry" {
		t.Fatalf("a new round: %+v", r)
	}
	s = applyDrafts(t, s, must(t)(room.SubmitRequest(s, id)))
	if r, _ = s.Request(id); r.Reason != "" {
		t.Fatalf("the reason outlived the new submission: %+v", r)
	}
	s = applyDrafts(t, s, must(t)(room.ReviewRequest(s, docAgent, id, room.DecisionAccept, "")))
	if r, _ = s.Request(id); r.Status != room.RequestAccepted {
		t.Fatalf("accepted: %+v", r)
	}
	_, err = room.UploadRequestFile(s, id, requestFile("more.jpg"))
	wantCode(t, err, "request_accepted")
	_, err = room.ReviewRequest(s, docAgent, id, room.DecisionReject, "changed my mind")
	wantCode(t, err, "request_accepted")
}

func TestAddRequestsLimits(t *testing.T) {
	s := roomIn(t, room.ModePreplan)
	_, err := room.AddRequests(s, docAgent, nil)
	wantCode(t, err, "invalid_items")
	many := make([]room.NewRequest, room.MaxRequestItems+1)
	for i := range many {
		many[i] = room.NewRequest{ID: room.NewID("rq"), Type: payStub}
	}
	_, err = room.AddRequests(s, docAgent, many)
	wantCode(t, err, "invalid_items")
	_, err = room.AddRequests(s, docAgent, []room.NewRequest{{ID: room.NewID("rq"), Type: payStub, Note: strings.Repeat("n", room.MaxNoteLen+1)}})
	wantCode(t, err, "invalid_note")
	_, err = room.AddRequests(s, docAgent, []room.NewRequest{{ID: room.NewID("rq"), Type: payStub, Note: "a\u202eb"}})
	wantCode(t, err, "invalid_note")
	if _, err = room.AddRequests(s, docAgent, []room.NewRequest{{ID: "rq_1", Type: payStub}}); !tandem.IsKind(err, tandem.KindInvalid) {
		t.Fatalf("a made-up id: %v", err)
	}
	// Several items in one request, in a pre-planned room: the customer
	// has no link yet, and Invite client brings them.
	ds, err := room.AddRequests(s, docAgent, many[:3])
	if err != nil || len(ds) != 3 {
		t.Fatalf("three items: %d, %v", len(ds), err)
	}
	s = applyDrafts(t, s, ds...)
	if len(s.Requests) != 3 || s.Status != room.StatusPending {
		t.Fatalf("%d requests, status %s", len(s.Requests), s.Status)
	}
	closed := applyDrafts(t, s, mustDrafts(t)(room.Close(s, docAgent, "done"))...)
	_, err = room.AddRequests(closed, docAgent, []room.NewRequest{{ID: room.NewID("rq"), Type: payStub}})
	wantCode(t, err, "room_closed")
	_, err = room.UploadRequestFile(closed, s.Requests[0].ID, requestFile("x.jpg"))
	wantCode(t, err, "room_closed")
}

func mustDrafts(t *testing.T) func([]room.Draft, error) []room.Draft {
	return func(ds []room.Draft, err error) []room.Draft {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
}

func TestRequestFileLimitsAndNames(t *testing.T) {
	s, id := withRequest(t)
	for i := 0; i < room.MaxRequestFiles; i++ {
		s = applyDrafts(t, s, must(t)(room.UploadRequestFile(s, id, requestFile("p.jpg"))))
	}
	_, err := room.UploadRequestFile(s, id, requestFile("one-more.jpg"))
	wantCode(t, err, "too_many_files")
	// Taking files back does not make room for ever: every upload stays
	// in the blob store.
	for i := room.MaxRequestFiles; i < room.MaxRequestUploads; i++ {
		r, _ := s.Request(id)
		s = applyDrafts(t, s, must(t)(room.RemoveRequestFile(s, id, r.Files[0].ID)))
		s = applyDrafts(t, s, must(t)(room.UploadRequestFile(s, id, requestFile("again.jpg"))))
	}
	r, _ := s.Request(id)
	s = applyDrafts(t, s, must(t)(room.RemoveRequestFile(s, id, r.Files[0].ID)))
	_, err = room.UploadRequestFile(s, id, requestFile("one-too-many.jpg"))
	wantCode(t, err, "too_many_files")
	if r, _ = s.Request(id); r.Uploads != room.MaxRequestUploads || len(r.Files) != room.MaxRequestFiles-1 {
		t.Fatalf("after %d uploads: %d counted, %d files", room.MaxRequestUploads, r.Uploads, len(r.Files))
	}

	s, id = withRequest(t)
	for in, want := range map[string]string{
		`C:\Users\sam\Pictures\ID front.jpg`: "ID front.jpg",
		"../../etc/passwd":                   "passwd",
		"evil\u202egpj.exe":                  "evilgpj.exe",
		"":                                   "upload.jpg",
		"..":                                 "upload.jpg",
		strings.Repeat("é", 300) + ".jpg":    strings.Repeat("é", room.MaxFileNameLen-4) + ".jpg",
	} {
		f := requestFile(in)
		d := must(t)(room.UploadRequestFile(s, id, f))
		if got := d.Data.(room.RequestFileUploaded).File.Name; got != want {
			t.Errorf("name %q kept as %q, want %q", in, got, want)
		}
	}
	bad := requestFile("x.jpg")
	bad.SHA256 = "nope"
	if _, err := room.UploadRequestFile(s, id, bad); !tandem.IsKind(err, tandem.KindInvalid) {
		t.Fatalf("a file without its SHA-256: %v", err)
	}
	_, err = room.UploadRequestFile(s, room.NewID("rq"), requestFile("x.jpg"))
	wantCode(t, err, "request_not_found")
}
