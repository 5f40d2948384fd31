package room_test

import (
	"strings"
	"testing"

	"github.com/tandemhq/tandem"
	"github.com/tandemhq/tandem/room"
)

// hiddenRunes are Unicode format characters (category Cf) that can
// reverse or hide part of a name on the screens that show it.
var hiddenRunes = map[string]rune{
	"right-to-left override": '\u202e', "left-to-right embedding": '\u202a', "pop directional formatting": '\u202c',
	"first strong isolate": '\u2068', "pop directional isolate": '\u2069', "zero width space": '\u200b',
	"zero width joiner": '\u200d', "right-to-left mark": '\u200f', "byte order mark": '\ufeff',
	"word joiner": '\u2060', "soft hyphen": '\u00ad', "tag space": '\U000e0020',
}

// A customer's name with a format character is refused, with words a
// person can act on; names in any script still pass.
func TestCustomerNameRefusesFormatCharacters(t *testing.T) {
	for what, r := range hiddenRunes {
		_, err := room.ValidateCustomer(room.Customer{Name: "Sam " + string(r) + "eeL", Phone: "4155550134"})
		if tandem.ErrorCode(err) != "invalid_name" || !tandem.IsKind(err, tandem.KindInvalid) {
			t.Errorf("a name with a %s (%U): %v, want invalid_name", what, r, err)
			continue
		}
		if msg := tandem.ErrorMessage(err); !strings.Contains(msg, "invisible") {
			t.Errorf("a name with a %s: the message %q does not say what is wrong", what, msg)
		}
	}
	for _, name := range []string{"Sam Lee", "José Ñúñez-O'Brien", "محمد علي", "李小龍", "Zoë 😀", "Ana María"} {
		if c, err := room.ValidateCustomer(room.Customer{Name: name, Phone: "4155550134"}); err != nil || c.Name != name {
			t.Errorf("%q: %+v, %v", name, c, err)
		}
	}
}
