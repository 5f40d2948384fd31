package hub

import (
	"context"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Presence across instances.
//
// Each instance counts its own open connections per room participant
// (presence below). When a participant's first connection on this instance
// opens, the instance takes a presence row in the store; when its last one
// closes, it releases the row (PresenceRecorder, which the use cases
// implement). Whether that changes anything the room should record is
// decided on the room's state and the rows of all instances, and committed
// with the row: participant.joined when the first instance anywhere takes
// the participant, participant.left when the last one releases it. So a
// customer with tabs on two instances is one participant, and the log
// alternates joined/left whatever the interleaving.
//
// Rows expire unless the instance's heartbeat extends them. An instance
// that dies without saying goodbye stops its heartbeat; within the
// presence TTL plus one reaper round, another instance releases its rows
// and the customer is recorded as left with reason "lost".

// PresenceRecorder records this instance taking and releasing a
// participant of a room.
type PresenceRecorder interface {
	// Hold takes (or renews) this instance's presence of participant in the
	// room; client describes its browser.
	Hold(ctx context.Context, account, roomID, participant, client string) error
	// Release lets go of it; reason says why ("closed", "shutdown").
	Release(ctx context.Context, account, roomID, participant, reason string) error
}

// presence counts this instance's open connections per room participant.
type presence struct {
	rec   PresenceRecorder
	log   zerolog.Logger
	mu    sync.Mutex
	rooms map[string]*roomPresence
}

type roomPresence struct {
	// mu serialises the decisions and store writes of one room on this
	// instance, so a leave and a join racing on two tabs come out in the
	// order they happened.
	mu      sync.Mutex
	account string
	counts  map[string]int
	clients map[string]string // participant → client description of its first connection
	refs    int
}

func newPresence(rec PresenceRecorder, log zerolog.Logger) *presence {
	return &presence{rec: rec, log: log, rooms: map[string]*roomPresence{}}
}

// lock returns the room's presence, locked, and holds a reference to it;
// unlock releases both.
func (p *presence) lock(account, roomID string) *roomPresence {
	p.mu.Lock()
	rp := p.rooms[roomID]
	if rp == nil {
		rp = &roomPresence{account: account, counts: map[string]int{}, clients: map[string]string{}}
		p.rooms[roomID] = rp
	}
	rp.refs++
	p.mu.Unlock()
	rp.mu.Lock()
	return rp
}

func (p *presence) unlock(roomID string, rp *roomPresence) {
	rp.mu.Unlock()
	p.mu.Lock()
	rp.refs--
	if rp.refs == 0 && len(rp.counts) == 0 {
		delete(p.rooms, roomID)
	}
	p.mu.Unlock()
}

// enter counts a connection of participant and, if it is the first one on
// this instance, takes the participant's presence.
func (p *presence) enter(ctx context.Context, account, roomID, participant, client string) {
	rp := p.lock(account, roomID)
	defer p.unlock(roomID, rp)
	rp.counts[participant]++
	if rp.counts[participant] > 1 {
		return
	}
	rp.clients[participant] = client
	// A client that goes away at once must still be recorded as having
	// come (its leave follows): the record outlives the connection.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := p.rec.Hold(ctx, account, roomID, participant, client); err != nil {
		// The connection stays: the heartbeat finds the row missing and
		// takes it again once the store answers.
		p.log.Error().Err(err).Str("room", roomID).Msg("record participant joined")
	}
}

// exit uncounts a connection and, if it was the participant's last one on
// this instance, releases its presence. ctx is the connection's, over by
// now: only its values are used.
func (p *presence) exit(ctx context.Context, account, roomID, participant, reason string) {
	rp := p.lock(account, roomID)
	defer p.unlock(roomID, rp)
	rp.counts[participant]--
	if rp.counts[participant] > 0 {
		return
	}
	delete(rp.counts, participant)
	delete(rp.clients, participant)
	// The connection's context is over; the record must still be made.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := p.rec.Release(ctx, account, roomID, participant, reason); err != nil {
		// The row expires and a reaper records the leave.
		p.log.Error().Err(err).Str("room", roomID).Msg("record participant left")
	}
}

// held is one participant this instance holds in a room.
type held struct {
	account, room, participant string
}

// all lists the participants this instance holds.
func (p *presence) all() []held {
	p.mu.Lock()
	rooms := make(map[string]*roomPresence, len(p.rooms))
	for id, rp := range p.rooms {
		rooms[id] = rp
	}
	p.mu.Unlock()
	var out []held
	for id, rp := range rooms {
		rp.mu.Lock()
		for part := range rp.counts {
			out = append(out, held{account: rp.account, room: id, participant: part})
		}
		rp.mu.Unlock()
	}
	return out
}

// Held is how many participants this instance holds: as many presence
// rows as it should have in the store.
func (c *Core) Held() int { return len(c.presence.all()) }

// Rehold takes again every participant this instance holds: the
// heartbeat found fewer rows than Held (reaped while this instance could
// not reach the store, or never written). Holding a held row only extends
// it.
func (c *Core) Rehold(ctx context.Context) {
	p := c.presence
	for _, h := range p.all() {
		rp := p.lock(h.account, h.room)
		if rp.counts[h.participant] > 0 {
			if err := p.rec.Hold(ctx, h.account, h.room, h.participant, rp.clients[h.participant]); err != nil {
				c.log.Warn().Err(err).Str("room", h.room).Msg("presence: take again")
			}
		}
		p.unlock(h.room, rp)
	}
}
