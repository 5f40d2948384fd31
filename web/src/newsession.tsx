// The dialog of Start session and Pre-plan session.
import { useEffect, useState } from "preact/hooks";
import { api, type APIError } from "./api";
import type { Contact, Room } from "./types";

// NewSession is the dialog of Start session (live: the link goes out at
// once) and Pre-plan session (nothing goes out until Invite client). The
// address book suggests known customers as the agent types.
export function NewSession({ mode, onCreated, onCancel }: { mode: "live" | "preplan"; onCreated: (r: Room) => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [channel, setChannel] = useState<"sms" | "email">("sms");
  const [phone, setPhone] = useState("");
  const [email, setEmail] = useState("");
  const [contact, setContact] = useState("");
  const [suggestions, setSuggestions] = useState<Contact[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  // Suggest contacts for what was typed last, a moment after typing stops.
  const [query, setQuery] = useState("");
  useEffect(() => {
    if (query.trim().length < 2) {
      setSuggestions([]);
      return;
    }
    // Only the answer for what is typed now counts: an earlier search
    // answering late must not replace it.
    let current = true;
    const t = setTimeout(() => {
      api<{ contacts: Contact[] }>("GET", "/contacts?limit=5&q=" + encodeURIComponent(query))
        .then((r) => current && setSuggestions(r.contacts))
        .catch(() => current && setSuggestions([]));
    }, 200);
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [query]);

  function pick(c: Contact) {
    setName(c.name);
    setPhone(c.phone ?? "");
    setEmail(c.email ?? "");
    setChannel(c.phone ? "sms" : "email");
    setContact(c.id);
    setSuggestions([]);
  }

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const customer = { name, phone: phone || undefined, email: email || undefined };
      const r = await api<Room>("POST", "/rooms", { mode, channel, customer, contact: contact || undefined });
      onCreated(r);
    } catch (err) {
      setError((err as APIError).message);
    } finally {
      setBusy(false);
    }
  }

  const typed = (set: (v: string) => void) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    set(v);
    setContact("");
    setQuery(v);
  };

  return (
    <section class="card" aria-labelledby="new-session-title">
      <h2 id="new-session-title">{mode === "live" ? "Start session" : "Pre-plan session"}</h2>
      <form class="stack" onSubmit={submit}>
        <label>
          Customer's name
          <input id="new-name" required autocomplete="off" value={name} onInput={typed(setName)} />
        </label>
        {suggestions.length > 0 && (
          <ul class="suggestions" id="suggestions" aria-label="Known customers">
            {suggestions.map((c) => (
              <li key={c.id}>
                <button type="button" class="link" onClick={() => pick(c)}>
                  {c.name} <span class="muted">{c.phone ?? ""} {c.email ?? ""}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <fieldset>
          <legend>Send the link by</legend>
          <label><input type="radio" name="channel" id="by-sms" checked={channel === "sms"} onChange={() => setChannel("sms")} /> SMS</label>{" "}
          <label><input type="radio" name="channel" id="by-email" checked={channel === "email"} onChange={() => setChannel("email")} /> Email</label>
        </fieldset>
        <label>
          Phone number
          <input id="new-phone" type="tel" autocomplete="off" value={phone} onInput={typed(setPhone)} required={channel === "sms"} />
        </label>
        <label>
          Email
          <input id="new-email" type="email" autocomplete="off" value={email} onInput={typed(setEmail)} required={channel === "email"} />
        </label>
        <p class="error" id="new-error" role="alert">{error}</p>
        <div class="bar">
          <button id="new-submit" type="submit" disabled={busy}>{mode === "live" ? "Start and send the link" : "Pre-plan"}</button>
          <button class="link" type="button" onClick={onCancel}>Cancel</button>
        </div>
      </form>
    </section>
  );
}

