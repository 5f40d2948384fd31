// The documents the agent sent, as a list to open one from, each with
// where it stands in the customer's words.
import type { Doc } from "./roomapi";

// standing says where a document stands, for the customer.
export function standing(d: Doc): string {
  switch (d.status) {
    case "completed":
      return "Done";
    case "declined":
      return "Declined";
    case "in_progress":
      return "Started";
    default:
      return d.fields.some((f) => f.role === "customer") ? "Waiting for you" : "To read";
  }
}

export function DocumentList({ docs }: { docs: Doc[] }) {
  if (!docs.length) {
    return <p id="waiting">Nothing is waiting for you yet. Keep this page open: what your agent shares appears here.</p>;
  }
  return (
    <ul class="docs" id="documents">
      {docs.map((d) => {
        const final = d.status === "completed" || d.status === "declined";
        return (
          <li key={d.id} data-doc={d.id} class={"doc " + d.status}>
            <div class="doc-name">
              <strong>{d.name}</strong>
              <span class={"chip " + d.status}>{standing(d)}</span>
            </div>
            <a class={"button " + (final ? "secondary" : "primary")} href={"#/documents/" + d.id} aria-label={(final ? "View " : "Open ") + d.name}>
              {final ? "View" : "Open"}
            </a>
          </li>
        );
      })}
    </ul>
  );
}
