// Package brokertest is the conformance suite of hub.Broker: every broker
// (the in-process one, Redis) runs it from its own tests, so the hub can
// count on the same behaviour from each.
//
//	func TestBroker(t *testing.T) {
//		brokertest.Run(t, func(testing.TB) (hub.Broker, hub.Broker) {
//			b := memory.New()
//			return b, b
//		})
//	}
//
// A broker is a notification path: the suite checks that what is published
// on a topic reaches the subscribers of that topic, and only them, in the
// order one publisher sent it, and stops when they unsubscribe. It runs
// each check on both kinds of topic the hub uses: a room's
// (hub.RoomTopic), whose events are all of one room, and an account's
// (hub.AccountTopic), whose events are of several rooms; and it checks
// that an event published on two topics reaches the subscribers of each.
// It checks the one signal that is not an event, Ended, the same way: it
// reaches every instance's subscribers, the publisher's included.
package brokertest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/room"
)

// Open returns a broker for one test; pairs of brokers returned for the
// same test must be connected to each other (two instances of one
// deployment), which the suite checks by publishing on one and receiving
// on the other. An in-process broker returns the same broker each time.
type Open func(tb testing.TB) (a, b hub.Broker)

// Run runs the suite against the brokers open makes.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, k kind, a, b hub.Broker)
	}{
		{"DeliversToTheTopicOnly", testDeliversToTheTopicOnly},
		{"EverySubscriberGetsEveryEvent", testEverySubscriberGetsEveryEvent},
		{"OrderOfOnePublisher", testOrderOfOnePublisher},
		{"Unsubscribe", testUnsubscribe},
		{"ConcurrentSubscribeAndPublish", testConcurrentSubscribeAndPublish},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					a, b := open(t)
					tc.fn(t, k, a, b)
				})
			}
		})
	}
	t.Run("OneEventOnTwoTopics", func(t *testing.T) {
		t.Parallel()
		a, b := open(t)
		testOneEventOnTwoTopics(t, a, b)
	})
	t.Run("Ended", func(t *testing.T) {
		t.Parallel()
		a, b := open(t)
		testEnded(t, a, b)
	})
}

// wait is how long a delivery may take.
const wait = 10 * time.Second

// topic is a topic under test: its name, and the rooms whose events are
// published on it.
type topic struct {
	name  string
	rooms []string
}

// event returns event seq of one of the topic's rooms.
func (tp topic) event(seq int64) room.Event {
	return Event(tp.rooms[int(seq)%len(tp.rooms)], seq)
}

// kind is a kind of topic: new returns a topic of that kind no other test
// uses.
type kind struct {
	name string
	new  func() topic
}

var kinds = []kind{
	{"Room", func() topic {
		id := room.NewID("rm")
		return topic{name: hub.RoomTopic(id), rooms: []string{id}}
	}},
	{"Account", func() topic {
		return topic{name: hub.AccountTopic(room.NewID("ac")), rooms: []string{room.NewID("rm"), room.NewID("rm"), room.NewID("rm")}}
	}},
}

// sameEvent reports whether a and b are the same event.
func sameEvent(a, b room.Event) bool {
	return a.Room == b.Room && a.Seq == b.Seq && a.Type == b.Type && a.At.Equal(b.At) &&
		a.Actor == b.Actor && string(a.Data) == string(b.Data)
}

func testDeliversToTheTopicOnly(t *testing.T, k kind, a, b hub.Broker) {
	mine, other := k.new(), k.new()
	got, elsewhere := NewRecorder(), NewRecorder()
	Subscribe(t, b, mine.name, got)
	Subscribe(t, b, other.name, elsewhere)
	Publish(t, a, mine.name, mine.event(1))
	Publish(t, a, other.name, other.event(7))
	evs := got.WaitFor(t, 1)
	if !sameEvent(evs[0], mine.event(1)) {
		t.Fatalf("received %+v, want %+v", evs[0], mine.event(1))
	}
	// The other topic's event is a marker: once it arrived there, the
	// first topic's subscriber has had the chance to receive it too.
	elsewhere.WaitFor(t, 1)
	publishMarker(t, a, mine, got, 2)
	for _, ev := range got.Events() {
		if ev.Seq == 7 {
			t.Fatalf("a subscriber of %s received an event published on %s", mine.name, other.name)
		}
	}
}

// publishMarker publishes event seq of tp and waits for r to get it.
func publishMarker(t *testing.T, b hub.Broker, tp topic, r *Recorder, seq int64) {
	t.Helper()
	Publish(t, b, tp.name, tp.event(seq))
	waitForSeq(t, r, seq)
}

// waitForSeq waits until r has received an event numbered seq.
func waitForSeq(t *testing.T, r *Recorder, seq int64) {
	t.Helper()
	deadline := time.After(wait)
	for {
		for _, ev := range r.Events() {
			if ev.Seq == seq {
				return
			}
		}
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("event #%d never arrived", seq)
		}
	}
}

func testEverySubscriberGetsEveryEvent(t *testing.T, k kind, a, b hub.Broker) {
	tp := k.new()
	rs := []*Recorder{NewRecorder(), NewRecorder(), NewRecorder(), NewRecorder()}
	for i, r := range rs {
		on := a
		if i%2 == 1 {
			on = b
		}
		Subscribe(t, on, tp.name, r)
	}
	const n = 50
	for seq := int64(1); seq <= n; seq++ {
		Publish(t, a, tp.name, tp.event(seq))
	}
	for i, r := range rs {
		evs := r.WaitFor(t, n)
		if len(evs) != n {
			t.Fatalf("subscriber %d received %d events, want %d", i, len(evs), n)
		}
	}
}

func testOrderOfOnePublisher(t *testing.T, k kind, a, b hub.Broker) {
	tp := k.new()
	r := NewRecorder()
	Subscribe(t, b, tp.name, r)
	const n = 500
	for seq := int64(1); seq <= n; seq++ {
		Publish(t, a, tp.name, tp.event(seq))
	}
	evs := r.WaitFor(t, n)
	for i, ev := range evs {
		if want := tp.event(int64(i + 1)); !sameEvent(ev, want) {
			t.Fatalf("event %d is %+v, want %+v", i, ev, want)
		}
	}
}

func testUnsubscribe(t *testing.T, k kind, a, b hub.Broker) {
	tp := k.new()
	gone, stays := NewRecorder(), NewRecorder()
	unsub := Subscribe(t, b, tp.name, gone)
	Subscribe(t, b, tp.name, stays)
	publishMarker(t, a, tp, gone, 1)
	unsub()
	unsub() // a second call is harmless
	Publish(t, a, tp.name, tp.event(2))
	publishMarker(t, a, tp, stays, 3)
	if evs := gone.Events(); len(evs) != 1 {
		t.Fatalf("after unsubscribing: %d events, want 1", len(evs))
	}
}

func testConcurrentSubscribeAndPublish(t *testing.T, k kind, a, b hub.Broker) {
	tp := k.new()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for seq := int64(1); ; seq++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = a.Publish(context.Background(), tp.name, tp.event(seq))
			// A broker may take publishes faster than it delivers them
			// (the hub's are paced by its store); the race under test is
			// with Subscribe, not a flood.
			time.Sleep(50 * time.Microsecond)
		}
	}()
	for i := 0; i < 20; i++ {
		r := NewRecorder()
		unsub, err := b.Subscribe(context.Background(), tp.name, r)
		if err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("subscribe: %v", err)
		}
		unsub()
	}
	close(stop)
	wg.Wait()
	// The broker still works after the churn.
	r := NewRecorder()
	Subscribe(t, b, tp.name, r)
	publishMarker(t, a, tp, r, 1<<40)
}

// testOneEventOnTwoTopics publishes an event on its room's topic and on
// its account's, as the hub does with the last event of a change: the
// subscribers of each topic, on either instance, get it once each, and a
// subscriber of both gets it twice.
func testOneEventOnTwoTopics(t *testing.T, a, b hub.Broker) {
	roomID, account := room.NewID("rm"), room.NewID("ac")
	roomTopic, accountTopic := hub.RoomTopic(roomID), hub.AccountTopic(account)
	// A room id used as an account's: the topics differ all the same.
	sameID := hub.AccountTopic(roomID)
	type sub struct {
		what   string
		on     hub.Broker
		topics []string
		want   int
		r      *Recorder
	}
	subs := []*sub{
		{what: "room, other instance", on: b, topics: []string{roomTopic}, want: 1},
		{what: "account, other instance", on: b, topics: []string{accountTopic}, want: 1},
		{what: "room, publishing instance", on: a, topics: []string{roomTopic}, want: 1},
		{what: "account, publishing instance", on: a, topics: []string{accountTopic}, want: 1},
		{what: "both, other instance", on: b, topics: []string{roomTopic, accountTopic}, want: 2},
		{what: "account named by the room's id", on: b, topics: []string{sameID}, want: 0},
	}
	for _, s := range subs {
		s.r = NewRecorder()
		for _, tp := range s.topics {
			Subscribe(t, s.on, tp, s.r)
		}
	}
	ev := Event(roomID, 1)
	Publish(t, a, roomTopic, ev)
	Publish(t, a, accountTopic, ev)
	// Markers: once each has arrived on every topic, so has ev, if it was
	// going to, and no second copy of it is still on its way.
	markers := []struct {
		topic string
		seq   int64
	}{{roomTopic, 2}, {accountTopic, 3}, {sameID, 4}}
	for _, m := range markers {
		Publish(t, a, m.topic, Event(roomID, m.seq))
	}
	for _, s := range subs {
		for _, m := range markers {
			for _, tp := range s.topics {
				if tp == m.topic {
					waitForSeq(t, s.r, m.seq)
				}
			}
		}
		n := 0
		for _, got := range s.r.Events() {
			if got.Seq == ev.Seq {
				if !sameEvent(got, ev) {
					t.Fatalf("%s: received %+v, want %+v", s.what, got, ev)
				}
				n++
			}
		}
		if n != s.want {
			t.Errorf("%s: received the event %d times, want %d", s.what, n, s.want)
		}
	}
}
