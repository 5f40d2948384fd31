// The customer's values of a document's fields as they are typed, ticked
// and signed: each checked as it changes, then saved to the hub (typed
// text after a pause, anything else at once), one save at a time per
// field, with what went wrong in words.
import { useRef, useState } from "preact/hooks";
import { call, docURL, message, type APIError, type Doc, type Field } from "./roomapi";
import { isFilled, normalized, problem } from "./validate";

export type SaveState = "" | "saving" | "saved";

// typingPause is how long typing rests before a text is saved.
const typingPause = 700;

export function useFieldValues(docID: string, onDoc: (d: Doc) => void) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<Record<string, SaveState>>({});
  // saves counts the saves that went through, for a quiet "Saved".
  const [saves, setSaves] = useState(0);
  // remote is what the hub has; pending the saves waiting for typing to rest.
  const remote = useRef<Record<string, string>>({});
  const pending = useRef(new Map<string, { timer: ReturnType<typeof setTimeout>; run: () => void }>());
  const chains = useRef(new Map<string, Promise<boolean>>());

  const mark = <T,>(set: (f: (m: Record<string, T>) => Record<string, T>) => void, id: string, v: T) => set((m) => ({ ...m, [id]: v }));

  const send = (f: Field, v: string): Promise<boolean> => {
    mark(setSaved, f.id, "saving" as SaveState);
    const before = chains.current.get(f.id) ?? Promise.resolve(true);
    // Too many changes in a minute: the hub says when to try again, once.
    const put = () =>
      call<{ document: Doc }>("PUT", docURL(docID, "/fields/" + f.id), { value: v }).catch((err: APIError) => {
        if (err.status !== 429) throw err;
        return new Promise((ok) => setTimeout(ok, (err.retryAfter ?? 5) * 1000)).then(() => call<{ document: Doc }>("PUT", docURL(docID, "/fields/" + f.id), { value: v }));
      });
    const p = before.then(() =>
      put().then(
        (r) => {
          remote.current[f.id] = v;
          onDoc(r.document);
          mark(setSaved, f.id, "saved" as SaveState);
          mark(setProblems, f.id, "");
          setSaves((n) => n + 1);
          return true;
        },
        (err) => {
          mark(setSaved, f.id, "" as SaveState);
          mark(setProblems, f.id, sentence(message(err)));
          return false;
        },
      ),
    );
    chains.current.set(f.id, p);
    return p;
  };

  // set takes a new value of f (raw, as typed); badInput is the input's
  // own report of a value it cannot read (a date typed in part).
  const set = (f: Field, raw: string, badInput = false) => {
    mark(setValues, f.id, raw);
    const v = normalized(f, raw);
    const wrong = problem(f, v, badInput);
    mark(setProblems, f.id, wrong);
    const waiting = pending.current.get(f.id);
    if (waiting) clearTimeout(waiting.timer);
    pending.current.delete(f.id);
    if (wrong) return;
    if ((remote.current[f.id] ?? "") === v) {
      mark(setSaved, f.id, (v ? "saved" : "") as SaveState);
      return;
    }
    if (f.type === "text" || f.type === "number") {
      mark(setSaved, f.id, "" as SaveState);
      const run = () => {
        pending.current.delete(f.id);
        send(f, v);
      };
      pending.current.set(f.id, { timer: setTimeout(run, typingPause), run });
    } else {
      send(f, v);
    }
  };

  // flush saves what is waiting for typing to rest and reports whether
  // every save so far went through.
  const flush = async (): Promise<boolean> => {
    for (const w of [...pending.current.values()]) {
      clearTimeout(w.timer);
      w.run();
    }
    const all = await Promise.all(chains.current.values());
    return all.every(Boolean);
  };

  // load takes the values the hub has (a reload, another tab).
  const load = (vs: Record<string, string>) => {
    remote.current = { ...vs };
    setValues({ ...vs });
    setProblems({});
  };

  // ok reports whether f holds a value the hub will take.
  const ok = (f: Field) => isFilled(f, values[f.id]) && !problems[f.id];

  return { values, problems, saved, saves, set, flush, load, ok };
}

// sentence starts s with a capital, as the hub's messages do not.
export function sentence(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
