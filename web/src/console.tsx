// The agent console: sign-in, then its pages by the address bar's hash
// (the sessions, a session, the document types, the dev outbox). It talks to the hub only
// through the documented REST and WebSocket API (docs/protocol.md), with
// the session cookie the hub sets at sign-in.
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { setTimeZone } from "./clock";
import { api, whoami } from "./api";
import { BrandMark, useBrand } from "./brand";
import { DocumentTypes } from "./documenttypes";
import { Home } from "./home";
import { Login, Reset } from "./login";
import { Outbox } from "./outbox";
import { Contacts } from "./contacts";
import { People, Welcome } from "./people";
import { SessionView } from "./session";
import { SettingsPage } from "./settings";
import { Shell } from "./shell";
import type { Me } from "./types";

// useRoute is the console's place, from the address bar's hash: #/ (the
// sessions), #/sessions/{id}, #/document-types (admins), #/outbox.
function useRoute(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return hash.replace(/^#/, "") || "/";
}

function Console({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const route = useRoute();
  // Every time the console writes is in the account's zone.
  const zone = me.account.settings?.time_zone;
  useMemo(() => setTimeZone(zone), [zone]);
  // The dev outbox exists only in the embedded default, for admins.
  const [outbox, setOutbox] = useState(false);
  useEffect(() => {
    if (me.user.role !== "admin") return;
    api("GET", "/dev/outbox").then(() => setOutbox(true)).catch(() => setOutbox(false));
  }, [me.user.role]);
  const brand = useBrand();
  const go = (path: string) => { location.hash = "#" + path; };
  const session = route.match(/^\/sessions\/(rm_[a-z2-7]+)$/);
  let page;
  if (session) page = <SessionView key={session[1]} id={session[1]} me={me} onBack={() => go("/")} />;
  else if (route === "/outbox" && outbox) page = <Outbox />;
  else if (route === "/document-types" && me.user.role === "admin") page = <DocumentTypes />;
  else if (route === "/people" && me.user.role === "admin") page = <People me={me} />;
  else if (route === "/contacts") page = <Contacts />;
  else if (route === "/settings") page = <SettingsPage me={me} />;
  else page = <Home open={(id) => go("/sessions/" + id)} />;
  return <Shell me={me} route={route} outbox={outbox} onSignedOut={onSignedOut} brand={brand && <BrandMark brand={brand} />}>{page}</Shell>;
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [resetting, setResetting] = useState(location.pathname === "/password/reset");
  const [changed, setChanged] = useState(false);
  const [welcoming, setWelcoming] = useState(location.pathname === "/invitation");
  const load = () => whoami().then(setMe).catch(() => setMe(null));
  useEffect(() => { if (!welcoming) load(); }, []);
  if (welcoming) return <Welcome onDone={() => { setWelcoming(false); load(); }} />;
  if (resetting) return <Reset onDone={() => { setResetting(false); setChanged(true); setMe(null); }} />;
  if (me === undefined) return <main><p class="muted">Loading…</p></main>;
  if (me === null) return <>{changed && <p class="notice-bar" id="reset-done" role="status">Your password is changed: sign in with it.</p>}<Login onSignedIn={load} /></>;
  // Signing out starts the page afresh: nothing of this person's (the
  // brand, the time zone, the live list) stays for whoever signs in next.
  return <Console me={me} onSignedOut={() => location.reload()} />;
}

render(<App />, document.getElementById("app")!);
