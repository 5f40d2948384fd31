// The console's calls to the hub's REST API (docs/protocol.md), with the
// session cookie the hub sets at sign-in, and the hub's errors in words.

import type { Me } from "./types";

// APIError is the hub's error: code for programs, message for people;
// fields names the fields at fault, when there are some.
export type APIError = { code: string; message: string; fields?: string[] };

// statusWords says what an answer without the hub's own error means, as
// when a proxy in front of it refuses a body too large.
function statusWords(status: number): string {
  switch (status) {
    case 413: return "The file is too large for the hub.";
    case 429: return "Too many requests: wait a moment and try again.";
    case 502: case 503: case 504: return "The hub cannot be reached right now: try again in a moment.";
  }
  return "The hub answered " + status + ".";
}

async function answer<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err: APIError = data.error ?? { code: "http_" + res.status, message: statusWords(res.status) };
    if (!err.message) err.message = statusWords(res.status);
    throw err;
  }
  return data as T;
}

// failed turns what fetch threw (the network, not the hub) into words.
function failed(err: unknown): never {
  if (err && typeof err === "object" && "code" in err) throw err;
  throw { code: "network", message: "The hub cannot be reached: check the connection and try again." } as APIError;
}

// api calls the hub and returns the JSON answer, or throws the hub's error.
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  try {
    const res = await fetch("/api/v1" + path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return await answer<T>(res);
  } catch (err) {
    return failed(err);
  }
}

// upload posts a multipart/form-data body to the hub.
export async function upload<T>(path: string, form: FormData): Promise<T> {
  try {
    const res = await fetch("/api/v1" + path, { method: "POST", credentials: "same-origin", body: form });
    return await answer<T>(res);
  } catch (err) {
    return failed(err);
  }
}

// message is what to show of anything a call threw.
export function message(err: unknown): string {
  return (err as APIError)?.message ?? String(err);
}

// checkSignedIn shows the sign-in page if the agent was signed out
// (elsewhere, or the session expired): a socket refused before opening
// may be why, and knocking forever would not help.
export function checkSignedIn() {
  whoami().then((me) => { if (!me) location.reload(); }).catch(() => undefined);
}

// whoami is who is signed in, or null: GET /whoami answers 200 either
// way, so that opening the console signed out logs no failed request.
export async function whoami(): Promise<Me | null> {
  const r = await api<{ signed_in: boolean } & Me>("GET", "/whoami");
  return r.signed_in ? { user: r.user, account: r.account } : null;
}
