// The SMS / Email choice of Start session, Pre-plan session and Re-engage:
// two radio buttons drawn as one segmented control. They stay real radio
// inputs, so a screen reader reads a group of two, and the arrow keys move
// the choice as in any radio group.
import type { ComponentChild } from "preact";

export type Channel = "sms" | "email";

export function ChannelChoice({ legend, name, value, onChange, ids }: {
  legend: string;
  name: string;
  value: Channel;
  onChange: (c: Channel) => void;
  ids: { sms: string; email: string };
}) {
  const option = (c: Channel, label: string, icon: ComponentChild) => (
    <label class="segment" data-checked={value === c ? "yes" : "no"}>
      <input type="radio" name={name} id={ids[c]} value={c} checked={value === c} onChange={() => onChange(c)} />
      {icon}
      <span>{label}</span>
    </label>
  );
  return (
    <fieldset class="segmented">
      <legend>{legend}</legend>
      <div class="segments">
        {option("sms", "SMS", <ChannelIcon channel="sms" />)}
        {option("email", "Email", <ChannelIcon channel="email" />)}
      </div>
    </fieldset>
  );
}

// ChannelIcon is the picture of a channel, beside words that say it.
export function ChannelIcon({ channel }: { channel: string }) {
  return channel === "sms" ? (
    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><rect x="6" y="2" width="12" height="20" rx="2" /><path d="M11 18h2" /></svg>
  ) : (
    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><rect x="3" y="5" width="18" height="14" rx="2" /><path d="M3 7l9 6 9-6" /></svg>
  );
}
