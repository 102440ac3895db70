#!/usr/bin/env bash
# Detection benchmark, two parts:
#
#  1. latency: how long after a channel's target stops answering does
#     /api/v2/summary.json say `major_outage`? One HTTP monitor every
#     INTERVAL seconds, 2 failures to confirm, no retry. Target: at most
#     2 intervals + 1 s (the reference, computed from the same settings).
#  2. cost: what 1,000 HTTP monitors every 10 s cost Relais (CPU share of one
#     core, peak RSS) against Relais idle, with the check rate actually
#     achieved (from /metrics) and the CPU of nginx answering every one of
#     those checks as the reference, measured over the same window.
#
# Usage: bench/detect.sh
#
# Environment (all optional):
#   PARTS=latency,cost  which parts to run
#   ROUNDS=3            latency: outages measured (the table shows min/median/max)
#   INTERVAL=5          latency: the monitor's interval in seconds (timeout 2 s)
#   ROUND_SPACING       latency: seconds between round starts (default: enough to
#                       stay under the monitor's flapping limit, 55 s at INTERVAL=5)
#   OUTAGE=stop         latency: how the target fails
#                         stop: nginx exits, connections are refused at once
#                         hang: nginx is frozen (SIGSTOP), connections are accepted
#                               by the kernel but never answered: each check waits
#                               for its 2 s timeout
#   MONITORS=1000       cost: HTTP monitors, spread over CHANNELS channels
#   CHANNELS=20
#   MONITOR_INTERVAL=10 cost: their interval in seconds
#   IDLE=30             cost: seconds measured with no monitor
#   SETTLE=20           cost: seconds left to settle once the monitors exist
#   DURATION=60         cost: seconds measured with the monitors running
#   RELAIS_PORT=18090   NGINX_PORT=18091   loopback ports
#   CARGO_TARGET_DIR    honoured by the build, as usual
#   RELAIS_BIN          a relais binary to benchmark instead of building one
#   KEEP_TMP=1          keep the temporary folder (data folders, logs)
set -euo pipefail

PARTS=${PARTS:-latency,cost}
ROUNDS=${ROUNDS:-3}
OUTAGE=${OUTAGE:-stop}
INTERVAL=${INTERVAL:-5}
MONITORS=${MONITORS:-1000}
CHANNELS=${CHANNELS:-20}
MONITOR_INTERVAL=${MONITOR_INTERVAL:-10}
IDLE=${IDLE:-30}
SETTLE=${SETTLE:-20}
DURATION=${DURATION:-60}
DURATION=${DURATION%s}
RELAIS_PORT=${RELAIS_PORT:-18090}
NGINX_PORT=${NGINX_PORT:-18091}
HOST=127.0.0.1
POLL=0.05

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
want() { [[ ",$PARTS," == *",$1,"* ]]; }

for v in ROUNDS INTERVAL MONITORS CHANNELS MONITOR_INTERVAL IDLE SETTLE DURATION; do
  [[ "${!v}" =~ ^[0-9]+$ && "${!v}" -gt 0 ]] || die "$v must be a positive whole number (got '${!v}')"
done
case "$OUTAGE" in
  stop) OUTAGE_WORD=stopped BACK_WORD=restarted ;;
  hang) OUTAGE_WORD=frozen BACK_WORD=thawed ;;
  *) die "OUTAGE must be stop or hang (got '$OUTAGE')" ;;
esac
((INTERVAL >= 5)) || die "INTERVAL below 5 s needs [detect] min_interval_ms; keep it at 5 or more"

cd "$(dirname "$0")/.."
ROOT_DIR=$(pwd)

# ---------------------------------------------------------------- tools
need_pkgs=()
NGINX=$(command -v nginx 2>/dev/null || true)
[[ -z "$NGINX" && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
[[ -z "$NGINX" ]] && need_pkgs+=(nginx-light)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
command -v jq >/dev/null 2>&1 || need_pkgs+=(jq)
if ((${#need_pkgs[@]})); then
  log "installing ${need_pkgs[*]}"
  SUDO=''
  [[ $(id -u) -ne 0 ]] && SUDO='sudo'
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
fi
[[ -x "$NGINX" ]] || die "nginx not found after install"

# ---------------------------------------------------------------- build
if [[ -n "${RELAIS_BIN:-}" ]]; then
  BIN=$RELAIS_BIN
else
  log "building Relais (release)"
  cargo build --release --quiet --bin relais
  BIN="${CARGO_TARGET_DIR:-$ROOT_DIR/target}/release/relais"
fi
[[ -x "$BIN" ]] || die "no binary at $BIN"

# ---------------------------------------------------------------- workspace and cleanup
TMP=$(mktemp -d "${TMPDIR:-/tmp}/relais-detect.XXXXXX")
chmod 755 "$TMP"
PIDS=()
forget() { # forget PID: drop a stopped process from the cleanup list
  local keep=() p
  for p in "${PIDS[@]}"; do [[ "$p" != "$1" ]] && keep+=("$p"); done
  PIDS=("${keep[@]}")
}
stop() { # stop PID: TERM, bounded wait, then KILL
  local pid=$1
  kill -CONT "$pid" $(pgrep -P "$pid" 2>/dev/null) 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget "$pid"
}
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    # A frozen target (OUTAGE=hang) is thawed first so that it can exit.
    kill -CONT "$pid" $(pgrep -P "$pid" 2>/dev/null) 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [[ "${KEEP_TMP:-}" == 1 ]]; then
    log "kept $TMP"
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
port_free "$RELAIS_PORT" || die "port $RELAIS_PORT is in use (set RELAIS_PORT)"
port_free "$NGINX_PORT" || die "port $NGINX_PORT is in use (set NGINX_PORT)"

wait_http() { # wait_http URL: up to 30 s
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  return 1
}

now() { echo "$EPOCHREALTIME"; }
secs() { if [[ "$1" == timeout ]]; then echo timeout; else echo "${1}s"; fi; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# ---------------------------------------------------------------- the target: nginx serving a small file
WWW="$TMP/www"
mkdir -p "$WWW" "$TMP/nginx"
printf 'ok\n' >"$WWW/index.html"
chmod -R a+rX "$WWW"
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  types { text/html html; }
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  server_tokens off;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  server {
    listen $HOST:$NGINX_PORT;
    root $WWW;
    location = /nginx_status { stub_status; }
  }
}
EOF
TARGET="http://$HOST:$NGINX_PORT/"
NGINX_PID=''
start_nginx() {
  "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' >>"$TMP/nginx/stderr" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_http "$TARGET" || { cat "$TMP/nginx/stderr" "$TMP/nginx/error.log" >&2 || true; die "nginx did not start"; }
}

fail_target() { # the outage: nginx exits, or freezes with its workers
  if [[ "$OUTAGE" == stop ]]; then
    stop "$NGINX_PID"
  else
    kill -STOP "$NGINX_PID" $(pgrep -P "$NGINX_PID") 2>/dev/null || true
  fi
}
restore_target() {
  if [[ "$OUTAGE" == stop ]]; then
    start_nginx
  else
    kill -CONT "$NGINX_PID" $(pgrep -P "$NGINX_PID") 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------- Relais
RELAIS="http://$HOST:$RELAIS_PORT"
RELAIS_PID=''
API_KEY=''
PAGE_ID=''
start_relais() { # start_relais NAME: a fresh data folder, SQLite, an API key
  local data="$TMP/data-$1"
  mkdir -p "$data"
  API_KEY=$("$BIN" --data "$data" token create --name bench 2>>"$TMP/relais-$1.err" | tail -1 | tr -d '[:space:]')
  [[ -n "$API_KEY" ]] || { cat "$TMP/relais-$1.err" >&2; die "relais token create printed no key"; }
  "$BIN" serve --data "$data" --listen "$HOST:$RELAIS_PORT" --public-url "$RELAIS" \
    >"$TMP/relais-$1.out" 2>>"$TMP/relais-$1.err" &
  RELAIS_PID=$!
  PIDS+=("$RELAIS_PID")
  wait_http "$RELAIS/healthz" || { cat "$TMP/relais-$1.err" >&2; die "Relais did not start"; }
  PAGE_ID=$(curl -fsS "$RELAIS/api/v2/summary.json" | jq -r '.page.id')
  [[ -n "$PAGE_ID" && "$PAGE_ID" != null ]] || die "no page id in /api/v2/summary.json"
}

manage() { # manage METHOD PATH [JSON]: prints the body, fails on non-2xx
  local method=$1 path=$2 data=${3:-}
  local args=(-sS --max-time 30 -X "$method" -H "Authorization: OAuth $API_KEY" -o "$TMP/manage.body" -w '%{http_code}')
  [[ -n "$data" ]] && args+=(-H 'Content-Type: application/json' --data "$data")
  local code
  code=$(curl "${args[@]}" "$RELAIS/v1/pages/$PAGE_ID$path") || code=000
  [[ "$code" == 2* ]] || { cat "$TMP/manage.body" >&2 2>/dev/null || true; die "$method $path answered HTTP $code"; }
  cat "$TMP/manage.body"
}

new_channel() { # new_channel NAME: prints its id
  manage POST /components "{\"component\":{\"name\":\"$1\",\"kind\":\"whatsapp\",\"contact\":\"+33 6 12\"}}" | jq -r '.id'
}

channel_status() { # channel_status ID: its status in /api/v2/summary.json
  curl -fs --max-time 2 "$RELAIS/api/v2/summary.json" | jq -r --arg id "$1" '.components[] | select(.id == $id) | .status' 2>/dev/null || true
}

monitor_status() { # monitor_status ID: the monitor's judged status
  manage GET "/monitors/$1" | jq -r '.state.status // "none"'
}

wait_for() { # wait_for SECONDS COMMAND...: until the command succeeds
  local until
  until=$(awk -v n="$EPOCHREALTIME" -v s="$1" 'BEGIN { printf "%d", n + s }')
  shift
  while ((${EPOCHREALTIME%.*} < until)); do
    "$@" && return 0
    sleep "$POLL"
  done
  return 1
}
is_status() { [[ "$(channel_status "$1")" == "$2" ]]; }
is_monitor() { [[ "$(monitor_status "$1")" == "$2" ]]; }

# ---------------------------------------------------------------- CPU and memory of a process tree
CLK_TCK=$(getconf CLK_TCK)
tree() { # tree PID: the process and its children (nginx workers)
  echo "$1"
  pgrep -P "$1" 2>/dev/null || true
}
cpu_ticks() { # cpu_ticks PID...: utime + stime of the processes and their children
  local total=0 p f
  for p in "$@"; do
    for f in $(tree "$p"); do
      [[ -r /proc/$f/stat ]] || continue
      # Fields after the ")" that closes the command name: utime is 14, stime 15.
      total=$((total + $(sed 's/^.*) //' "/proc/$f/stat" | awk '{ print $12 + $13 }')))
    done
  done
  echo "$total"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# measure SECONDS: CPU share (% of one core) of Relais and nginx and Relais's
# peak RSS over the window, RSS sampled every second. Sets M_CPU M_NGINX M_RSS
# (peak) M_RSS0 (at the start) M_WALL.
measure() {
  local secs=$1 t0 t1 c0 c1 n0 n1 peak=0 r end
  M_RSS0=$(awk -v k="$(rss_kb "$RELAIS_PID")" 'BEGIN { printf "%.1f", k / 1024 }')
  t0=$(now)
  c0=$(cpu_ticks "$RELAIS_PID")
  n0=$(cpu_ticks "$NGINX_PID")
  end=$((${t0%.*} + secs))
  while ((${EPOCHREALTIME%.*} < end)); do
    r=$(rss_kb "$RELAIS_PID")
    ((r > peak)) && peak=$r
    sleep 1
  done
  c1=$(cpu_ticks "$RELAIS_PID")
  n1=$(cpu_ticks "$NGINX_PID")
  t1=$(now)
  r=$(rss_kb "$RELAIS_PID")
  ((r > peak)) && peak=$r
  M_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  M_CPU=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v w="$M_WALL" 'BEGIN { printf "%.2f", 100 * d / hz / w }')
  M_NGINX=$(awk -v d=$((n1 - n0)) -v hz="$CLK_TCK" -v w="$M_WALL" 'BEGIN { printf "%.2f", 100 * d / hz / w }')
  M_RSS=$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')
}

checks_total() { # checks_total [RESULT]: relais_checks_total summed (optionally one result)
  curl -fsS --max-time 10 -H "Authorization: Bearer $API_KEY" "$RELAIS/metrics" |
    awk -v want="${1:-}" '/^relais_checks_total\{/ { if (want == "" || index($0, "result=\"" want "\"")) s += $NF } END { printf "%d", s }'
}

nginx_counts() { # nginx_counts: "accepted-connections requests" so far
  curl -fsS --max-time 5 "http://$HOST:$NGINX_PORT/nginx_status" | awk 'NR == 3 { print $1, $3 }'
}

log_problems() { # log_problems FILE: warning and error lines of a Relais log
  grep -Ec 'WARN|ERROR|panicked' "$1" || true
}

FAILED=0
LAT_TABLE=''
COST_TABLE=''
NOTES=()

# ---------------------------------------------------------------- 1. detection latency
if want latency; then
  log "latency: starting nginx (target) and a fresh Relais (SQLite) on $HOST"
  start_nginx
  start_relais latency
  channel=$(new_channel WhatsApp)
  monitor=$(manage POST /monitors "{\"monitor\":{\"channel_id\":\"$channel\",\"name\":\"WhatsApp line\",\"kind\":\"http\",\"target\":\"$TARGET\",\"interval_seconds\":$INTERVAL,\"timeout_seconds\":2,\"retries\":0,\"fail_after\":2,\"recover_after\":2}}" | jq -r '.id')
  flap_limit=$(manage GET "/monitors/$monitor" | jq -r '.flap_limit')
  LIMIT=$(awk -v i="$INTERVAL" 'BEGIN { print 2 * i + 1 }')
  # The product damps flapping: more than flap_limit confirmed changes within
  # 20 intervals read as degraded. Each round makes two changes (down, up),
  # so rounds start far enough apart to stay under that limit; otherwise the
  # benchmark would measure the damping, not the detection.
  SPACING=0
  ((flap_limit > 0)) && SPACING=$(((20 * INTERVAL * 2 + flap_limit - 1) / flap_limit + INTERVAL))
  SPACING=${ROUND_SPACING:-$SPACING}
  log "monitor every ${INTERVAL}s, timeout 2s, retries 0, fail_after 2, recover_after 2 (flap_limit $flap_limit: rounds start ${SPACING}s apart)"
  wait_for 60 is_monitor "$monitor" operational || die "the monitor never saw the target up"
  wait_for 10 is_status "$channel" operational || die "the channel is not operational"
  : >"$TMP/latency"
  last_start=0
  for round in $(seq 1 "$ROUNDS"); do
    # Wait for the spacing, then a random part of an interval so that the
    # outage starts at any point of the check cycle.
    while (( ${EPOCHREALTIME%.*} < last_start + SPACING )); do sleep 0.5; done
    sleep "$(awk -v s="$RANDOM" -v i="$INTERVAL" 'BEGIN { printf "%.2f", (s / 32768) * i }')"
    last_start=${EPOCHREALTIME%.*}
    t0=$(now)
    fail_target
    stopped=$(since "$t0")
    if wait_for $((4 * INTERVAL + 10)) is_status "$channel" major_outage; then
      down=$(since "$t0")
    else
      down=timeout
      FAILED=1
      log "round $round: no major_outage within $((4 * INTERVAL + 10))s; the channel reads '$(channel_status "$channel")'"
    fi
    t1=$(now)
    restore_target
    if wait_for $((4 * INTERVAL + 10)) is_status "$channel" operational; then
      up=$(since "$t1")
    else
      up=timeout
      FAILED=1
      log "round $round: not operational within $((4 * INTERVAL + 10))s of the restart; the channel reads '$(channel_status "$channel")'"
    fi
    log "round $round: target $OUTAGE_WORD (in ${stopped}s); major_outage after $(secs "$down"); back to operational $(secs "$up") after it was $BACK_WORD"
    echo "$down $up" >>"$TMP/latency"
    [[ "$down" == timeout || "$up" == timeout ]] && break
  done
  LAT_PROBLEMS=$(log_problems "$TMP/relais-latency.err")
  stop "$RELAIS_PID"
  stop "$NGINX_PID"
  LAT_TABLE=$(awk -v limit="$LIMIT" -v rounds="$ROUNDS" -v word="$OUTAGE_WORD" -v back="$BACK_WORD" '
    function stats(col,   n, i, j, t, a, bad) {
      n = 0; bad = 0
      for (i = 1; i <= NR; i++) { if (v[i, col] == "timeout") bad++; else a[++n] = v[i, col] + 0 }
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      if (n == 0) return "-|-|-|" bad
      return sprintf("%.2f|%.2f|%.2f|%d", a[1], (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2, a[n], bad)
    }
    { v[NR, 1] = $1; v[NR, 2] = $2 }
    END {
      printf "%-34s %6s %8s %6s %8s %8s  %s\n", "", "min s", "median s", "max s", "timeouts", "target", "verdict"
      split(stats(1), d, "|"); split(stats(2), u, "|")
      ok = (d[4] == 0 && d[3] != "-" && d[3] + 0 <= limit && NR == rounds)
      printf "%-34s %6s %8s %6s %8d %7ss  %s\n", "target " word " -> major_outage", d[1], d[2], d[3], d[4], "<= " limit, ok ? "PASS" : "FAIL"
      printf "%-34s %6s %8s %6s %8d %8s  %s\n", "target " back " -> operational", u[1], u[2], u[3], u[4], "", "(information)"
      printf "VERDICT %s\n", ok ? "PASS" : "FAIL"
    }' "$TMP/latency")
  grep -q '^VERDICT PASS' <<<"$LAT_TABLE" || FAILED=1
  LAT_TABLE=$(grep -v '^VERDICT' <<<"$LAT_TABLE")
  NOTES+=("latency run: $(wc -l <"$TMP/latency") round(s); $LAT_PROBLEMS warning/error line(s) in the Relais log")
fi

# ---------------------------------------------------------------- 2. cost of MONITORS monitors
if want cost; then
  log "cost: starting nginx (target) and a fresh Relais (SQLite) with no monitor"
  start_nginx
  start_relais cost
  sleep 2
  log "idle: measuring ${IDLE}s"
  measure "$IDLE"
  IDLE_CPU=$M_CPU IDLE_RSS=$M_RSS IDLE_NGINX=$M_NGINX
  IDLE_CHECKS=$(checks_total)

  log "creating $CHANNELS channels and $MONITORS HTTP monitors every ${MONITOR_INTERVAL}s on $TARGET"
  ids=()
  for i in $(seq 1 "$CHANNELS"); do ids+=("$(new_channel "Channel $i")"); done
  # One curl process, one keep-alive connection, one request per monitor.
  cfg="$TMP/create.curl"
  : >"$cfg"
  for i in $(seq 1 "$MONITORS"); do
    ch=${ids[$(((i - 1) % CHANNELS))]}
    ((i > 1)) && echo 'next' >>"$cfg"
    cat >>"$cfg" <<EOF
url = "$RELAIS/v1/pages/$PAGE_ID/monitors"
request = "POST"
header = "Authorization: OAuth $API_KEY"
header = "Content-Type: application/json"
data = "{\"monitor\":{\"channel_id\":\"$ch\",\"name\":\"Check $i\",\"kind\":\"http\",\"target\":\"$TARGET\",\"interval_seconds\":$MONITOR_INTERVAL,\"timeout_seconds\":5,\"retries\":0,\"fail_after\":2,\"recover_after\":2}}"
output = "/dev/null"
write-out = "%{http_code} %{time_total}\\n"
silent
max-time = 30
EOF
  done
  t0=$(now)
  curl -K "$cfg" >"$TMP/create.codes" || true
  CREATE_SECS=$(since "$t0")
  created=$(grep -c '^201 ' "$TMP/create.codes" || true)
  # Mean time of one creation request, for the first and the last tenth.
  CREATE_FIRST_LAST=$(awk -v n="$MONITORS" '
    { t[NR] = $2 }
    END { k = int(n / 10); if (k < 1) k = 1
          for (i = 1; i <= k; i++) { a += t[i]; b += t[NR - k + i] }
          printf "%.0f ms for the first %d, %.0f ms for the last %d", 1000 * a / k, k, 1000 * b / k, k }' "$TMP/create.codes")
  log "$created of $MONITORS monitors created in ${CREATE_SECS}s"
  ((created == MONITORS)) || { sort "$TMP/create.codes" | uniq -c >&2; die "only $created of $MONITORS monitors were created"; }

  log "settling ${SETTLE}s, then measuring ${DURATION}s"
  sleep "$SETTLE"
  k0=$(checks_total)
  d0=$(checks_total down)
  read -r na0 nr0 <<<"$(nginx_counts)"
  t0=$(now)
  measure "$DURATION"
  k1=$(checks_total)
  d1=$(checks_total down)
  read -r na1 nr1 <<<"$(nginx_counts)"
  wall=$(since "$t0")
  # The status request itself counts once in each.
  NGINX_NOTE="nginx saw $((nr1 - nr0 - 1)) requests on $((na1 - na0 - 1)) new connections during the window"
  RATE=$(awk -v a="$k0" -v b="$k1" -v w="$wall" 'BEGIN { printf "%.1f", (b - a) / w }')
  EXPECTED=$(awk -v m="$MONITORS" -v i="$MONITOR_INTERVAL" 'BEGIN { printf "%.1f", m / i }')
  DOWN=$((d1 - d0))
  COST_PROBLEMS=$(log_problems "$TMP/relais-cost.err")
  COST_TABLE=$(
    printf '%-34s %8s %10s %10s %16s\n' "" "CPU %" "peak RSS" "checks/s" "nginx CPU %"
    printf '%-34s %8s %10s %10s %16s\n' "Relais idle (${IDLE}s)" "$IDLE_CPU" "$IDLE_RSS MiB" "0.0" "$IDLE_NGINX"
    printf '%-34s %8s %10s %10s %16s\n' "Relais, $MONITORS monitors (${DURATION}s)" "$M_CPU" "$M_RSS MiB" "$RATE" "$M_NGINX"
  )
  ok=$(awk -v r="$RATE" -v e="$EXPECTED" 'BEGIN { print (r >= 0.95 * e) ? 1 : 0 }')
  if ((ok == 1 && DOWN == 0)); then
    RATE_VERDICT="PASS: $RATE checks/s achieved for $EXPECTED expected ($MONITORS monitors / ${MONITOR_INTERVAL}s), no failed check"
  else
    RATE_VERDICT="FAIL: $RATE checks/s achieved for $EXPECTED expected, $DOWN failed check(s) in the window"
    FAILED=1
  fi
  ((IDLE_CHECKS == 0)) || NOTES+=("idle Relais ran $IDLE_CHECKS check(s)")
  NOTES+=("cost run: $MONITORS monitors created one by one through the manage API in ${CREATE_SECS}s (mean request time $CREATE_FIRST_LAST)")
  NOTES+=("cost run: Relais RSS was $M_RSS0 MiB at the start of the window, $M_RSS MiB at its peak; $NGINX_NOTE; $COST_PROBLEMS warning/error line(s) in the Relais log")
  stop "$RELAIS_PID"
  stop "$NGINX_PID"
fi

# ---------------------------------------------------------------- report
echo
echo "Relais detection benchmark; machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM; load average before the report: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "$LAT_TABLE" ]]; then
  echo
  echo "1. Detection latency: HTTP monitor every ${INTERVAL}s, timeout 2s, retries 0, fail_after 2; target $OUTAGE_WORD (OUTAGE=$OUTAGE) at a random point of the cycle, /api/v2/summary.json polled every ${POLL}s; $ROUNDS round(s)"
  echo "   target: <= 2 intervals + 1 s = ${LIMIT}s"
  echo
  echo "$LAT_TABLE"
fi
if [[ -n "$COST_TABLE" ]]; then
  echo
  echo "2. Cost of $MONITORS HTTP monitors every ${MONITOR_INTERVAL}s ($CHANNELS channels), all against nginx serving a 3-byte file on loopback"
  echo "   CPU % is of one core (utime + stime from /proc over the window); RSS sampled every second; checks/s from relais_checks_total"
  echo
  echo "$COST_TABLE"
  echo
  echo "$RATE_VERDICT"
fi
echo
for n in "${NOTES[@]}"; do echo "note: $n"; done
if ((FAILED)); then
  echo "RESULT: FAIL"
  exit 1
fi
echo "RESULT: PASS"
