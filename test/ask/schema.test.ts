// The schemas the model sees, for every command: inside what llama.cpp's and node-llama-cpp's
// JSON-schema grammars honour, valid JSON Schema (ajv), and without any field that could skip a gate.
import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { SOURCE_CATALOG } from "../../src/commands/registry.js";
import { askableCommands, stage1Schema, stage2Schema, stepSchema } from "../../src/ask/schema.js";

const FORBIDDEN_NAMES = ["yes", "dry-run", "no-input", "root", "config", "force", "insecure", "purge", "env-file", "password-file", "credentials-file", "key-file", "follow", "webhook", "from"];

function walk(s: any, path: string, problems: string[]): void {
  for (const k of ["pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "anyOf", "oneOf", "allOf", "nullable", "$ref", "default"]) if (k in s) problems.push(`${path}: ${k}`);
  if (Array.isArray(s.type)) problems.push(`${path}: union type`);
  if (s.type === "object") {
    const keys = Object.keys(s.properties ?? {});
    if (s.additionalProperties !== false) problems.push(`${path}: additionalProperties`);
    if (JSON.stringify(s.required) !== JSON.stringify(keys)) problems.push(`${path}: not every property required`);
    for (const k of keys) {
      if (FORBIDDEN_NAMES.includes(k)) problems.push(`${path}.${k}: forbidden field`);
      walk(s.properties[k], `${path}.${k}`, problems);
    }
  } else if (s.type === "array") {
    if (typeof s.maxItems !== "number") problems.push(`${path}: array without maxItems`);
    walk(s.items, `${path}[]`, problems);
  } else if (s.type === "string") {
    if (!s.enum && typeof s.maxLength !== "number") problems.push(`${path}: string without maxLength or enum`);
  } else if (s.type !== "boolean") problems.push(`${path}: type ${s.type}`);
}

describe("ask schemas", () => {
  const metas = askableCommands(SOURCE_CATALOG.metas);
  const ajv = new Ajv2020({ strict: true });
  it("stage 1 offers every command but ask itself, and fits the grammar subset", () => {
    const s1 = stage1Schema(SOURCE_CATALOG.metas) as any;
    expect(s1.properties.steps.items.properties.command.enum).toEqual(metas.map((m) => m.path.join(" ")));
    expect(s1.properties.steps.items.properties.command.enum).not.toContain("ask");
    const problems: string[] = [];
    walk(s1, "stage1", problems);
    expect(problems).toEqual([]);
    ajv.compile(s1);
  });
  it("every command's stage-2 schema fits the grammar subset and has no gate-skipping or secret field", () => {
    const problems: string[] = [];
    for (const m of metas) walk(stepSchema(m, ["web-server", "mon"]), m.path.join(" "), problems);
    expect(problems).toEqual([]);
    ajv.compile(stage2Schema(metas, ["web-server"]));
    // spot checks: secret and file flags are out, the KEY-only --env-secret is in
    const deploy = stepSchema(metas.find((m) => m.path.join(" ") === "container deploy")!, []) as any;
    expect(Object.keys(deploy.properties.flags.properties)).toContain("env-secret");
    expect(Object.keys(deploy.properties.flags.properties)).not.toContain("env-file");
    const remove = stepSchema(metas.find((m) => m.path.join(" ") === "container remove")!, []) as any;
    expect(remove.properties).not.toHaveProperty("flags");
    const node = stepSchema(metas.find((m) => m.path.join(" ") === "node list")!, ["web-server"]) as any;
    expect(node.properties).not.toHaveProperty("nodes");
  });
});
