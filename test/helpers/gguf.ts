// A tiny GGUF v3 model with random weights for the grammar tier of the ask tests: the llama
// architecture, F32 tensors, and an SPM ("llama") vocabulary of <unk>, <s>, </s> and the 256 byte
// tokens (<0x0A> included: llama.cpp looks the newline token up by that name). It produces
// nonsense, which is the point: only the JSON-schema grammar makes its output well-formed.
import { writeFileSync } from "node:fs";

const T = { U32: 4, I32: 5, F32: 6, STRING: 8, ARRAY: 9 } as const;

class Writer {
  parts: Buffer[] = [];
  size = 0;
  push(b: Buffer) {
    this.parts.push(b);
    this.size += b.length;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  i32(v: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.push(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string) {
    const b = Buffer.from(s, "utf8");
    this.u64(b.length);
    this.push(b);
  }
}

type Kv = [string, "u32", number] | [string, "f32", number] | [string, "str", string] | [string, "strs", string[]] | [string, "f32s", number[]] | [string, "i32s", number[]];

export function writeTinyGguf(path: string, opts: { embd?: number; layers?: number; seed?: number } = {}): void {
  const embd = opts.embd ?? 32;
  const layers = opts.layers ?? 1;
  const heads = 2;
  const ff = embd * 2;
  const tokens = ["<unk>", "<s>", "</s>", ...Array.from({ length: 256 }, (_v, i) => `<0x${i.toString(16).toUpperCase().padStart(2, "0")}>`)];
  const vocab = tokens.length;
  const kvs: Kv[] = [
    ["general.architecture", "str", "llama"],
    ["general.name", "str", "nixi-test-random"],
    ["llama.context_length", "u32", 8192],
    ["llama.embedding_length", "u32", embd],
    ["llama.block_count", "u32", layers],
    ["llama.feed_forward_length", "u32", ff],
    ["llama.attention.head_count", "u32", heads],
    ["llama.attention.head_count_kv", "u32", heads],
    ["llama.rope.dimension_count", "u32", embd / heads],
    ["llama.attention.layer_norm_rms_epsilon", "f32", 1e-5],
    ["general.alignment", "u32", 32],
    ["tokenizer.ggml.model", "str", "llama"],
    ["tokenizer.ggml.tokens", "strs", tokens],
    ["tokenizer.ggml.scores", "f32s", tokens.map(() => 0)],
    ["tokenizer.ggml.token_type", "i32s", tokens.map((_t, i) => (i === 0 ? 2 : i < 3 ? 3 : 6))],
    ["tokenizer.ggml.unknown_token_id", "u32", 0],
    ["tokenizer.ggml.bos_token_id", "u32", 1],
    ["tokenizer.ggml.eos_token_id", "u32", 2],
  ];
  // [name, ne0, ne1?] (ne0 is the fastest-moving dimension)
  const tensors: Array<[string, number[]]> = [["token_embd.weight", [embd, vocab]], ["output_norm.weight", [embd]], ["output.weight", [embd, vocab]]];
  for (let l = 0; l < layers; l++) {
    const p = `blk.${l}.`;
    tensors.push(
      [`${p}attn_norm.weight`, [embd]], [`${p}attn_q.weight`, [embd, embd]], [`${p}attn_k.weight`, [embd, embd]], [`${p}attn_v.weight`, [embd, embd]],
      [`${p}attn_output.weight`, [embd, embd]], [`${p}ffn_norm.weight`, [embd]], [`${p}ffn_gate.weight`, [embd, ff]], [`${p}ffn_down.weight`, [ff, embd]], [`${p}ffn_up.weight`, [embd, ff]],
    );
  }
  const w = new Writer();
  w.push(Buffer.from("GGUF"));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const [key, kind, value] of kvs) {
    w.str(key);
    if (kind === "u32") (w.u32(T.U32), w.u32(value as number));
    else if (kind === "f32") (w.u32(T.F32), w.f32(value as number));
    else if (kind === "str") (w.u32(T.STRING), w.str(value as string));
    else {
      w.u32(T.ARRAY);
      const arr = value as Array<string | number>;
      w.u32(kind === "strs" ? T.STRING : kind === "f32s" ? T.F32 : T.I32);
      w.u64(arr.length);
      for (const x of arr) kind === "strs" ? w.str(x as string) : kind === "f32s" ? w.f32(x as number) : w.i32(x as number);
    }
  }
  let offset = 0;
  const sizes: number[] = [];
  for (const [name, dims] of tensors) {
    w.str(name);
    w.u32(dims.length);
    for (const d of dims) w.u64(d);
    w.u32(0); // F32
    w.u64(offset);
    const bytes = dims.reduce((a, b) => a * b, 1) * 4;
    sizes.push(bytes);
    offset += Math.ceil(bytes / 32) * 32;
  }
  w.push(Buffer.alloc((32 - (w.size % 32)) % 32));
  let seed = opts.seed ?? 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  tensors.forEach(([name], i) => {
    const n = sizes[i] / 4;
    const b = Buffer.alloc(Math.ceil(sizes[i] / 32) * 32);
    const norm = name.endsWith("norm.weight");
    for (let j = 0; j < n; j++) b.writeFloatLE(norm ? 1 : rand() * 0.5, j * 4);
    w.push(b);
  });
  writeFileSync(path, Buffer.concat(w.parts));
}
