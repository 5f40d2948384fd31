package main

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/hub/sender/devoutbox"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

func TestRedisOptions(t *testing.T) {
	o, err := redisOptions("redis://user:pw@10.0.0.1:6380/2", "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.Addrs, []string{"10.0.0.1:6380"}) || o.DB != 2 || o.Username != "user" || o.Password != "pw" || o.TLSConfig != nil || !o.ContextTimeoutEnabled {
		t.Fatalf("single server: %+v", o)
	}
	o, err = redisOptions("rediss://10.0.0.1:26379?addr=10.0.0.2:26379&addr=10.0.0.3:26379", "mymaster")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.Addrs, []string{"10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"}) || o.MasterName != "mymaster" || o.TLSConfig == nil {
		t.Fatalf("sentinels: %+v", o)
	}
	for _, bad := range []string{"http://10.0.0.1:6379", "10.0.0.1:6379", "redis://10.0.0.1:6379/notadb"} {
		if _, err := redisOptions(bad, ""); err == nil {
			t.Errorf("REDIS_URL %q accepted", bad)
		}
	}
}

// A channel without a provider fails its messages for good, with a reason
// the agent can act on.
func TestChannelWithoutProvider(t *testing.T) {
	s := channelSender{room.ChannelSMS: devoutbox.New(zerolog.Nop())}
	_, err := s.Send(context.Background(), store.Message{Channel: room.ChannelEmail, To: "sam@example.com"})
	var se *sender.SendError
	if !errors.As(err, &se) || se.Status != room.DeliveryFailed || !strings.Contains(se.Reason, "no email provider") {
		t.Fatalf("an email with no email provider: %v", err)
	}
	if _, err := s.Send(context.Background(), store.Message{Channel: room.ChannelSMS, To: "+14155552671"}); err != nil {
		t.Fatalf("an SMS: %v", err)
	}
}
