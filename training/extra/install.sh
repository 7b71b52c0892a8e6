#!/bin/sh
# Installs the Debian packages that build_pairs.py reads (packages.txt), non-interactively.
# Only missing packages are installed (nothing is upgraded if all are present).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
missing=""
for p in $(grep -v '^\s*#' "$here/packages.txt"); do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "install.sh: all packages of packages.txt are installed"
    exit 0
fi
echo "install.sh: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# no candidate known yet (fresh image): refresh the package lists once
for p in $missing; do
    if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        $SUDO apt-get update
        break
    fi
done
# wait up to 10 min for another apt/dpkg run to finish
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $missing
