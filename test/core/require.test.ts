// The missing-program gate: a skip off CI, a failure under CI=1.
import { afterEach, describe, expect, it } from "vitest";
import { needCapability, needProgram } from "../helpers/require.js";

const saved = process.env.CI;
afterEach(() => {
  if (saved === undefined) delete process.env.CI;
  else process.env.CI = saved;
});

describe("needProgram / needCapability", () => {
  it("a present program passes, a missing one skips off CI", () => {
    delete process.env.CI;
    expect(needProgram("sh")).toBe(true);
    expect(needProgram("sh", "nixi-no-such-program")).toBe(false);
    expect(needCapability("x", () => false)).toBe(false);
  });

  it("under CI a missing program or capability throws, naming it", () => {
    process.env.CI = "1";
    expect(() => needProgram("nixi-no-such-program")).toThrow(/nixi-no-such-program/);
    expect(() => needCapability("a thing", () => { throw new Error("no"); })).toThrow(/a thing/);
    expect(needProgram("sh")).toBe(true);
  });
});
