package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/app"
	"github.com/tandemhq/tandem/hub/payment"
	"github.com/tandemhq/tandem/room"
)

// Payment requests in a room: the agent asks and may withdraw; the
// customer pays through the provider, or declines; the provider's webhook
// says how it went.

// maxWebhookBody bounds a provider's webhook: Stripe's events are a few
// kilobytes, with room to spare for the objects they carry.
const maxWebhookBody = 1 << 20

// paymentIDPattern matches a payment's id in a path.
const paymentIDPattern = "{pay:py_[a-z2-7]{24}}"

// handleRequestPayment serves POST /api/v1/rooms/{id}/payments.
func (s *Server) handleRequestPayment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Amount      json.RawMessage `json:"amount"`
		Currency    string          `json:"currency"`
		Description string          `json:"description"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var amount string
	if err := json.Unmarshal(req.Amount, &amount); err != nil {
		// A number would have gone through a float on the way in many
		// clients: 0.1 + 0.2 is not 0.30.
		s.writeError(w, r, tandem.Coded(tandem.KindInvalid, room.CodeInvalidAmount, `send the amount as a string with at most two decimals, such as "125.50"`))
		return
	}
	p, err := s.app.RequestPayment(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r),
		app.NewPayment{Amount: amount, Currency: req.Currency, Description: req.Description})
	s.answer(w, r, http.StatusCreated, map[string]any{"payment": p}, err)
}

// handleCancelPayment serves POST /api/v1/rooms/{id}/payments/{pay}/cancel:
// the agent withdraws the request, or the customer declines to pay.
func (s *Server) handleCancelPayment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeOptional(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.customerWrite(w, r) {
		return
	}
	p, err := s.app.CancelPayment(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), mux.Vars(r)["pay"], req.Reason)
	s.answer(w, r, http.StatusOK, map[string]any{"payment": p}, err)
}

// handleCheckout serves POST /api/v1/rooms/{id}/payments/{pay}/checkout:
// {"url"} of the provider's page, or {"form":"sandbox"} for the room's own
// card form.
func (s *Server) handleCheckout(w http.ResponseWriter, r *http.Request) {
	if !s.customerWrite(w, r) {
		return
	}
	co, err := s.app.Checkout(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), mux.Vars(r)["pay"])
	s.answer(w, r, http.StatusOK, co, err)
}

// handlePayByCard serves POST /api/v1/rooms/{id}/payments/{pay}/card: the
// sandbox's card form. The number is used for the charge and forgotten.
func (s *Server) handlePayByCard(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Number   string `json:"number"`
		ExpMonth int    `json:"exp_month"`
		ExpYear  int    `json:"exp_year"`
		CVC      string `json:"cvc"`
	}
	if err := decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.customerWrite(w, r) {
		return
	}
	p, err := s.app.PayByCard(r.Context(), principalFrom(r.Context()).Caller, roomIDFrom(r), mux.Vars(r)["pay"],
		payment.Card{Number: req.Number, ExpMonth: req.ExpMonth, ExpYear: req.ExpYear, CVC: req.CVC})
	s.answer(w, r, http.StatusOK, map[string]any{"payment": p}, err)
}

// handlePaymentWebhook serves POST /api/v1/hooks/{provider}: a payment
// provider's signed report (Stripe's webhook).
func (s *Server) handlePaymentWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		s.writeError(w, r, tandem.Errorf(tandem.KindTooLarge, "a webhook is at most %d bytes", maxWebhookBody))
		return
	}
	if err := s.app.PaymentWebhook(r.Context(), mux.Vars(r)["provider"], body, r.Header.Get); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
