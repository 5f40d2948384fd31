// The session list's status: one state of a session in the words a person
// reads, and the details behind it for a tooltip.
import { accountZone, exactTime } from "./clock";
import type { Room } from "./types";
import { presence } from "./words";

// Presence is what the list reads of the room's participants: when the
// customer left.
type Presence = { participants?: { role: string; connected: boolean; left_at?: string }[] };

const deliveryDetail: Record<string, string> = {
  sent: "Link sent",
  delivered: "Link delivered",
};

// listStatus is the chip of a session in the list. status keys its color
// (CSS data-status); words say it; detail, if any, goes in a tooltip.
export function listStatus(r: Room & Presence): { status: string; words: string; detail?: string } {
  switch (r.status) {
    case "closed": return { status: "closed", words: "Ended" };
    case "connected": return { status: "connected", words: "Online now" };
    case "left": {
      const left = (r.participants ?? []).find((p) => p.role === "customer" && p.left_at)?.left_at;
      if (!left) return { status: "left", words: "Left" };
      return { status: "left", words: presence(r, accountZone()).words, detail: "The customer left: " + exactTime(new Date(left)) };
    }
    case "pending": return { status: "pending", words: "Pre-planned", detail: "No link sent yet" };
  }
  switch (r.invite_status) {
    case "invalid": return { status: "invalid", words: r.channel === "sms" ? "Invalid number" : "Invalid email address", detail: r.invite?.delivery_reason };
    case "failed": return { status: "failed", words: "Delivery failed", detail: r.invite?.delivery_reason };
  }
  return { status: "waiting", words: "Not opened yet", detail: deliveryDetail[r.invite_status] };
}

// waiting tells whether a session waits for its customer: the link went
// out and was not refused (the hub's status=waiting).
export function waiting(r: Room): boolean {
  return r.status === "invited" && (r.invite_status === "sent" || r.invite_status === "delivered");
}
