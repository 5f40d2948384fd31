package room_test

import (
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

func TestCustomerValidation(t *testing.T) {
	for _, tc := range []struct {
		in   room.Customer
		ch   room.Channel
		code string
	}{
		{room.Customer{Name: "", Phone: "4155550134"}, room.ChannelSMS, "invalid_name"},
		{room.Customer{Name: strings.Repeat("é", room.MaxNameLen+1), Phone: "4155550134"}, room.ChannelSMS, "invalid_name"},
		{room.Customer{Name: "Sam\x00Lee", Phone: "4155550134"}, room.ChannelSMS, "invalid_name"},
		{room.Customer{Name: "Sam\nLee", Phone: "4155550134"}, room.ChannelSMS, "invalid_name"},
		{room.Customer{Name: "A", Phone: "123456"}, room.ChannelSMS, "invalid_phone"},
		{room.Customer{Name: "A", Phone: "1234567890123456"}, room.ChannelSMS, "invalid_phone"},
		{room.Customer{Name: "A", Phone: "41+55550134"}, room.ChannelSMS, "invalid_phone"},
		{room.Customer{Name: "A", Email: "not-an-email"}, room.ChannelEmail, "invalid_email"},
		{room.Customer{Name: "A", Email: "a@localhost"}, room.ChannelEmail, "invalid_email"},
		{room.Customer{Name: "A", Email: strings.Repeat("a", 250) + "@x.com"}, room.ChannelEmail, "invalid_email"},
		{room.Customer{Name: "A"}, room.ChannelSMS, "phone_required"},
		{room.Customer{Name: "A", Phone: "4155550134"}, room.ChannelEmail, "email_required"},
		{room.Customer{Name: "A", Phone: "4155550134"}, "pigeon", "invalid_channel"},
	} {
		_, err := room.Create(room.CreateRoom{Mode: room.ModeLive, Channel: tc.ch, Customer: tc.in})
		if got := tandem.ErrorCode(err); got != tc.code {
			t.Errorf("%+v on %s: %q (%v), want %q", tc.in, tc.ch, got, err, tc.code)
		}
		if !tandem.IsKind(err, tandem.KindInvalid) {
			t.Errorf("%+v: kind %q, want invalid", tc.in, tandem.ErrorKind(err))
		}
	}
	c, err := room.ValidateCustomer(room.Customer{Name: "Sam", Phone: "415.555.0134", Email: "Sam@Example.COM"})
	if err != nil || c.Phone != "4155550134" || c.Email != "Sam@example.com" {
		t.Fatalf("normalised %+v %v", c, err)
	}
}
