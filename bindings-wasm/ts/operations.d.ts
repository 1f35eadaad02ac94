// ---- orgkit: the typed `call` of the full module (not in `orgkit/guard`), over the
// `Operations` interface core generates from its operation table.

/** The snake_case name of a core operation. */
export type OperationName = keyof Operations;
/** The input of operation `K`. */
export type OperationInput<K extends OperationName> = Operations[K]["input"];
/** The output of operation `K`. */
export type OperationOutput<K extends OperationName> = Operations[K]["output"];

/**
 * Runs core operation `op` on `input` (the surface the shared vectors use).
 * Throws `OrgkitError` with core's code on any failure.
 */
export function call<K extends OperationName>(op: K, input: OperationInput<K>): OperationOutput<K>;
