package app

import (
	"context"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Codes of a link that does not open a room.
const (
	CodeLinkNotFound = "link_not_found"
	CodeLinkRevoked  = "link_revoked"
	CodeLinkExpired  = "link_expired"
	// CodeRoomClosed: the session the link or pass was for has ended.
	CodeRoomClosed = "room_closed"
)

// ended is the error of a link or pass to a room whose session ended, if
// the room of l is closed; nil if it is not (or cannot be read: the
// caller's own error stands then).
func (a *App) ended(ctx context.Context, l store.Link, kind tandem.Kind) error {
	s, err := a.store.Room(ctx, l.Account, l.Room)
	if err != nil || s.Status != room.StatusClosed {
		return nil
	}
	return tandem.Coded(kind, CodeRoomClosed, "This session has ended. If you need anything more, contact %s.", orCompany(s.Company))
}

func orCompany(c string) string {
	if c == "" {
		return "the company that invited you"
	}
	return c
}

// OpenLink is the customer's entry: a valid link token gives a room pass
// for that room only. It returns the pass's token (for the room cookie,
// never stored) and the pass. held is the token of the pass the browser
// already holds, if any: a live pass of the same link is reused rather
// than a new one made at every opening.
func (a *App) OpenLink(ctx context.Context, token, held string) (passToken string, p store.RoomPass, err error) {
	l, err := a.checkLink(ctx, token)
	if err != nil {
		return "", p, err
	}
	if plausibleToken(held) {
		if p, err := a.store.RoomPass(ctx, hashToken(held), a.now()); err == nil && p.Link == l.ID {
			return held, p, nil
		}
	}
	passToken, hash := newToken()
	p = store.RoomPass{TokenHash: hash, Account: l.Account, Room: l.Room, Link: l.ID, CreatedAt: a.now(), ExpiresAt: l.ExpiresAt}
	if err := a.store.CreateRoomPass(ctx, p); err != nil {
		return "", p, err
	}
	a.log.Info().Str("room", l.Room).Str("link", l.ID).Msg("customer opened link")
	return passToken, p, nil
}

func (a *App) checkLink(ctx context.Context, token string) (store.Link, error) {
	notFound := tandem.Coded(tandem.KindNotFound, CodeLinkNotFound, "This link is not valid. Check that you opened the whole link, or ask your agent to send a new one.")
	if !plausibleToken(token) {
		return store.Link{}, notFound
	}
	l, err := a.store.LinkByToken(ctx, hashToken(token))
	switch {
	case tandem.IsKind(err, tandem.KindNotFound):
		return l, notFound
	case err != nil:
		return l, err
	case l.RevokedAt != nil || !a.now().Before(l.ExpiresAt):
		if err := a.ended(ctx, l, tandem.KindGone); err != nil {
			return l, err
		}
	}
	switch {
	case l.RevokedAt != nil:
		return l, tandem.Coded(tandem.KindGone, CodeLinkRevoked, "This link was replaced by a newer one. Use the latest message you received, or ask your agent to send a new link.")
	case !a.now().Before(l.ExpiresAt):
		return l, tandem.Coded(tandem.KindGone, CodeLinkExpired, "This link has expired. Ask your agent to send you a new one.")
	}
	return l, nil
}

// Customer finds the customer whose room pass token is token, for room
// roomID, and checks that the link it came through was not revoked. A
// pass resolved within CredentialTTL is not read again, unless it expired
// since: a revoked link forgets it on every instance.
func (a *App) Customer(ctx context.Context, token, roomID string) (Caller, error) {
	if !plausibleToken(token) {
		return Caller{}, tandem.Errorf(tandem.KindUnauthorized, "sign in, or open the link you were sent")
	}
	hash := hashToken(token)
	if c, ok := a.creds.get(hash); ok && c.pass != nil && a.now().Before(c.pass.ExpiresAt) {
		if c.pass.Room != roomID {
			return Caller{}, tandem.Coded(tandem.KindNotFound, tandem.CodeRoomNotFound, "room not found")
		}
		return c.caller(), nil
	}
	epoch := a.creds.begin()
	p, err := a.store.RoomPass(ctx, hash, a.now())
	if tandem.IsKind(err, tandem.KindNotFound) {
		return Caller{}, tandem.Errorf(tandem.KindUnauthorized, "your access to this room has expired; open the link again or ask your agent for a new one")
	} else if err != nil {
		return Caller{}, err
	}
	if p.Room != roomID {
		// Another room's pass: say nothing about this room.
		return Caller{}, tandem.Coded(tandem.KindNotFound, tandem.CodeRoomNotFound, "room not found")
	}
	l, err := a.store.Link(ctx, p.Account, p.Link)
	if err != nil {
		return Caller{}, err
	}
	if l.RevokedAt != nil {
		if err := a.ended(ctx, l, tandem.KindUnauthorized); err != nil {
			return Caller{}, err
		}
		return Caller{}, tandem.Coded(tandem.KindUnauthorized, CodeLinkRevoked, "this link was replaced by a newer one; use the latest link you were sent")
	}
	c := cachedCredential{pass: &p, groups: []string{LinkKey(p.Link)}}
	a.creds.put(hash, epoch, c)
	return c.caller(), nil
}
