// Package smtp sends email through an SMTP server, with
// github.com/wneessen/go-mail: a sender.Sender.
//
// Each message goes out with a plain-text part and an HTML part (the same
// words, the link clickable) and a Message-ID made from the outbox message
// id, which is also the provider id the hub records. The server accepting
// the message is reported as "sent": SMTP says nothing of delivery. A
// permanent refusal (5xx, such as an unknown mailbox) is reported as failed
// with the server's words; temporary ones (4xx) and connection errors are
// retried by the hub.
//
// SMTP_URL picks the server and how to reach it:
//
//	smtp://user:password@host:587    STARTTLS, required (the default)
//	smtps://user:password@host:465   TLS from the first byte
//	smtp://host:25?tls=none          no TLS: only for a relay on a trusted network
package smtp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/tandemhq/tandem/hub/sender"
	"github.com/tandemhq/tandem/room"
	"github.com/tandemhq/tandem/store"
)

// Provider is this sender's name in the hub.
const Provider = "smtp"

var _ sender.Sender = (*Sender)(nil)

// TLS is how the connection to the server is protected.
type TLS string

// The TLS modes.
const (
	StartTLS TLS = "starttls" // upgrade with STARTTLS, and refuse a server that cannot
	Implicit TLS = "tls"      // TLS from the first byte (port 465)
	NoTLS    TLS = "none"     // plain text: a relay on a trusted network only
)

// Options configure a Sender.
type Options struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      TLS
	// From is the sender, "Acme <noreply@acme.example>" or a bare address.
	From string
	// HELO is the name given to the server; default "localhost". Strict
	// servers refuse a machine's bare host name.
	HELO string
	// Timeout bounds each SMTP exchange; default 30 s.
	Timeout time.Duration
}

// ParseURL reads SMTP_URL into Options (From is set apart).
func ParseURL(raw string) (Options, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return Options{}, fmt.Errorf("SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…")
	}
	o := Options{Host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		o.TLS, o.Port = StartTLS, 587
	case "smtps":
		o.TLS, o.Port = Implicit, 465
	default:
		return Options{}, fmt.Errorf("SMTP_URL must start with smtp:// or smtps://, not %s://", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if o.Port, err = strconv.Atoi(p); err != nil || o.Port <= 0 || o.Port > 65535 {
			return Options{}, fmt.Errorf("SMTP_URL: %q is not a port", p)
		}
	}
	switch t := u.Query().Get("tls"); t {
	case "":
	case string(NoTLS):
		if u.Scheme == "smtps" {
			return Options{}, errors.New("SMTP_URL: smtps:// is TLS; tls=none contradicts it")
		}
		o.TLS = NoTLS
	default:
		return Options{}, fmt.Errorf("SMTP_URL: tls=%s is not known (only tls=none)", t)
	}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	return o, nil
}

// Sender sends email through one SMTP server.
type Sender struct {
	opts Options
}

// New checks o and returns a Sender; it does not connect.
func New(o Options) (*Sender, error) {
	if o.Host == "" || o.Port == 0 {
		return nil, errors.New("smtp: host and port are required")
	}
	if o.From == "" {
		return nil, errors.New("smtp: the From address is required")
	}
	m := mail.NewMsg()
	if err := m.From(o.From); err != nil {
		return nil, fmt.Errorf("smtp: From %q: %w", o.From, err)
	}
	if o.HELO == "" {
		o.HELO = "localhost"
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.TLS == "" {
		o.TLS = StartTLS
	}
	return &Sender{opts: o}, nil
}

// Send implements sender.Sender.
func (s *Sender) Send(ctx context.Context, m store.Message) (sender.Receipt, error) {
	if m.Channel != room.ChannelEmail {
		return sender.Receipt{}, &sender.SendError{Provider: Provider, Status: room.DeliveryFailed, Reason: fmt.Sprintf("SMTP sends email, not %s", m.Channel)}
	}
	msg, id, err := s.message(m)
	if err != nil {
		return sender.Receipt{}, err
	}
	c, err := s.client()
	if err != nil {
		return sender.Receipt{}, err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return sender.Receipt{}, classify(err)
	}
	return sender.Receipt{Provider: Provider, ID: id, Status: room.DeliverySent}, nil
}

// message builds the email of m and returns its Message-ID.
func (s *Sender) message(m store.Message) (*mail.Msg, string, error) {
	msg := mail.NewMsg()
	if err := msg.From(s.opts.From); err != nil {
		return nil, "", fmt.Errorf("smtp: From: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, "", &sender.SendError{Provider: Provider, Status: room.DeliveryInvalid, Reason: fmt.Sprintf("%q is not an email address", m.To)}
	}
	msg.Subject(m.Subject)
	domain := "tandem.local"
	if _, d, ok := strings.Cut(s.opts.From, "@"); ok {
		domain = strings.TrimRight(d, ">")
	}
	id := m.ID + "@" + domain
	msg.SetMessageIDWithValue(id)
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	msg.AddAlternativeString(mail.TypeTextHTML, htmlBody(m.Body, m.Link))
	if a := m.Attachment; a != nil {
		msg.AttachReadSeeker(a.Name, bytes.NewReader(a.Content), mail.WithFileContentType(mail.ContentType(a.ContentType)))
	}
	return msg, "<" + id + ">", nil
}

// htmlBody is body as HTML, with link (if it is in body) clickable.
func htmlBody(body, link string) string {
	esc := html.EscapeString(body)
	if link != "" {
		a := html.EscapeString(link)
		esc = strings.Replace(esc, a, `<a href="`+a+`">`+a+`</a>`, 1)
	}
	return `<!doctype html><html><body style="font-family: sans-serif; font-size: 16px; line-height: 1.5"><p>` + esc + `</p></body></html>`
}

func (s *Sender) client() (*mail.Client, error) {
	opts := []mail.Option{mail.WithTimeout(s.opts.Timeout), mail.WithHELO(s.opts.HELO)}
	switch s.opts.TLS {
	case Implicit:
		opts = append(opts, mail.WithSSL())
	case NoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.opts.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.opts.Username), mail.WithPassword(s.opts.Password))
	}
	// Last: the options above may set a port of their own.
	opts = append(opts, mail.WithPort(s.opts.Port))
	c, err := mail.NewClient(s.opts.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return c, nil
}

// classify turns a permanent refusal into a sender.SendError; the rest is
// retried.
func classify(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return &sender.SendError{Provider: Provider, Status: room.DeliveryFailed, Code: strconv.Itoa(se.ErrorCode()),
			Reason: "the mail server refused the message: " + reason(se)}
	}
	return fmt.Errorf("smtp: %w", err)
}

// reason is the server's words in a SendError, without go-mail's reason
// and the recipient and message id it appends.
func reason(se *mail.SendError) string {
	msg := se.Error()
	if i := strings.Index(msg, ", affected "); i >= 0 {
		msg = msg[:i]
	}
	if _, after, ok := strings.Cut(msg, ": "); ok {
		msg = after
	}
	return msg
}
