package api

import (
	"slices"

	"github.com/gorilla/mux"
)

// RoutesForTest lists the path template of every route of the server and
// the methods it takes there.
func (s *Server) RoutesForTest() map[string][]string {
	out := map[string][]string{}
	_ = s.router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return nil
		}
		ms, err := route.GetMethods()
		if err != nil { // no method matcher: the handler says which it takes
			h, ok := route.GetHandler().(interface{ Allowed() []string })
			if !ok {
				return nil // a subrouter's prefix
			}
			ms = h.Allowed()
		}
		for _, m := range ms {
			if !slices.Contains(out[tpl], m) {
				out[tpl] = append(out[tpl], m)
			}
		}
		return nil
	})
	return out
}
