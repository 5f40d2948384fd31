package smtp_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/hub/sender/smtp"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// server is a real SMTP server on loopback (no TLS) that keeps what it
// receives; rcpt-to replies for blocked addresses are reply.
func server(t *testing.T, blocked []string, reply string) *smtpmock.Server {
	t.Helper()
	s := smtpmock.New(smtpmock.ConfigurationAttr{
		HostAddress:               "127.0.0.1",
		MultipleMessageReceiving:  true, // go-mail sends RSET after DATA
		BlacklistedRcpttoEmails:   blocked,
		MsgRcpttoBlacklistedEmail: reply,
	})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

func newSender(t *testing.T, port int, tls smtp.TLS) *smtp.Sender {
	t.Helper()
	s, err := smtp.New(smtp.Options{Host: "127.0.0.1", Port: port, TLS: tls, From: "Acme <noreply@acme.example>", HELO: "tandem.test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var invitation = store.Message{
	ID: "msg_1", Channel: room.ChannelEmail, To: "sam@example.com", Subject: "Acme: your secure room with Ana",
	Body: "Hi Sam, Ana from Acme invited you to a secure room: https://tandem.example/r/abc?x=1&y=2 (valid 7 days)",
	Link: "https://tandem.example/r/abc?x=1&y=2",
}

func TestSendsPlainAndHTML(t *testing.T) {
	srv := server(t, nil, "")
	r, err := newSender(t, srv.PortNumber(), smtp.NoTLS).Send(context.Background(), invitation)
	if err != nil {
		t.Fatal(err)
	}
	if r.Provider != "smtp" || r.ID != "<msg_1@acme.example>" || r.Status != room.DeliverySent {
		t.Fatalf("receipt %+v", r)
	}
	msgs, err := srv.WaitForMessages(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	if !strings.Contains(m.MailfromRequest(), "noreply@acme.example") || !strings.Contains(m.RcpttoRequestResponse()[0][0], "sam@example.com") {
		t.Fatalf("envelope: %q %v", m.MailfromRequest(), m.RcpttoRequestResponse())
	}
	data := m.MsgRequest()
	for _, want := range []string{
		"Subject: Acme: your secure room with Ana", "Message-ID: <msg_1@acme.example>", "To: <sam@example.com>",
		"text/plain", "text/html", `<a href="https://tandem.example/r/abc?x=1&amp;y=2">`,
	} {
		if !strings.Contains(unfold(data), want) {
			t.Errorf("the message lacks %q:\n%s", want, data)
		}
	}
}

// unfold undoes quoted-printable soft line breaks and header folding, so
// that the test reads the message as a mail client would.
func unfold(s string) string {
	s = strings.ReplaceAll(s, "=\r\n", "")
	s = strings.ReplaceAll(s, "=3D", "=")
	return strings.ReplaceAll(s, "\r\n ", " ")
}

// A permanent refusal is final and says why; a temporary one, or a server
// that cannot be reached, is retried.
func TestRefusals(t *testing.T) {
	perm := server(t, []string{"gone@example.com"}, "550 5.1.1 No such user here")
	m := invitation
	m.To = "gone@example.com"
	_, err := newSender(t, perm.PortNumber(), smtp.NoTLS).Send(context.Background(), m)
	var se *sender.SendError
	if !errors.As(err, &se) || se.Status != room.DeliveryFailed || se.Code != "550" || !strings.Contains(se.Reason, "No such user") {
		t.Fatalf("a 550: %v", err)
	}

	temp := server(t, []string{"busy@example.com"}, "451 4.3.0 Try again later")
	m.To = "busy@example.com"
	_, err = newSender(t, temp.PortNumber(), smtp.NoTLS).Send(context.Background(), m)
	if err == nil || errors.As(err, &se) {
		t.Fatalf("a 451 should be retried: %v", err)
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if _, err := newSender(t, port, smtp.NoTLS).Send(context.Background(), invitation); err == nil || errors.As(err, &se) {
		t.Fatalf("a closed port should be retried: %v", err)
	}
}

// STARTTLS is required by default: a server that cannot do it gets
// nothing.
func TestStartTLSIsRequired(t *testing.T) {
	srv := server(t, nil, "")
	if _, err := newSender(t, srv.PortNumber(), smtp.StartTLS).Send(context.Background(), invitation); err == nil {
		t.Fatal("sent in plain text to a server without STARTTLS")
	}
	if n := len(srv.Messages()); n != 0 {
		for _, m := range srv.Messages() {
			if m.Msg() {
				t.Fatalf("the server received the message in plain text")
			}
		}
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want smtp.Options
	}{
		{"smtp://mail.example.com", smtp.Options{Host: "mail.example.com", Port: 587, TLS: smtp.StartTLS}},
		{"smtp://u%40x:p%3Ass@mail.example.com:2525", smtp.Options{Host: "mail.example.com", Port: 2525, TLS: smtp.StartTLS, Username: "u@x", Password: "p:ss"}},
		{"smtps://mail.example.com", smtp.Options{Host: "mail.example.com", Port: 465, TLS: smtp.Implicit}},
		{"smtp://relay:25?tls=none", smtp.Options{Host: "relay", Port: 25, TLS: smtp.NoTLS}},
	} {
		got, err := smtp.ParseURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"mail.example.com", "http://mail.example.com", "smtps://x?tls=none", "smtp://x?tls=maybe", "smtp://x:99999"} {
		if _, err := smtp.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
}

// A message with an attachment carries it, as a file part of its type.
func TestSendsAnAttachment(t *testing.T) {
	srv := server(t, nil, "")
	m := store.Message{ID: "msg_2", Channel: room.ChannelEmail, To: "sam@example.com", Subject: "Acme: your signed copy",
		Body:       "Hi Sam, attached is your signed copy.",
		Attachment: &store.MessageAttachment{Name: "Lease (signed).pdf", ContentType: "application/pdf", SHA256: strings.Repeat("a", 64), Content: []byte("%PDF-1.7 signed")}}
	if _, err := newSender(t, srv.PortNumber(), smtp.NoTLS).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	msgs, err := srv.WaitForMessages(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	data := unfold(msgs[0].MsgRequest())
	for _, want := range []string{"Content-Type: application/pdf", `filename="Lease (signed).pdf"`, "JVBERi0xLjcgc2lnbmVk"} { // base64 of the content
		if !strings.Contains(data, want) {
			t.Errorf("the message lacks %q:\n%s", want, data)
		}
	}
}
