package hub

import "sync"

// presence counts this instance's open connections per room participant,
// so that a customer with two tabs is one participant: joined on the first
// connection, left after the last.
type presence struct {
	mu    sync.Mutex
	rooms map[string]*roomPresence
}

type roomPresence struct {
	// mu serialises the decisions and appends of one room, so that a
	// leave and a join racing on two tabs come out in a consistent order.
	mu     sync.Mutex
	counts map[string]int
	refs   int
}

func newPresence() *presence { return &presence{rooms: map[string]*roomPresence{}} }

// lock returns the room's presence, locked, and holds a reference to it;
// unlock releases both.
func (p *presence) lock(roomID string) *roomPresence {
	p.mu.Lock()
	rp := p.rooms[roomID]
	if rp == nil {
		rp = &roomPresence{counts: map[string]int{}}
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

// enter counts a connection of participant in roomID and calls first, with
// the room locked, if it is the participant's first one here.
func (p *presence) enter(roomID, participant string, first func()) {
	rp := p.lock(roomID)
	defer p.unlock(roomID, rp)
	rp.counts[participant]++
	if rp.counts[participant] == 1 {
		first()
	}
}

// exit uncounts a connection and calls last, with the room locked, if it
// was the participant's last one here.
func (p *presence) exit(roomID, participant string, last func()) {
	rp := p.lock(roomID)
	defer p.unlock(roomID, rp)
	rp.counts[participant]--
	if rp.counts[participant] <= 0 {
		delete(rp.counts, participant)
		last()
	}
}
