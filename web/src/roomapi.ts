// The hub's API as the customer's room page calls it. Every request says
// ?as=customer: a browser where an agent is signed in too sends both
// cookies, and this page is the customer's (docs/protocol.md).
import type { RoomBrand } from "./roomheader";
import type { DocRequest, Doc as RoomDoc, DocStatus, FieldType, Payment, RequestFile } from "./types";

// APIError is the hub's error, or one this page makes for a failed request.
// retryAfter is the seconds a 429 asks to wait.
export type APIError = { code: string; message: string; fields?: string[]; status?: number; retryAfter?: number };

// The room's documents are the types the console reads too (types.ts).
export type { DocRequest, DocStatus, FieldType, Payment, RequestFile };
// Field is a field of a sent document, as the room's state lists it.
export type Field = RoomDoc["fields"][number];
// Doc is a document of the room, as the room's state lists it.
export type Doc = RoomDoc;

// RoomState is the part of the room's state this page reads.
export type RoomState = {
  seq: number;
  company?: string;
  agent?: { name?: string };
  customer?: { name?: string };
  // brand is what the room shows around it (the customer's view only).
  brand?: RoomBrand;
  documents?: Doc[];
  requests?: DocRequest[];
  payments?: Payment[];
};

// roomID is the room of this page, the last part of its path.
export const roomID = location.pathname.split("/").pop() ?? "";

// roomURL is the address of path under this room, as the customer.
export function roomURL(path: string): string {
  return "/api/v1/rooms/" + roomID + path + "?as=customer";
}

// docURL is the address of path under document doc of this room.
export function docURL(doc: string, path = ""): string {
  return roomURL("/documents/" + doc + path);
}

// call sends a request to the hub and returns its JSON answer, or throws
// an APIError with the hub's words.
export async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw { code: "network", message: "Could not reach the server. Check your connection and try again." } as APIError;
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err: APIError = data.error ?? { code: "http_" + res.status, message: "Something went wrong (" + res.status + "). Try again in a moment." };
    err.status = res.status;
    if (res.status === 429) err.retryAfter = Number(res.headers.get("Retry-After")) || 5;
    throw err;
  }
  return data as T;
}

// said is the hub's message of err as a sentence: a capital first, a
// full stop last.
export function said(err: unknown): string {
  const m = message(err);
  return m[0].toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? "" : ".");
}

// message is what to show for any thrown error.
export function message(err: unknown): string {
  const m = (err as APIError)?.message;
  return typeof m === "string" && m ? m : "Something went wrong. Try again in a moment.";
}

// requestURL is the address of path under document request req.
export function requestURL(req: string, path = ""): string {
  return roomURL("/requests/" + req + path);
}

// paymentURL is the address of path under payment request pay.
export function paymentURL(pay: string, path = ""): string {
  return roomURL("/payments/" + pay + path);
}
