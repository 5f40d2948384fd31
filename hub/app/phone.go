package app

import (
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

// e164 reads raw as a phone number in region when it has no country code
// (an account's PhoneRegion) and returns it in E.164, or refuses it with
// invalid_phone when no such number can exist, before anything is sent.
// libphonenumber knows each country's numbering plan; it cannot tell a
// mobile from a landline everywhere (not in the US), so an SMS to a
// landline is reported later, by the SMS provider.
func e164(raw, region string) (string, error) {
	raw = strings.TrimSpace(raw)
	if _, err := room.NormalizePhone(raw); err != nil {
		return "", err // not even the shape of a number
	}
	n, err := phonenumbers.Parse(raw, strings.ToUpper(region))
	if err != nil {
		return "", tandem.Coded(tandem.KindInvalid, "invalid_phone", "%q is not a phone number: give it with its country code (+44…) or as dialled in %s", raw, region)
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", tandem.Coded(tandem.KindInvalid, "invalid_phone", "%q is not a valid phone number: check the digits and the country code (numbers without one are read as in %s)", raw, region)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// ValidPhoneRegion reports whether region is a region libphonenumber knows
// (ISO 3166-1 alpha-2, "US").
func ValidPhoneRegion(region string) bool {
	return phonenumbers.GetCountryCodeForRegion(strings.ToUpper(region)) != 0
}
