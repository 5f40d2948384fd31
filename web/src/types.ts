// The hub's objects as the console reads them (docs/protocol.md).

export type Room = {
  id: string;
  seq: number;
  mode: string;
  status: string;
  invite_status: string;
  ever_connected: boolean;
  channel: string;
  customer: { name: string; phone?: string; email?: string };
  invite: null | { channel: string; to: string; attempt: number; delivery?: string; delivery_reason?: string; delivery_code?: string };
  created_at: string;
  updated_at: string;
  agent: { id: string; name: string };
  participants?: { id: string; role: string; connected: boolean; left_at?: string; joined_at?: string }[];
  closed_at?: string;
  outcome?: string;
  documents?: Doc[];
  requests?: DocRequest[];
  payments?: Payment[];
};

export type RoomEvent = { room: string; seq: number; type: string; at: string; actor: { kind: string; name?: string }; data: any };

export type Contact = { id: string; name: string; phone?: string; email?: string };

export type Me = { user: { id: string; name: string; email: string; role: string }; account: { name: string; settings?: { time_zone?: string } } };

export type FieldType = "text" | "number" | "date" | "checkbox" | "select" | "signature" | "initials";

// Field is a box to fill on a page, in fractions (0 to 1) of the page
// from its top-left corner; page counts from 1.
export type Field = {
  id?: string;
  type: FieldType;
  role: "agent" | "customer";
  required: boolean;
  label: string;
  page: number;
  x: number;
  y: number;
  w: number;
  h: number;
  options?: string[];
};

export type Asset = { id: string; name: string; folder: string; pages: number; size: number; fields?: Field[]; updated_at: string };

export type DocStatus = "pending" | "sent" | "opened" | "in_progress" | "completed" | "declined";

// Doc is a document of a room, as its state shows it.
export type Doc = {
  id: string;
  name: string;
  status: DocStatus;
  pages: number;
  content_type: string;
  fields: (Field & { id: string; filled: boolean })[];
  // completed is the SHA-256 of the completed PDF, once finished; signed
  // that of the sealed PDF with its audit trail, once sealed (a moment
  // later, or longer while the timestamp authority is down).
  completed?: string;
  signed?: string;
  added_at: string;
  updated_at: string;
};

export const fieldTypes: { type: FieldType; label: string }[] = [
  { type: "text", label: "Text" },
  { type: "number", label: "Number" },
  { type: "date", label: "Date" },
  { type: "checkbox", label: "Checkbox" },
  { type: "select", label: "Choice" },
  { type: "signature", label: "Signature" },
  { type: "initials", label: "Initials" },
];

// DocumentType is a kind of document of the account's catalog, which
// agents request from customers. code never changes.
export type DocumentType = { id: string; code: string; name: string; category: string; description: string; retired: boolean };

// RequestStatus is where a document request stands: asked for, files
// sent for review, accepted, or rejected (the customer uploads again).
export type RequestStatus = "requested" | "uploaded" | "accepted" | "rejected";

// RequestFile is a file the customer uploaded for a request, in the
// current round.
export type RequestFile = { id: string; name: string; content_type: string; size: number; uploaded_at: string };

// DocRequest is a document the agent asked the customer for, as the
// room's state lists it; reason is the last rejection's. files are those
// of the current round: once rejected, the files rejected, until the
// customer's next upload starts a new round.
export type DocRequest = {
  id: string;
  type: { id: string; code: string; name: string; category: string };
  note?: string;
  status: RequestStatus;
  files: RequestFile[];
  reason?: string;
  added_at: string;
  updated_at: string;
};

// PaymentStatus is where a payment request stands: paid and canceled are
// final; after declined or failed the customer may try again.
export type PaymentStatus = "requested" | "paid" | "declined" | "failed" | "canceled";

// Payment is an amount the agent asked the customer to pay, as the
// room's state lists it; started_at says the customer is at the checkout.
export type Payment = {
  id: string;
  amount: string;
  amount_minor: number;
  currency: string;
  description?: string;
  status: PaymentStatus;
  provider?: string;
  started_at?: string;
  transaction?: string;
  card_last4?: string;
  // code is the provider's, for a declined or failed attempt
  // (card_declined, insufficient_funds…); reason says it in words.
  code?: string;
  reason?: string;
  // canceled_by is who canceled it: the agent withdrew it, or the
  // customer declined to pay.
  canceled_by?: "agent" | "customer";
  requested_at: string;
  updated_at: string;
};
