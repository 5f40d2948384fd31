package stripetest

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// page is the checkout page of a session.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	cs, ok := s.Session(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	render(w, http.StatusOK, cs, "")
}

// pay is the page's form: outcome "pay" or "decline".
func (s *Server) pay(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cs, ok := s.Session(id)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.FormValue("outcome") == "decline" {
		err := s.Decline(id, "generic_decline")
		msg := "Your card was declined."
		if err != nil {
			msg = err.Error()
		}
		cs, _ = s.Session(id)
		render(w, http.StatusOK, cs, msg)
		return
	}
	if err := s.Pay(id); err != nil {
		cs, _ = s.Session(id)
		render(w, http.StatusBadGateway, cs, err.Error())
		return
	}
	http.Redirect(w, r, strings.ReplaceAll(cs.SuccessURL, "{CHECKOUT_SESSION_ID}", cs.ID), http.StatusSeeOther)
}

var pageTmpl = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pay {{.Name}} — fake Stripe Checkout</title></head>
<body>
<h1 id="name">{{.Name}}</h1>
<p id="amount">{{.Amount}} {{.Currency}}</p>
{{if .Message}}<p id="message" role="alert">{{.Message}}</p>{{end}}
{{if eq .Status "open"}}
<form method="post">
<button id="pay" type="submit" name="outcome" value="pay">Pay</button>
<button id="decline" type="submit" name="outcome" value="decline">Pay with a declined card</button>
</form>
{{else}}<p id="status">This checkout is {{.Status}}.</p>{{end}}
{{if .CancelURL}}<a id="cancel" href="{{.CancelURL}}">Back</a>{{end}}
</body></html>`))

func render(w http.ResponseWriter, status int, cs Session, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, map[string]any{
		"Name":      cs.Name,
		"Amount":    fmt.Sprintf("%d.%02d", cs.Amount/100, cs.Amount%100),
		"Currency":  strings.ToUpper(cs.Currency),
		"Status":    cs.Status,
		"CancelURL": cs.CancelURL,
		"Message":   msg,
	})
}
