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
// through the sandbox, where no money moves. STRIPE_API_URL points the
// Stripe client elsewhere than api.stripe.com (a fake, in tests).
type paymentConfig struct {
	StripeSecretKey     string
	StripeWebhookSecret string
	StripeAPIURL        string
}

func readPaymentConfig(getenv func(string) string) (paymentConfig, error) {
	c := paymentConfig{StripeSecretKey: getenv("STRIPE_SECRET_KEY"), StripeWebhookSecret: getenv("STRIPE_WEBHOOK_SECRET"), StripeAPIURL: getenv("STRIPE_API_URL")}
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

// openPayments makes the configured payment provider.
func openPayments(c paymentConfig, log zerolog.Logger) (payment.Provider, error) {
	if c.StripeSecretKey == "" {
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
