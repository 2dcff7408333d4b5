"""Print the part of requirements.lock that the running product needs.

requirements.lock pins the product's dependencies and the development ones (pytest,
Playwright, ruff…) with their hashes. The container image installs only the first kind, still
pinned and hashed: a package is kept when pyproject.toml's `[project] dependencies` name it,
or when the lock's "# via" comments show that a kept package needs it. Nothing is resolved
again, so the image gets exactly the versions and hashes the lock holds; and
`pip install --require-hashes` refuses the result if a needed package were missing.

    python deploy/runtime_requirements.py requirements.lock pyproject.toml > runtime.lock

Standard library only: it runs in the Dockerfile's build stage before anything is installed.
"""

import re
import sys
import tomllib
from pathlib import Path

PROJECT_VIA = "jejaring (pyproject.toml)"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return canonical(re.split(r"[\s\[<>=!~;(]", requirement.strip(), maxsplit=1)[0])


def parse_lock(text: str) -> dict[str, tuple[str, set[str]]]:
    """{name: (the entry's text with its hashes, the names of the packages that need it)}."""
    entries: dict[str, tuple[list[str], set[str]]] = {}
    current = None
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            current = requirement_name(line)
            entries[current] = ([line], set())
        elif current is None:
            continue
        elif line.strip().startswith("--hash") or line.strip().startswith("\\"):
            entries[current][0].append(line)
        elif line.strip().startswith("#"):
            via = line.strip().lstrip("#").strip()
            if via.startswith("via "):
                via = via[len("via ") :]
            if via and via != "via":
                parent = PROJECT_VIA if via == PROJECT_VIA else requirement_name(via)
                entries[current][1].add(parent)
    return {name: ("\n".join(lines), parents) for name, (lines, parents) in entries.items()}


def runtime_entries(lock_text: str, pyproject_text: str) -> list[str]:
    entries = parse_lock(lock_text)
    direct = {requirement_name(r) for r in tomllib.loads(pyproject_text)["project"]["dependencies"]}
    kept = {name for name in direct if name in entries}
    missing = direct - kept
    if missing:
        raise SystemExit(f"requirements.lock does not pin {', '.join(sorted(missing))}")
    changed = True
    while changed:
        changed = False
        for name, (_, parents) in entries.items():
            if name not in kept and parents & kept:
                kept.add(name)
                changed = True
    return [entries[name][0] for name in entries if name in kept]


def main(argv: list[str]) -> None:
    lock, pyproject = (Path(a).read_text(encoding="utf-8") for a in argv[1:3])
    sys.stdout.write("\n".join(runtime_entries(lock, pyproject)) + "\n")


if __name__ == "__main__":
    main(sys.argv)
