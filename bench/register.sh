#!/usr/bin/env bash
# Authenticated registrations per second over UDP: switchboard and Kamailio as digest-
# authenticating registrars, driven by the same sipp REGISTER load in the same run, alternately
# (switchboard, Kamailio, switchboard, ...). One registration = REGISTER, 401 challenge,
# REGISTER with credentials, 200 (bench/register_uac.xml); one user (user0) whose one binding
# every registration refreshes, looked up among USERS credentials.
#
#   bench/register.sh                       # defaults: at 2000/s and 10000/s, 3 rounds of 20000 registrations
#   COUNT=10000 ROUNDS=2 RATES="1000 5000" bench/register.sh
#
# switchboard: a domain with SipRegistration=true and a credential list of USERS users mapped for
# registrations, created through the REST API (bindings persisted to SQLite, as in production);
# sip.register_rate_limit = 0, since all the load comes from one address.
# Kamailio: bench/kamailio-registrar.cfg (auth + registrar + usrloc in memory, one password).
# For each run it reports the achieved rate (completed registrations / sipp's wall time) and the
# server's CPU seconds per 10,000 registrations (utime+stime from /proc/<pid>/stat, all threads;
# summed over Kamailio's processes). Everything is on 127.0.0.1, bounded by COUNT and TIMEOUT,
# and every process started here is killed by PID on exit.
# Needs: build/release/switchboard, sipp, curl, kamailio (installed with apt-get when missing).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
SB_BIN=${SWITCHBOARD_BIN:-$root/build/release/switchboard}
COUNT=${COUNT:-20000}           # registrations per run (sipp -m)
RATES=${RATES:-${RATE:-2000 10000}} # registrations per second (sipp -r, -rp 1000): one paced, one flat out
USERS=${USERS:-100}             # distinct users (one binding each)
PASSWORD=Bench-Password-42      # every user's (as in bench/kamailio-registrar.cfg)
DOMAIN=bench.sip.switchboard.local
ROUNDS=${ROUNDS:-3}             # runs per server, alternating
TIMEOUT=${TIMEOUT:-120}         # seconds per sipp run (sipp -timeout, then kill)
KAM_CHILDREN=${KAM_CHILDREN:-4} # Kamailio UDP worker processes (-n)
SB_PORT=${SB_PORT:-25160}
KAM_PORT=${KAM_PORT:-25170}
SIPP_PORT=${SIPP_PORT:-25180}
BUFF=${BUFF:-8388608}           # sipp -buff_size (socket buffers)

[[ -x $SB_BIN ]] || { echo "no $SB_BIN: cmake --build --preset release -j2 --target switchboard" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl missing" >&2; exit 1; }
command -v sipp >/dev/null || { echo "sipp missing (apt-get install -y sip-tester)" >&2; exit 1; }
KAMAILIO=$(command -v kamailio || true)
if [[ -z $KAMAILIO ]]; then
  echo "installing kamailio with apt-get" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y kamailio >/dev/null
  KAMAILIO=$(command -v kamailio)
fi
for p in $SB_PORT $KAM_PORT $SIPP_PORT; do
  if ss -Hlun "sport = :$p" | grep -q .; then echo "UDP port $p is in use; set SB_PORT/KAM_PORT/SIPP_PORT" >&2; exit 1; fi
done

work=$(mktemp -d /tmp/sb-bench-register.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# CPU ticks (utime+stime) of a process and, with "tree", its direct children.
ticks() {
  local pid=$1 tree=${2:-} total=0 p
  local list=("$pid")
  if [[ $tree == tree ]]; then list+=($(ps -o pid= --ppid "$pid")); fi
  for p in "${list[@]}"; do
    [[ -r /proc/$p/stat ]] || continue
    # fields after the ")" of comm: state is $1, utime $12, stime $13
    local s; s=$(sed 's/^.*) //' "/proc/$p/stat")
    set -- $s
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
HZ=$(getconf CLK_TCK)

start_switchboard() {
  mkdir -p "$work/sb"
  # All the load comes from one sipp, one source address: the per-source REGISTER rate limit
  # (sip.register_rate_limit, 100/s by default) is off, as Kamailio's config has none (no pike).
  printf '[sip]\nregister_rate_limit = 0\n' >"$work/sb.toml"
  SWITCHBOARD_ACCOUNT_SID=$ACCOUNT SWITCHBOARD_AUTH_TOKEN=$TOKEN \
    "$SB_BIN" serve --http 127.0.0.1:0 --sip "127.0.0.1:$SB_PORT" --data-dir "$work/sb" --config "$work/sb.toml" \
    --rtp-ports 41100-41199 --log-level warn >"$work/sb.out" 2>"$work/sb.err" &
  sb_pid=$!; pids+=("$sb_pid")
  for _ in $(seq 100); do
    if grep -q "SIP (UDP and TCP)" "$work/sb.out" 2>/dev/null; then provision; return 0; fi
    sleep 0.1
  done
  echo "switchboard did not start:" >&2; cat "$work/sb.err" >&2; exit 1
}

# The domain, the credential list of USERS users and the registration mapping, through the API.
provision() {
  local base api domain list i
  base=$(grep -o "client.api.baseUrl = '[^']*'" "$work/sb.out" | cut -d"'" -f2)
  api="$base/2010-04-01/Accounts/$ACCOUNT"
  domain=$(curl -sf -u "$ACCOUNT:$TOKEN" "$api/SIP/Domains.json" -d DomainName=$DOMAIN -d SipRegistration=true |
    grep -o '"sid": *"SD[0-9a-f]*"' | grep -o 'SD[0-9a-f]*')
  list=$(curl -sf -u "$ACCOUNT:$TOKEN" "$api/SIP/CredentialLists.json" -d FriendlyName=bench |
    grep -o '"sid": *"CL[0-9a-f]*"' | grep -o 'CL[0-9a-f]*')
  for i in $(seq 0 $((USERS - 1))); do
    curl -sf -o /dev/null -u "$ACCOUNT:$TOKEN" "$api/SIP/CredentialLists/$list/Credentials.json" \
      -d Username="user$i" -d Password=$PASSWORD
  done
  curl -sf -o /dev/null -u "$ACCOUNT:$TOKEN" \
    "$api/SIP/Domains/$domain/Auth/Registrations/CredentialListMappings.json" -d CredentialListSid="$list"
}

start_kamailio() {
  # -DD: the main process stays in the foreground (our child) and forks its workers.
  "$KAMAILIO" -f "$here/kamailio-registrar.cfg" -DD -E -l "udp:127.0.0.1:$KAM_PORT" \
    -n "$KAM_CHILDREN" -P "$work/kamailio.pid" -Y "$work/kam-rt" -m 64 -M 8 \
    >"$work/kam.out" 2>"$work/kam.err" &
  kam_pid=$!; pids+=("$kam_pid")
  mkdir -p "$work/kam-rt"
  for _ in $(seq 100); do
    ss -Hlun "sport = :$KAM_PORT" | grep -q . && { sleep 0.5; return 0; }
    sleep 0.1
  done
  echo "kamailio did not start:" >&2; cat "$work/kam.err" >&2; exit 1
}

# run_sipp NAME PORT PID TREE -> prints one result line
run_sipp() {
  local name=$1 port=$2 pid=$3 tree=${4:-}
  local dir="$work/run-$name-$RANDOM"; mkdir -p "$dir"
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  local t0 c0 t1 c1
  local d0 d1
  d0=$(awk '/^Udp:/{n++} /^Udp:/&&n==2{print $6}' /proc/net/snmp)   # RcvbufErrors, system-wide
  c0=$(ticks "$pid" "$tree"); t0=$(date +%s.%N)
  (cd "$dir" && timeout -k 5 $((TIMEOUT + 10)) sipp -sf "$here/register_uac.xml" -key domain $DOMAIN -s user0 -au user0 -ap $PASSWORD \
    -i 127.0.0.1 -p "$SIPP_PORT" -t u1 -m "$COUNT" -r "$RATE" -rp 1000 -buff_size "$BUFF" -nostdin -timeout "${TIMEOUT}s" \
    -trace_stat -stf stat.csv -fd 3600 "127.0.0.1:$port" >sipp.out 2>&1) || true
  t1=$(date +%s.%N); c1=$(ticks "$pid" "$tree")
  d1=$(awk '/^Udp:/{n++} /^Udp:/&&n==2{print $6}' /proc/net/snmp)
  # The final line of sipp's statistics file: successful and failed transactions.
  local ok fail rtx
  read -r ok fail rtx < <(awk -F';' 'NR==1{for(i=1;i<=NF;i++){if($i=="SuccessfulCall(C)")s=i; if($i=="FailedCall(C)")f=i; if($i=="Retransmissions(C)")r=i}} END{print $s+0, $f+0, $r+0}' "$dir/stat.csv")
  awk -v n="$name" -v ok="$ok" -v fail="$fail" -v rtx="$rtx" -v drops=$((d1 - d0)) -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v hz="$HZ" -v load="$load" \
    'BEGIN{ wall=t1-t0; cpu=(c1-c0)/hz;
            printf "%-11s ok=%d failed=%d retrans=%d rcvbuf_drops=%d wall=%.2fs rate=%.0f/s server_cpu=%.2fs cpu_per_10k=%.3fs load=[%s]\n",
                   n, ok, fail, rtx, drops, wall, ok/wall, cpu, (ok>0? cpu*10000/ok : 0), load }'
}

echo "# $(date -u +%FT%TZ) $(uname -r) nproc=$(nproc) COUNT=$COUNT RATES="$RATES" ROUNDS=$ROUNDS KAM_CHILDREN=$KAM_CHILDREN"
echo "# switchboard $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || true); $($KAMAILIO -v 2>/dev/null | head -1); $(sipp -v 2>&1 | grep -o "SIPp v[^ ]*" | head -1)"
echo "# sipp -sf bench/register_uac.xml -key domain $DOMAIN -s user0 -au user0 -ap $PASSWORD -i 127.0.0.1 -p $SIPP_PORT -t u1 -m $COUNT -r RATE -rp 1000 -buff_size $BUFF -nostdin -timeout ${TIMEOUT}s 127.0.0.1:PORT"
ACCOUNT=AC$(head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n')
TOKEN=$(head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n')
start_switchboard
start_kamailio
for RATE in $RATES; do
  results=()
  echo "## sipp -r $RATE -rp 1000 -m $COUNT"
  for r in $(seq "$ROUNDS"); do
    results+=("$(run_sipp switchboard "$SB_PORT" "$sb_pid")"); echo "${results[-1]}"
    results+=("$(run_sipp kamailio "$KAM_PORT" "$kam_pid" tree)"); echo "${results[-1]}"
  done
  # Medians per server and the ratios switchboard/Kamailio.
  printf '%s\n' "${results[@]}" | awk -v target="$RATE" '
    { name=$1; for (i=2;i<=NF;i++){ split($i, kv, "="); v=kv[2]; sub(/[s\/]+$/, "", v); val[kv[1]]=v }
      n[name]++; rate[name, n[name]]=val["rate"]; cpu[name, n[name]]=val["cpu_per_10k"] }
    function med(arr, name, k,   i, j, t, x) { for(i=1;i<=k;i++) x[i]=arr[name,i];
      for(i=1;i<=k;i++) for(j=i+1;j<=k;j++) if (x[j]<x[i]) {t=x[i];x[i]=x[j];x[j]=t}
      return (k%2)? x[(k+1)/2] : (x[k/2]+x[k/2+1])/2 }
    END { rs=med(rate,"switchboard",n["switchboard"]); rk=med(rate,"kamailio",n["kamailio"]);
          cs=med(cpu,"switchboard",n["switchboard"]); ck=med(cpu,"kamailio",n["kamailio"]);
          printf "target %d/s: median switchboard %.0f/s %.3f CPU s/10k registrations; kamailio %.0f/s %.3f CPU s/10k registrations; ratio sb/kam: rate %.2f, CPU per transaction %.2f\n",
                 target, rs, cs, rk, ck, rs/rk, cs/ck }'
done
