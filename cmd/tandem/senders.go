package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/hub/sender/devoutbox"
	"github.com/tandemhq/tandem/hub/sender/smtp"
	"github.com/tandemhq/tandem/hub/sender/twilio"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// channelSender sends each message with the sender of its channel.
type channelSender map[room.Channel]sender.Sender

var _ sender.Sender = channelSender(nil)

// Send implements sender.Sender: the sender of m's channel sends it, or,
// when the channel has none, m is refused for good.
func (c channelSender) Send(ctx context.Context, m store.Message) (sender.Receipt, error) {
	s := c[m.Channel]
	if s == nil {
		return sender.Receipt{}, &sender.SendError{Status: room.DeliveryFailed, Reason: fmt.Sprintf("this hub has no %s provider configured: invite by the other channel", m.Channel)}
	}
	return s.Send(ctx, m)
}

// openSenders picks a sender per channel from the configured providers, or
// the dev outbox for both when none is configured; dev lists the channels
// on the dev outbox.
func openSenders(cfg config, public *url.URL, log zerolog.Logger) (s sender.Sender, callbacks map[string]sender.StatusCallback, dev []room.Channel, err error) {
	out := channelSender{}
	callbacks = map[string]sender.StatusCallback{}
	if cfg.Twilio.AccountSID != "" {
		hook := *public
		hook.Path = strings.TrimSuffix(hook.Path, "/") + "/api/v1/hooks/twilio/status"
		tw, err := twilio.New(twilio.Options{
			AccountSID: cfg.Twilio.AccountSID, AuthToken: cfg.Twilio.AuthToken,
			From: cfg.Twilio.From, MessagingServiceSID: cfg.Twilio.MessagingServiceSID,
			StatusCallbackURL: hook.String(),
		})
		if err != nil {
			return nil, nil, nil, err
		}
		out[room.ChannelSMS] = tw
		callbacks[twilio.Provider] = tw
		log.Info().Str("account", cfg.Twilio.AccountSID).Str("from", cfg.Twilio.From).Str("messaging_service", cfg.Twilio.MessagingServiceSID).
			Str("status_callback", hook.String()).Msg("SMS: Twilio")
	}
	if cfg.SMTP != nil {
		sm, err := smtp.New(*cfg.SMTP)
		if err != nil {
			return nil, nil, nil, err
		}
		out[room.ChannelEmail] = sm
		log.Info().Str("host", cfg.SMTP.Host).Int("port", cfg.SMTP.Port).Str("tls", string(cfg.SMTP.TLS)).Str("from", cfg.SMTP.From).Msg("email: SMTP")
	}
	if len(out) == 0 {
		// No provider at all: the embedded default, where the dev outbox
		// keeps and shows every message.
		d := devoutbox.New(log)
		out[room.ChannelSMS], out[room.ChannelEmail] = d, d
		dev = []room.Channel{room.ChannelSMS, room.ChannelEmail}
		log.Warn().Msg("dev outbox: no SMS or email provider is configured; messages are kept and shown at /api/v1/dev/outbox and in this log, not sent, and their delivery is simulated")
		return out, callbacks, dev, nil
	}
	// With a provider for one channel only, the other is unavailable
	// rather than simulated: a production hub must not pretend to send,
	// nor show real customers' messages on a dev page.
	for _, ch := range []room.Channel{room.ChannelSMS, room.ChannelEmail} {
		if out[ch] == nil {
			log.Warn().Str("channel", string(ch)).Msg("no provider is configured for this channel: its messages fail, and show as failed in their rooms (configure one, or invite by the other channel)")
		}
	}
	return out, callbacks, dev, nil
}
