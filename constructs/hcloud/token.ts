// Token.isUnresolved without loading cdktf for plain strings: every string token cdktf 0.21
// encodes carries "TfToken[" (lib/tokens/private/encoding.js: ${TfToken[, #{TfToken[, &{TfToken[),
// so a string without it is a literal. Validating a deployment file then needs no cdktf at all,
// which keeps a refused file's run short; anything else is asked of cdktf itself.
import type * as cdktf from "cdktf";

export const Token = {
  isUnresolved(value: unknown): boolean {
    if (typeof value === "string" && !value.includes("TfToken[")) return false;
    return (require("cdktf") as typeof cdktf).Token.isUnresolved(value);
  },
};
