// Module-system calls the renderer may write: only the listed lib functions, evaluated for real.
import { describe, expect, it } from "vitest";
import { NixCall, mkForce, renderValue } from "../../src/nixos/render.js";
import { evalNixExpr, STUB_LIB_PATH } from "../helpers/nix.js";

describe("NixCall", () => {
  it("renders lib.mkForce with an escaped argument that evaluates like the real lib", async () => {
    const text = renderValue({ Restart: mkForce('no"; ${x}') });
    expect(text).toContain('(lib.mkForce "no\\"; \\${x}")');
    const value = await evalNixExpr(`let lib = import ${STUB_LIB_PATH}; in ${text}`);
    expect(value).toEqual({ Restart: { _type: "override", priority: 50, content: 'no"; ${x}' } });
  });
  it("refuses functions outside the list", () => {
    expect(() => renderValue(new NixCall("builtins.exec" as any, "x"))).toThrow(/not a function nixi writes/);
  });
});
