// Declining a document: a small dialog that offers to say why (it is
// optional) and tells the agent through the hub.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, docURL, message, type Doc } from "./roomapi";

type Props = { doc: Doc; onDeclined: (d: Doc) => void; onClose: () => void };

export function DeclineDialog({ doc, onDeclined, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => {
    const d = dialog.current!;
    d.showModal();
    return () => d.open && d.close();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const r = await call<{ document: Doc }>("POST", docURL(doc.id, "/decline"), { reason: reason.trim() });
      onDeclined(r.document);
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };
  return (
    <dialog
      ref={dialog}
      class="sheet"
      aria-labelledby="decline-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={submit}>
        <h2 id="decline-title">Decline “{doc.name}”?</h2>
        <p class="muted">Your agent will see that you declined. You will not be able to fill or sign it afterwards.</p>
        <label for="decline-reason">Reason (optional)</label>
        <textarea id="decline-reason" rows={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        {error && (
          <p class="problem" role="alert">
            {error}
          </p>
        )}
        <div class="buttons">
          <span class="grow" />
          <button type="button" class="secondary" onClick={onClose}>
            Keep it
          </button>
          <button type="submit" class="danger" id="decline-submit" disabled={busy}>
            Decline
          </button>
        </div>
      </form>
    </dialog>
  );
}
