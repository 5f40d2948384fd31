// The customer's room's header and foot: whose room it is (the company's
// logo and name), the agent (their photo, if they set one), a short
// security note — who the link is for and until when — and the account's
// help line at the foot. The brand comes with the room's state
// (docs/protocol.md, the customer's room).
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { applyBrand } from "./brand";

// RoomBrand is the brand the room's state carries for its customer.
export type RoomBrand = {
  name: string;
  accent_color?: string;
  logo_url?: string;
  help_line?: string;
  agent: { name: string; photo_url?: string };
  expires_at: string;
};

// shortDate says a day as the customer's browser does: "3 Dec", "Dec 3".
function shortDate(iso: string): string {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return "";
  return d.toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

export function RoomHeader({ brand, customer, company, title, compact, children }: {
  brand?: RoomBrand;
  customer?: string;
  company?: string;
  title: string;
  compact: boolean;
  children: ComponentChildren;
}) {
  useEffect(() => {
    if (brand) applyBrand(brand);
  }, [brand?.accent_color, brand?.logo_url]);
  const name = brand?.name || company || "";
  const expires = brand ? shortDate(brand.expires_at) : "";
  return (
    <header class={"room-header" + (compact ? " compact" : "")}>
      <div class="room-brand">
        {brand?.logo_url && <img class="room-logo" id="room-logo" src={brand.logo_url} alt={name ? name + " logo" : "Company logo"} />}
        <p class="room-company" id="company">{name}</p>
      </div>
      <div class="room-agent">
        {brand?.agent.photo_url && <img class="agent-photo" id="agent-photo" src={brand.agent.photo_url} alt="" />}
        <div class="room-agent-text">
          <h1 id="title">{title}</h1>
          {brand && customer && (
            <p class="security-note" id="security-note">
              <svg class="lock" aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
                <path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7H4Zm2 0h4V5a2 2 0 1 0-4 0v2Z" />
              </svg>{" "}
              Secure link for {customer}
              {expires && <> · <span class="nowrap">expires {expires}</span></>}
            </p>
          )}
        </div>
      </div>
      {children}
    </header>
  );
}

// RoomFoot is the account's help line, at the foot of the room.
export function RoomFoot({ brand }: { brand?: RoomBrand }) {
  if (!brand?.help_line) return null;
  return (
    <footer class="room-foot">
      <p class="help-line" id="help-line">{brand.help_line}</p>
    </footer>
  );
}
