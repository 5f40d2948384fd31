// A payment request of the session as a bubble: the amount, currency and
// description, where it stands (live: the customer at the checkout, paid
// with which card, declined and why), and Withdraw while it is not final.
import { useState } from "preact/hooks";
import { api, message } from "./api";
import { money } from "./money";
import type { Payment } from "./types";

// paymentStatus says where a payment stands, in the agent's words.
function paymentStatus(p: Payment, preplanned = false): string {
  switch (p.status) {
    case "paid":
      return "Paid" + (p.card_last4 ? " · card ending " + p.card_last4 : "");
    case "declined":
      return "Declined" + (p.reason ? ": " + p.reason : "");
    case "failed":
      return "Failed" + (p.reason ? ": " + p.reason : "");
    case "canceled":
      return p.canceled_by === "customer" ? "Canceled · the customer declined to pay" : p.canceled_by === "agent" ? "Canceled · withdrawn" : "Canceled";
  }
  if (preplanned) return "Waiting for Invite client";
  return p.started_at ? "Customer is paying…" : "Requested";
}

// final says whether a payment can change no more.
const final = (p: Payment) => p.status === "paid" || p.status === "canceled";

export function PaymentCard({ roomId, pay, preplanned, onChange }: { roomId: string; pay: Payment; preplanned: boolean; onChange: (p: Payment) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function withdraw() {
    setBusy(true);
    setError("");
    try {
      const r = await api<{ payment: Payment }>("POST", "/rooms/" + roomId + "/payments/" + pay.id + "/cancel", {});
      setConfirming(false);
      onChange(r.payment);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  }

  const paying = pay.status === "requested" && !!pay.started_at && !preplanned;
  const chip = preplanned && pay.status === "requested" ? "pending" : paying ? "paying" : pay.status;
  return (
    <li class="pay-card" data-payment={pay.id} data-status={pay.status}>
      <div class="bar">
        <strong class="pay-amount">{money(pay.amount, pay.currency)}</strong>
        <span class="chip pay-status" data-status={chip}>
          {paying && <span class="spinner" aria-hidden="true" />}
          {paymentStatus(pay, preplanned)}
        </span>
      </div>
      {pay.description && <p class="pay-description">{pay.description}</p>}
      {pay.status === "paid" && pay.transaction && (
        <p class="muted small pay-transaction">
          Transaction <code class="hash">{pay.transaction}</code>
        </p>
      )}
      {(pay.status === "declined" || pay.status === "failed") && <p class="muted small">The customer can try again.</p>}
      {!final(pay) &&
        (confirming ? (
          <div class="bar pay-actions confirm">
            <span class="small">Withdraw this request? The customer can no longer pay it.</span>
            <span class="bar">
              <button type="button" class="danger pay-withdraw-confirm" disabled={busy} onClick={withdraw}>Withdraw</button>
              <button type="button" class="link" onClick={() => setConfirming(false)}>Keep it</button>
            </span>
          </div>
        ) : (
          <div class="bar pay-actions">
            <button type="button" class="secondary pay-withdraw" onClick={() => setConfirming(true)}>Withdraw</button>
          </div>
        ))}
      <p class="error small" role="alert">{error}</p>
    </li>
  );
}
