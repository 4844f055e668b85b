# Stub of nixpkgs lib: the functions generated modules use, with the real semantics or the real
# tagged values (the module system, not lib, gives mkIf & co their meaning).
let
  b = builtins;
  lib = rec {
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mkOverride = priority: content: { _type = "override"; inherit priority content; };
    mkOptionDefault = mkOverride 1500;
    mkDefault = mkOverride 1000;
    mkImageMediaOverride = mkOverride 60;
    mkForce = mkOverride 50;
    mkVMOverride = mkOverride 10;
    mkMerge = contents: { _type = "merge"; inherit contents; };
    mkOrder = priority: content: { _type = "order"; inherit priority content; };
    mkBefore = mkOrder 500;
    mkAfter = mkOrder 1500;

    optionalAttrs = cond: as: if cond then as else { };
    optional = cond: x: if cond then [ x ] else [ ];
    optionals = cond: xs: if cond then xs else [ ];
    optionalString = cond: s: if cond then s else "";

    id = x: x;
    const = x: _: x;
    concatStrings = b.concatStringsSep "";
    concatStringsSep = b.concatStringsSep;
    concatMapStrings = f: xs: b.concatStringsSep "" (map f xs);
    concatMapStringsSep = sep: f: xs: b.concatStringsSep sep (map f xs);
    concatLists = b.concatLists;
    concatMap = b.concatMap;
    flatten = x: if b.isList x then b.concatMap flatten x else [ x ];
    unique = b.foldl' (acc: e: if b.elem e acc then acc else acc ++ [ e ]) [ ];
    elem = b.elem;
    filter = b.filter;
    foldl' = b.foldl';
    range = first: last: if first > last then [ ] else b.genList (n: first + n) (last - first + 1);
    toList = x: if b.isList x then x else [ x ];
    head = b.head;
    tail = b.tail;
    length = b.length;
    replaceStrings = b.replaceStrings;
    hasPrefix = pref: str: b.substring 0 (b.stringLength pref) str == pref;
    hasSuffix = suf: str:
      let ls = b.stringLength str; lf = b.stringLength suf;
      in lf <= ls && b.substring (ls - lf) lf str == suf;
    toUpper = b.replaceStrings
      [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ]
      [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ];
    toLower = b.replaceStrings
      [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ]
      [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
    escapeShellArg = arg: "'" + b.replaceStrings [ "'" ] [ "'\\''" ] (toString arg) + "'";
    escapeShellArgs = xs: b.concatStringsSep " " (map escapeShellArg xs);
    boolToString = x: if x then "true" else "false";

    attrNames = b.attrNames;
    attrValues = b.attrValues;
    attrByPath = path: default: set:
      if path == [ ] then set
      else if set ? ${b.head path} then attrByPath (b.tail path) default set.${b.head path}
      else default;
    setAttrByPath = path: value:
      if path == [ ] then value else { ${b.head path} = setAttrByPath (b.tail path) value; };
    hasAttr = b.hasAttr;
    mapAttrs = b.mapAttrs;
    mapAttrs' = f: set: b.listToAttrs (map (n: f n set.${n}) (b.attrNames set));
    mapAttrsToList = f: set: map (n: f n set.${n}) (b.attrNames set);
    filterAttrs = pred: set: b.listToAttrs (b.concatMap (n: if pred n set.${n} then [ { name = n; value = set.${n}; } ] else [ ]) (b.attrNames set));
    genAttrs = names: f: b.listToAttrs (map (n: { name = n; value = f n; }) names);
    listToAttrs = b.listToAttrs;
    nameValuePair = name: value: { inherit name value; };
    recursiveUpdate = lhs: rhs:
      lhs // b.mapAttrs (n: v: if lhs ? ${n} && b.isAttrs v && b.isAttrs lhs.${n} then recursiveUpdate lhs.${n} v else v) rhs;

    getName = x: x.pname or x.name or "unknown";
    getBin = x: x;
    getExe = x: "${x}/bin/${x.meta.mainProgram or (getName x)}";
    getExe' = x: bin: "${x}/bin/${bin}";
    makeBinPath = xs: b.concatStringsSep ":" (map (x: "${x}/bin") xs);
  };
in lib
