package app

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Documents in a room, the customer's side: opening one, looking through
// its pages, filling and signing its fields, and finishing or declining
// it. Each step is an event of the room's log, pushed live to the agent.

// CompletedDocument is what the completion hook receives: the completed
// PDF as the customer finished it and the room's log up to and including
// its document.completed.
type CompletedDocument struct {
	Account  string
	Room     string
	Document room.Document // completed: its Completed is SHA256
	PDF      []byte
	SHA256   string
	Log      []room.Event
}

// CompletionHook runs after a document is completed and the event is
// durable, off the customer's request, on the app's context: for an
// embedding program that wants the completed PDF at once. It is not
// retried; the hub's own sealing is durable instead (sealing.go).
type CompletionHook func(ctx context.Context, d CompletedDocument)

// completionHookTimeout bounds one run of the completion hook.
const completionHookTimeout = 2 * time.Minute

// ViewDocument records the customer looking at page of a document: the
// first view also records it opened. Customers only.
func (a *App) ViewDocument(ctx context.Context, c Caller, roomID, docID string, page int) (room.Document, error) {
	if err := customerOnly(c); err != nil {
		return room.Document{}, err
	}
	return a.documentStep(ctx, c, roomID, docID, func(s room.State) ([]room.Draft, error) {
		opened, err := room.OpenDocument(s, docID)
		if err != nil {
			return nil, err
		}
		view, err := room.ViewPage(s, docID, page)
		return append(opened, view), err
	})
}

// FillField records the customer's value of one of their fields (an
// empty value clears it). A signature or initials, a PNG data URL, goes
// to the account's files and the log names it: the drawing never travels
// with the events every agent's timeline reads. Customers only: the
// agent's fields were filled before sending.
func (a *App) FillField(ctx context.Context, c Caller, roomID, docID, fieldID, value string) (room.Document, error) {
	if err := customerOnly(c); err != nil {
		return room.Document{}, err
	}
	value, file, err := a.keepDrawing(ctx, c, roomID, docID, fieldID, value)
	if err != nil {
		return room.Document{}, err
	}
	return a.documentStep(ctx, c, roomID, docID, func(s room.State) ([]room.Draft, error) {
		d, err := room.FillField(s, docID, fieldID, value, file)
		return []room.Draft{d}, err
	})
}

// keepDrawing stores value in the account's files if it is a drawing for
// a signature or initials field of the customer's, and returns what
// FillField records: the value (none for a drawing) and the drawing's
// file.
func (a *App) keepDrawing(ctx context.Context, c Caller, roomID, docID, fieldID, value string) (string, string, error) {
	if !strings.HasPrefix(value, "data:") {
		return value, "", nil // not a drawing: room.FillField checks it
	}
	s, err := a.store.Room(ctx, c.Account(), roomID)
	if err != nil {
		return "", "", err
	}
	d, ok := s.Document(docID)
	if !ok {
		return value, "", nil // room.FillField says what is wrong
	}
	var f room.Field
	for _, df := range d.Fields {
		if df.ID == fieldID {
			f = df.Field
		}
	}
	if f.Type != room.FieldSignature && f.Type != room.FieldInitials || f.Role != room.FieldByCustomer || d.Status.Final() {
		return value, "", nil
	}
	sha, err := a.keepPNG(ctx, c.Account(), f, value)
	return "", sha, err
}

// DeclineDocument records the customer declining a document. Customers
// only.
func (a *App) DeclineDocument(ctx context.Context, c Caller, roomID, docID, reason string) (room.Document, error) {
	if err := customerOnly(c); err != nil {
		return room.Document{}, err
	}
	return a.documentStep(ctx, c, roomID, docID, func(s room.State) ([]room.Draft, error) {
		d, err := room.DeclineDocument(s, docID, reason)
		return []room.Draft{d}, err
	})
}

// CompleteDocument records the customer finishing a document once every
// required field of theirs is filled: the completed PDF is drawn from the
// values in the log, kept in the blob store, and its SHA-256 goes in
// document.completed; its seal is queued with it. The completion hook
// then gets it. Customers only.
func (a *App) CompleteDocument(ctx context.Context, c Caller, roomID, docID string) (room.Document, error) {
	if err := customerOnly(c); err != nil {
		return room.Document{}, err
	}
	account := c.Account()
	var done CompletedDocument
	st, err := a.Commit(ctx, account, roomID, func(s room.State) (Plan, error) {
		if _, err := room.CompleteDocument(s, docID, ""); err != nil {
			return Plan{}, err
		}
		d, _ := s.Document(docID)
		pdf, err := a.render(ctx, account, roomID, d, s.Seq)
		if err != nil {
			return Plan{}, err
		}
		ref, err := a.cfg.Blobs.Put(ctx, account, bytes.NewReader(pdf), int64(len(pdf)))
		if err != nil {
			return Plan{}, err
		}
		done = CompletedDocument{Account: account, Room: roomID, PDF: pdf, SHA256: ref.SHA256}
		draft, err := room.CompleteDocument(s, docID, ref.SHA256)
		files := store.DocumentFiles{Document: docID, File: d.File, Completed: ref.SHA256, SealDue: a.now()}
		return Plan{Drafts: []room.Draft{draft}, Documents: []store.DocumentFiles{files}}, err
	})
	if err != nil {
		if done.SHA256 != "" {
			a.dropFile(account, done.SHA256)
		}
		return room.Document{}, err
	}
	done.Document, _ = st.Document(docID)
	a.kickSealing()
	if hook := a.cfg.OnCompleted; hook != nil {
		upTo := st.Seq
		a.later(func(ctx context.Context) {
			ctx, cancel := context.WithTimeout(ctx, completionHookTimeout)
			defer cancel()
			log, err := a.roomLog(ctx, account, roomID, upTo)
			if err != nil {
				a.log.Error().Err(err).Str("room", roomID).Str("document", docID).Msg("the completion hook did not run: the room's log cannot be read")
				return
			}
			done.Log = log
			hook(ctx, done)
		})
	}
	return done.Document, nil
}

// documentStep commits what decide makes of the room for the customer's
// document docID, and returns that document as it then is.
func (a *App) documentStep(ctx context.Context, c Caller, roomID, docID string, decide func(room.State) ([]room.Draft, error)) (room.Document, error) {
	st, err := a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		ds, err := decide(s)
		return Plan{Drafts: ds}, err
	})
	if err != nil {
		return room.Document{}, err
	}
	d, _ := st.Document(docID)
	return d, nil
}

// customerOnly refuses a caller who is not the room's customer.
func customerOnly(c Caller) error {
	if c.Pass == nil {
		return tandem.Coded(tandem.KindForbidden, "customer_only", "only the customer fills, signs, finishes or declines a document")
	}
	return nil
}
