package app

import (
	"fmt"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// The signed copy by email: an account may have each sealed document sent
// to its customer, as the signed PDF attached to an email
// (AccountSettings.EmailSignedCopy). It goes out through the outbox,
// written with document.sealed, so it is sent once even if the hub stops
// right after sealing; only to a customer invited by email, whose address
// the room knows.

// signedCopy is the email carrying the signed PDF of document d of room s,
// or nil when none is to be sent.
func (a *App) signedCopy(s room.State, acct tandem.Account, d room.Document, signed string) *store.Message {
	if !acct.Settings.EmailSignedCopy || s.Invite == nil || s.Invite.Channel != room.ChannelEmail || s.Customer.Email == "" || s.ContactErased {
		return nil
	}
	company := s.Company
	if company == "" {
		company = acct.Name
	}
	hello := "Hello"
	if s.Customer.Name != "" {
		hello = "Hi " + s.Customer.Name
	}
	body := fmt.Sprintf("%s, attached is the signed copy of %q that you completed with %s from %s. "+
		"Its last pages are the audit trail; you can check its seal at %s.", hello, d.Name, s.Agent.Name, company, a.publicURL("/verify", nil))
	return &store.Message{
		ID: room.NewID("msg"), Account: s.Account, Room: s.ID, Channel: room.ChannelEmail, To: s.Customer.Email,
		Subject: fmt.Sprintf("%s: your signed copy of %s", company, d.Name), Body: body,
		CreatedAt: a.now(), Status: store.MessagePending,
		Attachment: &store.MessageAttachment{Name: d.Name + " (signed).pdf", ContentType: "application/pdf", SHA256: signed},
	}
}
