package tandem

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of an account's settings.
const (
	maxRemindAfterHours = 30 * 24
	maxReminders        = 10
	maxTemplateLen      = 1000
)

// The default wording of messages, with the placeholders of templates.
const (
	defaultInvite       = "Hi {customer}, {agent} from {company} invited you to a secure room: {link} (valid {valid})"
	defaultReminder     = "Hi {customer}, a reminder: {agent} from {company} is waiting for you in your secure room: {link} (valid {valid})"
	defaultNotice       = "Hi {customer}, {agent} from {company} added something new to your secure room: {link} (valid {valid})"
	defaultEmailSubject = "{company}: your secure room with {agent}"
)

var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// currencyCode is the shape of an ISO 4217 code; which ones payment
// requests take is the room's to say (room.CheckCurrency).
var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// placeholders are those a template may use.
var placeholders = map[string]bool{"{customer}": true, "{agent}": true, "{company}": true, "{link}": true, "{valid}": true}

// ValidateSettings checks an account's settings, field by field, with a
// message naming the field at fault.
func ValidateSettings(s AccountSettings) (AccountSettings, error) {
	bad := func(format string, args ...any) (AccountSettings, error) {
		return s, Coded(KindInvalid, "invalid_settings", format, args...)
	}
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "Local" {
			return bad("time_zone %q is not an IANA time zone such as Europe/Paris or America/New_York", s.TimeZone)
		}
	}
	if (s.QuietStart == "") != (s.QuietEnd == "") {
		return bad("quiet_start and quiet_end go together")
	}
	for _, f := range []struct{ name, v string }{{"quiet_start", s.QuietStart}, {"quiet_end", s.QuietEnd}} {
		if _, err := clock(f.v); f.v != "" && err != nil {
			return bad("%s %q must be a time of day as HH:MM, such as 20:00", f.name, f.v)
		}
	}
	if s.RemindAfterHours < 0 || s.RemindAfterHours > maxRemindAfterHours {
		return bad("remind_after_hours must be between 1 and %d (0: no reminders)", maxRemindAfterHours)
	}
	if s.RemindMax < 0 || s.RemindMax > maxReminders {
		return bad("remind_max must be between 1 and %d (0: no reminders)", maxReminders)
	}
	switch s.ContactScope {
	case "", "all", "team", "own":
	default:
		return bad("contact_scope must be all, team or own, not %q", s.ContactScope)
	}
	var err error
	s.Currency = strings.ToUpper(strings.TrimSpace(s.Currency))
	if s.Currency != "" && !currencyCode.MatchString(s.Currency) {
		return bad("currency %q must be an ISO 4217 code such as USD, EUR or GBP", s.Currency)
	}
	if s.AccentColor, err = CheckAccentColor(s.AccentColor); err != nil {
		return s, err
	}
	if s.HelpLine, err = CheckHelpLine(s.HelpLine); err != nil {
		return s, err
	}
	if (s.RemindAfterHours == 0) != (s.RemindMax == 0) {
		return bad("remind_after_hours and remind_max go together: set both, or neither for no reminders")
	}
	for _, f := range []struct {
		name, v  string
		needLink bool
	}{{"invite_template", s.InviteTemplate, true}, {"reminder_template", s.ReminderTemplate, true}, {"notice_template", s.NoticeTemplate, true},
		{"email_subject", s.EmailSubject, false}} {
		if f.v == "" {
			continue
		}
		if !utf8.ValidString(f.v) || utf8.RuneCountInString(f.v) > maxTemplateLen {
			return bad("%s must be at most %d characters", f.name, maxTemplateLen)
		}
		// Messages are kept as text, and PostgreSQL's text cannot hold NUL.
		if strings.ContainsRune(f.v, 0) {
			return bad("%s may not contain NUL characters", f.name)
		}
		for _, p := range placeholder.FindAllString(f.v, -1) {
			if !placeholders[p] {
				return bad("%s uses %s; the placeholders are {customer}, {agent}, {company}, {link} and {valid}", f.name, p)
			}
		}
		if f.needLink && !strings.Contains(f.v, "{link}") {
			return bad("%s must contain {link}: the message is how the customer gets to the room", f.name)
		}
		if !f.needLink && strings.ContainsAny(f.v, "\r\n") {
			return bad("%s must be one line", f.name)
		}
	}
	return s, nil
}

// clock reads "HH:MM" as minutes after midnight.
func clock(v string) (int, error) {
	t, err := time.Parse("15:04", v)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Location is the account's time zone; UTC if unset or unknown.
func (s AccountSettings) Location() *time.Location {
	if s.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Quiet reports whether now falls in the account's quiet hours, in its
// time zone. Quiet hours may span midnight (20:00 to 08:00).
func (s AccountSettings) Quiet(now time.Time) bool {
	start, err1 := clock(s.QuietStart)
	end, err2 := clock(s.QuietEnd)
	if err1 != nil || err2 != nil || start == end {
		return false
	}
	local := now.In(s.Location())
	m := local.Hour()*60 + local.Minute()
	if start < end {
		return m >= start && m < end
	}
	return m >= start || m < end
}

// render fills a template's placeholders.
func render(tmpl string, vars map[string]string) string {
	return placeholder.ReplaceAllStringFunc(tmpl, func(p string) string {
		if v, ok := vars[p]; ok {
			return v
		}
		return p
	})
}

// or returns v, or def if v is empty.
func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// MessageKind is what a message carrying a room link is for.
type MessageKind int

const (
	InviteMessage MessageKind = iota
	ReminderMessage
	NoticeMessage
)

// MessageText renders a message of kind to cust, from the account's
// templates.
func MessageText(set AccountSettings, kind MessageKind, customer string, agent, company, link string, ttl time.Duration) (subject, body string) {
	first, _, _ := strings.Cut(customer, " ")
	vars := map[string]string{"{customer}": first, "{agent}": agent, "{company}": company, "{link}": link, "{valid}": HumanDuration(ttl)}
	tmpl := or(set.InviteTemplate, defaultInvite)
	switch kind {
	case ReminderMessage:
		tmpl = or(set.ReminderTemplate, defaultReminder)
	case NoticeMessage:
		tmpl = or(set.NoticeTemplate, defaultNotice)
	}
	return render(or(set.EmailSubject, defaultEmailSubject), vars), render(tmpl, vars)
}

// HumanDuration says d in words for a message: "7 days", "1 hour".
func HumanDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		n := int(d / (24 * time.Hour))
		if n == 1 {
			return "1 day"
		}
		return strconv.Itoa(n) + " days"
	case d%time.Hour == 0:
		n := int(d / time.Hour)
		if n == 1 {
			return "1 hour"
		}
		return strconv.Itoa(n) + " hours"
	default:
		return d.String()
	}
}
