// One document, opened by the customer: its pages drawn at the screen's
// width with the agent's values on them and the customer's fields where
// they were placed; Next to the next required field, Finish once every
// required field is filled, Decline. Opening it and each page looked at
// are told to the hub, which tells the agent. A finished or declined
// document reads as such, with the completed PDF to download, and the
// signed copy once the hub has sealed it (live, a moment later).
import { useEffect, useRef, useState } from "preact/hooks";
import { DeclineDialog } from "./decline";
import { FieldBox, ReadOnly } from "./fieldbox";
import { FieldEditor } from "./fieldeditor";
import { sentence, useFieldValues } from "./fieldvalues";
import { Pages } from "./pdfpages";
import { call, docURL, message, type APIError, type Doc, type Field } from "./roomapi";
import { SignaturePadSheet } from "./signaturepad";

type Props = { doc: Doc; onDoc: (d: Doc) => void; onBack: () => void };

// inPageOrder sorts fields as a reader meets them: by page, then top to
// bottom, then left to right.
function inPageOrder(fs: Field[]): Field[] {
  return [...fs].sort((a, b) => a.page - b.page || a.y - b.y || a.x - b.x);
}

export function Signing({ doc, onDoc, onBack }: Props) {
  const fv = useFieldValues(doc.id, onDoc);
  const [loadError, setLoadError] = useState("");
  const [active, setActive] = useState("");
  const [padFor, setPadFor] = useState<Field | null>(null);
  const [declining, setDeclining] = useState(false);
  const [alert, setAlert] = useState("");
  const [busy, setBusy] = useState(false);
  const [justSaved, setJustSaved] = useState(false);
  const seen = useRef(new Set<number>());
  // at is the field the customer was last at: Next goes on from there.
  const at = useRef("");
  const final = doc.status === "completed" || doc.status === "declined";

  // The values the hub has: the agent's, and the customer's own from
  // before a reload (signatures included); again once it is finished.
  useEffect(() => {
    call<{ document: Doc & { values?: Record<string, string> } }>("GET", docURL(doc.id)).then(
      (r) => {
        const { values, ...d } = r.document;
        fv.load(values ?? {});
        onDoc(d);
      },
      (err) => setLoadError(sentence(message(err))),
    );
  }, [doc.id, final]);

  // Opening it is page 1 seen; the hub records the document opened.
  useEffect(() => {
    if (final) return;
    seen.current.add(1);
    call<{ document: Doc }>("POST", docURL(doc.id, "/viewed"), { page: 1 }).then((r) => r.document && onDoc(r.document), () => {});
  }, [doc.id]);
  // "Saved" shows a moment after each save.
  useEffect(() => {
    if (!fv.saves) return;
    setJustSaved(true);
    const t = setTimeout(() => setJustSaved(false), 2500);
    return () => clearTimeout(t);
  }, [fv.saves]);

  // What is still waiting for typing to rest is saved on the way out.
  useEffect(() => () => void fv.flush(), []);
  const onSeen = (n: number) => {
    if (final || seen.current.has(n)) return;
    seen.current.add(n);
    call("POST", docURL(doc.id, "/viewed"), { page: n }).catch(() => {});
  };

  const mine = inPageOrder(doc.fields.filter((f) => f.role === "customer"));
  const missing = mine.filter((f) => f.required && !fv.ok(f));

  // go shows field id and puts the focus on it: in its editor for a typed
  // field, on the field itself for a checkbox or a signature.
  const go = (f: Field) => {
    document.getElementById("field-" + f.id)?.scrollIntoView({ block: "center" });
    if (f.type === "checkbox" || f.type === "signature" || f.type === "initials") {
      setActive("");
      document.getElementById("field-" + f.id)?.focus({ preventScroll: true });
    } else {
      setActive(f.id);
    }
  };
  const next = () => {
    const i = mine.findIndex((f) => f.id === at.current);
    const after = [...mine.slice(i + 1), ...mine.slice(0, i + 1)];
    const f = after.find((f) => f.required && !fv.ok(f));
    if (f) go(f);
  };
  const open = (f: Field) => {
    setAlert("");
    if (f.type === "checkbox") {
      setActive("");
      fv.set(f, fv.values[f.id] === "true" ? (f.required ? "" : "false") : "true");
    } else if (f.type === "signature" || f.type === "initials") {
      setActive("");
      setPadFor(f);
    } else {
      setActive(active === f.id ? "" : f.id);
    }
  };
  const closeEditor = () => {
    const id = active;
    setActive("");
    fv.flush();
    document.getElementById("field-" + id)?.focus({ preventScroll: true });
  };

  const finish = async () => {
    setBusy(true);
    setAlert("");
    setActive("");
    try {
      if (!(await fv.flush())) {
        setAlert("Some fields could not be saved: see the messages on the page.");
        return;
      }
      const r = await call<{ document: Doc }>("POST", docURL(doc.id, "/complete"));
      onDoc(r.document);
      window.scrollTo({ top: 0 });
    } catch (err) {
      setAlert(sentence(message(err)));
      const first = mine.find((f) => (err as APIError).fields?.includes(f.id));
      if (first) go(first);
    } finally {
      setBusy(false);
    }
  };

  // Over each page, its fields in reading order: the order of Tab too.
  const over = (page: number) =>
    inPageOrder(doc.fields.filter((f) => f.page === page))
      .map((f) => {
        const value = fv.values[f.id] ?? "";
        if (f.role !== "customer" || final) return value ? <ReadOnly key={f.id} field={f} value={value} /> : null;
        return [
          <FieldBox key={f.id} field={f} value={value} active={active === f.id} invalid={!!fv.problems[f.id]} onOpen={open} />,
          active === f.id && <FieldEditor key={"editor-" + f.id} field={f} value={value} problem={fv.problems[f.id] ?? ""} saved={fv.saved[f.id] ?? ""} onInput={(v, bad) => fv.set(f, v, bad)} onClose={closeEditor} />,
        ];
      });

  const required = mine.filter((f) => f.required).length;
  // A checkbox or a signature has no editor to show its problem in.
  const untyped = mine.find((f) => (f.type === "checkbox" || f.type === "signature" || f.type === "initials") && fv.problems[f.id]);
  const shown = alert || (untyped ? fv.problems[untyped.id] : "");
  return (
    <section
      class="signing"
      aria-labelledby="doc-title"
      data-doc={doc.id}
      onFocusIn={(e) => {
        const el = (e.target as HTMLElement).closest<HTMLElement>("[data-field], [data-editor]");
        if (el) at.current = el.dataset.field ?? el.dataset.editor ?? "";
      }}
    >
      <div class="doc-head">
        <button type="button" class="back" id="back" onClick={onBack}>
          ‹ All documents
        </button>
        <h2 id="doc-title">{doc.name}</h2>
        <p class="muted" id="doc-summary">
          {doc.pages} {doc.pages === 1 ? "page" : "pages"}
          {!final && required > 0 && " · fields marked * are required"}
        </p>
      </div>
      {doc.status === "completed" && (
        <div class="banner done" id="doc-done" role="status">
          <p>
            <strong>Done — thank you.</strong> Your agent has the completed document.
          </p>
          {doc.signed ? (
            <p>
              Your signed copy carries a digital seal and the record of every step: anyone can check it at <a href="/verify">{location.host}/verify</a>.
            </p>
          ) : (
            <p class="preparing" id="preparing">
              <span class="spinner" aria-hidden="true" />
              Preparing your signed copy…
            </p>
          )}
          <div class="buttons">
            {doc.signed && (
              <a class="button primary" id="download-signed" href={docURL(doc.id, "/signed")} download={doc.name + " (signed).pdf"}>
                Download signed copy
              </a>
            )}
            <a class="button secondary" id="download" href={docURL(doc.id, "/completed")} download={doc.name + ".pdf"}>
              Download the completed PDF
            </a>
          </div>
        </div>
      )}
      {doc.status === "declined" && (
        <div class="banner declined" id="doc-declined" role="status">
          <p>
            <strong>You declined this document.</strong> Your agent has been told. Nothing more can be filled or signed in it.
          </p>
        </div>
      )}
      {loadError && (
        <p class="alert" role="alert">
          {loadError}
        </p>
      )}
      <Pages url={docURL(doc.id, "/file")} pages={doc.pages} over={over} onSeen={onSeen} />
      {!final && (
        <div class="actionbar">
          {shown && (
            <p class="alert" role="alert" id="doc-alert">
              {shown}
            </p>
          )}
          <div class="actions">
            <button type="button" class="quiet" id="decline" onClick={() => setDeclining(true)}>
              Decline
            </button>
            <p id="progress" aria-live="polite">
              {justSaved && <span class="saved">Saved · </span>}
              {missing.length ? missing.length + " to fill" : "All filled"}
            </p>
            {missing.length > 0 && (
              <button type="button" class="secondary" id="next" onClick={next}>
                Next
              </button>
            )}
            <button type="button" class="primary" id="finish" disabled={missing.length > 0 || busy} onClick={finish}>
              {busy ? "Finishing…" : "Finish"}
            </button>
          </div>
        </div>
      )}
      {padFor && (
        <SignaturePadSheet
          field={padFor}
          onApply={(png) => {
            const f = padFor;
            setPadFor(null);
            fv.set(f, png);
            document.getElementById("field-" + f.id)?.focus({ preventScroll: true });
          }}
          onClose={() => {
            const f = padFor;
            setPadFor(null);
            document.getElementById("field-" + f.id)?.focus({ preventScroll: true });
          }}
        />
      )}
      {declining && (
        <DeclineDialog
          doc={doc}
          onDeclined={(d) => {
            setDeclining(false);
            onDoc(d);
            window.scrollTo({ top: 0 });
          }}
          onClose={() => setDeclining(false)}
        />
      )}
    </section>
  );
}
