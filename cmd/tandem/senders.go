package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub"
	"github.com/tandemhq/tandem/hub/devoutbox"
	"github.com/tandemhq/tandem/hub/smtp"
	"github.com/tandemhq/tandem/hub/twilio"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// channelSender sends each message with the sender of its channel.
type channelSender map[room.Channel]hub.Sender

var _ hub.Sender = channelSender(nil)

func (c channelSender) Send(ctx context.Context, m store.Message) (hub.Receipt, error) {
	s := c[m.Channel]
	if s == nil {
		return hub.Receipt{}, &hub.SendError{Status: room.DeliveryFailed, Reason: fmt.Sprintf("no sender is configured for %s", m.Channel)}
	}
	return s.Send(ctx, m)
}

// openSenders picks a sender per channel: a configured provider, or the
// dev outbox. dev lists the channels on the dev outbox.
func openSenders(cfg config, public *url.URL, log zerolog.Logger) (s hub.Sender, callbacks map[string]hub.StatusCallback, dev []room.Channel, err error) {
	out := channelSender{}
	callbacks = map[string]hub.StatusCallback{}
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
	var simulated []string
	devSender := devoutbox.New(log)
	for _, ch := range []room.Channel{room.ChannelSMS, room.ChannelEmail} {
		if out[ch] == nil {
			out[ch] = devSender
			dev = append(dev, ch)
			simulated = append(simulated, string(ch))
		}
	}
	if len(dev) > 0 {
		log.Warn().Strs("channels", simulated).Msg("dev outbox: no provider is configured for these channels; their messages are kept and shown at /api/v1/dev/outbox and in this log, not sent, and their delivery is simulated")
	}
	return out, callbacks, dev, nil
}
