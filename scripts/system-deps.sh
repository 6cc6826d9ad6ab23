#!/usr/bin/env bash
# System libraries the PyPI wheels expect (gmsh's X/GL libraries, gcc for DOLFINx's JIT, and
# Mesa's EGL with its software rasteriser, with which VTK renders offscreen without an X display).
# Installs with apt-get only what is missing, so it is a no-op on a prepared machine.
set -euo pipefail
missing=()
# read the cache once: `ldconfig -p | grep -q` fails at random under pipefail (SIGPIPE)
cache=$(ldconfig -p)
for lib in libGLU.so.1 libXcursor.so.1 libXft.so.2 libXinerama.so.1 libgomp.so.1 \
  libEGL.so.1 libEGL_mesa.so.0; do
  [[ $cache == *"$lib"* ]] || missing+=("$lib")
done
compgen -G "/usr/lib/*/dri/swrast_dri.so" >/dev/null || missing+=(swrast_dri.so)
command -v gcc >/dev/null || missing+=(gcc)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages for: ${missing[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  libglu1-mesa libxcursor1 libxft2 libxinerama1 libgomp1 gcc libc6-dev \
  libegl1 libegl-mesa0 libgl1-mesa-dri
