package stripetest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/tandemhq/tandem/hub/payment/stripe/stripetest"
)

// client is stripe-go pointed at fake, with key.
func client(fake *stripetest.Server, key string) *stripego.Client {
	return stripego.NewClient(key, stripego.WithBackends(stripego.NewBackendsWithConfig(&stripego.BackendConfig{
		URL:               stripego.String(fake.URL),
		MaxNetworkRetries: stripego.Int64(0),
		LeveledLogger:     &stripego.LeveledLogger{Level: stripego.LevelNull},
	})))
}

func params(amount int64, key string) *stripego.CheckoutSessionCreateParams {
	p := &stripego.CheckoutSessionCreateParams{
		Mode: stripego.String("payment"),
		LineItems: []*stripego.CheckoutSessionCreateLineItemParams{{
			Quantity: stripego.Int64(1),
			PriceData: &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripego.String("eur"),
				UnitAmount:  stripego.Int64(amount),
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripego.String("Deposit")},
			},
		}},
		SuccessURL: stripego.String("https://hub.example/done"),
		Metadata:   map[string]string{"k": "v"},
	}
	p.SetIdempotencyKey(key)
	return p
}

func TestTheAPIAsStripeGoReadsIt(t *testing.T) {
	ctx := context.Background()
	fake := stripetest.New(t, stripetest.Options{SecretKey: "sk_test_fake0000000"})
	c := client(fake, "sk_test_fake0000000")

	created, err := c.V1CheckoutSessions.Create(ctx, params(2000, "k1"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.V1CheckoutSessions.Retrieve(ctx, created.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != created.ID || got.AmountTotal != 2000 || got.Currency != "eur" || got.Status != "open" ||
		got.PaymentStatus != "unpaid" || got.URL != fake.URL+"/pay/"+created.ID || got.Metadata["k"] != "v" || got.PaymentIntent != nil {
		t.Errorf("retrieved %+v", got)
	}

	_, err = c.V1CheckoutSessions.Retrieve(ctx, "cs_test_none", nil)
	assertStripeError(t, err, http.StatusNotFound, stripego.ErrorTypeInvalidRequest, "resource_missing")

	// The same key with other parameters is refused, as Stripe does.
	_, err = c.V1CheckoutSessions.Create(ctx, params(3000, "k1"))
	assertStripeError(t, err, http.StatusBadRequest, stripego.ErrorTypeIdempotency, "")

	_, err = client(fake, "sk_test_other000000").V1CheckoutSessions.Create(ctx, params(2000, "k2"))
	assertStripeError(t, err, http.StatusUnauthorized, stripego.ErrorTypeInvalidRequest, "")

	if n := len(fake.Sessions()); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
	// Paid without a webhook URL: nothing is sent, the session is paid.
	if err := fake.Pay(created.ID); err != nil {
		t.Fatal(err)
	}
	got, err = c.V1CheckoutSessions.Retrieve(ctx, created.ID, nil)
	if err != nil || got.PaymentStatus != "paid" || got.PaymentIntent == nil || got.PaymentIntent.ID == "" {
		t.Errorf("after paying: %+v, %v", got, err)
	}
	if d := fake.Deliveries(); len(d) != 0 {
		t.Errorf("deliveries without a webhook URL: %+v", d)
	}
}

func assertStripeError(t *testing.T, err error, status int, typ stripego.ErrorType, code string) {
	t.Helper()
	var se *stripego.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not Stripe's", err)
	}
	if se.HTTPStatusCode != status || se.Type != typ || string(se.Code) != code || se.Msg == "" {
		t.Errorf("error %d %s %s %q; want %d %s %s", se.HTTPStatusCode, se.Type, se.Code, se.Msg, status, typ, code)
	}
}
