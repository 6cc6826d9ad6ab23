#!/usr/bin/env bash
# A single-node Slurm cluster on localhost (Debian 12's slurm-wlm 22.05 + munge, no systemd),
# for tests/system/test_sweep_slurm.py and for trying `eisfem slurm` on a workstation.
# Usage: tests/system/slurm_local.sh install|start|stop|status      (as root; every step re-runnable)
# It writes /etc/slurm/slurm.conf (a foreign one is kept as slurm.conf.before-eisfem) and
# refuses to touch a running cluster that it did not configure.
# Pitfalls it avoids (seen on this kind of machine): cgroup plugins fail in containers
# (proctrack/linuxproc + task/none instead); NodeName must be `hostname -s`; RealMemory must not
# exceed what `slurmd -C` reports; munged must run as the munge user with a 0400 key; without
# accounting there is no sacct, so callers wait for `squeue` to be empty.
set -euo pipefail

CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
OURS="# written by eisfem tests/system/slurm_local.sh"
STATE=/var/lib/slurm
LOGS=/var/log/slurm
NODE=$(hostname -s)

log() { echo "[slurm-local] $*" >&2; }

install_pkgs() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
     && command -v munged >/dev/null && command -v sbatch >/dev/null; then
    return
  fi
  command -v apt-get >/dev/null || { log "no apt-get: cannot install slurm-wlm"; exit 4; }
  [[ $(id -u) -eq 0 ]] || { log "not root: cannot install slurm-wlm"; exit 4; }
  apt-get -o DPkg::Lock::Timeout=300 update -q || { log "apt-get update failed"; exit 4; }
  # --no-install-recommends: 9 packages instead of 43. The postinst scripts try to start the
  # services and print harmless "policy-rc.d denied" lines; nothing is started.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
    --no-install-recommends slurm-wlm munge || { log "apt-get install slurm-wlm failed"; exit 4; }
}

wait_for() { # wait_for SECONDS DESCRIPTION CMD...
  local t=$1 what=$2 i; shift 2
  for ((i = 0; i < t * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "timeout waiting for $what"; return 1
}

pid_alive() { local p; p=$(cat "$1" 2>/dev/null) && [[ -n $p ]] && kill -0 "$p" 2>/dev/null; }

kill_pidfile() { # TERM, wait up to 10 s, then KILL the pid recorded in $1 (read once)
  local p i
  p=$(cat "$1" 2>/dev/null) || return 0
  if [[ -n $p ]] && kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$1"
}

guard() { # never reconfigure a cluster someone else runs
  if [[ -f $CONF ]] && ! grep -qxF "$OURS" "$CONF"; then
    if timeout 5 scontrol ping >/dev/null 2>&1; then
      log "a Slurm cluster not configured by this script is running; not touching it"
      exit 3
    fi
    cp -n "$CONF" "$CONF.before-eisfem"
  fi
}

start_munge() {
  install -d -o munge -g munge -m 0700 /etc/munge /var/log/munge /var/lib/munge
  install -d -o munge -g munge -m 0755 /run/munge
  [[ -s /etc/munge/munge.key ]] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  if pid_alive /run/munge/munged.pid && munge -n | unmunge >/dev/null 2>&1; then return; fi
  rm -f /run/munge/munged.pid /run/munge/munge.socket.2*
  runuser -u munge -- /usr/sbin/munged --force
  wait_for 10 munged sh -c 'munge -n | unmunge'
}

write_conf() {
  local hw # e.g. NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ... RealMemory=24105
  hw=$(slurmd -C | head -n1)
  install -d -m 0755 "$CONF_DIR" "$STATE" "$STATE/slurmctld" "$STATE/slurmd" "$LOGS"
  cat >"$CONF.new" <<CONF
$OURS
ClusterName=local
SlurmctldHost=${NODE}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$STATE/slurmctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldTimeout=30
SlurmdTimeout=60
MinJobAge=300
${hw} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP
CONF
  mv "$CONF.new" "$CONF"
}

stop_slurm() {
  if pid_alive /run/slurmctld.pid; then scontrol shutdown >/dev/null 2>&1 || true; fi
  kill_pidfile /run/slurmd.pid
  kill_pidfile /run/slurmctld.pid
}

node_idle() { [[ $(sinfo -h -N -n "$NODE" -o %T 2>/dev/null) == idle* ]]; }

start_all() {
  install_pkgs
  guard
  stop_slurm
  start_munge
  write_conf
  slurmctld -c # -c: clean state (no jobs or drained node left from an earlier run)
  wait_for 30 slurmctld scontrol ping
  slurmd
  wait_for 60 "node $NODE idle" node_idle
}

case ${1:-} in
  install) install_pkgs ;;
  start) start_all ;;
  stop) guard; stop_slurm; kill_pidfile /run/munge/munged.pid ;;
  status) sinfo ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
