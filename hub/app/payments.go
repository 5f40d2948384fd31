package app

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/hub/payment"
	"github.com/tandemhq/tandem/room"
)

// Payment requests: the agent asks, the customer pays through the
// configured provider, and the outcome — from the sandbox's form at once,
// or from the provider's signed webhook — is recorded as an event. The
// customer's browser never says whether a payment went through.

// NewPayment is what an agent asks the customer to pay.
type NewPayment struct {
	Amount      string // as people write it: "125.50"
	Currency    string // ISO 4217; empty: the account's default, else USD
	Description string
}

// RequestPayment puts a payment request in the room: agents only; refused
// with payments_unavailable by a hub without a payment provider. In a
// pre-planned room it waits, like everything staged, for Invite client.
func (a *App) RequestPayment(ctx context.Context, c Caller, roomID string, np NewPayment) (room.Payment, error) {
	if err := agentOnly(c, "request a payment"); err != nil {
		return room.Payment{}, err
	}
	if _, err := a.payments(); err != nil {
		return room.Payment{}, err // the customer could not pay it
	}
	if np.Currency == "" {
		acct, err := a.store.Account(ctx, c.Account())
		if err != nil {
			return room.Payment{}, err
		}
		np.Currency = acct.Settings.Currency
		if np.Currency == "" {
			np.Currency = room.DefaultCurrency
		}
	}
	id := room.NewID("py")
	st, err := a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		d, err := room.RequestPayment(s, c.Actor(), room.NewPayment{ID: id, Amount: np.Amount, Currency: np.Currency, Description: np.Description})
		return Plan{Drafts: []room.Draft{d}}, err
	})
	if err != nil {
		return room.Payment{}, err
	}
	p, _ := st.Payment(id)
	return p, nil
}

// CancelPayment withdraws a payment request not paid yet: the agent's
// "Withdraw", or the customer's "Decline to pay".
func (a *App) CancelPayment(ctx context.Context, c Caller, roomID, payID, reason string) (room.Payment, error) {
	return a.paymentStep(ctx, c, roomID, payID, func(s room.State) ([]room.Draft, error) {
		d, err := room.CancelPayment(s, c.Actor(), payID, reason)
		return []room.Draft{d}, err
	})
}

// Checkout is where the customer pays a payment request: the provider's
// page (URL), or the hub's own card form (Form, the provider's name).
type Checkout struct {
	URL  string `json:"url,omitempty"`
	Form string `json:"form,omitempty"`
}

// checkoutLife is how long a checkout stays open at the provider, counted
// from its payment.started (Stripe's longest, 24 hours); checkoutReuse is
// how long after it the same checkout is offered again rather than a new
// one, so that a customer who comes and goes, opens a second tab or tries
// another card after a decline lands on the one page they may pay on.
// Past it a new checkout is opened, leaving the old one at least
// checkoutLife - checkoutReuse to be replaced while still open.
const (
	checkoutLife  = 24 * time.Hour
	checkoutReuse = 23 * time.Hour
)

// Checkout opens the payment of payID for the customer: customers only.
// A paid or canceled request cannot be paid again (payment_paid,
// payment_canceled). For a provider with its own page, payment.started is
// committed first — its time makes the checkout's idempotency key and
// expiry — and the checkout is then asked of the provider: a second call,
// from another tab, instance or retry, within checkoutReuse finds that
// payment.started and asks with the same key, and the provider returns
// the same checkout instead of opening a second one.
func (a *App) Checkout(ctx context.Context, c Caller, roomID, payID string) (Checkout, error) {
	if err := customerOnly(c); err != nil {
		return Checkout{}, err
	}
	prov, err := a.payments()
	if err != nil {
		return Checkout{}, err
	}
	if _, ok := prov.(payment.CardProvider); ok {
		s, err := a.store.Room(ctx, c.Account(), roomID)
		if err != nil {
			return Checkout{}, err
		}
		if _, err := room.StartPayment(s, payID, prov.Name()); err != nil {
			return Checkout{}, err
		}
		return Checkout{Form: prov.Name()}, nil // payment.started goes with the charge
	}
	var s room.State
	s, err = a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		d, err := room.StartPayment(s, payID, prov.Name())
		if err != nil {
			return Plan{}, err
		}
		if p, _ := s.Payment(payID); openCheckout(p, prov.Name(), a.now()) {
			return Plan{}, nil // the checkout opened already
		}
		return Plan{Drafts: []room.Draft{d}}, nil
	})
	if err != nil {
		return Checkout{}, err
	}
	p, _ := s.Payment(payID)
	if p.StartedAt == nil {
		return Checkout{}, tandem.Errorf(tandem.KindInternal, "payment %s has no checkout after payment.started", payID)
	}
	req, err := a.paymentRequest(ctx, s, p, *p.StartedAt)
	if err != nil {
		return Checkout{}, err
	}
	co, err := prov.Start(ctx, req)
	if err != nil {
		return Checkout{}, err
	}
	return Checkout{URL: co.URL}, nil
}

// openCheckout reports whether p has a checkout of provider open at now,
// to be offered again.
func openCheckout(p room.Payment, provider string, now time.Time) bool {
	return p.StartedAt != nil && p.Provider == provider && now.Sub(*p.StartedAt) < checkoutReuse
}

// PayByCard pays payment payID with the card the customer typed in the
// hub's own form (the sandbox): customers only. The attempt and its
// outcome are recorded together; a card that is not one is refused with
// invalid_card and nothing recorded.
func (a *App) PayByCard(ctx context.Context, c Caller, roomID, payID string, card payment.Card) (room.Payment, error) {
	if err := customerOnly(c); err != nil {
		return room.Payment{}, err
	}
	prov, err := a.payments()
	if err != nil {
		return room.Payment{}, err
	}
	cp, ok := prov.(payment.CardProvider)
	if !ok {
		return room.Payment{}, tandem.Coded(tandem.KindConflict, "card_form_unavailable", "payments here go through %s's own page: use checkout", prov.Name())
	}
	s, err := a.store.Room(ctx, c.Account(), roomID)
	if err != nil {
		return room.Payment{}, err
	}
	if _, err := room.StartPayment(s, payID, prov.Name()); err != nil {
		return room.Payment{}, err
	}
	p, _ := s.Payment(payID)
	req, err := a.paymentRequest(ctx, s, p, a.now())
	if err != nil {
		return room.Payment{}, err
	}
	o, err := cp.Charge(ctx, req, card)
	if err != nil {
		return room.Payment{}, err
	}
	return a.paymentStep(ctx, c, roomID, payID, func(s room.State) ([]room.Draft, error) {
		start, err := room.StartPayment(s, payID, prov.Name())
		if err != nil {
			return nil, err
		}
		settle, err := room.SettlePayment(s, outcome(prov.Name(), o))
		return append([]room.Draft{start}, settle...), err
	})
}

// PaymentWebhook reads a provider's webhook (its payload, and its
// headers through header, for the signature) and records the outcome it reports in its room. A webhook
// repeated adds nothing. A payload whose signature does not check is
// refused (bad_signature); one that reports nothing the hub acts on, or an
// outcome the room refuses (another amount, money taken twice), is
// logged and answered as taken, since sending it again cannot change it.
func (a *App) PaymentWebhook(ctx context.Context, provider string, payload []byte, header func(name string) string) error {
	prov, _ := a.cfg.Payments.(payment.WebhookProvider)
	if prov == nil || prov.Name() != provider {
		return tandem.Coded(tandem.KindNotFound, "unknown_provider", "this hub takes no webhooks from %q", provider)
	}
	o, ok, err := prov.Webhook(payload, header(prov.SignatureHeader()))
	if err != nil || !ok {
		return err
	}
	log := a.log.With().Str("provider", provider).Str("account", o.Account).Str("room", o.Room).Str("payment", o.Payment).Logger()
	_, err = a.Commit(ctx, o.Account, o.Room, func(s room.State) (Plan, error) {
		ds, err := room.SettlePayment(s, outcome(provider, o))
		return Plan{Drafts: ds}, err
	})
	var te *tandem.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te) && te.Kind != tandem.KindUnavailable && te.Kind != tandem.KindInternal:
		log.Error().Err(err).Str("transaction", o.Transaction).Msg("a payment outcome the room cannot take: check it at the provider")
		return nil
	}
	return err
}

// outcome is a provider's outcome as the room records it.
func outcome(provider string, o payment.Outcome) room.PaymentOutcome {
	return room.PaymentOutcome{Payment: o.Payment, Provider: provider, Status: room.PaymentStatus(o.Status), Transaction: o.Transaction,
		Code: o.Code, Reason: o.Reason, CardLast4: o.Last4, AmountMinor: o.Amount, Currency: o.Currency}
}

// paymentRequest is payment p of room s as a provider gets it, with the
// idempotency key of an attempt made at since.
func (a *App) paymentRequest(ctx context.Context, s room.State, p room.Payment, since time.Time) (payment.Request, error) {
	back := func(paid bool) string {
		q := url.Values{"payment": {p.ID}}
		if paid {
			q.Set("paid", "1")
		}
		return a.publicURL("/room/"+s.ID, q)
	}
	company := s.Company
	if company == "" {
		acct, err := a.store.Account(ctx, s.Account)
		if err != nil {
			return payment.Request{}, err
		}
		company = acct.Name
	}
	return payment.Request{
		Account: s.Account, Room: s.ID, Payment: p.ID, Amount: p.AmountMinor, Currency: p.Currency, Description: p.Description,
		Company: company, ReturnURL: back(true), CancelURL: back(false),
		IdempotencyKey: p.ID + ":" + strconv.FormatInt(since.UnixMicro(), 10), ExpiresAt: since.Add(checkoutLife),
	}, nil
}

// payments is the configured provider.
func (a *App) payments() (payment.Provider, error) {
	if a.cfg.Payments == nil {
		return nil, tandem.Coded(tandem.KindUnavailable, "payments_unavailable", "this hub takes no payments: it has no payment provider")
	}
	return a.cfg.Payments, nil
}

// PaymentProvider names the configured provider ("" without one).
func (a *App) PaymentProvider() string {
	if a.cfg.Payments == nil {
		return ""
	}
	return a.cfg.Payments.Name()
}

// paymentStep commits what decide makes of the room for payment payID,
// and returns that payment as it then is.
func (a *App) paymentStep(ctx context.Context, c Caller, roomID, payID string, decide func(room.State) ([]room.Draft, error)) (room.Payment, error) {
	st, err := a.Commit(ctx, c.Account(), roomID, func(s room.State) (Plan, error) {
		ds, err := decide(s)
		return Plan{Drafts: ds}, err
	})
	if err != nil {
		return room.Payment{}, err
	}
	p, _ := st.Payment(payID)
	return p, nil
}
