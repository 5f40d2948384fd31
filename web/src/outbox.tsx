// The dev outbox page.
import { useEffect, useState } from "preact/hooks";
import { api, type APIError } from "./api";
import { useFeed } from "./feed";

type OutboxMessage = { channel: string; to: string; subject?: string; body: string; link?: string; at: string; status: string; room?: string };

// Outbox is the dev outbox: with no SMS or email provider configured the hub
// only keeps messages, and this page shows them with their links, so a
// person can play the customer from the same machine.
export function Outbox() {
  const [msgs, setMsgs] = useState<OutboxMessage[] | null>(null);
  const [error, setError] = useState("");
  const load = () => api<{ messages: OutboxMessage[] }>("GET", "/dev/outbox").then((r) => { setMsgs(r.messages); setError(""); }).catch((err) => setError((err as APIError).message));
  useEffect(() => { load(); }, []);
  // A message usually goes with a change in a room: read again when the
  // feed reports one.
  useFeed(false, () => undefined, () => load());
  return (
    <main class="wide">
      <div class="bar">
        <h1>Dev outbox</h1>
        <button type="button" id="outbox-refresh" onClick={load}>Refresh</button>
      </div>
      <p class="muted">No SMS or email provider is configured, so nothing is really sent: the messages are kept here. Open a link in another window to play the customer.</p>
      {error && <p class="error" role="alert">{error}</p>}
      {msgs === null ? <p class="muted">Loading…</p> : msgs.length === 0 ? <p class="muted" id="outbox-empty">No messages yet.</p> : (
        <ul class="rooms" id="outbox">
          {msgs.map((m, i) => (
            <li key={i} class="message" data-room={m.room ?? ""}>
              <div>
                <strong>{m.channel === "sms" ? "SMS to " + m.to : "Email to " + m.to}</strong> <span class="muted"><time dateTime={m.at}>{new Date(m.at).toLocaleString()}</time> · {m.status}</span>
                {m.subject && <div class="muted">{m.subject}</div>}
                <div class="body">{m.body}</div>
              </div>
              {m.link && <a class="open-link" href={m.link} target="_blank" rel="noopener">Open the link</a>}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

