// The payments the agent asked for: the amount, what it is for, Pay and
// Decline to pay. Pay opens the hub's checkout: Stripe's page, or on a
// hub without a payment provider, the sandbox's card form here (no money
// moves). Back from Stripe, the payment reads "confirming" until Stripe
// tells the hub, which tells this page.
import { useState } from "preact/hooks";
import { digits, expiry, expiryInput, luhn, spacedNumber } from "./card";
import { money } from "./money";
import { call, paymentURL, said, type Payment } from "./roomapi";

// returned is the payment the page came back to from Stripe's checkout,
// and whether Stripe said it was paid.
function returned(): { id: string; paid: boolean } {
  const p = new URLSearchParams(location.search);
  return { id: p.get("payment") ?? "", paid: p.get("paid") === "1" };
}

export function PaymentList({ payments, onPayment }: { payments: Payment[]; onPayment: (p: Payment) => void }) {
  const [back] = useState(returned);
  return (
    <ul class="payments" id="payments">
      {payments.map((p) => <PaymentItem key={p.id} pay={p} confirming={back.paid && back.id === p.id} onPayment={onPayment} />)}
    </ul>
  );
}

function PaymentItem({ pay, confirming, onPayment }: { pay: Payment; confirming: boolean; onPayment: (p: Payment) => void }) {
  const [form, setForm] = useState(false);
  const [declining, setDeclining] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const open = pay.status === "requested" || pay.status === "declined" || pay.status === "failed";

  async function checkout() {
    setBusy(true);
    setError("");
    try {
      const r = await call<{ url?: string; form?: string }>("POST", paymentURL(pay.id, "/checkout"));
      if (r.url) {
        location.assign(r.url);
        return; // busy until the page goes
      }
      if (r.form === "sandbox") setForm(true);
      else setError("Payment cannot start right now. Try again in a moment.");
      setBusy(false);
    } catch (err) {
      setError(said(err));
      setBusy(false);
    }
  }

  async function decline() {
    setBusy(true);
    setError("");
    try {
      const r = await call<{ payment: Payment }>("POST", paymentURL(pay.id, "/cancel"), {});
      setDeclining(false);
      onPayment(r.payment);
    } catch (err) {
      setError(said(err));
    } finally {
      setBusy(false);
    }
  }

  const failed = pay.status === "declined" || pay.status === "failed";
  return (
    <li class={"payment " + pay.status} data-payment={pay.id} data-status={pay.status}>
      <div class="payment-head">
        <strong class="payment-amount">{money(pay.amount, pay.currency)}</strong>
        {pay.description && <span class="payment-description">{pay.description}</span>}
      </div>
      {pay.status === "paid" ? (
        <p class="payment-paid" role="status">
          ✓ Paid{pay.card_last4 ? " with the card ending " + pay.card_last4 : ""}. Thank you.
        </p>
      ) : pay.status === "canceled" ? (
        <p class="muted payment-canceled">{pay.canceled_by === "customer" ? "You declined to pay this request." : "Your agent withdrew this request."} Nothing to pay.</p>
      ) : confirming && pay.status === "requested" ? (
        <p class="preparing payment-confirming" role="status">
          <span class="spinner" aria-hidden="true" /> Payment received — confirming…
        </p>
      ) : form ? (
        <CardForm pay={pay} onResult={onPayment} onAgain={() => { setForm(false); checkout(); }} onCancel={() => setForm(false)} />
      ) : (
        <>
          {failed && (
            <p class="alert payment-failed" role="alert">
              {pay.status === "failed" ? "The payment did not go through" : "The payment was declined"}
              {": " + (pay.reason || "try again, or use another card.")}
            </p>
          )}
          {declining ? (
            <div class="banner payment-decline">
              <p>Decline to pay {money(pay.amount, pay.currency)}? Your agent is told.</p>
              <div class="buttons">
                <button type="button" class="danger payment-decline-confirm" disabled={busy} onClick={decline}>Decline to pay</button>
                <button type="button" class="quiet" onClick={() => setDeclining(false)}>Back</button>
              </div>
            </div>
          ) : (
            <div class="buttons">
              <button type="button" class="primary payment-pay" disabled={busy} onClick={checkout}>{busy ? "Opening…" : failed ? "Try again" : "Pay"}</button>
              {open && <button type="button" class="quiet payment-decline-open" onClick={() => setDeclining(true)}>Decline to pay</button>}
            </div>
          )}
        </>
      )}
      <p class="problem small" role="alert">{error}</p>
    </li>
  );
}

// CardForm is the sandbox's card form: a test card pays, no money moves.
function CardForm({ pay, onResult, onAgain, onCancel }: { pay: Payment; onResult: (p: Payment) => void; onAgain: () => void; onCancel: () => void }) {
  const [number, setNumber] = useState("");
  const [exp, setExp] = useState("");
  const [cvc, setCvc] = useState("");
  const [bad, setBad] = useState<{ number?: string; exp?: string; cvc?: string }>({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [declined, setDeclined] = useState("");

  async function pay_(e: Event) {
    e.preventDefault();
    const problems: typeof bad = {};
    if (!luhn(number)) problems.number = "Check the card number.";
    const month = Number(exp.slice(0, 2));
    if (!/^\d{2}\/\d{2}$/.test(exp)) problems.exp = "Enter the expiry as MM/YY.";
    else if (month < 1 || month > 12) problems.exp = "The month is 01 to 12.";
    else if (!expiry(exp)) problems.exp = "This card has expired.";
    if (!/^\d{3,4}$/.test(cvc)) problems.cvc = "Enter the 3 or 4 digits on the back.";
    setBad(problems);
    setError("");
    setDeclined("");
    if (Object.keys(problems).length) return;
    const when = expiry(exp)!;
    setBusy(true);
    try {
      const r = await call<{ payment: Payment }>("POST", paymentURL(pay.id, "/card"), { number: spacedNumber(number), exp_month: when.month, exp_year: when.year, cvc });
      const p = r.payment;
      // Declined, the form says why, with Try again (a new checkout).
      if (p.status === "declined" || p.status === "failed") setDeclined(p.reason || "The card was declined.");
      onResult(p);
    } catch (err) {
      setError(said(err));
    } finally {
      setBusy(false);
    }
  }

  if (declined) {
    return (
      <div class="card-result">
        <p class="alert card-declined" role="alert">Declined: {declined}</p>
        <div class="buttons">
          <button type="button" class="primary card-again" onClick={onAgain}>Try again</button>
          <button type="button" class="quiet" onClick={onCancel}>Back</button>
        </div>
      </div>
    );
  }
  return (
    <form class="card-form" noValidate onSubmit={pay_}>
      <p class="sandbox-banner" role="note">
        <strong>Sandbox: no money moves.</strong> Test card <span class="nowrap">4242 4242 4242 4242</span>
      </p>
      <label for="card-number">Card number</label>
      <input id="card-number" inputMode="numeric" autoComplete="cc-number" placeholder="1234 1234 1234 1234" value={number} aria-invalid={bad.number ? "true" : undefined}
        onInput={(e) => setNumber(spacedNumber((e.target as HTMLInputElement).value))} />
      {bad.number && <p class="problem small">{bad.number}</p>}
      <div class="card-row">
        <span>
          <label for="card-exp">Expiry (MM/YY)</label>
          <input id="card-exp" inputMode="numeric" autoComplete="cc-exp" placeholder="MM/YY" value={exp} aria-invalid={bad.exp ? "true" : undefined}
            onInput={(e) => setExp((old) => expiryInput((e.target as HTMLInputElement).value, old))} />
        </span>
        <span>
          <label for="card-cvc">CVC</label>
          <input id="card-cvc" inputMode="numeric" autoComplete="cc-csc" placeholder="123" maxLength={4} value={cvc} aria-invalid={bad.cvc ? "true" : undefined}
            onInput={(e) => setCvc(digits((e.target as HTMLInputElement).value).slice(0, 4))} />
        </span>
      </div>
      {(bad.exp || bad.cvc) && <p class="problem small">{[bad.exp, bad.cvc].filter(Boolean).join(" ")}</p>}
      <p class="problem small" role="alert">{error}</p>
      <div class="buttons">
        <button type="submit" class="primary card-pay" disabled={busy}>{busy ? "Paying…" : "Pay " + money(pay.amount, pay.currency)}</button>
        <button type="button" class="quiet" onClick={onCancel}>Back</button>
      </div>
    </form>
  );
}
