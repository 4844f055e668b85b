// The Nix renderer: everything it writes parses, and evaluates back to the value it was given.
import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GENERATED_HEADER, nixAttrName, nixString, NixRef, pkgRef, renderModule, renderValue, type NixValue } from "../../src/nixos/render.js";
import { NixiError } from "../../src/core/errors.js";
import { evalModule, evalNixExpr, parseNix } from "../helpers/nix.js";
import { tempDir } from "../helpers/tree.js";

const CONTROL = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join("") + "\x7f";

const STRINGS: Array<[string, string]> = [
  ["empty", ""],
  ["double quotes", 'say "hi" ""'],
  ["backslashes", "C:\\path\\to\\ \\\\ \\n (literal backslash-n) \\"],
  ["interpolation", "${builtins.currentTime} ${x} ${ {a=1;}.a }"],
  ["dollar dollar brace", "$${x} $$${y} $$ $ {z}"],
  ["escaped interpolation", "\\${x} \\\\${y}"],
  ["trailing dollar", "price: 5$"],
  ["lone brace", "{ } ${"],
  ["two single quotes", "'' ''${x} '''"],
  ["indented string escapes", "''\\n ''$ ''' ''"],
  ["newlines", "line1\nline2\n\nline4\n"],
  ["CR and CRLF", "a\rb\r\nc\n\r"],
  ["tabs", "\tindented\t\tcol"],
  ["every control character but NUL", CONTROL],
  ["unicode", "Grüße, 日本語, ÿ, ﬁ, Ω"],
  ["emoji", "😀 👩‍👩‍👧 🏳️‍🌈 \u{1F680}"],
  ["RTL and bidi controls", "שלום مرحبا \u202Eevil\u202C \u200F\u200E\u2066x\u2069"],
  ["zero width and BOM", "\u200B\uFEFFa\u2028b\u2029"],
  ["nix comment starters", "# not a comment /* nor this */"],
  ["semicolon injection", '"; system = "evil"; x = "'],
  ["looks like a path", "./foo ../bar /etc/passwd ~/x <nixpkgs>"],
  ["keyword-ish", "if then else assert with let in rec inherit or"],
];

async function roundTrip(v: NixValue): Promise<unknown> {
  return evalNixExpr(renderValue(v));
}

describe("renderValue round-trips through nix-instantiate --eval --json", () => {
  it.each(STRINGS)("string: %s", async (_name, s) => {
    expect(await roundTrip(s)).toBe(s);
  });

  it("a very long (100k) string with every special sequence", async () => {
    const unit = 'a"b\\c${d}$${e}\'\'f\ng\rh\ti😀\u202E';
    const s = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
    // do not cut a surrogate pair in half
    const safe = /[\ud800-\udbff]$/.test(s) ? s.slice(0, -1) : s;
    expect(safe.length).toBeGreaterThanOrEqual(99_999);
    expect(await roundTrip(safe)).toBe(safe);
  });

  it("attribute names: keywords, dots, spaces, quotes, interpolation, empty, unicode", async () => {
    const names = [
      "if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or", "true", "false", "null",
      "a.b", "a b", 'q"uote', "back\\slash", "${x}", "$${y}", "", "-dash", "1digit", "x'", "_", "a-b",
      "Grüße", "😀", "new\nline", "__curPos", "__proto__", "constructor", "toString",
    ];
    // JSON.parse makes "__proto__" an own key, as a TOML/JSON parser does (plain assignment would not).
    const v = JSON.parse(JSON.stringify(Object.fromEntries(names.map((n, i) => [n, i])))) as Record<string, NixValue>;
    expect(Object.keys(v)).toHaveLength(names.length);
    const back = (await roundTrip(v)) as Record<string, number>;
    expect(Object.keys(back).sort()).toEqual([...names].sort());
    for (const [i, n] of names.entries()) expect(back[n]).toBe(i);
  });

  it("nested lists and sets, null, booleans, numbers", async () => {
    const v: NixValue = {
      list: [1, -2, "three", null, true, false, [], {}, [[["deep"]]], { a: [{ b: { c: -7 } }] }],
      neg: -42,
      zero: 0,
      big: 9007199254740991,
      negBig: -9007199254740991,
      nested: { "a.b": { "c d": { "": [null] } } },
      t: true,
      f: false,
      n: null,
      empty: {},
      emptyList: [],
    };
    expect(await roundTrip(v)).toEqual(v);
  });

  it("floats are written exactly (checked inside Nix against builtins.fromJSON)", async () => {
    const floats = [0.1, -2.5, 3.141592653589793, 1.5e-7, -1e-300, 1e300, 2.2250738585072014e-308, 123456789.125, 1e21, 2 ** 60, -(2 ** 62), 2 ** 64, -(2 ** 70)];
    for (const f of floats) expect(() => renderValue(f)).not.toThrow();
    // nix 2.8 prints floats with 6 significant digits in JSON, so compare inside Nix, exactly.
    // (JSON.stringify(2 ** 60) is "1152921504606847000": use the exact decimal of integral values)
    const exact = (f: number) => (Number.isInteger(f) && Math.abs(f) < 2 ** 63 ? BigInt(f).toString() : JSON.stringify(f));
    const checks = floats.map((f) => `(builtins.fromJSON ${nixString(exact(f))} == ${renderValue(f)})`);
    expect(await evalNixExpr(`[ ${checks.join(" ")} ]`)).toEqual(floats.map(() => true));
    // and the JSON value is close
    const back = (await roundTrip(floats)) as number[];
    back.forEach((b, i) => expect(Math.abs(b - floats[i])).toBeLessThanOrEqual(Math.abs(floats[i]) * 1e-5));
    // types: an integral number is an int, a fractional one a float
    expect(await evalNixExpr(`map builtins.typeOf ${renderValue([1, 1.5, -3, -3.5, 1e21])}`)).toEqual(["int", "float", "int", "float", "float"]);
  });

  it("refuses what Nix cannot hold", () => {
    for (const bad of ["a\0b", "\0", "x\ud800y", "\udc00", "end\ud83d"]) {
      expect(() => renderValue(bad)).toThrow(NixiError);
      expect(() => renderValue({ [bad]: 1 })).toThrow(NixiError);
    }
    for (const n of [NaN, Infinity, -Infinity, 5e-324, -1e-310]) expect(() => renderValue(n)).toThrow(NixiError);
    expect(() => renderValue(new NixRef("config", "a; b"))).toThrow(NixiError);
  });

  it("is deterministic: sorted keys, undefined dropped", () => {
    expect(renderValue({ b: 1, a: 2, c: undefined })).toBe(renderValue({ a: 2, b: 1 }));
    expect(renderValue({ b: 1, a: 2 })).toBe("{\n  a = 2;\n  b = 1;\n}");
  });
});

describe("pkgRef", () => {
  it("accepts attribute paths", async () => {
    for (const p of ["htop", "python3Packages.requests", "nodePackages_latest.pnpm", "gnome-text-editor", "linuxPackages.nvidiaPackages.stable", "x'"]) {
      expect(pkgRef(p).path).toBe(p);
    }
    const dir = tempDir("nixi-render-");
    await writeFile(join(dir, "m.nix"), renderModule({ environment: { systemPackages: [pkgRef("htop"), pkgRef("python3Packages.requests")] } }));
    expect(await evalModule(join(dir, "m.nix"))).toEqual({ environment: { systemPackages: ["<pkg:htop>", "<pkg:python3Packages.requests>"] } });
  });

  it.each([
    "foo; rm -rf /", "a..b", "${x}", "pkgs.foo bar", "", " ", ".a", "a.", "a.b.", "foo\nbar", "1abc", "a/b", "a.if", "rec", "let.x",
    "foo)", "(foo)", 'a."b"', "a.${b}", "foo#bar", "\u0430bc", "foo\0",
  ])("rejects hostile attribute path %j", (p) => {
    let err: unknown;
    try {
      pkgRef(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NixiError);
    expect((err as NixiError).code).toBe("INVALID_ARGUMENT");
    expect((err as NixiError).message).toContain("is not a valid package attribute path");
  });
});

describe("renderModule", () => {
  it("writes a header and a module function that parses and evaluates to the body", async () => {
    const body: Record<string, NixValue> = {
      networking: { firewall: { allowedTCPPorts: [22, 8080] } },
      environment: { etc: { "nixi/motd": { text: "hi ${USER}\n'' \"quoted\"\r\n" } } },
      "weird key": { "a.b": "c" },
    };
    const text = renderModule(body, "line one\nline two");
    expect(text.startsWith(GENERATED_HEADER + "\n# line one\n# line two\n{ config, lib, pkgs, ... }:")).toBe(true);
    const dir = tempDir("nixi-render-");
    await writeFile(join(dir, "m.nix"), text);
    await parseNix(join(dir, "m.nix"));
    expect(await evalModule(join(dir, "m.nix"))).toEqual(body);
  });

  it("a comment cannot break out of the comment", async () => {
    const text = renderModule({ a: 1 }, "x\n}; evil = true; {\r\ny");
    const dir = tempDir("nixi-render-");
    await writeFile(join(dir, "m.nix"), text);
    expect(await evalModule(join(dir, "m.nix"))).toEqual({ a: 1 });
  });

  it("attribute-name quoting", () => {
    expect(nixAttrName("plain")).toBe("plain");
    expect(nixAttrName("with")).toBe('"with"');
    expect(nixAttrName("a.b")).toBe('"a.b"');
  });
});
