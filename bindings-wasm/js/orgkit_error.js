// The one error class every orgkit failure is thrown as. Imported by the Rust side
// (src/error.rs) so that errors are real `Error` subclasses with a stack, a `code` and a `field`.
export class OrgkitError extends Error {
  constructor(code, message, field, status, family) {
    super(message);
    this.name = "OrgkitError";
    this.code = code;
    this.field = field === null ? undefined : field;
    this.status = status;
    this.family = family;
  }
}
