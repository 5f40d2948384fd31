// The console's frame: one header on every page (the account, the pages
// a person may open, who is signed in and Sign out) above one page width.
import type { ComponentChildren } from "preact";
import { api } from "./api";
import type { Me } from "./types";

// A place of the console a person may open from the header.
type Place = { path: string; label: string; id: string };

// places are the header's links for me: admins also keep the people and
// the document types, and Settings holds the account's settings for them,
// everyone's own photo for all; the dev outbox exists only in the
// embedded default.
function places(me: Me, outbox: boolean): Place[] {
  const admin = me.user.role === "admin";
  return [
    { path: "/", label: "Sessions", id: "nav-sessions" },
    { path: "/contacts", label: "Address book", id: "nav-contacts" },
    ...(admin ? [
      { path: "/people", label: "People", id: "nav-people" },
      { path: "/document-types", label: "Document types", id: "types-link" },
    ] : []),
    { path: "/settings", label: "Settings", id: "nav-settings" },
    ...(outbox ? [{ path: "/outbox", label: "Dev outbox", id: "outbox-link" }] : []),
  ];
}

// current is the header's place for a route: a session belongs to the
// sessions.
function current(route: string): string {
  if (route.startsWith("/sessions/")) return "/";
  return route;
}

export function Shell({ me, route, outbox, onSignedOut, brand, children }: {
  me: Me; route: string; outbox: boolean; onSignedOut: () => void; brand?: ComponentChildren; children: ComponentChildren;
}) {
  async function signOut() {
    await api("POST", "/logout").catch(() => undefined);
    onSignedOut();
  }
  const here = current(route);
  return (
    <div class="shell">
      <header class="top">
        <div class="top-inner">
          <a class="brand" href="#/" id="brand">{brand ?? <span class="brand-name">{me.account.name}</span>}</a>
          <nav aria-label="Console">
            <ul>
              {places(me, outbox).map((p) => (
                <li key={p.path}><a id={p.id} href={"#" + p.path} aria-current={here === p.path ? "page" : undefined}>{p.label}</a></li>
              ))}
            </ul>
          </nav>
          <p class="who" id="whoami">
            <span class="who-name"><span class="who-label">Signed in as </span>{me.user.name}</span>
            <button class="link" id="signout" type="button" onClick={signOut}>Sign out</button>
          </p>
        </div>
      </header>
      {children}
    </div>
  );
}
