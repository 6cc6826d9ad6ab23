#!/usr/bin/env bash
# System libraries the PyPI wheels expect (gmsh's X/GL libraries, gcc for DOLFINx's JIT).
# Installs with apt-get only what is missing, so it is a no-op on a prepared machine.
set -euo pipefail
missing=()
for lib in libGLU.so.1 libXcursor.so.1 libXft.so.2 libXinerama.so.1 libgomp.so.1; do
  ldconfig -p | grep -q "$lib" || missing+=("$lib")
done
command -v gcc >/dev/null || missing+=(gcc)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages for: ${missing[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  libglu1-mesa libxcursor1 libxft2 libxinerama1 libgomp1 gcc libc6-dev
