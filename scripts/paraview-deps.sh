#!/usr/bin/env bash
# Debian's ParaView (pvpython) and a virtual X display: what the ParaView tests and
# `xvfb-run pvpython open_in_paraview.py --screenshot ...` need (~1.3 GB, about a minute).
# Installs only what is missing, so it is a no-op on a prepared machine.
set -euo pipefail
command -v pvpython >/dev/null && command -v xvfb-run >/dev/null && command -v xauth >/dev/null \
  && exit 0
echo "installing ParaView (paraview, python3-paraview) and xvfb"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends paraview python3-paraview xvfb xauth
command -v pvpython >/dev/null || { echo "error: pvpython still missing after install"; exit 1; }
