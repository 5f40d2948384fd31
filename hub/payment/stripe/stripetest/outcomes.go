package stripetest

import (
	"bytes"
	"fmt"
	"net/http"
	"time"
)

// Pay pays session id as the page's Pay button does: the session is
// complete and paid, and a signed checkout.session.completed is sent to the
// webhook URL. The error is the session not being open, or the webhook
// call failing.
func (s *Server) Pay(id string) error {
	s.mu.Lock()
	cs, ok := s.sessions[id]
	if !ok || cs.Status != "open" {
		s.mu.Unlock()
		return fmt.Errorf("stripetest: session %s is not open", id)
	}
	cs.Attempts++
	cs.Status, cs.PaymentStatus = "complete", "paid"
	snap := cs.copy()
	s.mu.Unlock()
	return s.deliver("checkout.session.completed", CompletedEvent(snap))
}

// Decline tries session id with a card its issuer refuses, as the page's
// decline button does: the session stays open, and a signed
// payment_intent.payment_failed (card_declined, declineCode, last four
// digits 0002) is sent to the webhook URL.
func (s *Server) Decline(id, declineCode string) error {
	s.mu.Lock()
	cs, ok := s.sessions[id]
	if !ok || cs.Status != "open" {
		s.mu.Unlock()
		return fmt.Errorf("stripetest: session %s is not open", id)
	}
	cs.Attempts++
	snap := cs.copy()
	s.mu.Unlock()
	return s.deliver("payment_intent.payment_failed", PaymentFailedEvent(snap, declineCode, "Your card was declined.", "0002"))
}

// deliver sends an event to the webhook URL, signed, and records it.
func (s *Server) deliver(typ string, payload []byte) error {
	s.mu.Lock()
	target := s.opts.WebhookURL
	s.mu.Unlock()
	if target == "" {
		return nil
	}
	d := Delivery{Type: typ}
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(payload))
	if err == nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Stripe-Signature", Sign(payload, s.opts.WebhookSecret, time.Now()))
		var res *http.Response
		if res, err = s.client.Do(req); err == nil {
			res.Body.Close()
			d.Status = res.StatusCode
			if res.StatusCode/100 != 2 {
				err = fmt.Errorf("the webhook answered %s", res.Status)
			}
		}
	}
	if err != nil {
		d.Err = fmt.Errorf("stripetest: deliver %s: %w", typ, err)
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.mu.Unlock()
	return d.Err
}
