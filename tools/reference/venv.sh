#!/usr/bin/env bash
# Makes the Python venv of the reference frameworks (requirements.txt: TensorFlow, Keras, h5py,
# PyTorch) from the machine's configured pip index, once per requirements file, and prints the
# path of its python. The venv lives in the xfer cache ($XFER_CACHE_DIR, default ~/.cache/xfer),
# so later runs and CI reuse it.
#
#   bash tools/reference/venv.sh            make it when missing (about a minute), print the python
#   bash tools/reference/venv.sh --check    only print the python if the venv is complete, else exit 3
#
# pip runs with --retries 0 --timeout 5: on a machine whose only reachable index is the local one,
# pip then gives up on the default index at once instead of retrying for minutes. When a package
# cannot be found, the script exits 1 with pip's own last lines on stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
requirements="$here/requirements.txt"
key=$(sha256sum "$requirements" | cut -c1-12)
venv="${XFER_CACHE_DIR:-$HOME/.cache/xfer}/reference-venv-$key"

if [ -f "$venv/.complete" ]; then
  echo "$venv/bin/python"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "no reference venv at $venv: run bash tools/reference/venv.sh" >&2
  exit 3
fi

python=${XFER_REFERENCE_BASE_PYTHON:-python3}
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
log="$venv/pip-install.log"
if ! "$venv/bin/python" -m pip install --retries 0 --timeout 5 --quiet -r "$requirements" >"$log" 2>&1; then
  echo "could not install the reference frameworks into $venv ($("$python" --version 2>&1)); pip said:" >&2
  grep -v '^WARNING: Location' "$log" | tail -n 5 >&2
  exit 1
fi
touch "$venv/.complete"
echo "$venv/bin/python"
