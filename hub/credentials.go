package hub

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/tandemhq/tandem"
)

// Credential is what a socket was opened with: an agent's sign-in or a
// customer's room pass. Every socket opened with a credential ends with
// it, on every instance: at once when an instance signals its end
// (Core.EndCredentials, carried by the Broker as Ended), at its
// ExpiresAt, and otherwise within CredentialCheck, the safety net: each
// instance checks the credentials its sockets hold, each once per check
// however many sockets share it.
type Credential struct {
	// Key names the credential (its token's hash). Sockets of one key are
	// counted, checked and ended together.
	Key string
	// Groups name what else ends the credential when it ends: a room
	// pass's link, say. An Ended signal naming a group ends every
	// credential of it.
	Groups []string
	// ExpiresAt is when the credential ends by itself; zero for never.
	ExpiresAt time.Time
	// MaxSockets bounds the sockets the credential may hold open on one
	// instance (the next is closed with CloseTooManySockets); 0 for no
	// bound.
	MaxSockets int
	// Alive reports whether the credential still holds; an error of kind
	// unauthorized or not found ends its sockets. nil never asks: the
	// credential then ends at ExpiresAt, by a signal, or by an event of
	// its room (a customer's revoked link).
	Alive func(ctx context.Context) error
}

// CredentialCache is what an instance keeps of credentials it resolved,
// for a short while (the use cases keep such a cache): the core empties it
// of what ended on any instance, and of everything when signals may have
// been missed.
type CredentialCache interface {
	// ForgetCredentials drops the credentials, and the groups of
	// credentials, named by keys.
	ForgetCredentials(keys []string)
	// ForgetAllCredentials drops every credential.
	ForgetAllCredentials()
}

// errAccessEnded closes a socket whose credential ended: signed out,
// password reset, expired.
var errAccessEnded = &closeError{CloseAccessEnded, "session ended; sign in again"}

// errTooManySockets closes a socket over its credential's MaxSockets.
var errTooManySockets = &closeError{CloseTooManySockets, "too many connections with this credential; close some"}

// credentials are the credentials this instance's sockets hold.
type credentials struct {
	// now is the core's clock, which ExpiresAt is read against.
	now   func() time.Time
	mu    sync.Mutex
	byKey map[string]*credential
	// byGroup are the keys of the credentials held in each group.
	byGroup map[string]map[string]struct{}
}

type credential struct {
	Credential
	sockets map[*socket]struct{}
	// checked is when Alive last answered (zero: never asked), so that a
	// bounded round asks the longest unchecked first.
	checked time.Time
	// expiry ends the sockets at ExpiresAt; nil for a credential that
	// never expires.
	expiry *time.Timer
}

// add counts s under c; false when c holds too many sockets already.
func (cs *credentials) add(c Credential, s *socket) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	h := cs.byKey[c.Key]
	if h == nil {
		h = &credential{Credential: c, sockets: map[*socket]struct{}{}}
		cs.byKey[c.Key] = h
		if !c.ExpiresAt.IsZero() {
			// A timer per credential, not per socket; the clock's
			// distance to ExpiresAt, waited on the monotonic clock (a
			// test clock moved past ExpiresAt is the periodic check's).
			h.expiry = time.AfterFunc(max(c.ExpiresAt.Sub(cs.now()), 0), func() { cs.expire(h) })
		}
		if cs.byGroup == nil {
			cs.byGroup = map[string]map[string]struct{}{}
		}
		for _, g := range c.Groups {
			if cs.byGroup[g] == nil {
				cs.byGroup[g] = map[string]struct{}{}
			}
			cs.byGroup[g][c.Key] = struct{}{}
		}
	}
	if c.MaxSockets > 0 && len(h.sockets) >= c.MaxSockets {
		return false
	}
	h.sockets[s] = struct{}{}
	return true
}

func (cs *credentials) remove(key string, s *socket) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	h := cs.byKey[key]
	if h == nil {
		return
	}
	delete(h.sockets, s)
	if len(h.sockets) > 0 {
		return
	}
	delete(cs.byKey, key)
	if h.expiry != nil {
		h.expiry.Stop()
	}
	for _, g := range h.Groups {
		delete(cs.byGroup[g], key)
		if len(cs.byGroup[g]) == 0 {
			delete(cs.byGroup, g)
		}
	}
}

// expire closes the sockets of h, if still held: a timer that fired as
// its credential's last socket went must not end a later holder of the
// key.
func (cs *credentials) expire(h *credential) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.byKey[h.Key] == h {
		cs.endLocked(h.Key, errAccessEnded)
	}
}

// end closes with err every socket of the credentials, and of the groups,
// named by keys.
func (cs *credentials) end(keys []string, err error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, k := range keys {
		cs.endLocked(k, err)
		for member := range cs.byGroup[k] {
			cs.endLocked(member, err)
		}
	}
}

func (cs *credentials) endLocked(key string, err error) {
	if h := cs.byKey[key]; h != nil {
		for s := range h.sockets {
			s.end(err)
		}
	}
}

// heldCredential is a credential held now and when Alive last answered for it.
type heldCredential struct {
	Credential
	checked time.Time
}

// all lists the credentials held now.
func (cs *credentials) all() []heldCredential {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := make([]heldCredential, 0, len(cs.byKey))
	for _, h := range cs.byKey {
		out = append(out, heldCredential{h.Credential, h.checked})
	}
	return out
}

// markChecked records that Alive answered for key at t.
func (cs *credentials) markChecked(key string, t time.Time) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if h := cs.byKey[key]; h != nil {
		h.checked = t
	}
}

// EndCredentials ends the credentials, and the groups of credentials,
// named by keys, on every instance: this instance forgets them and closes
// their sockets (CloseAccessEnded) before it returns, and signals the
// others through the Broker, which do the same when the signal arrives.
// The use cases call it once the store says the credentials ended.
func (c *Core) EndCredentials(keys ...string) {
	if len(keys) == 0 {
		return
	}
	e := Ended{Keys: keys}
	c.ended(e)
	// Not the core's context: a revocation made while the core shuts
	// down must still reach the other instances. The broker bounds it.
	if err := c.cfg.Broker.PublishEnded(context.WithoutCancel(c.ctx), e); err != nil {
		c.log.Warn().Err(err).Int("keys", len(keys)).Msg("signal ended credentials; the other instances' check catches them")
	}
}

// ended forgets what e names and closes its sockets on this instance.
func (c *Core) ended(e Ended) {
	if c.cfg.Credentials != nil {
		c.cfg.Credentials.ForgetCredentials(e.Keys)
	}
	c.creds.end(e.Keys, errAccessEnded)
}

// endedReceiver takes the Ended signals of every instance for the core.
type endedReceiver struct{ c *Core }

func (r endedReceiver) Ended(e Ended) { r.c.ended(e) }

// Resync forgets every cached credential and asks for a check of every
// held one, in the background: signals may have been missed.
func (r endedReceiver) Resync() { r.c.resyncCredentials() }

func (c *Core) resyncCredentials() {
	if c.cfg.Credentials != nil {
		c.cfg.Credentials.ForgetAllCredentials()
	}
	select {
	case c.recheck <- struct{}{}:
	default: // one is asked for already
	}
}

// listenEnded subscribes the core to the Ended signals until it shuts
// down. New makes the first try, so that a revocation on another instance
// right after it returns reaches this one; if that failed (the broker
// away), this tries again every second, and resyncs once subscribed:
// signals may have been missed meanwhile.
func (c *Core) listenEnded(unsubscribe func(), err error) {
	if err != nil {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for err != nil {
			c.log.Warn().Err(err).Msg("subscribe to ended credentials; trying again")
			select {
			case <-c.ctx.Done():
				return
			case <-t.C:
			}
			unsubscribe, err = c.cfg.Broker.SubscribeEnded(c.ctx, endedReceiver{c})
		}
		c.resyncCredentials()
	}
	<-c.ctx.Done()
	unsubscribe()
}

// checkCredentials is the safety net for a lost signal: every
// CredentialCheck until the core shuts down, it ends the sockets of
// credentials that expired (their timers end them at ExpiresAt; this
// catches a clock moved past it), and asks the store whether at most
// CredentialChecks others still hold, those checked longest ago first. A
// Resync asks about every credential at once.
func (c *Core) checkCredentials() {
	t := time.NewTicker(c.cfg.CredentialCheck)
	defer t.Stop()
	for {
		limit := c.cfg.CredentialChecks
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		case <-c.recheck:
			limit = 0
		}
		c.checkRound(limit)
	}
}

// checkRound checks the held credentials, asking Alive of at most limit
// (0: all of them).
func (c *Core) checkRound(limit int) {
	now := c.now()
	var ask []heldCredential
	for _, cred := range c.creds.all() {
		switch {
		case !cred.ExpiresAt.IsZero() && !now.Before(cred.ExpiresAt):
			c.creds.end([]string{cred.Key}, errAccessEnded)
		case cred.Alive != nil:
			ask = append(ask, cred)
		}
	}
	if limit > 0 && len(ask) > limit {
		slices.SortFunc(ask, func(a, b heldCredential) int { return a.checked.Compare(b.checked) })
		ask = ask[:limit]
	}
	for _, cred := range ask {
		if c.ctx.Err() != nil {
			return
		}
		if c.credentialEnded(cred.Credential) {
			c.creds.end([]string{cred.Key}, errAccessEnded)
		}
		c.creds.markChecked(cred.Key, now)
	}
}

// aliveTimeout bounds one Alive.
const aliveTimeout = 5 * time.Second

// credentialEnded reports whether cred's Alive says it ended. A check
// that fails otherwise (the store away) ends nothing.
func (c *Core) credentialEnded(cred Credential) bool {
	ctx, cancel := context.WithTimeout(c.ctx, aliveTimeout)
	defer cancel()
	switch tandem.ErrorKind(cred.Alive(ctx)) {
	case tandem.KindNotFound, tandem.KindUnauthorized:
		return true
	}
	return false
}
