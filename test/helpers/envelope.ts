// Validates --json output against the envelope's JSON Schema in schema/.
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { REPO } from "./run.js";

const schema = JSON.parse(readFileSync(`${REPO}schema/envelope.schema.json`, "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

/** Throws with the schema errors when `doc` is not a valid envelope; returns it otherwise. */
export function expectEnvelope(doc: unknown): any {
  if (!validate(doc)) {
    throw new Error(`not a valid nixi envelope: ${JSON.stringify(validate.errors, null, 2)}\n${JSON.stringify(doc, null, 2)}`);
  }
  return doc;
}
