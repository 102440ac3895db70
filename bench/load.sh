#!/usr/bin/env bash
# Load benchmark: Relais serving its pre-rendered status page and v2 JSON,
# against nginx serving the very same bytes as static files, measured in the
# same run on the same machine. A last run keeps the load on /status while
# incidents change through the manage API.
#
# Usage: bench/load.sh
#
# Environment (all optional):
#   DURATION=15s        length of each measured wrk run
#   WARMUP=3s           length of the unmeasured warm-up before each run (0 to skip)
#   THREADS=2           wrk threads
#   CONNECTIONS=256     wrk connections
#   ROUNDS=1            how many times the Relais/nginx pairs are repeated (the table shows medians)
#   ENCODING=br         br | gzip | identity: what both servers are asked for and send
#                         br:       Accept-Encoding: br, gzip   (Relais picks br; nginx sends the same .br file)
#                         gzip:     Accept-Encoding: gzip       (nginx negotiates with gzip_static)
#                         identity: no Accept-Encoding          (uncompressed on both sides)
#   RELAIS_PORT=18080   NGINX_PORT=18081   loopback ports
#   CHANGE_INTERVAL=0.2 seconds between two incident changes in the last run
#   SERVER_CPUS, WRK_CPUS  optional CPU lists for taskset (e.g. SERVER_CPUS=0 WRK_CPUS=1)
#   CARGO_TARGET_DIR    honoured by the build, as usual
#   RELAIS_BIN          a relais binary to benchmark instead of building one
#   KEEP_TMP=1          keep the temporary folder (logs, nginx root, raw wrk output)
set -euo pipefail

DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-256}
ROUNDS=${ROUNDS:-1}
ENCODING=${ENCODING:-br}
RELAIS_PORT=${RELAIS_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
CHANGE_INTERVAL=${CHANGE_INTERVAL:-0.2}
SERVER_CPUS=${SERVER_CPUS:-}
WRK_CPUS=${WRK_CPUS:-}
HOST=127.0.0.1
URLS=(/status /api/v2/summary.json)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

case "$ENCODING" in
  br) ACCEPT='br, gzip' ;;
  gzip) ACCEPT='gzip' ;;
  identity) ACCEPT='' ;;
  *) die "ENCODING must be br, gzip or identity (got '$ENCODING')" ;;
esac

cd "$(dirname "$0")/.."
ROOT_DIR=$(pwd)

# ---------------------------------------------------------------- tools
need_pkgs=()
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
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
TMP=$(mktemp -d "${TMPDIR:-/tmp}/relais-bench.XXXXXX")
chmod 755 "$TMP"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    # Bounded wait, then force.
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

# Optional CPU pinning; taskset execs the command, so $! stays the server's pid.
SERVER_PIN=()
WRK_PIN=()
[[ -n "$SERVER_CPUS" ]] && SERVER_PIN=(taskset -c "$SERVER_CPUS")
[[ -n "$WRK_CPUS" ]] && WRK_PIN=(taskset -c "$WRK_CPUS")

wait_http() { # wait_http URL: up to 30 s
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  return 1
}

curl_enc() { # curl with the benchmark's Accept-Encoding (curl does not decode without --compressed)
  if [[ -n "$ACCEPT" ]]; then curl -H "Accept-Encoding: $ACCEPT" "$@"; else curl "$@"; fi
}

# ---------------------------------------------------------------- Relais
log "starting the Relais demo on $HOST:$RELAIS_PORT"
"${SERVER_PIN[@]}" "$BIN" demo --listen "$HOST:$RELAIS_PORT" --data "$TMP/data" \
  --public-url "http://$HOST:$RELAIS_PORT" >"$TMP/relais.out" 2>"$TMP/relais.err" &
PIDS+=($!)
RELAIS="http://$HOST:$RELAIS_PORT"
wait_http "$RELAIS/healthz" || { cat "$TMP/relais.err" >&2; die "Relais did not start"; }
for _ in $(seq 1 50); do grep -q 'OAuth' "$TMP/relais.out" && break; sleep 0.1; done
API_KEY=$(grep -o "OAuth [^' ]*" "$TMP/relais.out" | head -1 | cut -d' ' -f2 || true)
PAGE_ID=$(grep -o '/v1/pages/[^/]*/' "$TMP/relais.out" | head -1 | cut -d/ -f4 || true)

# ---------------------------------------------------------------- the same bytes for nginx
WWW="$TMP/www"
mkdir -p "$WWW/api/v2"
NGINX_LOCATIONS=''
declare -A SIZE
for url in "${URLS[@]}"; do
  file="$WWW$url"
  curl_enc -fsS -D "$TMP/headers" -o "$TMP/body" "$RELAIS$url"
  ctype=$(grep -i '^content-type:' "$TMP/headers" | head -1 | cut -d' ' -f2- | tr -d '\r')
  cenc=$(grep -i '^content-encoding:' "$TMP/headers" | head -1 | cut -d' ' -f2- | tr -d '\r' || true)
  vary=$(grep -i '^vary:' "$TMP/headers" | head -1 | cut -d' ' -f2- | tr -d '\r' || true)
  cache=$(grep -i '^cache-control:' "$TMP/headers" | head -1 | cut -d' ' -f2- | tr -d '\r' || true)
  [[ "$ENCODING" == identity ]] && want='' || want=$ENCODING
  [[ "${cenc:-}" == "$want" ]] || die "Relais answered $url with Content-Encoding '${cenc:-}', expected '$want'"
  SIZE[$url]=$(stat -c %s "$TMP/body")
  common="default_type \"$ctype\"; add_header Cache-Control \"$cache\"; add_header Access-Control-Allow-Origin *; add_header Vary \"$vary\";"
  case "$ENCODING" in
    br)
      # nginx has no brotli_static without an extra module: serve the .br file
      # with a fixed Content-Encoding (nginx does not even negotiate here).
      cp "$TMP/body" "$file.br"
      NGINX_LOCATIONS+="    location = $url { $common add_header Content-Encoding br; try_files $url.br =404; }"$'\n'
      ;;
    gzip)
      cp "$TMP/body" "$file.gz"
      curl -fsS -o "$file" "$RELAIS$url"
      NGINX_LOCATIONS+="    location = $url { $common gzip_static on; }"$'\n'
      ;;
    identity)
      cp "$TMP/body" "$file"
      NGINX_LOCATIONS+="    location = $url { $common }"$'\n'
      ;;
  esac
done
chmod -R a+rX "$WWW"

CORES=$(nproc)
[[ -n "$SERVER_CPUS" ]] && CORES=$(taskset -c "$SERVER_CPUS" nproc)
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes $CORES;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 8192; }
http {
  types {}
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  server_tokens off;
  open_file_cache max=100 inactive=60s;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  server {
    listen $HOST:$NGINX_PORT;
    root $WWW;
$NGINX_LOCATIONS  }
}
EOF
log "starting nginx ($CORES workers) on $HOST:$NGINX_PORT"
"${SERVER_PIN[@]}" "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' \
  >"$TMP/nginx/stderr" 2>&1 &
PIDS+=($!)
NGINXURL="http://$HOST:$NGINX_PORT"
wait_http "$NGINXURL/status" || { cat "$TMP/nginx/stderr" "$TMP/nginx/error.log" >&2 || true; die "nginx did not start"; }

for url in "${URLS[@]}"; do
  curl_enc -fsS -o "$TMP/a" "$RELAIS$url"
  curl_enc -fsS -o "$TMP/b" "$NGINXURL$url"
  cmp -s "$TMP/a" "$TMP/b" || die "nginx does not serve the same bytes as Relais for $url"
  ha=$(curl_enc -s -o /dev/null -w '%{size_header}' "$RELAIS$url")
  hb=$(curl_enc -s -o /dev/null -w '%{size_header}' "$NGINXURL$url")
  log "$url: identical ${SIZE[$url]}-byte body on both (${ENCODING}); response headers: Relais $ha B, nginx $hb B"
done

# ---------------------------------------------------------------- wrk
cat >"$TMP/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
EOF

# run_wrk NAME URL: prints "requests duration_us p50 p90 p99 max non2xx sockerr"
run_wrk() {
  local name=$1 url=$2 hdr=()
  [[ -n "$ACCEPT" ]] && hdr=(-H "Accept-Encoding: $ACCEPT")
  if [[ "$WARMUP" != 0 && "$WARMUP" != 0s ]]; then
    "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${hdr[@]}" "$url" >/dev/null
  fi
  "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${hdr[@]}" \
    -s "$TMP/report.lua" "$url" >"$TMP/wrk-$name.txt"
  local r
  r=$(grep '^RESULT ' "$TMP/wrk-$name.txt" | cut -d' ' -f2-)
  [[ -n "$r" ]] || die "wrk gave no result for $url"
  # shellcheck disable=SC2086
  set -- $r
  log "$(awk -v n="$1" -v d="$2" -v p99="$5" -v s="$7" -v e="$8" \
    'BEGIN { printf "%.0f req/s, p99 %.2f ms, %d non-2xx, %d socket errors", n / (d / 1e6), p99 / 1000, s, e }')"
  echo "$r"
}

RESULTS="$TMP/results"
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for url in "${URLS[@]}"; do
    for side in relais nginx; do
      base=$RELAIS; [[ $side == nginx ]] && base=$NGINXURL
      log "round $round: $side $url ($DURATION, $THREADS threads, $CONNECTIONS connections)"
      echo "$url $side $(run_wrk "$side-${url//\//_}-$round" "$base$url")" >>"$RESULTS"
    done
  done
done

# ---------------------------------------------------------------- load while incidents change
CHANGES="$TMP/changes"
change_loop() { # change_loop SECONDS INCIDENT_ID: PATCHes the incident until time is up
  local until=$((SECONDS + $1)) id=$2 n=0 ok=0 bad=0 code status
  : >"$TMP/etags"
  while ((SECONDS < until)); do
    n=$((n + 1))
    if ((n % 2)); then status=monitoring; else status=identified; fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X PATCH \
      -H "Authorization: OAuth $API_KEY" -H 'Content-Type: application/json' \
      -d "{\"incident\":{\"status\":\"$status\",\"body\":\"Load test update $n\",\"deliver_notifications\":false}}" \
      "$RELAIS/v1/pages/$PAGE_ID/incidents/$id" || echo 000)
    if [[ $code == 2* ]]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
    curl_enc -s -o /dev/null -D - --max-time 5 "$RELAIS/status" | grep -i '^etag:' | tr -d '\r' >>"$TMP/etags" || true
    sleep "$CHANGE_INTERVAL"
  done
  echo "$ok $bad $(sort -u "$TMP/etags" | wc -l)" >"$CHANGES"
}

CHANGE_NOTE=''
INCIDENT_ID=$(curl -fs "$RELAIS/api/v2/incidents/unresolved.json" | jq -r '.incidents[0].id // empty' || true)
[[ -z "$INCIDENT_ID" ]] && INCIDENT_ID=$(curl -fs "$RELAIS/api/v2/incidents.json" | jq -r '.incidents[0].id // empty' || true)
probe=000
if [[ -n "$API_KEY" && -n "$PAGE_ID" && -n "$INCIDENT_ID" ]]; then
  probe=$(curl -s -o "$TMP/probe" -w '%{http_code}' --max-time 10 -X PATCH \
    -H "Authorization: OAuth $API_KEY" -H 'Content-Type: application/json' \
    -d '{"incident":{"status":"identified","body":"Load test starts","deliver_notifications":false}}' \
    "$RELAIS/v1/pages/$PAGE_ID/incidents/$INCIDENT_ID" || echo 000)
fi
if [[ $probe == 2* ]]; then
  secs=${DURATION%s}
  [[ "$secs" =~ ^[0-9]+$ ]] || secs=15
  log "load on /status while incident $INCIDENT_ID changes every ${CHANGE_INTERVAL}s"
  change_loop "$((secs + 1))" "$INCIDENT_ID" &
  PIDS+=($!)
  loop_pid=$!
  echo "/status relais+changes $(run_wrk changes "$RELAIS/status")" >>"$RESULTS"
  wait "$loop_pid" || true
  read -r ch_ok ch_bad ch_etags <"$CHANGES"
  CHANGE_NOTE="incident changes during the run: $ch_ok accepted, $ch_bad refused, $ch_etags distinct /status ETags seen"
else
  CHANGE_NOTE="SKIPPED the run under incident changes: PATCH $RELAIS/v1/pages/{page_id}/incidents/{id} answered HTTP $probe (the manage API is not available in this build)"
fi

# ---------------------------------------------------------------- table
summary=$(awk -v rounds="$ROUNDS" '
  function median(key, n,   i, j, t, a) {
    n = split(vals[key], a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    k = $1 " " $2
    if (!(k in seen)) { seen[k] = 1; order[++count] = k }
    vals[k ",rps"] = vals[k ",rps"] " " ($3 / ($4 / 1e6))
    vals[k ",p50"] = vals[k ",p50"] " " $5; vals[k ",p90"] = vals[k ",p90"] " " $6
    vals[k ",p99"] = vals[k ",p99"] " " $7; vals[k ",max"] = vals[k ",max"] " " $8
    non2xx[k] += $9; sockerr[k] += $10
  }
  END {
    printf "%-22s %-16s %10s %9s %9s %9s %9s %8s %8s %9s\n", "url", "server", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "non-2xx", "sock-err", "vs nginx"
    for (i = 1; i <= count; i++) {
      k = order[i]; split(k, kp, " ")
      rps[k] = median(k ",rps")
      ratio = "";
      n = kp[1] " nginx"
      if (kp[2] != "nginx" && (n in seen)) ratio = sprintf("%.2fx", rps[k] / median(n ",rps"))
      printf "%-22s %-16s %10.0f %9.2f %9.2f %9.2f %9.2f %8d %8d %9s\n", kp[1], kp[2], rps[k],
        median(k ",p50") / 1000, median(k ",p90") / 1000, median(k ",p99") / 1000, median(k ",max") / 1000,
        non2xx[k], sockerr[k], ratio
    }
  }' "$RESULTS")

echo
echo "Relais vs nginx, same bytes ($ENCODING${ACCEPT:+, Accept-Encoding: $ACCEPT}), wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $ROUNDS round(s), medians"
echo "machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM; wrk shares the CPUs with the server under test"
echo
echo "$summary"
kept=$(awk '$1 == "/status" && $2 == "relais" { b = $3 } $1 == "/status" && $2 == "relais+changes" { c = $3 }
  END { if (b > 0 && c > 0) printf "; throughput kept under changes: %.0f%% of Relais /status without changes", 100 * c / b }' <<<"$summary")
echo
echo "$CHANGE_NOTE$kept"
