// Every insecure-request rule that reads the desired state. The transaction calls newFindings()
// with the state before and after a mutation: only what the change adds is a finding, so an
// unrelated change on a machine that is already insecure is not blocked (the audit reports those).
import type { State } from "../../nixos/state.js";
import type { Finding } from "../../core/findings.js";
import { systemFindings } from "./system.js";
import { containerFindings } from "./containers.js";
import { userFindings } from "./users.js";

export function stateFindings(state: State): Finding[] {
  return [...systemFindings(state), ...containerFindings(state), ...userFindings(state)];
}

export function newFindings(before: State, after: State): Finding[] {
  const old = new Set(stateFindings(before).map((f) => `${f.id}\0${f.what}`));
  return stateFindings(after).filter((f) => !old.has(`${f.id}\0${f.what}`));
}
