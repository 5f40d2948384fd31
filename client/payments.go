package client

import (
	"context"
	"net/http"

	"github.com/tandemhq/tandem/room"
)

// Payment is a payment request of a room: the hub's own type.
type Payment = room.Payment

// PaymentRequest is what an agent asks a customer to pay.
type PaymentRequest struct {
	// Amount is written with digits and at most two decimals: "125.50".
	Amount string `json:"amount"`
	// Currency is an ISO 4217 code; empty means the account's default.
	Currency    string `json:"currency,omitempty"`
	Description string `json:"description,omitempty"`
}

// Checkout is where the customer pays: the provider's page (URL), or the
// room's own card form (Form names the provider, "sandbox").
type Checkout struct {
	URL  string `json:"url,omitempty"`
	Form string `json:"form,omitempty"`
}

// Card is what the customer types in the sandbox's card form.
type Card struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc"`
}

type paymentAnswer struct {
	Payment Payment `json:"payment"`
}

func (c *Client) paymentPath(roomID string, rest ...string) []string {
	return append([]string{"api", "v1", "rooms", roomID, "payments"}, rest...)
}

// RequestPayment asks the room's customer to pay p. In a pre-planned room
// it waits for Invite. Agents only.
func (c *Client) RequestPayment(ctx context.Context, roomID string, p PaymentRequest) (Payment, error) {
	var out paymentAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, c.paymentPath(roomID)...), p, &out)
	return out.Payment, err
}

// CancelPayment withdraws a payment request not paid yet (an agent), or
// declines to pay it (the customer).
func (c *Client) CancelPayment(ctx context.Context, roomID, payID, reason string) (Payment, error) {
	var out paymentAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, c.paymentPath(roomID, payID, "cancel")...), map[string]string{"reason": reason}, &out)
	return out.Payment, err
}

// Checkout opens the payment of payID: the customer only.
func (c *Client) Checkout(ctx context.Context, roomID, payID string) (Checkout, error) {
	var out Checkout
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, c.paymentPath(roomID, payID, "checkout")...), struct{}{}, &out)
	return out, err
}

// PayByCard pays payID with card on the sandbox: the customer only. The
// payment comes back paid, declined or failed.
func (c *Client) PayByCard(ctx context.Context, roomID, payID string, card Card) (Payment, error) {
	var out paymentAnswer
	err := c.do(ctx, http.MethodPost, c.endpoint(nil, c.paymentPath(roomID, payID, "card")...), card, &out)
	return out.Payment, err
}
