// The People page (admins): the account's agents and admins. Invite one by
// email (they choose their password from the email's link), change a
// person's role or team, deactivate them (signed out everywhere at once)
// or reactivate them. Also the page of the invitation's link, where the
// invited person chooses their password and is signed in.
import { useEffect, useState } from "preact/hooks";
import { api, message, type APIError } from "./api";
import type { Me } from "./types";

export type Person = {
  id: string;
  email: string;
  name: string;
  role: "admin" | "agent";
  team: string;
  status: "active" | "invited" | "deactivated";
  created_at: string;
  deactivated_at?: string;
};

const statusWords: Record<Person["status"], string> = { active: "Active", invited: "Invited", deactivated: "Deactivated" };

// fieldOf names the form field an error of the hub is about.
function fieldOf(err: unknown): string {
  switch ((err as APIError)?.code) {
    case "invalid_name": return "name";
    case "invalid_email": case "email_taken": return "email";
    case "invalid_team": return "team";
  }
  return "";
}

export function People({ me }: { me: Me }) {
  const [people, setPeople] = useState<Person[] | null>(null);
  const [error, setError] = useState("");
  const [inviting, setInviting] = useState(false);
  const [notice, setNotice] = useState("");
  const load = () =>
    api<{ users: Person[] }>("GET", "/users")
      .then((r) => { setPeople(r.users); setError(""); })
      .catch((err) => setError(message(err)));
  useEffect(() => { load(); }, []);
  const teams = [...new Set((people ?? []).map((p) => p.team).filter((t) => t))].sort();

  return (
    <main class="page people">
      <div class="bar">
        <h1>People</h1>
        {!inviting && <button type="button" id="person-invite" onClick={() => { setInviting(true); setNotice(""); }}>Invite someone</button>}
      </div>
      <p class="muted">Agents and admins of {me.account.name}. A person you invite gets an email with a link to choose their password.</p>
      {inviting && (
        <InviteForm onDone={(p) => {
          setInviting(false);
          if (p) { setNotice("Invitation sent to " + p.email + "."); load(); }
        }} />
      )}
      <p class="notice-bar" role="status" id="people-notice" hidden={!notice}>{notice}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {people === null ? <p class="muted">Loading…</p> : (
        <ul class="people-list" id="people">
          {people.map((p) => <PersonRow key={p.id} person={p} self={p.id === me.user.id} onChanged={load} onNotice={setNotice} />)}
        </ul>
      )}
      <datalist id="people-teams">{teams.map((t) => <option key={t} value={t} />)}</datalist>
    </main>
  );
}

function InviteForm({ onDone }: { onDone: (p: Person | null) => void }) {
  const [v, setV] = useState({ name: "", email: "", role: "agent", team: "" });
  const [error, setError] = useState("");
  const [bad, setBad] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof v) => (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value });
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    setBad("");
    try {
      const r = await api<{ user: Person }>("POST", "/users", v);
      onDone(r.user);
    } catch (err) {
      setError(message(err));
      setBad(fieldOf(err));
    } finally {
      setBusy(false);
    }
  }
  const invalid = (k: string) => (bad === k ? "true" : undefined);
  return (
    <form class="stack person-form" id="invite-form" onSubmit={submit} aria-labelledby="invite-title" aria-describedby="invite-error">
      <h2 id="invite-title">Invite someone</h2>
      <label>Name <input id="invite-name" name="name" value={v.name} onInput={set("name")} required maxLength={200} autocomplete="off" aria-invalid={invalid("name")} /></label>
      <label>Email <input id="invite-email" name="email" type="email" value={v.email} onInput={set("email")} required autocomplete="off" spellcheck={false} aria-invalid={invalid("email")} /></label>
      <label>
        Role
        <select id="invite-role" name="role" value={v.role} onChange={set("role")}>
          <option value="agent">Agent</option>
          <option value="admin">Admin</option>
        </select>
      </label>
      <label>Team (optional) <input id="invite-team" name="team" value={v.team} onInput={set("team")} maxLength={100} list="people-teams" autocomplete="off" aria-invalid={invalid("team")} /></label>
      <p class="error" id="invite-error" role="alert">{error}</p>
      <div class="bar">
        <button type="submit" id="invite-send" disabled={busy}>Send invitation</button>
        <button type="button" class="link" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}

// PersonRow is one person: their role and team, changed at once, and
// deactivation with a confirmation.
function PersonRow({ person: p, self, onChanged, onNotice }: {
  person: Person; self: boolean; onChanged: () => void; onNotice: (s: string) => void;
}) {
  const [team, setTeam] = useState(p.team);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => setTeam(p.team), [p.team]);
  async function change(patch: Record<string, unknown>, done?: string) {
    setBusy(true);
    setError("");
    try {
      await api("PATCH", "/users/" + p.id, patch);
      setConfirming(false);
      if (done) onNotice(done);
      onChanged();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }
  async function resend() {
    setBusy(true);
    setError("");
    try {
      await api("POST", "/users/" + p.id + "/invitation");
      onNotice("A new invitation was sent to " + p.email + ".");
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }
  const uid = "person-" + p.id;
  return (
    <li class="person" data-email={p.email} data-status={p.status} aria-labelledby={uid + "-name"}>
      <div class="person-who">
        <strong id={uid + "-name"}>{p.name}{self && <span class="muted"> (you)</span>}</strong>
        <span class="chip person-status" data-status={p.status}>{statusWords[p.status]}</span>
        <div class="muted small person-email">{p.email}</div>
      </div>
      <div class="person-edit">
        <label>
          Role
          <select class="person-role" value={p.role} disabled={busy || self || p.status === "deactivated"}
            aria-label={"Role of " + p.name} onChange={(e) => change({ role: (e.target as HTMLSelectElement).value }, p.name + "’s role is changed.")}>
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <form class="person-team" onSubmit={(e) => { e.preventDefault(); change({ team }, p.name + "’s team is changed."); }}>
          <label>
            Team
            <input class="person-team-input" value={team} maxLength={100} list="people-teams" autocomplete="off" placeholder="No team"
              aria-label={"Team of " + p.name} onInput={(e) => setTeam((e.target as HTMLInputElement).value)} />
          </label>
          {team.trim() !== p.team && <button type="submit" class="secondary person-team-save" disabled={busy} aria-label={"Save the team of " + p.name}>Save</button>}
        </form>
      </div>
      <div class="person-actions">
        {p.status === "invited" && (
          <button type="button" class="secondary person-resend" disabled={busy} onClick={resend} aria-label={"Resend invitation to " + p.name}>Resend invitation</button>
        )}
        {p.status === "deactivated" ? (
          <button type="button" class="secondary person-reactivate" disabled={busy} onClick={() => change({ active: true }, p.name + " is active again.")}
            aria-label={"Reactivate " + p.name}>Reactivate</button>
        ) : !self && !confirming ? (
          <button type="button" class="secondary danger person-deactivate" disabled={busy} onClick={() => setConfirming(true)}
            aria-label={"Deactivate " + p.name}>Deactivate</button>
        ) : null}
      </div>
      {confirming && (
        <div class="confirm person-confirm" role="group" aria-label={"Confirm deactivating " + p.name}>
          <p>Deactivate {p.name}? They are signed out at once, everywhere, and can no longer sign in. Their sessions and contacts stay.</p>
          <div class="bar">
            <button type="button" class="danger person-deactivate-confirm" disabled={busy} onClick={() => change({ active: false }, p.name + " is deactivated.")}>Deactivate</button>
            <button type="button" class="link" onClick={() => setConfirming(false)}>Cancel</button>
          </div>
        </div>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </li>
  );
}

// Welcome is the page of the link in an invitation email:
// /invitation?token=… The person chooses a password and is signed in.
export function Welcome({ onDone }: { onDone: () => void }) {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    if (password !== again) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError("");
    try {
      await api("POST", "/invitation/accept", { token, password });
      // The token is spent: take it out of the address bar and history.
      history.replaceState(null, "", "/console");
      onDone();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="page">
      <h1>Welcome to Tandem</h1>
      <p>Choose your password to finish joining. You will be signed in.</p>
      <form class="stack" onSubmit={submit} aria-describedby="welcome-error">
        <label>
          Password (8 characters at least)
          <input id="welcome-password" type="password" autocomplete="new-password" required minLength={8} value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          The same again
          <input id="welcome-password-again" type="password" autocomplete="new-password" required value={again} onInput={(e) => setAgain((e.target as HTMLInputElement).value)} />
        </label>
        <p class="error" id="welcome-error" role="alert">{error}</p>
        <button id="welcome-submit" type="submit" disabled={busy}>Set password and sign in</button>
        <p class="muted small"><a href="/console">Already have a password? Sign in</a></p>
      </form>
    </main>
  );
}
