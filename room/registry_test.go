package room

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// declaredTypes returns the event types the package declares, by value,
// with the name of their constant: every top-level constant of a non-test
// file whose name is Type followed by a capital, such as TypeRoomCreated.
// It reads the source, so a constant added in a new file is found without
// anyone listing it here.
func declaredTypes(t *testing.T) map[string]string {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	types := map[string]string{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					rest, ok := strings.CutPrefix(id.Name, "Type")
					if !ok || rest == "" || !unicode.IsUpper(rune(rest[0])) {
						continue
					}
					var lit *ast.BasicLit
					if i < len(vs.Values) {
						lit, _ = vs.Values[i].(*ast.BasicLit)
					}
					if lit == nil || lit.Kind != token.STRING {
						t.Errorf("%s: %s is not a string literal: declare event types as TypeX = \"subject.what\"", fset.Position(id.Pos()), id.Name)
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					if other, dup := types[v]; dup {
						t.Errorf("%s and %s are both %q", other, id.Name, v)
					}
					types[v] = id.Name
				}
			}
		}
	}
	return types
}

// Every event type the package declares has an applier, and every applier
// is for a declared type: a new type cannot be left out of Apply.
func TestEveryTypeHasAnApplier(t *testing.T) {
	declared := declaredTypes(t)
	for v, name := range declared {
		if _, ok := appliers[v]; !ok {
			t.Errorf("%s (%q) has no applier: register one in an init function of its file", name, v)
		}
	}
	for v := range appliers {
		if _, ok := declared[v]; !ok {
			t.Errorf("%q has an applier but no Type constant", v)
		}
	}
	if len(declared) == 0 {
		t.Fatal("no event types found in the package's source")
	}
}

func TestRegisterRefusesDuplicatesAndBadTypes(t *testing.T) {
	for _, typ := range []string{TypeRoomCreated, "Not a type"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("register(%q) did not panic", typ)
				}
			}()
			register(typ, func(*State, Event) error { return nil })
		}()
	}
	if _, ok := appliers["Not a type"]; ok {
		t.Fatal("a malformed type was registered")
	}
}

// noOp lists the declared types whose events are only a record and change
// nothing in State beyond Seq and UpdatedAt. It is empty today.
var noOp = map[string]bool{}

// A whole session, through every declared event type: each event changes
// the state (or its type is in noOp), so no applier is a forgotten stub.
// A new event type must be added to this session.
func TestEveryTypeChangesState(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	agent := Actor{Kind: ActorAgent, ID: "us_1", Name: "Ana"}
	var s State
	seen := map[string]bool{}
	run := func(ds ...Draft) {
		t.Helper()
		if len(ds) == 0 {
			t.Fatal("a step of the session had no event")
		}
		at = at.Add(time.Minute)
		evs, err := Number("rm_1", s.Seq, at, ds)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			next, err := Apply(s, e)
			if err != nil {
				t.Fatal(err)
			}
			before, after := s, next
			before.Seq, before.UpdatedAt, after.Seq, after.UpdatedAt = 0, time.Time{}, 0, time.Time{}
			switch changed := !reflect.DeepEqual(before, after); {
			case !changed && !noOp[e.Type]:
				t.Errorf("%s #%d changed nothing in State: its applier should, or noOp should list the type", e.Type, e.Seq)
			case changed && noOp[e.Type]:
				t.Errorf("%s #%d changed State, but noOp lists the type", e.Type, e.Seq)
			}
			seen[e.Type] = true
			s = next
		}
	}
	must := func(d Draft, err error) Draft {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	musts := func(ds []Draft, err error) []Draft {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	week := 7 * 24 * time.Hour

	run(must(Create(CreateRoom{Account: "ac_1", Agent: agent, Mode: ModePreplan, Channel: ChannelSMS, Customer: Customer{Name: "Sam Lee", Phone: "+14155550134"}})))
	run(must(Invite(s, InviteCustomer{Agent: agent, Link: "ln_1", ExpiresAt: at.Add(week)})))
	run(musts(ReportDelivery(s, Delivery{Link: "ln_1", Status: DeliveryInvalid}))...)
	run(musts(Reengage(s, ReengageCustomer{Agent: agent, Channel: ChannelEmail, Customer: Customer{Email: "sam@example.com"}, Link: "ln_2", ExpiresAt: at.Add(week)}))...)
	at = at.Add(25 * time.Hour)
	run(Remind(s, RemindCustomer{Policy: RemindPolicy{After: 24 * time.Hour, Max: 1}, Now: at, Link: "ln_3", ExpiresAt: at.Add(week)})...)
	run(musts(CopyLink(s, NewLink{Agent: agent, Link: "ln_3c", ExpiresAt: at.Add(week)}))...)
	run(musts(Resend(s, NewLink{Agent: agent, Link: "ln_3r", ExpiresAt: at.Add(week)}))...)
	lease := NewDocument{Agent: agent, ID: "dc_1", Name: "Lease", File: "f", ContentType: "application/pdf", Pages: 2, Fields: []Field{
		{ID: "agent_ref", Type: FieldText, Role: FieldByAgent, Required: true, Label: "Reference", Page: 1, X: .1, Y: .1, W: .3, H: .05},
		{ID: "sign", Type: FieldSignature, Role: FieldByCustomer, Required: true, Label: "Signature", Page: 2, X: .1, Y: .8, W: .3, H: .1},
	}, Values: map[string]string{"agent_ref": "L-1"}}
	run(Join(s, CustomerParticipant, RoleCustomer, "iPhone Safari")...)
	run(Leave(s, CustomerParticipant, "closed")...)
	run(musts(AddDocument(s, lease))...)
	run(Notice(s, time.Minute, RemindCustomer{Now: at, Link: "ln_4", ExpiresAt: at.Add(week)})...)
	run(Join(s, CustomerParticipant, RoleCustomer, "iPhone Safari")...)
	run(must(ReportActivity(s, Actor{Kind: ActorCustomer}, CustomerParticipant, "viewing", "")))
	run(musts(OpenDocument(s, "dc_1"))...)
	run(must(ViewPage(s, "dc_1", 2)))
	run(must(FillField(s, "dc_1", "sign", "", strings.Repeat("5", 64))))
	run(must(CompleteDocument(s, "dc_1", strings.Repeat("a", 64))))
	run(must(SealDocument(s, DocumentSealed{Document: "dc_1", SHA256: strings.Repeat("b", 64), Size: 1, Certificate: "CN=Seal"})))
	other := lease
	other.ID, other.Name = "dc_2", "Terms"
	run(musts(AddDocument(s, other))...)
	run(must(DeclineDocument(s, "dc_2", "not now")))
	id := NewID("rq")
	run(musts(AddRequests(s, agent, []NewRequest{{ID: id, Type: RequestType{ID: "dt_1", Code: "pay_stub", Name: "Pay stub"}, Note: "last two"}}))...)
	file := func() RequestFile {
		return RequestFile{ID: NewID("fl"), Name: "a.jpg", ContentType: "image/jpeg", Size: 10, SHA256: strings.Repeat("c", 64)}
	}
	first := file()
	run(must(UploadRequestFile(s, id, first)))
	run(must(UploadRequestFile(s, id, file())))
	run(must(RemoveRequestFile(s, id, first.ID)))
	run(must(SubmitRequest(s, id)))
	run(must(ReviewRequest(s, agent, id, DecisionReject, "blurry")))
	run(must(UploadRequestFile(s, id, file())))
	run(must(SubmitRequest(s, id)))
	run(must(ReviewRequest(s, agent, id, DecisionAccept, "")))
	pay := NewID("py")
	run(must(RequestPayment(s, agent, NewPayment{ID: pay, Amount: "125.5", Currency: "usd"})))
	run(must(StartPayment(s, pay, "sandbox")))
	run(musts(SettlePayment(s, PaymentOutcome{Payment: pay, Provider: "sandbox", Status: PaymentDeclined, Code: "card_declined"}))...)
	run(must(StartPayment(s, pay, "sandbox")))
	run(musts(SettlePayment(s, PaymentOutcome{Payment: pay, Provider: "sandbox", Status: PaymentFailed}))...)
	run(must(StartPayment(s, pay, "sandbox")))
	run(musts(SettlePayment(s, PaymentOutcome{Payment: pay, Provider: "sandbox", Status: PaymentPaid, Transaction: "sb_1", AmountMinor: 12550, Currency: "USD"}))...)
	other2 := NewID("py")
	run(must(RequestPayment(s, agent, NewPayment{ID: other2, Amount: "3", Currency: "EUR"})))
	run(must(CancelPayment(s, Actor{Kind: ActorCustomer}, other2, "")))
	run(Leave(s, CustomerParticipant, "timeout")...)
	run(EraseContact(s, agent, "ct_1")...)
	run(musts(Close(s, agent, "done"))...)

	var missing []string
	for v, name := range declaredTypes(t) {
		if !seen[v] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("the session has no event of %s: add a step that records one", strings.Join(missing, ", "))
	}
}
