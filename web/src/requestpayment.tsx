// Tools → Payment Request: an amount (checked as the hub checks it, and
// written with its two decimals once the agent leaves the box), a
// currency (the account's by default), an optional description, Send.
// The customer pays in their room; the payment's bubble follows.
import { useEffect, useState } from "preact/hooks";
import { api, message, type APIError } from "./api";
import { amountProblem, currencies, tidyAmount } from "./money";
import { Sheet } from "./sheet";
import type { Payment } from "./types";

// sentence starts the hub's message with a capital and ends it with a
// full stop.
const sentence = (m: string) => (m ? m[0].toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? "" : ".") : m);

export function RequestPayment({ roomId, preplanned, onClose, onSent }: { roomId: string; preplanned: boolean; onClose: () => void; onSent: (p: Payment) => void }) {
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState("USD");
  const [description, setDescription] = useState("");
  const [problem, setProblem] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  // The account's currency, when an admin set one.
  useEffect(() => {
    api<{ currency?: string }>("GET", "/account/settings")
      .then((s) => s.currency && setCurrency(s.currency))
      .catch(() => undefined);
  }, []);

  const leave = () => {
    if (!amount.trim()) return;
    setAmount(tidyAmount(amount));
    setProblem(amountProblem(amount));
  };

  async function send(e: Event) {
    e.preventDefault();
    const p = amountProblem(amount);
    setProblem(p);
    setError("");
    if (p) return;
    setBusy(true);
    try {
      const r = await api<{ payment: Payment }>("POST", "/rooms/" + roomId + "/payments", { amount: tidyAmount(amount), currency, description: description.trim() || undefined });
      onSent(r.payment);
    } catch (err) {
      if ((err as APIError).code === "invalid_amount") setProblem(sentence(message(err)));
      else setError(message(err));
    } finally {
      setBusy(false);
    }
  }

  // The currency set may be one of the list's; one outside it is kept.
  const list = currencies.includes(currency) ? currencies : [currency, ...currencies];
  return (
    <Sheet id="request-payment" title="Payment Request" onClose={onClose}>
      <form class="stack payment-form" noValidate onSubmit={send} aria-describedby="payment-error">
        <div class="amount-row">
          <label>
            Amount
            <input id="payment-amount" inputMode="decimal" autoComplete="off" value={amount} placeholder="125.50" aria-invalid={problem ? "true" : undefined} aria-describedby="payment-amount-problem"
              onInput={(e) => { setAmount((e.target as HTMLInputElement).value); if (problem) setProblem(""); }} onBlur={leave} />
          </label>
          <label>
            Currency
            <select id="payment-currency" value={currency} onChange={(e) => setCurrency((e.target as HTMLSelectElement).value)}>
              {list.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </label>
        </div>
        <p class="error small" id="payment-amount-problem">{problem}</p>
        <label>
          Description (optional)
          <input id="payment-description" value={description} maxLength={200} placeholder="e.g. Deposit for policy 4411" onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
        </label>
        <p class="error" id="payment-error" role="alert">{error}</p>
        <p class="muted small">{preplanned ? "This session is pre-planned: the request goes out with Invite client." : "The customer sees it at once in their room and pays there."}</p>
        <div class="bar">
          <button type="submit" id="payment-send" disabled={busy}>{busy ? "Sending…" : "Send"}</button>
          <button type="button" class="link" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Sheet>
  );
}
