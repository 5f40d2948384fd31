package app

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// CredentialTTL is how long an instance uses a credential it resolved
// (a sign-in and its user, a room pass and its link) without asking the
// store again. Every revocation forgets it at once on every instance
// (EndCredentials, the broker's Ended signal), so the TTL only bounds how
// long a signal lost without a Resync leaves it usable there, which is
// the 5 s sockets had before; and it is long enough that a burst of
// requests with one credential (a page opening, a customer typing)
// costs one look-up.
const CredentialTTL = 5 * time.Second

// maxCachedCredentials bounds the cache: beyond it, an entry is dropped
// for each one kept.
const maxCachedCredentials = 10000

// Revoker ends credentials on every instance: the real-time core
// (*hub.Core) closes their sockets here and signals the other instances,
// which forget them and close theirs.
type Revoker interface {
	EndCredentials(keys ...string)
}

var _ Revoker = (*hub.Core)(nil)

var _ hub.CredentialCache = (*App)(nil)

// UserKey is the group key of a user's cached sign-ins: an Ended signal
// naming it makes every instance read the user again (a new role or team,
// a deactivation). It closes no socket.
func UserKey(account, userID string) string { return "user:" + account + ":" + userID }

// SignInsKey is the group key of the sockets of a user's sign-ins: an
// Ended signal naming it closes them all, whichever sign-in opened them
// (a deactivation, a password reset).
func SignInsKey(account, userID string) string { return "signins:" + account + ":" + userID }

// LinkKey is the group key of a room link's passes: an Ended signal naming
// it ends them (the link was revoked, or its room closed).
func LinkKey(linkID string) string { return "link:" + linkID }

// credentialCache keeps resolved credentials for CredentialTTL, by their
// token's hash.
type credentialCache struct {
	mu sync.Mutex
	// epoch moves at every forget: a resolution that began before may
	// have read what was just revoked, and is not kept.
	epoch   uint64
	byKey   map[string]cachedCredential
	byGroup map[string]map[string]struct{}
}

// cachedCredential is a sign-in with its user, or a room pass with its
// (unrevoked) link.
type cachedCredential struct {
	signIn *store.SignIn
	user   *tandem.User
	pass   *store.RoomPass
	groups []string
	until  time.Time // on the monotonic clock, not the app's
}

// caller is the cached credential as a Caller of its own, which the
// request may change without changing the cache.
func (c cachedCredential) caller() Caller {
	if c.pass != nil {
		p := *c.pass
		return Caller{Pass: &p}
	}
	s, u := *c.signIn, *c.user
	return Caller{SignIn: &s, User: &u}
}

// get returns the credential of key, if cached and fresh.
func (cc *credentialCache) get(key string) (cachedCredential, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	c, ok := cc.byKey[key]
	if ok && !time.Now().Before(c.until) {
		cc.dropLocked(key)
		return c, false
	}
	return c, ok
}

// begin starts a resolution: put keeps its result only if nothing was
// forgotten meanwhile.
func (cc *credentialCache) begin() uint64 {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.epoch
}

// put keeps c under key, unless something was forgotten since begin
// returned epoch.
func (cc *credentialCache) put(key string, epoch uint64, c cachedCredential) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if epoch != cc.epoch {
		return
	}
	if cc.byKey == nil {
		cc.byKey, cc.byGroup = map[string]cachedCredential{}, map[string]map[string]struct{}{}
	}
	cc.dropLocked(key)
	for k := range cc.byKey {
		if len(cc.byKey) < maxCachedCredentials {
			break
		}
		cc.dropLocked(k) // any one: they all expire within CredentialTTL
	}
	c.until = time.Now().Add(CredentialTTL)
	cc.byKey[key] = c
	for _, g := range c.groups {
		if cc.byGroup[g] == nil {
			cc.byGroup[g] = map[string]struct{}{}
		}
		cc.byGroup[g][key] = struct{}{}
	}
}

// forget drops the credentials, and the groups of credentials, named by
// keys.
func (cc *credentialCache) forget(keys []string) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.epoch++
	for _, k := range keys {
		cc.dropLocked(k)
		for member := range cc.byGroup[k] {
			cc.dropLocked(member)
		}
	}
}

// forgetAll drops every credential.
func (cc *credentialCache) forgetAll() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.epoch++
	cc.byKey, cc.byGroup = nil, nil
}

func (cc *credentialCache) dropLocked(key string) {
	c, ok := cc.byKey[key]
	if !ok {
		return
	}
	delete(cc.byKey, key)
	for _, g := range c.groups {
		delete(cc.byGroup[g], key)
		if len(cc.byGroup[g]) == 0 {
			delete(cc.byGroup, g)
		}
	}
}

// ForgetCredentials implements hub.CredentialCache: the core calls it
// when credentials ended on any instance.
func (a *App) ForgetCredentials(keys []string) { a.creds.forget(keys) }

// ForgetAllCredentials implements hub.CredentialCache: the core calls it
// when Ended signals may have been missed.
func (a *App) ForgetAllCredentials() { a.creds.forgetAll() }

// endCredentials forgets the credentials named by keys at once and ends
// them on every instance. The store must say they ended first: a
// resolution on any instance after this reads the store again.
func (a *App) endCredentials(keys ...string) {
	if len(keys) == 0 {
		return
	}
	a.creds.forget(keys)
	if a.cfg.Revoker != nil {
		a.cfg.Revoker.EndCredentials(keys...)
	}
}

// revokingPublisher is the Publisher the commit path uses: before
// publishing a change's events, it ends the room passes of the links the
// change revoked (a newer link, Resend, Copy link, the room closed).
type revokingPublisher struct {
	next Publisher
	a    *App
}

func (p revokingPublisher) Publish(account string, evs []room.Event) {
	var keys []string
	for _, ev := range evs {
		if ev.Type != room.TypeLinkRevoked {
			continue
		}
		var d room.LinkRevoked
		if err := json.Unmarshal(ev.Data, &d); err == nil && d.Link != "" {
			keys = append(keys, LinkKey(d.Link))
		}
	}
	p.a.endCredentials(keys...)
	p.next.Publish(account, evs)
}

// endSignIns ends, on every instance, the sign-ins of a user, which the
// store deleted: every instance forgets them, and closes their sockets.
func (a *App) endSignIns(account, userID string) {
	a.endCredentials(UserKey(account, userID), SignInsKey(account, userID))
}
