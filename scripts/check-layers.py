#!/usr/bin/env python3
"""check-layers: the import graph must read like the architecture (docs/architecture.md).

Every Swift module under Sources/<Layer>/<Module>/ may import only modules of its own layer or of the layers
below it, and a few modules are held to a narrower list (the pure domain imports no C and does no I/O; the
executable imports only the engine and the configuration loaders). Prints each violation as
`path:line: <module> (<layer>) imports <module> (<layer>)` and exits 1 when there is one.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LAYERS = ["System", "Domain", "IO", "Engines", "CLI", "Tools"]
# Modules from outside Sources/ that a layer may use (Swift packages and the platform).
PLATFORM = {"Foundation", "FoundationXML", "FoundationNetworking", "Glibc", "Darwin", "Dispatch", "XCTest"}
PACKAGES = {
    "Yams": {"Configuration"},                       # YAML is read at the edge only
    "Logging": {"Engine", "lifeboat"},
    "ArgumentParser": {"lifeboat"},
}
# Narrower rules than "own layer or below".
ONLY = {
    "lifeboat": {"Engine", "Configuration"},
}
FILE_IO = re.compile(r"\b(FileManager|contentsOfFile|fopen|Glibc\.open)\b")
# Pure domain modules must not touch files; Configuration is the edge that loads them.
PURE_DOMAIN_EXCEPT = {"Configuration"}


def modules():
    found = {}
    for layer in LAYERS:
        base = os.path.join(ROOT, "Sources", layer)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            if os.path.isdir(os.path.join(base, name)):
                found[name] = (layer, os.path.join(base, name))
    return found


def main():
    mods = modules()
    problems = []
    for name, (layer, path) in mods.items():
        rank = LAYERS.index(layer)
        for folder, _, files in os.walk(path):
            for file in files:
                if not file.endswith(".swift"):
                    continue
                full = os.path.join(folder, file)
                rel = os.path.relpath(full, ROOT)
                for number, line in enumerate(open(full, encoding="utf-8"), 1):
                    m = re.match(r"\s*(?:@_exported\s+|@testable\s+)?import\s+(?:struct\s+|enum\s+|class\s+)?(\w+)", line)
                    if m:
                        imported = m.group(1)
                        if imported in PLATFORM:
                            continue
                        if imported in PACKAGES:
                            if name not in PACKAGES[imported]:
                                problems.append(f"{rel}:{number}: {name} imports {imported}, allowed only in "
                                                f"{', '.join(sorted(PACKAGES[imported]))}")
                            continue
                        if imported not in mods:
                            problems.append(f"{rel}:{number}: {name} imports unknown module {imported}")
                            continue
                        other_layer = mods[imported][0]
                        if name in ONLY and imported not in ONLY[name]:
                            problems.append(f"{rel}:{number}: {name} may import only "
                                            f"{', '.join(sorted(ONLY[name]))}, not {imported}")
                        elif LAYERS.index(other_layer) > rank:
                            problems.append(f"{rel}:{number}: {name} ({layer}) imports {imported} ({other_layer}), "
                                            "a higher layer")
                        elif layer == "Domain" and other_layer == "System" and imported.startswith("CLib"):
                            problems.append(f"{rel}:{number}: pure domain module {name} imports C module {imported}")
                    if layer == "Domain" and name not in PURE_DOMAIN_EXCEPT and FILE_IO.search(line) \
                            and not line.lstrip().startswith("//"):
                        problems.append(f"{rel}:{number}: pure domain module {name} does file I/O")
    for problem in problems:
        print(problem)
    if problems:
        print(f"check-layers: {len(problems)} violation(s); docs/architecture.md says what may import what",
              file=sys.stderr)
        return 1
    print(f"check-layers: {len(mods)} modules, imports follow the layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
