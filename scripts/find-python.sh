#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain and exit 1.
# Order: $PYTHON if set; python3.12 / python3.13 / python3 on PATH; pyenv's installed versions.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ]; then
  if ok "$PYTHON"; then echo "$PYTHON"; exit 0; fi
  echo "error: PYTHON=$PYTHON is not a Python >= 3.12. Unset it or point it at python3.12 or newer." >&2
  exit 1
fi
for name in python3.12 python3.13 python3.14 python3; do
  p=$(command -v "$name" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
roots=()
command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root)/versions")
roots+=("${PYENV_ROOT:-$HOME/.pyenv}/versions")
for root in "${roots[@]}"; do
  [ -d "$root" ] || continue
  for p in $(ls -d "$root"/3.12*/bin/python3 "$root"/3.13*/bin/python3 "$root"/3.1[4-9]*/bin/python3 2>/dev/null); do
    if ok "$p"; then echo "$p"; exit 0; fi
  done
done
cat >&2 <<'MSG'
error: no Python >= 3.12 found (PyMC 6 and ArviZ 1.x need it).
  Looked for python3.12, python3.13, python3 on PATH and in pyenv's versions folder.
  Fix: install one (e.g. `pyenv install 3.12`, or your OS package python3.12), or run
       `make PYTHON=/path/to/python3.12 ...`.
MSG
exit 1
