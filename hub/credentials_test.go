package hub

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// coreForCredentials is a core with just what the credential check
// needs.
func coreForCredentials(checks int) *Core {
	c := &Core{cfg: Config{CredentialCheck: time.Hour, CredentialChecks: checks, Now: time.Now}, ctx: context.Background()}
	c.creds.byKey, c.creds.now = map[string]*credential{}, c.now
	return c
}

// newTestSocket is a socket as accept leaves it: its writer counted as
// running, so that ending it only leaves the reason for that writer.
func newTestSocket() *socket {
	s := &socket{ended: make(chan error, 1)}
	s.writer.Store(writerRunning)
	return s
}

// ended reports whether s was told to close with access ended.
func endedWithAccessEnded(s *socket) bool { return s.endedErr() == errAccessEnded }

// A check asks the store about at most CredentialChecks credentials, those
// checked longest ago first, so that every credential is asked in turn; a
// Resync's check (no bound) asks about all.
func TestCredentialCheckIsBoundedPerRound(t *testing.T) {
	const held, checks = 5, 2
	c := coreForCredentials(checks)
	asked := map[string]*atomic.Int64{}
	for i := range held {
		key := fmt.Sprintf("k%d", i)
		n := &atomic.Int64{}
		asked[key] = n
		c.creds.add(Credential{Key: key, Alive: func(context.Context) error { n.Add(1); return nil }}, newTestSocket())
	}
	total := func() (sum int64) {
		for _, n := range asked {
			sum += n.Load()
		}
		return sum
	}
	for round := 1; round <= 3; round++ {
		c.checkRound(c.cfg.CredentialChecks)
		if got := total(); got != int64(round*checks) {
			t.Fatalf("after %d bounded rounds, %d store checks, want %d", round, got, round*checks)
		}
		time.Sleep(time.Millisecond) // the rounds' times differ
	}
	// Three rounds of two cover all five, the longest unchecked first.
	for key, n := range asked {
		if n.Load() == 0 {
			t.Fatalf("credential %s never checked in three rounds of %d", key, checks)
		}
	}
	before := total()
	c.checkRound(0)
	if got := total() - before; got != held {
		t.Fatalf("a full round checked %d credentials, want %d", got, held)
	}
}

// An Ended signal naming a group ends the sockets of every credential of
// the group, and only theirs.
func TestEndedGroupEndsItsCredentials(t *testing.T) {
	c := coreForCredentials(1)
	inLink, otherLink, alone := newTestSocket(), newTestSocket(), newTestSocket()
	c.creds.add(Credential{Key: "pass1", Groups: []string{"link:a"}}, inLink)
	c.creds.add(Credential{Key: "pass2", Groups: []string{"link:b"}}, otherLink)
	c.creds.add(Credential{Key: "signin"}, alone)
	c.ended(Ended{Keys: []string{"link:a"}})
	if !endedWithAccessEnded(inLink) {
		t.Fatal("the socket of the ended group's pass was not ended")
	}
	if endedWithAccessEnded(otherLink) || endedWithAccessEnded(alone) {
		t.Fatal("a socket of another credential was ended")
	}
	c.ended(Ended{Keys: []string{"signin"}})
	if !endedWithAccessEnded(alone) {
		t.Fatal("the socket of the ended credential was not ended")
	}
	// A credential's groups are forgotten with its last socket.
	c.creds.remove("pass1", inLink)
	if len(c.creds.byGroup["link:a"]) != 0 {
		t.Fatalf("group link:a still lists %v", c.creds.byGroup["link:a"])
	}
}

// A credential's sockets end at its ExpiresAt, not at the next check an
// hour away; one that goes before its expiry leaves no timer to fire.
func TestSocketsEndAtTheCredentialsExpiry(t *testing.T) {
	c := coreForCredentials(1)
	expiring, lasting := newTestSocket(), newTestSocket()
	c.creds.add(Credential{Key: "soon", ExpiresAt: time.Now().Add(50 * time.Millisecond)}, expiring)
	c.creds.add(Credential{Key: "later", ExpiresAt: time.Now().Add(time.Hour)}, lasting)
	deadline := time.Now().Add(5 * time.Second)
	for !endedWithAccessEnded(expiring) {
		if time.Now().After(deadline) {
			t.Fatal("the socket of an expired credential was not ended within 5 s of its expiry")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if endedWithAccessEnded(lasting) {
		t.Fatal("the socket of a credential an hour from its expiry was ended")
	}
	timer := c.creds.byKey["later"].expiry
	old := c.creds.byKey["later"]
	c.creds.remove("later", lasting)
	if timer.Stop() {
		t.Fatal("the expiry timer of a credential whose last socket went is still set")
	}
	// A timer that fired as its credential went (Stop too late) leaves a
	// later holder of the key alone.
	again := newTestSocket()
	c.creds.add(Credential{Key: "later", ExpiresAt: time.Now().Add(time.Hour)}, again)
	c.creds.expire(old)
	if endedWithAccessEnded(again) {
		t.Fatal("a stale expiry ended the sockets of a later holder of the key")
	}
}
