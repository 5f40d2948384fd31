package main

import (
	"fmt"
	"net/url"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/payment"
	"github.com/tandemhq/tandem/hub/payment/sandbox"
	"github.com/tandemhq/tandem/hub/payment/stripe"
)

// paymentConfig is how the hub collects payment requests: through Stripe
// Checkout with STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (the signing
// secret of the webhook endpoint pointed at /api/v1/hooks/stripe), else
// through the sandbox, where no money moves — by default only while the
// hub reaches no real customer (the dev outbox), and otherwise only if
// TANDEM_PAYMENTS=sandbox says so: a customer reached by a real SMS is
// never shown a form that marks a request paid without money. STRIPE_API_URL
// points the Stripe client elsewhere than api.stripe.com (a fake, in
// tests).
type paymentConfig struct {
	StripeSecretKey     string
	StripeWebhookSecret string
	StripeAPIURL        string
	// Sandbox is TANDEM_PAYMENTS=sandbox: the sandbox even with real
	// senders (a staging hub).
	Sandbox bool
}

func readPaymentConfig(getenv func(string) string) (paymentConfig, error) {
	c := paymentConfig{StripeSecretKey: getenv("STRIPE_SECRET_KEY"), StripeWebhookSecret: getenv("STRIPE_WEBHOOK_SECRET"), StripeAPIURL: getenv("STRIPE_API_URL")}
	switch mode := getenv("TANDEM_PAYMENTS"); mode {
	case "", "stripe":
	case "sandbox":
		c.Sandbox = true
	default:
		return c, fmt.Errorf("TANDEM_PAYMENTS must be sandbox or stripe, not %q", mode)
	}
	if c.Sandbox && c.StripeSecretKey != "" {
		return c, fmt.Errorf("TANDEM_PAYMENTS=sandbox and STRIPE_SECRET_KEY exclude each other: choose one provider")
	}
	if (c.StripeSecretKey == "") != (c.StripeWebhookSecret == "") {
		return c, fmt.Errorf("STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together: payments are known paid only from Stripe's signed webhook")
	}
	if c.StripeAPIURL != "" {
		if u, err := url.Parse(c.StripeAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("STRIPE_API_URL %q must be an http or https URL", c.StripeAPIURL)
		}
	}
	return c, nil
}

// openPayments makes the configured payment provider; nil, with a
// warning, for a hub that reaches real customers (simulation false) with
// neither Stripe nor TANDEM_PAYMENTS=sandbox: it then takes no payment
// requests.
func openPayments(c paymentConfig, simulation bool, log zerolog.Logger) (payment.Provider, error) {
	if c.StripeSecretKey == "" {
		if !c.Sandbox && !simulation {
			log.Warn().Msg("payments: none: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET for Stripe (or TANDEM_PAYMENTS=sandbox on a staging hub); payment requests are refused")
			return nil, nil
		}
		log.Info().Msg("payments: sandbox (no money moves; set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET for Stripe)")
		return &sandbox.Provider{}, nil
	}
	p, err := stripe.New(stripe.Config{SecretKey: c.StripeSecretKey, WebhookSecret: c.StripeWebhookSecret, APIURL: c.StripeAPIURL})
	if err != nil {
		return nil, err
	}
	log.Info().Msg("payments: Stripe Checkout")
	return p, nil
}
