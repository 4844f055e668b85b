// Man pages per command path (nixi-fw-open(1), ...) and nixi-config(5), from the same model as
// nixi(1) in gen-completions.mjs. Deterministic (sorted, no dates); committed under man/.

const RISK = {
  read: "This command only reads: it changes nothing.",
  operate: "This command acts on the running system at once (nothing to rebuild); `--dry-run` shows what it would do.",
  change: "This command changes the machine: it shows a plan and asks before applying (`--yes` applies without asking, `--dry-run` only shows the plan). Without a terminal and without `--yes` nothing is changed (exit status 3).",
};

/** Page name of a command path: ["fw","open"] -> "nixi-fw-open". */
export const pageName = (path) => ["nixi", ...path].join("-");

export function commandPages(model, h) {
  const { root, globals, builtins, src } = model;
  const { roff, prose, line, optionTag, walk, isGroup, kids, HEADER } = h;
  const pages = {};
  const leaves = [...walk(root)].filter((n) => !isGroup(n));
  const parentOf = (n) => [...walk(root)].find((g) => isGroup(g) && g.children.get(n.name) === n) ?? root;
  for (const n of leaves) {
    const m = n.meta;
    const name = pageName(m.path);
    const L = [];
    const P = (s) => L.push(line(s));
    const TP = (tag, text) => {
      L.push(".TP");
      P(tag);
      if (text) P(text);
    };
    L.push(`.\\" ${HEADER}`);
    L.push(`.TH ${roff(name.toUpperCase())} 1 "" "nixi ${roff(src.version)}" "User Commands"`);
    L.push(".nh", ".ad l", ".SH NAME");
    P(`${roff(name)} \\- ${prose(m.summary.replace(/\.$/, ""))}`);
    L.push(".SH SYNOPSIS");
    const args = m.args.map((a) => {
      const t = `\\fI${roff(a.name)}\\fR${a.variadic ? "\\~..." : ""}`;
      return a.optional ? `[${t}]` : t;
    });
    P([`\\fBnixi ${roff(m.path.join(" "))}\\fR`, ...args, n.flags.length ? "[\\fIoptions\\fR]" : null, "[\\fIglobal options\\fR]"].filter(Boolean).join(" "));
    L.push(".SH DESCRIPTION");
    P(prose(m.summary.endsWith(".") ? m.summary : m.summary + "."));
    if (m.description) {
      L.push(".PP");
      P(prose(m.description));
    }
    L.push(".PP");
    P(prose(RISK[m.risk] ?? `Risk: ${m.risk}.`));
    if (m.controllerOnly) {
      L.push(".PP");
      P(prose("It runs on the controller only: `--node`, `--all-nodes` and `--tag` are refused."));
    }
    if (m.args.length) {
      L.push(".SH ARGUMENTS");
      for (const a of m.args) TP(`\\fI${roff(a.name)}\\fR${a.variadic ? "\\~..." : ""}`, prose(a.description) + (a.optional ? " (optional)" : ""));
    }
    L.push(".SH OPTIONS");
    for (const o of n.flags) {
      const extra = [];
      if (o.choices) extra.push(`One of: ${o.choices.map((c) => `\\fB${roff(c)}\\fR`).join(", ")}.`);
      if (o.repeatable && !/repeatable/i.test(o.description)) extra.push("Repeatable.");
      if (o.default !== undefined && o.default !== false && !/default/i.test(o.description)) extra.push(`Default: ${roff(String(o.default))}.`);
      TP(optionTag(o), [prose(o.description) + (o.description.endsWith(".") ? "" : "."), ...extra].join(" "));
    }
    if (n.flags.length) L.push(".PP");
    P("Global options (they may be written before or after the command):");
    for (const o of [...globals, ...builtins]) TP(optionTag(o), prose(o.description));
    if (m.examples.length) {
      L.push(".SH EXAMPLES");
      L.push(".nf");
      for (const e of m.examples) P(`\\fB${roff(e)}\\fR`);
      L.push(".fi");
    }
    if (m.jsonFields?.length) {
      L.push(".SH JSON OUTPUT");
      P(prose(`With \`--json\`, stdout is one envelope whose \`data\` has the fields: ${m.jsonFields.map((f) => `\`${f}\``).join(", ")}.`));
    }
    L.push(".SH EXIT STATUS");
    for (const [code, text] of src.exitCodes) TP(`\\fB${code}\\fR`, prose(text.charAt(0).toUpperCase() + text.slice(1) + "."));
    L.push(".SH SEE ALSO");
    const siblings = kids(parentOf(n)).filter((c) => c !== n && !isGroup(c)).map((c) => `\\fB${roff(pageName(c.path))}\\fR(1)`);
    P(["\\fBnixi\\fR(1)", ...siblings, "\\fBnixi\\-config\\fR(5)"].join(", "));
    pages[`man/${name}.1`] = L.join("\n") + "\n";
  }
  return pages;
}

const CONFIG_KEYS = [
  ["rebuild", [["mode", "switch, test or boot: how nixos-rebuild applies a change (default switch)."], ["timeout_seconds", "How long a rebuild may take (default 3600)."]]],
  ["ssh", [["connect_timeout", "Seconds to wait for a node's SSH connection (default 10)."], ["command_timeout", "Seconds a command on a node may take (default 600)."], ["known_hosts", "nixi's own known_hosts file (default: known_hosts next to config.toml)."], ["identity", "Private key file for every node (default: the ssh-agent, then ~/.ssh keys)."], ["parallel", "Nodes at once (default 10; `--parallel` wins)."]]],
  ["health", [["disk_percent", "`nixi system health` fails when a file system is fuller (default 90)."], ["memory_percent", "Fails when more memory is in use (default 90)."], ["load_per_cpu", "Fails when the 5-minute load per CPU is higher (default 2)."], ["webhook", "An http(s) URL POSTed to when a check fails. It is a secret: keep the file private (the NixOS module reads it from a credential file)."]]],
  ["ask", [["host", "The Ollama server for `nixi ask` (default http://127.0.0.1:11434; `OLLAMA_HOST` wins)."], ["model", "The model (default qwen2.5:7b)."], ["num_ctx", "Context size (default 8192)."]]],
  ["nixos", [["dir", "nixi's folder on the machine (default /etc/nixos/nixi)."], ["configuration", "configuration.nix (default /etc/nixos/configuration.nix)."]]],
];
const NODE_KEYS = [
  ["name", "The node's name (`--node NAME`): letters, digits, `.`, `_`, `-`."],
  ["host", "Host name or address."],
  ["port", "SSH port (default 22)."],
  ["user", "The user nixi logs in as (default nixi)."],
  ["mode", "managed (nixi may change it) or monitored (read-only: change commands are refused)."],
  ["identity", "Private key file for this node."],
  ["tags", "A list of tags (`--tag TAG`)."],
];

export function configPage(model, h) {
  const { roff, prose, line, HEADER } = h;
  const { src } = model;
  const L = [];
  const P = (s) => L.push(line(s));
  const TP = (tag, text) => {
    L.push(".TP");
    P(tag);
    P(text);
  };
  L.push(`.\\" ${HEADER}`);
  L.push(`.TH NIXI\\-CONFIG 5 "" "nixi ${roff(src.version)}" "File Formats"`);
  L.push(".nh", ".ad l", ".SH NAME");
  P("nixi\\-config \\- nixi's config.toml and state.toml");
  L.push(".SH SYNOPSIS");
  P("\\fI~/.config/nixi/config.toml\\fR, \\fI/etc/nixi/config.toml\\fR, \\fI/etc/nixos/nixi/state.toml\\fR");
  L.push(".SH DESCRIPTION");
  P(prose("`config.toml` is nixi's own configuration on the controller: the node inventory and settings. A missing file means defaults. It is read from `--config`, else `$NIXI_CONFIG`, else `$XDG_CONFIG_HOME/nixi/config.toml` or `~/.config/nixi/config.toml`."));
  L.push(".PP");
  P(prose("`/etc/nixi/config.toml` is the system layer (written by the NixOS module `services.nixi`): the user's file is merged over it, table by table; a `[[nodes]]` entry of the user's replaces the system entry of the same name. `$NIXI_SYSTEM_CONFIG` names another system file; set to the empty string it turns the layer off."));
  L.push(".PP");
  P(prose("What nixi reads from these files is validated like command-line input: a bad value is an error naming the file and the value (exit status 2), and nothing is changed."));
  L.push(".SH CONFIG.TOML");
  for (const [table, keys] of CONFIG_KEYS) {
    L.push(`.SS "[${table}]"`);
    for (const [k, d] of keys) TP(`\\fB${roff(k)}\\fR`, prose(d));
  }
  L.push(`.SS "[[nodes]]"`);
  P("One table per machine nixi reaches over SSH:");
  for (const [k, d] of NODE_KEYS) TP(`\\fB${roff(k)}\\fR`, prose(d));
  L.push(".SH STATE.TOML");
  P(prose("`state.toml` in nixi's folder on each machine (`/etc/nixos/nixi`) holds what nixi declared, one table per area. nixi renders it to the NixOS modules next to it, which `default.nix` imports and `configuration.nix` imports through `./nixi`. Hand edits are allowed: `nixi system rebuild` renders and applies them, and a value nixi cannot accept is refused with the table and key named."));
  if (src.ownedFiles?.length) {
    L.push(".PP");
    P(`Files in nixi's folder: ${src.ownedFiles.map((f) => `\\fI${roff(f)}\\fR`).join(", ")}.`);
  }
  L.push(".SH EXAMPLE");
  L.push(".nf");
  for (const l of ["[rebuild]", 'mode = "switch"', "", "[ssh]", "connect_timeout = 5", "", "[[nodes]]", 'name = "web1"', 'host = "10.0.0.5"', 'tags = ["web"]', "", "[[nodes]]", 'name = "db"', 'host = "db.lan"', "port = 2222", 'mode = "monitored"']) P(l === "" ? "" : roff(l));
  L.push(".fi");
  L.push(".SH SEE ALSO");
  const nodePages = [...h.walk(model.root)].filter((n) => !h.isGroup(n) && n.path[0] === "node").map((n) => `\\fB${roff(pageName(n.path))}\\fR(1)`);
  P(["\\fBnixi\\fR(1)", ...nodePages, "\\fBconfiguration.nix\\fR(5)"].join(", "));
  return L.join("\n").replace(/\n\n/g, "\n.sp\n") + "\n";
}
