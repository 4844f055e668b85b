// The man pages: nixi(1), one per command path (nixi-fw-open(1), ...) and nixi-config(5), from the
// registry model of gen-completions.mjs (which passes its tree helpers in). Deterministic (sorted,
// no dates); committed under man/.

const RISK = {
  read: "This command only reads: it changes nothing.",
  operate: "This command acts on the running system at once (nothing to rebuild); `--dry-run` shows what it would do.",
  change: "This command changes the machine: it shows a plan and asks before applying (`--yes` applies without asking, `--dry-run` only shows the plan). Without a terminal and without `--yes` nothing is changed (exit status 3).",
};

/** Page name of a command path: ["fw","open"] -> "nixi-fw-open". */
export const pageName = (path) => ["nixi", ...path].join("-");

export function commandPages(model, h) {
  const { root, globals, builtins, src } = model;
  const { roff, prose, optionTag, walk, isGroup, kids, HEADER } = h;
  const pages = {};
  const leaves = [...walk(root)].filter((n) => !isGroup(n));
  const parentOf = (n) => [...walk(root)].find((g) => isGroup(g) && g.children.get(n.name) === n) ?? root;
  for (const n of leaves) {
    const m = n.meta;
    const name = pageName(m.path);
    const { L, P, TP } = startPage(HEADER, `${roff(name.toUpperCase())} 1 "" "nixi ${roff(src.version)}" "User Commands"`);
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
  const { roff, prose, HEADER } = h;
  const { src } = model;
  const { L, P, TP } = startPage(HEADER, `NIXI\\-CONFIG 5 "" "nixi ${roff(src.version)}" "File Formats"`);
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

// man page (roff, man macros)

/** Escape text for a roff text line; non-ASCII becomes \[uXXXX]. */
function roff(s) {
  let out = s.replace(/\\/g, "\\e").replace(/-/g, "\\-");
  out = out.replace(/[^\x00-\x7f]/gu, (ch) => `\\[u${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}]`);
  return out;
}
/** Prose: `code` in bold. */
function prose(s) {
  const parts = s.split("`");
  return parts.map((p, i) => (i % 2 ? `\\fB${roff(p)}\\fR` : roff(p))).join("");
}
/** A text line that must not start with a control character. */
const line = (s) => (/^[.']/.test(s) ? `\\&${s}` : s);

/** A page's lines, begun with the generated-file comment, .TH and NAME; P adds a text line, TP a
 *  tagged paragraph. No hyphenation and no justification: flags and paths stay whole. */
function startPage(header, th) {
  const L = [`.\\" ${header}`, `.TH ${th}`, ".nh", ".ad l", ".SH NAME"];
  const P = (s) => L.push(line(s));
  const TP = (tag, text) => {
    L.push(".TP");
    P(tag);
    if (text) P(text);
  };
  return { L, P, TP };
}

function optionTag(o) {
  const names = [o.short ? `\\fB\\-${o.short}\\fR` : null, `\\fB\\-\\-${roff(o.long)}\\fR`].filter(Boolean).join(", ");
  return o.takesValue ? `${names} \\fI${roff(o.placeholder)}\\fR` : names;
}

const RISK_TEXT = {
  read: "read (changes nothing)",
  operate: "operate (acts on running services now; nothing to rebuild)",
  change: "change (shows a plan and asks before applying)",
};

function mainPage(model, h) {
  const { root, globals, builtins, src } = model;
  const { walk, isGroup, kids, HEADER } = h;
  const has = (p) => src.metas.some((m) => m.path.join(" ") === p);
  const { L, P, TP } = startPage(HEADER, `NIXI 1 "" "nixi ${roff(src.version)}" "User Commands"`);
  P("nixi \\- manage NixOS machines from the shell");
  L.push(".SH SYNOPSIS");
  P("\\fBnixi\\fR [\\fIglobal options\\fR] \\fIgroup\\fR \\fIcommand\\fR [\\fIarguments\\fR] [\\fIoptions\\fR]");
  L.push(".br");
  P("\\fBnixi help\\fR [\\fIgroup\\fR [\\fIcommand\\fR]]");
  L.push(".br");
  P("\\fBnixi help exit\\-codes\\fR");
  L.push(".SH DESCRIPTION");
  P(prose("nixi manages NixOS machines with deterministic subcommands. Declarative changes are recorded in `state.toml` in nixi's folder (`/etc/nixos/nixi`), rendered to NixOS modules that `configuration.nix` imports, and applied with one `nixos-rebuild` run; when the rebuild fails, nixi's files are restored byte for byte."));
  L.push(".PP");
  P(prose("Every command has a risk class. A read command changes nothing. An operate command acts on the running system at once (start a service, update a channel). A change command shows a plan and asks for confirmation on a terminal; `--yes` applies without asking, `--dry-run` only shows the plan, and without a terminal and without `--yes` nothing is changed (exit status 3)."));
  L.push(".PP");
  P(prose("With `--json`, stdout carries exactly one JSON document (the envelope), also for errors; logs and prompts go to stderr. Global options may be written before or after the command. With `--node` or `--all-nodes`, a command runs on the nodes of the inventory in config.toml over SSH."));
  L.push(".SH GLOBAL OPTIONS");
  for (const o of [...globals, ...builtins]) TP(optionTag(o), prose(o.description));

  L.push(".SH COMMANDS");
  const leafEntry = (n) => {
    const m = n.meta;
    const args = m.args.map((a) => {
      const name = `\\fI${roff(a.name)}\\fR${a.variadic ? "\\~..." : ""}`;
      return a.optional ? `[${name}]` : name;
    });
    L.push(".TP");
    P([`\\fBnixi ${roff(m.path.join(" "))}\\fR`, ...args].join(" ") + (n.flags.length ? " [\\fIoptions\\fR]" : ""));
    P(prose(m.summary.endsWith(".") ? m.summary : m.summary + "."));
    if (m.description) {
      L.push(".IP");
      P(prose(m.description));
    }
    L.push(".IP");
    P(`Risk: ${roff(RISK_TEXT[m.risk] ?? m.risk)}.${m.controllerOnly ? prose(" Runs on the controller only (`--node` is refused).") : ""}`);
    if (m.args.length) {
      L.push(".RS");
      for (const a of m.args) TP(`\\fI${roff(a.name)}\\fR${a.variadic ? "\\~..." : ""}`, prose(a.description) + (a.optional ? " (optional)" : ""));
      L.push(".RE");
    }
    if (n.flags.length) {
      L.push(".RS");
      for (const o of n.flags) {
        const extra = [];
        const words = new Set(o.description.split(/[^A-Za-z0-9_.+-]+/));
        if (o.choices && !o.choices.every((c) => words.has(c))) extra.push(`One of: ${o.choices.map((c) => `\\fB${roff(c)}\\fR`).join(", ")}.`);
        if (o.repeatable && !/repeatable/i.test(o.description)) extra.push("Repeatable.");
        if (o.default !== undefined && o.default !== false && !/default/i.test(o.description)) extra.push(`Default: ${roff(String(o.default))}.`);
        const base = prose(o.description);
        TP(optionTag(o), extra.length ? `${base}${o.description.endsWith(".") ? "" : "."} ${extra.join(" ")}` : base);
      }
      L.push(".RE");
    }
    if (m.examples.length) {
      L.push(".IP");
      P("Examples:");
      L.push(".RS");
      L.push(".nf");
      for (const e of m.examples) P(`\\fB${roff(e)}\\fR`);
      L.push(".fi");
      L.push(".RE");
    }
    if (m.jsonFields?.length) {
      L.push(".IP");
      P(`JSON data fields: ${m.jsonFields.map((f) => roff(f)).join(", ")}.`);
    }
  };
  const top = kids(root);
  const singles = top.filter((n) => !isGroup(n));
  if (singles.length) {
    L.push(`.SS "Commands"`);
    for (const n of singles) leafEntry(n);
  }
  const groupSection = (g) => {
    L.push(`.SS "${roff(g.path.join(" "))}"`);
    if (g.summary) P(prose(g.summary.endsWith(".") ? g.summary : g.summary + "."));
    for (const c of kids(g)) (isGroup(c) ? groupSection : leafEntry)(c);
  };
  for (const g of top.filter(isGroup)) groupSection(g);
  L.push(`.SS "help"`);
  TP("\\fBnixi help\\fR [\\fIgroup\\fR [\\fIcommand\\fR]]", "Show the help of a group or command, with its options and examples.");
  TP("\\fBnixi help exit\\-codes\\fR", "List the exit statuses below.");

  L.push(".SH EXIT STATUS");
  for (const [code, text] of src.exitCodes) TP(`\\fB${code}\\fR`, prose(text.charAt(0).toUpperCase() + text.slice(1) + "."));

  L.push(".SH ENVIRONMENT");
  TP("\\fBNIXI_CONFIG\\fR", prose("Path of config.toml (the `--config` option wins)."));
  TP("\\fBXDG_CONFIG_HOME\\fR", prose("When set (and `NIXI_CONFIG` is not), config.toml is read from `$XDG_CONFIG_HOME/nixi/config.toml` instead of `~/.config/nixi/config.toml`."));
  TP("\\fBNO_COLOR\\fR", prose("When set to a non-empty value, no colour is used. Colour and table borders are only used when stdout is a terminal."));
  TP("\\fBTERM\\fR", prose("When `dumb`, no colour is used."));
  if (has("ask")) TP("\\fBOLLAMA_HOST\\fR", prose("The Ollama server used by `nixi ask` (overrides `[ask] host` in config.toml)."));
  if (src.metas.some((m) => m.path[0] === "node")) TP("\\fBSSH_AUTH_SOCK\\fR", prose("The ssh-agent used to log in to nodes."));
  if (has("container analyze")) TP("\\fBNIXI_GITHUB_RAW_BASE\\fR", prose("Where `nixi container analyze` fetches raw GitHub files from (for mirrors and tests)."));
  TP("\\fBPATH\\fR", prose("System programs (`nixos-rebuild`, `systemctl`, `nix`, `podman`, ...) are found on PATH."));

  L.push(".SH FILES");
  TP("\\fI~/.config/nixi/config.toml\\fR", prose("nixi's configuration: the node inventory, rebuild mode, SSH and health settings. A missing file means defaults. See `NIXI_CONFIG` and `XDG_CONFIG_HOME`."));
  TP("\\fI~/.config/nixi/known_hosts\\fR", prose("nixi's own SSH known hosts (next to config.toml), recorded on first contact with a node; a changed key is refused."));
  TP("\\fI/etc/nixos/configuration.nix\\fR", prose("Imports nixi's folder (added once by `nixi init`)."));
  TP("\\fI/etc/nixos/nixi/state.toml\\fR", prose("What nixi declared, one table per area; the source of the generated modules. Hand edits are applied by `nixi system rebuild`."));
  TP("\\fI/etc/nixos/nixi/default.nix\\fR, \\fI/etc/nixos/nixi/*.nix\\fR", prose("The NixOS modules nixi generates from state.toml (one per area, e.g. firewall.nix, packages.nix, containers.nix). Do not edit: they are rewritten."));
  TP("\\fI/etc/nixos/nixi/.lock/\\fR", "The lock held while a change is made (an exclusive directory, so it works the same over SSH).");
  TP("\\fI/etc/nixos/nixi/.previous/\\fR", "nixi's files as they were before the last write.");
  TP("\\fI/etc/nixos/nixi/.applied/\\fR", prose("nixi's files as used by the last successful rebuild (compared by `nixi config diff`)."));
  TP("\\fI/etc/nixos/nixi/.failed/\\fR", "What a failed rebuild tried, kept for inspection after the restore.");
  TP("\\fI/etc/nixos/nixi/.rebuild.log\\fR", "The output of the last rebuild, secrets redacted.");
  if (has("init")) TP("\\fI/etc/nixos/nixi/.backup/\\fR", prose("Copies of configuration.nix taken by `nixi init`."));
  if (src.metas.some((m) => m.path[0] === "container")) {
    TP("\\fI/srv/\\fRname\\fI/\\fR", "A container's data; volumes must stay inside it.");
    TP("\\fI/srv/.credentials/\\fRname\\fI.env\\fR", "A container's secret environment (mode 600); never in state.toml or the Nix store.");
  }
  L.push(".SH SEE ALSO");
  P(prose("Each command has its own page, named after its path: `nixi-fw-open`(1), `nixi-container-deploy`(1), ..."));
  L.push(".br");
  P("\\fBnixi\\-config\\fR(5), \\fBnixos\\-rebuild\\fR(8), \\fBconfiguration.nix\\fR(5), \\fBsystemctl\\fR(1)");
  return L.join("\n") + "\n";
}

/** Every man page, by path under the repository. */
export function manPages(model, tree) {
  const h = { ...tree, roff, prose, line, optionTag };
  return { "man/nixi.1": mainPage(model, h), ...commandPages(model, h), "man/nixi-config.5": configPage(model, h) };
}
