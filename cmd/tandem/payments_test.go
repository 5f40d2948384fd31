package main

import (
	"testing"

	"github.com/rs/zerolog"

	"github.com/tandemhq/tandem/hub/payment/sandbox"
	"github.com/tandemhq/tandem/hub/payment/stripe"
)

// The sandbox is the simulation's; a hub that reaches real customers
// takes payments only through Stripe, or the sandbox when told so.
func TestPaymentProviderChoice(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, c := range []struct {
		name       string
		getenv     func(string) string
		simulation bool
		want       string // "sandbox", "stripe", "" for none
	}{
		{"the embedded default", env(), true, sandbox.Name},
		{"real senders, nothing said", env(), false, ""},
		{"real senders, a staging hub", env("TANDEM_PAYMENTS", "sandbox"), false, sandbox.Name},
		{"Stripe", env("STRIPE_SECRET_KEY", "sk_test_1", "STRIPE_WEBHOOK_SECRET", "whsec_1"), false, stripe.Name},
		{"Stripe in the simulation", env("STRIPE_SECRET_KEY", "sk_test_1", "STRIPE_WEBHOOK_SECRET", "whsec_1"), true, stripe.Name},
	} {
		pc, err := readPaymentConfig(c.getenv)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		p, err := openPayments(pc, c.simulation, zerolog.Nop())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := ""
		if p != nil {
			got = p.Name()
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	for _, bad := range []func(string) string{
		env("STRIPE_SECRET_KEY", "sk_test_1"),
		env("TANDEM_PAYMENTS", "paypal"),
		env("TANDEM_PAYMENTS", "sandbox", "STRIPE_SECRET_KEY", "sk_test_1", "STRIPE_WEBHOOK_SECRET", "whsec_1"),
		env("STRIPE_SECRET_KEY", "sk_test_1", "STRIPE_WEBHOOK_SECRET", "whsec_1", "STRIPE_API_URL", "ftp://x"),
	} {
		if _, err := readPaymentConfig(bad); err == nil {
			t.Error("a contradictory payment configuration was taken")
		}
	}
}
