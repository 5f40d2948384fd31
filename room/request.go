package room

import (
	"fmt"
	"slices"
	"time"
)

// Document requests: the agent asks the customer for documents of types
// from the account's catalog (a photo ID, pay stubs…); the customer
// uploads files for each and sends them; the agent accepts them or rejects
// them with a reason, and a rejected item goes back to the customer. The
// log keeps every round; the state keeps the current one.
const (
	// TypeRequestAdded puts a requested item in the room. Data:
	// RequestAdded.
	TypeRequestAdded = "request.added"
	// TypeRequestFileUploaded records a file the customer uploaded for an
	// item. Data: RequestFileUploaded.
	TypeRequestFileUploaded = "request.file_uploaded"
	// TypeRequestFileRemoved records the customer taking a file back
	// before sending the item. Data: RequestFileRef.
	TypeRequestFileRemoved = "request.file_removed"
	// TypeRequestSubmitted records the customer sending an item's files
	// for review. Data: RequestRef.
	TypeRequestSubmitted = "request.submitted"
	// TypeRequestAccepted records the agent accepting them. Data:
	// RequestRef.
	TypeRequestAccepted = "request.accepted"
	// TypeRequestRejected records the agent rejecting them, with a reason
	// the customer reads. Data: RequestRejection.
	TypeRequestRejected = "request.rejected"
)

func init() {
	register(TypeRequestAdded, on(applyRequestAdded))
	register(TypeRequestFileUploaded, on(applyRequestFileUploaded))
	register(TypeRequestFileRemoved, on(func(s *State, e Event, d RequestFileRef) error {
		return s.changeRequest(d.Request, e.At, func(r *Request) {
			r.Files = slices.DeleteFunc(slices.Clone(r.Files), func(f RequestFile) bool { return f.ID == d.File })
		})
	}))
	register(TypeRequestSubmitted, on(func(s *State, e Event, d RequestRef) error {
		return s.changeRequest(d.Request, e.At, func(r *Request) { r.Status, r.Reason = RequestUploaded, "" })
	}))
	register(TypeRequestAccepted, on(func(s *State, e Event, d RequestRef) error {
		return s.changeRequest(d.Request, e.At, func(r *Request) { r.Status = RequestAccepted })
	}))
	register(TypeRequestRejected, on(func(s *State, e Event, d RequestRejection) error {
		return s.changeRequest(d.Request, e.At, func(r *Request) { r.Status, r.Reason = RequestRejected, d.Reason })
	}))
}

// RequestStatus is where a requested item stands.
type RequestStatus string

// The statuses of a requested item.
const (
	// RequestRequested: waiting for the customer's files (some may be
	// uploaded already, not sent yet).
	RequestRequested RequestStatus = "requested"
	// RequestUploaded: sent by the customer, waiting for the agent.
	RequestUploaded RequestStatus = "uploaded"
	RequestAccepted RequestStatus = "accepted"
	// RequestRejected: back with the customer, with a reason, to upload
	// again.
	RequestRejected RequestStatus = "rejected"
)

// RequestType is the catalog's document type a request asks for, as it
// was when asked: renaming the type later leaves the log as it is.
type RequestType struct {
	ID       string `json:"id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Category string `json:"category,omitempty"`
}

// RequestFile is a file the customer uploaded for a request, kept in the
// account's files by its SHA-256.
type RequestFile struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedAt  time.Time `json:"uploaded_at,omitzero"`
}

// Request is a requested item of a room.
type Request struct {
	ID     string        `json:"id"`
	Type   RequestType   `json:"type"`
	Note   string        `json:"note,omitempty"`
	Status RequestStatus `json:"status"`
	// Files are those of the current round: the files being uploaded or
	// sent, or, once rejected, those the agent rejected, until the
	// customer's next upload starts a new round.
	Files []RequestFile `json:"files"`
	// Reason is why the agent last rejected the item: kept until the
	// customer sends it again.
	Reason string `json:"reason,omitempty"`
	// Uploads counts the files uploaded for the item over all its rounds,
	// those taken back included: every one stays in the blob store.
	Uploads   int       `json:"uploads"`
	AddedAt   time.Time `json:"added_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RequestAdded is the data of request.added.
type RequestAdded struct {
	ID   string      `json:"id"`
	Type RequestType `json:"type"`
	Note string      `json:"note,omitempty"`
}

// RequestFileUploaded is the data of request.file_uploaded. The file's
// UploadedAt is the event's time, not carried.
type RequestFileUploaded struct {
	Request string      `json:"request"`
	File    RequestFile `json:"file"`
}

// RequestRef is the data of events about one request.
type RequestRef struct {
	Request string `json:"request"`
}

// RequestFileRef is the data of request.file_removed.
type RequestFileRef struct {
	Request string `json:"request"`
	File    string `json:"file"`
}

// RequestRejection is the data of request.rejected.
type RequestRejection struct {
	Request string `json:"request"`
	Reason  string `json:"reason"`
}

// Limits of requests.
const (
	MaxRequestsPerRoom = 100
	MaxRequestItems    = 20 // items one request adds
	MaxRequestFiles    = 10 // files of one round of one item
	MaxRequestUploads  = 50 // files of one item over all its rounds
	MaxNoteLen         = 500
	MaxRejectReasonLen = 500
	MaxFileNameLen     = 200
)

func applyRequestAdded(s *State, e Event, d RequestAdded) error {
	r := Request{ID: d.ID, Type: d.Type, Note: d.Note, Status: RequestRequested, Files: []RequestFile{}, AddedAt: e.At, UpdatedAt: e.At}
	s.Requests = append(append([]Request(nil), s.Requests...), r)
	return nil
}

// applyRequestFileUploaded adds the file to the current round; the first
// upload after a rejection starts a new one.
func applyRequestFileUploaded(s *State, e Event, d RequestFileUploaded) error {
	return s.changeRequest(d.Request, e.At, func(r *Request) {
		f := d.File
		f.UploadedAt = e.At
		if r.Status == RequestRejected {
			r.Status, r.Files = RequestRequested, nil
		}
		r.Files = append(append([]RequestFile(nil), r.Files...), f)
		r.Uploads++
	})
}

// changeRequest changes the request id of s through a copy, so that
// earlier states keep theirs.
func (s *State) changeRequest(id string, at time.Time, change func(*Request)) error {
	rs := append([]Request(nil), s.Requests...)
	for i := range rs {
		if rs[i].ID == id {
			change(&rs[i])
			rs[i].UpdatedAt = at
			s.Requests = rs
			return nil
		}
	}
	return fmt.Errorf("no request %q", id)
}

// Request returns the request of s with id, if any.
func (s State) Request(id string) (Request, bool) {
	for _, r := range s.Requests {
		if r.ID == id {
			return r, true
		}
	}
	return Request{}, false
}

// File returns the file of r with id in its current round, if any.
func (r Request) File(id string) (RequestFile, bool) {
	for _, f := range r.Files {
		if f.ID == id {
			return f, true
		}
	}
	return RequestFile{}, false
}
