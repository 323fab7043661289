#!/usr/bin/env bash
# Relayed bridged G.711 calls, switchboard's media engine vs rtpengine (user space, no kernel
# module) in the same run, next to the loopback ceiling of the same generator (docs/benchmarks.md,
# "Relay capacity"). For each number of concurrent calls in CALLS and each target, a fresh relay
# is started, bench/relay_load sets the calls up with ng offer/answer, sends 50 packets/s each way
# per leg, measures a window, deletes the calls, and prints one row. Targets alternate per step.
#
#   cmake --build --preset release --target relay_load media_relay_server
#   CALLS="250 500 1000" SECONDS_PER_STEP=10 ROUNDS=1 bench/relay_compare.sh
#   CHURN="20" CALLS=500 bench/relay_compare.sh      # add calls created and deleted at 20/s
#
# Environment: CALLS (list), TARGETS (default "direct switchboard rtpengine"; also
# "switchboard-before", the media_relay_server binary at SERVER_BEFORE, for a before/after), ROUNDS (1),
# SECONDS_PER_STEP (10), WARMUP (3), CHURN (list of churn rates, default "0"), CHURN_LIFE (2),
# BUILD (build/release), THREADS (media threads of both relays, default: one per core), NICE
# (run the generator and the relays at this nice value, e.g. -5 on a busy shared machine).
# Everything runs on 127.0.0.1. Needs root only to install rtpengine-daemon when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
CALLS=${CALLS:-"250 500 1000"}
TARGETS=${TARGETS:-"direct switchboard rtpengine"}
ROUNDS=${ROUNDS:-1}
SECONDS_PER_STEP=${SECONDS_PER_STEP:-10}
WARMUP=${WARMUP:-3}
CHURN=${CHURN:-0}
CHURN_LIFE=${CHURN_LIFE:-2}
THREADS=${THREADS:-$(nproc)}
NG_PORT=${NG_PORT:-22230}
NICE=${NICE:-0}
LOAD="$BUILD/bench/relay_load"
SERVER="$BUILD/bench/media_relay_server"
[[ -x $LOAD && -x $SERVER ]] || { echo "build relay_load and media_relay_server first" >&2; exit 1; }

if [[ " $TARGETS " == *" rtpengine "* ]] && ! command -v rtpengine >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rtpengine-daemon >/dev/null
fi
ulimit -n 65536 2>/dev/null || true

echo "# $(date -u +%FT%TZ) nice $NICE, switchboard $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, $(rtpengine --version 2>&1 | head -1 || true), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| target | calls | churn/s | relayed pkt/s | loss steady (churn) | relay CPU µs/pkt (user) | relay % of a core | generator µs/pkt | latency p50 / p99 | gen. max lag | UDP rcvbuf drops | load |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"

ping_ng() {  # waits up to 5 s for the relay to answer an ng ping
  python3 - "$NG_PORT" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
for _ in range(25):
    s.sendto(b"p d7:command4:pinge", ("127.0.0.1", int(sys.argv[1])))
    try:
        if b"pong" in s.recv(1000): sys.exit(0)
    except OSError: time.sleep(0.1)
sys.exit(1)
EOF
}

run_step() {  # target calls churn
  local target=$1 calls=$2 churn=$3 pid="" line
  local args=(--calls "$calls" --warmup "$WARMUP" --seconds "$SECONDS_PER_STEP" --churn-rate "$churn" --churn-life "$CHURN_LIFE")
  case $target in
    direct) line=$(nice -n "$NICE" "$LOAD" --direct "${args[@]}") ;;
    switchboard|switchboard-before)
      local binary=$SERVER
      [[ $target == switchboard-before ]] && binary=${SERVER_BEFORE:?SERVER_BEFORE=path of the earlier media_relay_server}
      nice -n "$NICE" "$binary" --ng "127.0.0.1:$NG_PORT" --rtp-ports 20000-29999 --threads "$THREADS" 2>/dev/null &
      pid=$! ;;
    rtpengine)
      nice -n "$NICE" rtpengine --config-file=none --table=-1 --interface=127.0.0.1 --listen-ng="127.0.0.1:$NG_PORT" \
        --foreground --log-stderr --log-level=3 --port-min=30000 --port-max=39999 --num-threads="$THREADS" \
        --delete-delay=0 2>/dev/null &
      pid=$! ;;
  esac
  if [[ -n $pid ]]; then
    if ping_ng; then
      line=$(nice -n "$NICE" "$LOAD" --ng "127.0.0.1:$NG_PORT" --pid "$pid" "${args[@]}") || line=""
    else
      line=""
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  [[ -n $line ]] || { echo "| $target | $calls | $churn | failed to run | | | | | | | | |"; return; }
  echo "$line" >> "${RAW:-/dev/null}"
  local -A v=()
  for kv in $line; do v[${kv%%=*}]=${kv#*=}; done
  local cpu="${v[server_us_per_pkt]} (${v[server_user_us_per_pkt]})" core="${v[server_core_pct]}%"
  [[ $target == direct ]] && { cpu="—"; core="—"; }
  local churn_loss=""
  [[ $churn != 0 ]] && churn_loss=" (${v[churn_loss_pct]} %, ${v[churned]} calls churned)"
  echo "| $target | $calls | $churn | ${v[relayed_pps]} | ${v[steady_loss_pct]} %$churn_loss | $cpu | $core | ${v[gen_us_per_pkt]} | ${v[lat_p50_us]} / ${v[lat_p99_us]} µs | ${v[gen_max_lag_ms]} ms | ${v[udp_rcvbuf_errors]} | ${v[load_start]}→${v[load_end]} |"
}

for round in $(seq "$ROUNDS"); do
  for churn in $CHURN; do
    for calls in $CALLS; do
      for target in $TARGETS; do run_step "$target" "$calls" "$churn"; done
    done
  done
done
