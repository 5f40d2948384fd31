package room

import (
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tandemhq/tandem"
)

// The commands of document requests: what the agent and the customer do
// with requested items, each a pure function of the room's State
// returning the events to append.

// NewRequest is one item an agent asks for.
type NewRequest struct {
	ID   string // made by the caller (NewID("rq"))
	Type RequestType
	Note string
}

// AddRequests returns the events that put items in s, one request.added
// each. In a pre-planned room they wait, like everything staged, for
// Invite client: the customer has no link before it.
func AddRequests(s State, agent Actor, items []NewRequest) ([]Draft, error) {
	if s.Status == StatusClosed {
		return nil, tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	}
	if len(items) == 0 || len(items) > MaxRequestItems {
		return nil, tandem.Coded(tandem.KindInvalid, "invalid_items", "a request asks for 1 to %d items", MaxRequestItems)
	}
	if len(s.Requests)+len(items) > MaxRequestsPerRoom {
		return nil, tandem.Coded(tandem.KindInvalid, "too_many_requests", "a room holds at most %d requested items", MaxRequestsPerRoom)
	}
	drafts := make([]Draft, 0, len(items))
	for _, it := range items {
		if _, ok := s.Request(it.ID); ok || !ValidID("rq", it.ID) {
			return nil, tandem.Errorf(tandem.KindInvalid, "request %q is not a new request id", it.ID)
		}
		if it.Type.ID == "" || it.Type.Code == "" || strings.TrimSpace(it.Type.Name) == "" {
			return nil, tandem.Errorf(tandem.KindInvalid, "a requested item needs its document type's id, code and name")
		}
		note, err := checkWords(it.Note, MaxNoteLen, "invalid_note", "the note")
		if err != nil {
			return nil, err
		}
		drafts = append(drafts, Draft{Type: TypeRequestAdded, Actor: agent, Data: RequestAdded{ID: it.ID, Type: it.Type, Note: note}})
	}
	return drafts, nil
}

// CheckUpload says whether the customer may upload a file for request
// reqID now: while it waits for files (requested) or was rejected, with
// room left in its round and over its life. The hub asks before it keeps
// the file; UploadRequestFile asks again on the state it commits to.
func CheckUpload(s State, reqID string) error {
	r, err := customerRequest(s, reqID, RequestRequested, RequestRejected)
	if err != nil {
		return err
	}
	if r.Uploads >= MaxRequestUploads {
		return tandem.Coded(tandem.KindInvalid, "too_many_files", "%s has had %d files uploaded, the most an item takes: ask your agent", r.Type.Name, MaxRequestUploads)
	}
	if r.Status == RequestRequested && len(r.Files) >= MaxRequestFiles {
		return tandem.Coded(tandem.KindInvalid, "too_many_files", "an item takes at most %d files; remove one first", MaxRequestFiles)
	}
	return nil
}

// UploadRequestFile records a file the customer uploaded for request
// reqID, if CheckUpload allows it; the first new file of a rejected
// request starts a new round. f's ID, SHA256, ContentType and Size are
// the caller's, who kept the file; its name is cleaned here.
func UploadRequestFile(s State, reqID string, f RequestFile) (Draft, error) {
	if err := CheckUpload(s, reqID); err != nil {
		return Draft{}, err
	}
	if !ValidID("fl", f.ID) || !validSHA256(f.SHA256) || f.ContentType == "" || f.Size <= 0 {
		return Draft{}, tandem.Errorf(tandem.KindInvalid, "a request's file needs an id, a SHA-256, a content type and a size")
	}
	f.Name = fileName(f.Name, f.ContentType)
	f.UploadedAt = time.Time{} // the event's time
	return Draft{Type: TypeRequestFileUploaded, Actor: Actor{Kind: ActorCustomer}, Data: RequestFileUploaded{Request: reqID, File: f}}, nil
}

// RemoveRequestFile records the customer taking back a file of request
// reqID before sending it.
func RemoveRequestFile(s State, reqID, fileID string) (Draft, error) {
	r, err := customerRequest(s, reqID, RequestRequested)
	if err != nil {
		return Draft{}, err
	}
	if _, ok := r.File(fileID); !ok {
		return Draft{}, tandem.Coded(tandem.KindNotFound, "file_not_found", "the item has no file %s", fileID)
	}
	return Draft{Type: TypeRequestFileRemoved, Actor: Actor{Kind: ActorCustomer}, Data: RequestFileRef{Request: reqID, File: fileID}}, nil
}

// SubmitRequest records the customer sending request reqID's files for
// review: at least one (file_required).
func SubmitRequest(s State, reqID string) (Draft, error) {
	r, err := customerRequest(s, reqID, RequestRequested)
	if err != nil {
		return Draft{}, err
	}
	if len(r.Files) == 0 {
		return Draft{}, tandem.Coded(tandem.KindInvalid, "file_required", "add a file to %s before sending it", r.Type.Name)
	}
	return Draft{Type: TypeRequestSubmitted, Actor: Actor{Kind: ActorCustomer}, Data: RequestRef{Request: reqID}}, nil
}

// The decisions of a review.
const (
	DecisionAccept = "accept"
	DecisionReject = "reject"
)

// ReviewRequest records the agent's decision on request reqID's files,
// once the customer sent them: accept, or reject with a reason the
// customer reads (reason_required without one).
func ReviewRequest(s State, agent Actor, reqID, decision, reason string) (Draft, error) {
	if s.Status == StatusClosed {
		return Draft{}, tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	}
	r, ok := s.Request(reqID)
	if !ok {
		return Draft{}, tandem.Coded(tandem.KindNotFound, "request_not_found", "no request %s in this room", reqID)
	}
	if r.Status != RequestUploaded {
		return Draft{}, requestStatusError(r, "reviewed")
	}
	switch decision {
	case DecisionAccept:
		return Draft{Type: TypeRequestAccepted, Actor: agent, Data: RequestRef{Request: reqID}}, nil
	case DecisionReject:
		reason, err := checkWords(reason, MaxRejectReasonLen, "invalid_reason", "the reason")
		if err != nil {
			return Draft{}, err
		}
		if reason == "" {
			return Draft{}, tandem.Coded(tandem.KindInvalid, "reason_required", "say why the files are rejected: the customer reads it to upload again")
		}
		return Draft{Type: TypeRequestRejected, Actor: agent, Data: RequestRejection{Request: reqID, Reason: reason}}, nil
	}
	return Draft{}, tandem.Coded(tandem.KindInvalid, "invalid_decision", "decision is accept or reject, not %q", decision)
}

// customerRequest is a request the customer may act on now: in the room,
// in one of the statuses given, in a room that is not closed.
func customerRequest(s State, id string, statuses ...RequestStatus) (Request, error) {
	r, ok := s.Request(id)
	if !ok {
		return r, tandem.Coded(tandem.KindNotFound, "request_not_found", "no request %s in this room", id)
	}
	if s.Status == StatusClosed {
		return r, tandem.Coded(tandem.KindConflict, "room_closed", "the session is closed")
	}
	for _, st := range statuses {
		if r.Status == st {
			return r, nil
		}
	}
	return r, requestStatusError(r, "changed")
}

// requestStatusError says a request cannot be acted on in its status:
// request_uploaded, request_accepted…
func requestStatusError(r Request, what string) error {
	words := map[RequestStatus]string{
		RequestRequested: "still waits for the customer's files",
		RequestUploaded:  "was sent and waits for review",
		RequestAccepted:  "was accepted",
		RequestRejected:  "was rejected and waits for new files",
	}[r.Status]
	return tandem.Coded(tandem.KindConflict, "request_"+string(r.Status), "%s %s: it cannot be %s now", r.Type.Name, words, what)
}

// fileName cleans the name a file came with: its base, without control or
// format characters, at most MaxFileNameLen characters; "upload" plus an
// extension for the content type when nothing is left.
func fileName(name, contentType string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if tandem.HiddenRune(r) || r == '/' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		name = ""
	}
	if n := []rune(name); len(n) > MaxFileNameLen {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		name = string(n[:MaxFileNameLen-utf8.RuneCountInString(ext)]) + ext
	}
	if name == "" {
		name = "upload" + map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic", "image/heif": ".heif", "application/pdf": ".pdf"}[contentType]
	}
	return name
}

// checkWords trims a short text given by someone in the room (a note, a
// reason, a description) and checks it with checkText; a refusal is of
// the given code.
func checkWords(v string, max int, code, what string) (string, error) {
	v, err := checkText(v, what, max, true)
	if err != nil {
		return v, tandem.Coded(tandem.KindInvalid, code, "%v", err)
	}
	return v, nil
}
