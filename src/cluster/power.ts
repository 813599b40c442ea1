// The VM power state machine of API.md: which action is legal in which state and where it
// leads. Pure: the VM object asks before acting and answers 409 with this module's message.

export type PowerState = "POWERED_ON" | "POWERED_OFF" | "SUSPENDED";
export type PowerAction = "start" | "stop" | "reset" | "suspend" | "resume";

export const POWER_ACTIONS: readonly PowerAction[] = ["start", "stop", "reset", "suspend", "resume"];

const LEGAL: Record<PowerAction, { from: readonly PowerState[]; to: PowerState }> = {
  // Starting a suspended VM resumes it, as vSphere's PowerOn does.
  start: { from: ["POWERED_OFF", "SUSPENDED"], to: "POWERED_ON" },
  stop: { from: ["POWERED_ON", "SUSPENDED"], to: "POWERED_OFF" },
  reset: { from: ["POWERED_ON"], to: "POWERED_ON" },
  suspend: { from: ["POWERED_ON"], to: "SUSPENDED" },
  resume: { from: ["SUSPENDED"], to: "POWERED_ON" },
};

/** The state the action leads to, or a message saying why it is not allowed now. */
export function transition(state: PowerState, action: PowerAction): { ok: true; to: PowerState } | { ok: false; message: string } {
  const rule = LEGAL[action];
  if (rule.from.includes(state)) return { ok: true, to: rule.to };
  const need = rule.from.map((s) => s).join(" or ");
  return { ok: false, message: `cannot ${action} a VM that is ${state}; ${action} needs ${need}` };
}
