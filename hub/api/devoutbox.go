package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/tandemhq/tandem/room"
)

// devOutboxPage is how many messages the dev outbox page shows.
const devOutboxPage = 200

type outboxMessage struct {
	Channel room.Channel `json:"channel"`
	To      string       `json:"to"`
	Subject string       `json:"subject,omitempty"`
	Body    string       `json:"body"`
	Link    string       `json:"link,omitempty"`
	At      time.Time    `json:"at"`
	Status  string       `json:"status"`
	Room    string       `json:"room,omitempty"`
	// Attachment names the file an email carries (a signed copy).
	Attachment string `json:"attachment,omitempty"`
}

// handleDevOutbox shows the messages the dev outbox kept instead of sending
// them, so a person can play the customer on the same machine.
func (s *Server) handleDevOutbox(w http.ResponseWriter, r *http.Request) {
	msgs, err := s.app.Outbox(r.Context(), principalFrom(r.Context()).Caller, devOutboxPage)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]outboxMessage, 0, len(msgs))
	for _, m := range msgs {
		if !slices.Contains(s.cfg.DevOutbox, m.Channel) {
			continue
		}
		om := outboxMessage{Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Body, Link: m.Link, At: m.CreatedAt, Status: string(m.Status), Room: m.Room}
		if m.Attachment != nil {
			om.Attachment = m.Attachment.Name
		}
		out = append(out, om)
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out, "simulation": true})
}
