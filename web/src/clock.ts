// One clock for the whole console: the pages that say "2 min ago" read the
// time from it, and all move on together, every 30 seconds.
import { useEffect, useState } from "preact/hooks";

const listeners = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | undefined;

// useNow is the time now, in milliseconds, renewed every 30 seconds while
// the component is shown.
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    listeners.add(setNow);
    if (!timer) timer = setInterval(() => { const t = Date.now(); listeners.forEach((l) => l(t)); }, 30_000);
    return () => {
      listeners.delete(setNow);
      if (listeners.size === 0 && timer) { clearInterval(timer); timer = undefined; }
    };
  }, []);
  return now;
}

// The account's time zone: the console's times are read in it (the
// browser's when the account has none). console.tsx sets it at sign-in.
let zone: string | undefined;
const formats = new Map<string, Intl.DateTimeFormat>();

// setTimeZone sets the account's time zone for every time the console
// writes.
export function setTimeZone(z: string | undefined) {
  zone = z || undefined;
  formats.clear();
}

// accountZone is the zone times are written in.
export function accountZone(): string | undefined {
  return zone;
}

// format is a formatter of opts in the account's zone, kept for reuse.
function format(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(opts);
  let f = formats.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(undefined, { ...opts, timeZone: zone });
    } catch {
      f = new Intl.DateTimeFormat(undefined, opts); // a zone this browser does not know
    }
    formats.set(key, f);
  }
  return f;
}

const time = { format: (d: Date) => format({ hour: "numeric", minute: "2-digit" }).format(d) };
const day = { format: (d: Date) => format({ day: "numeric", month: "short" }).format(d) };
const dayYear = { format: (d: Date) => format({ day: "numeric", month: "short", year: "numeric" }).format(d) };
const full = { format: (d: Date) => format({ dateStyle: "full", timeStyle: "medium" }).format(d) };

// exactTime is a moment written in full, for a tooltip.
export function exactTime(at: Date): string {
  return full.format(at);
}

// ago says how long ago at was, as people say it: "just now", "2 min ago",
// "3 h ago", "yesterday", then the date.
export function ago(at: Date, now: number): string {
  const s = Math.max(0, (now - at.getTime()) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return Math.floor(s / 60) + " min ago";
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  if (at.getTime() >= today.getTime()) return Math.floor(s / 3600) + " h ago";
  if (at.getTime() >= today.getTime() - 86_400_000) return "yesterday " + time.format(at);
  return (at.getFullYear() === today.getFullYear() ? day : dayYear).format(at);
}
