package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Sealing completed documents: the signed PDF — the completed pages, the
// audit trail after them, the original, the completed PDF and the trail
// attached — under the hub's PDF signature (Config.Sealer). Completing a
// document queues its seal in the store, in the same change; a worker on
// every instance takes due seals in turn, so a seal survives a crash or
// an unreachable timestamp authority and is retried until it is made:
// the document reads "sealing pending" until then, never sealed more
// weakly.

const (
	// sealLease is how long an instance has to make a seal it claimed
	// before another may try.
	sealLease = 3 * time.Minute
	// sealPage is how many due seals a run takes on.
	sealPage = 20
	// sealPoll is how often the worker looks for due seals when nothing
	// wakes it.
	sealPoll = 15 * time.Second
)

// sealBackoff is how long to wait after the n-th failed attempt: 15 s,
// doubling, at most an hour.
func sealBackoff(n int) time.Duration {
	d := 15 * time.Second
	for range min(max(n-1, 0), 8) {
		d *= 2
	}
	return min(d, time.Hour)
}

// kickSealing wakes the sealing worker.
func (a *App) kickSealing() {
	select {
	case a.sealKick <- struct{}{}:
	default:
	}
}

// SealDue makes the seals that are due, across accounts; it returns how
// many it made. Without a Sealer it does nothing.
func (a *App) SealDue(ctx context.Context) int {
	if a.cfg.Sealer == nil {
		return 0
	}
	log := a.log.With().Str("component", "sealing").Logger()
	now := a.now()
	due, err := a.store.DueSealings(ctx, now, sealPage)
	if err != nil {
		if ctx.Err() == nil {
			log.Error().Err(err).Msg("list the seals due")
		}
		return 0
	}
	made := 0
	for _, s := range due {
		ok, err := a.store.ClaimSealing(ctx, s.Room, s.Document, now, now.Add(sealLease))
		if err != nil || !ok {
			continue
		}
		if err := a.sealDocument(ctx, s); err != nil {
			a.sealFailed(ctx, log, s, err)
			if tandem.ErrorCode(err) == "timestamp_unavailable" {
				break // the authority is down for every seal: the rest wait, unclaimed
			}
			continue
		}
		made++
	}
	return made
}

// sealFailed records a failed attempt and when to try again.
func (a *App) sealFailed(ctx context.Context, log zerolog.Logger, s store.Sealing, err error) {
	next := a.now().Add(sealBackoff(s.Attempts + 1))
	reason := err.Error()
	if te := (*tandem.Error)(nil); errors.As(err, &te) {
		reason = te.Message
	}
	log.Warn().Err(err).Str("room", s.Room).Str("document", s.Document).Int("attempt", s.Attempts+1).Time("next", next).Msg("sealing failed: it will be tried again")
	if err := a.store.SealingFailed(ctx, s.Room, s.Document, next, clip(reason, 500)); err != nil {
		log.Error().Err(err).Str("room", s.Room).Str("document", s.Document).Msg("record the failed sealing")
	}
}

// sealDocument makes the signed PDF of one completed document, keeps it,
// and records document.sealed.
func (a *App) sealDocument(ctx context.Context, s store.Sealing) error {
	if a.cfg.Blobs == nil {
		return tandem.Errorf(tandem.KindInternal, "this hub has no file store")
	}
	st, err := a.store.Room(ctx, s.Account, s.Room)
	if err != nil {
		return err
	}
	d, ok := st.Document(s.Document)
	if !ok || d.Status != room.DocumentCompleted {
		return fmt.Errorf("document %s is not completed in room %s", s.Document, s.Room)
	}
	acct, err := a.store.Account(ctx, s.Account)
	if err != nil {
		return err
	}
	evidence, err := a.evidence(ctx, st, acct, d)
	if err != nil {
		return err
	}
	signed, err := a.cfg.Sealer.Seal(ctx, evidence, a.now())
	if err != nil {
		return err
	}
	ref, err := a.cfg.Blobs.Put(ctx, s.Account, bytes.NewReader(signed), int64(len(signed)))
	if err != nil {
		return fmt.Errorf("keep the signed PDF: %w", err)
	}
	id := a.cfg.Sealer.Identity()
	_, err = a.Commit(ctx, s.Account, s.Room, func(cur room.State) (Plan, error) {
		draft, err := room.SealDocument(cur, room.DocumentSealed{Document: d.ID, SHA256: ref.SHA256, Size: ref.Size, Certificate: id.Subject, Timestamp: id.TSA})
		p := Plan{Drafts: []room.Draft{draft}, Documents: []store.DocumentFiles{{Document: d.ID, File: d.File, Signed: ref.SHA256}}}
		if m := a.signedCopy(cur, acct, d, ref.SHA256); m != nil {
			p.Messages = []store.Message{*m}
		}
		return p, err
	})
	if tandem.ErrorCode(err) == "already_sealed" {
		a.dropFile(s.Account, ref.SHA256) // another instance made it first
		return nil
	}
	if err != nil {
		a.dropFile(s.Account, ref.SHA256)
		return err
	}
	return nil
}

// evidence is the unsigned evidence PDF of completed document d: its
// completed pages, the audit trail and the attachments.
func (a *App) evidence(ctx context.Context, st room.State, acct tandem.Account, d room.Document) ([]byte, error) {
	log, err := a.roomLog(ctx, st.Account, st.ID, st.Seq)
	if err != nil {
		return nil, err
	}
	log = untilCompleted(log, d.ID)
	zone := time.UTC
	if acct.Settings.TimeZone != "" {
		if z, err := time.LoadLocation(acct.Settings.TimeZone); err == nil {
			zone = z
		}
	}
	agent := a.documentAgent(ctx, st.Account, log, d.ID)
	completed, err := a.readFile(ctx, st.Account, d.Completed, a.cfg.MaxPDFBytes+1)
	if err != nil {
		return nil, err
	}
	original, err := a.readFile(ctx, st.Account, d.File, a.cfg.MaxPDFBytes+1)
	if err != nil {
		return nil, err
	}
	trail, err := buildAuditTrail(auditInput{
		log: log, doc: d.ID, company: acct.Name, hub: strings.TrimSuffix(a.cfg.PublicURL.String(), "/"),
		agent: agent, zone: zone, seal: a.cfg.Sealer.Identity(), now: a.now(),
	})
	if err != nil {
		return nil, err
	}
	return evidencePDF(completed, original, trail)
}

// untilCompleted is log up to the document.completed of document doc.
func untilCompleted(log []room.Event, doc string) []room.Event {
	for i, e := range log {
		if e.Type != room.TypeDocumentCompleted {
			continue
		}
		if ref, err := decodeData[room.DocumentCompletion](e); err == nil && ref.Document == doc {
			return log[:i+1]
		}
	}
	return log
}

// documentAgent is the agent who added document doc: from the account's
// users, or as the log names them if the user is gone.
func (a *App) documentAgent(ctx context.Context, account string, log []room.Event, doc string) tandem.User {
	for _, e := range log {
		if e.Type != room.TypeDocumentAdded {
			continue
		}
		if d, err := decodeData[room.DocumentAdded](e); err != nil || d.ID != doc {
			continue
		}
		if u, err := a.store.User(ctx, account, e.Actor.ID); err == nil {
			return u
		}
		return tandem.User{ID: e.Actor.ID, Name: e.Actor.Name}
	}
	return tandem.User{}
}

// SignedFile opens a document's signed PDF: not_sealed until it exists,
// saying whether its seal is pending and, if an attempt failed, why.
func (a *App) SignedFile(ctx context.Context, c Caller, roomID, docID string) (room.Document, io.ReadCloser, error) {
	_, d, err := a.visibleDocument(ctx, c, roomID, docID)
	if err != nil {
		return d, nil, err
	}
	if d.Signed == "" {
		return d, nil, a.notSealed(ctx, c, roomID, d)
	}
	f, err := a.openFile(ctx, c.Account(), d.Signed)
	return d, f, err
}

// notSealed says why document d has no signed PDF yet.
func (a *App) notSealed(ctx context.Context, c Caller, roomID string, d room.Document) error {
	if d.Status != room.DocumentCompleted {
		return tandem.Coded(tandem.KindConflict, "not_sealed", "the document is %s: it is sealed once the customer finishes it", strings.ReplaceAll(string(d.Status), "_", " "))
	}
	msg := "sealing pending: the signed PDF is being made"
	if s, err := a.store.Sealing(ctx, c.Account(), roomID, d.ID); err == nil && s.LastError != "" && c.User != nil {
		msg += "; the last attempt failed (" + s.LastError + ") and it will be tried again"
	}
	return tandem.Coded(tandem.KindConflict, "not_sealed", "%s", msg)
}

// decodeData reads an event's data as a T.
func decodeData[T any](e room.Event) (T, error) {
	var v T
	err := json.Unmarshal(e.Data, &v)
	return v, err
}
