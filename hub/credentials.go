package hub

import (
	"context"
	"sync"
	"time"

	"github.com/tandemhq/tandem"
)

// Credential is what a socket was opened with: an agent's sign-in or a
// customer's room pass. Every socket opened with a credential ends with
// it, on every instance, within CredentialCheck: each instance checks each
// credential its sockets hold once per round, however many sockets share
// it.
type Credential struct {
	// Key names the credential (its token's hash). Sockets of one key are
	// counted, checked and ended together.
	Key string
	// ExpiresAt is when the credential ends by itself; zero for never.
	ExpiresAt time.Time
	// MaxSockets bounds the sockets the credential may hold open on one
	// instance (the next is closed with CloseTooManySockets); 0 for no
	// bound.
	MaxSockets int
	// Alive reports whether the credential still holds; an error of kind
	// unauthorized or not found ends its sockets. nil never asks: the
	// credential then ends at ExpiresAt, or by an event of its room (a
	// customer's revoked link).
	Alive func(ctx context.Context) error
}

// errAccessEnded closes a socket whose credential ended: signed out,
// password reset, expired.
var errAccessEnded = &closeError{CloseAccessEnded, "session ended; sign in again"}

// errTooManySockets closes a socket over its credential's MaxSockets.
var errTooManySockets = &closeError{CloseTooManySockets, "too many connections with this credential; close some"}

// credentials are the credentials this instance's sockets hold.
type credentials struct {
	mu    sync.Mutex
	byKey map[string]*credential
}

type credential struct {
	Credential
	sockets map[*socket]struct{}
}

// add counts s under c; false when c holds too many sockets already.
func (cs *credentials) add(c Credential, s *socket) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	h := cs.byKey[c.Key]
	if h == nil {
		h = &credential{Credential: c, sockets: map[*socket]struct{}{}}
		cs.byKey[c.Key] = h
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
	if h := cs.byKey[key]; h != nil {
		delete(h.sockets, s)
		if len(h.sockets) == 0 {
			delete(cs.byKey, key)
		}
	}
}

// end closes every socket of key with err.
func (cs *credentials) end(key string, err error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if h := cs.byKey[key]; h != nil {
		for s := range h.sockets {
			s.end(err)
		}
	}
}

// all lists the credentials held now.
func (cs *credentials) all() []Credential {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := make([]Credential, 0, len(cs.byKey))
	for _, h := range cs.byKey {
		out = append(out, h.Credential)
	}
	return out
}

// EndCredential closes at once every socket this instance holds with the
// credential key (CloseAccessEnded): the edge calls it on a sign-out.
// Other instances find out at their next check.
func (c *Core) EndCredential(key string) { c.creds.end(key, errAccessEnded) }

// checkCredentials ends the sockets of credentials that expired or no
// longer hold, every CredentialCheck until the core shuts down.
func (c *Core) checkCredentials() {
	t := time.NewTicker(c.cfg.CredentialCheck)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
		for _, cred := range c.creds.all() {
			if c.credentialEnded(cred) {
				c.creds.end(cred.Key, errAccessEnded)
			}
		}
	}
}

// credentialEnded reports whether cred has expired or its Alive says it
// ended. A check that fails otherwise (the store away) ends nothing.
func (c *Core) credentialEnded(cred Credential) bool {
	if !cred.ExpiresAt.IsZero() && !c.now().Before(cred.ExpiresAt) {
		return true
	}
	if cred.Alive == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.CredentialCheck)
	defer cancel()
	switch tandem.ErrorKind(cred.Alive(ctx)) {
	case tandem.KindNotFound, tandem.KindUnauthorized:
		return true
	}
	return false
}
