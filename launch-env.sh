#!/usr/bin/env bash
# launch-env.sh -- build, start and scale the system: M LBs (default 1) in front of N clusters.
set -euo pipefail
[[ -n "${DEBUG:-}" ]] && set -x

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COMPOSE_FILE="$ROOT/compose/docker-compose.yml"
STACK_FILE="$ROOT/compose/docker-stack.yml"
# compose (one Docker engine) or swarm (a stack on the swarm this engine belongs to): --swarm.
MODE=compose
SWARM_FLAG="" # " --swarm" in the commands this script prints, under --swarm
# Secrets and sticky settings (LB_BIND, LB_PORT, NODE_IMAGE, ...) live here; HSCALE_ENV_FILE
# points elsewhere (the end-to-end test uses its own, so it never touches your running system).
ENV_FILE=${HSCALE_ENV_FILE:-$ROOT/compose/.env}
MAX_CLUSTERS=64

# A setting from the environment, else the value saved in the env file by an earlier run.
saved() {
  if [[ -f $ENV_FILE ]]; then sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1; fi
}
PROJECT=${COMPOSE_PROJECT_NAME:-$(saved COMPOSE_PROJECT_NAME)}
PROJECT=${PROJECT:-hscale}
LB_BIND=${LB_BIND:-$(saved LB_BIND)}
LB_BIND=${LB_BIND:-127.0.0.1}
LB_PORT=${LB_PORT:-$(saved LB_PORT)}
LB_PORT=${LB_PORT:-8080}
# How many LBs (--lbs M; remembered): the first on LB_PORT, the others on LB_EXTRA_PORTS.
LBS=${LBS:-$(saved LBS)}
LBS=${LBS:-1}
LB_EXTRA_PORTS=${LB_EXTRA_PORTS:-$(saved LB_EXTRA_PORTS)}
LB_EXTRA_PORTS=${LB_EXTRA_PORTS:-8081-8099}
MAX_LBS=16

usage() {
  cat <<USAGE
Usage:
  ./launch-env.sh [N] [--lbs M] [--no-build] [--timeout S]
                                                   start, or rescale a running system, to N clusters
                                                   and M LBs
  ./launch-env.sh status                           the LBs, and a table of clusters (address, container,
                                                   health, role, memory)
  ./launch-env.sh down                             stop and remove every container, network and volume it started
  ./launch-env.sh --swarm [N|status|down] [...]    the same on Docker Swarm: a stack on the swarm this
                                                   Docker engine belongs to (see README, "Docker Swarm")
  ./launch-env.sh --help                           this text

  N           number of cluster containers, 1..$MAX_CLUSTERS (default 3)
  --lbs M     number of LBs, 1..$MAX_LBS, all serving the same clusters (default 1, or the last
              run's): the first on LB_PORT, the others on ports of LB_EXTRA_PORTS (under --swarm,
              on host ports Docker picks)
  --no-build  use the images already built
  --timeout S seconds to wait for N healthy clusters and a leader (default 300)

Environment:
  LB_BIND, LB_PORT      where the (first) LB listens on this host (default 127.0.0.1:8080; remembered)
  LB_EXTRA_PORTS        host ports for the other LBs, a range (default 8081-8099; remembered)
  NODE_IMAGE            Node base image for the builds (default node:24-bookworm-slim)
  REDIS_PASSWORD, CLUSTER_SECRET, ADMIN_TOKEN
                        secrets; generated into compose/.env on the first run unless set
  WRITE_ACK             replica (default) or leader: see README, "Guarantees"
  LB_MEM_LIMIT, CLUSTER_MEM_LIMIT, CLUSTER_TMP_SIZE
                        memory limit of the LB and of each cluster container (default 1g each),
                        and the size of a cluster's /tmp, where a follower receives the
                        leader's data (default 512m)
  COMPOSE_PROJECT_NAME  compose project, and stack name under --swarm (default hscale; remembered)
  LB_IMAGE, CLUSTER_IMAGE
                        --swarm only: images to deploy (default hscale-lb:latest and
                        hscale-cluster:latest, built here); on a swarm of several nodes, images
                        pushed to a registry every node can reach (README, "Docker Swarm")
  HSCALE_ENV_FILE       where secrets and remembered settings live (default compose/.env)
  COMPOSE_PARALLEL_LIMIT, COMPOSE_HTTP_TIMEOUT
                        compose's parallelism and Docker timeout (default 8 and 300 s: many
                        containers at once keep a small machine's Docker daemon busy for minutes)
  DEBUG=1               trace every command

Examples:
  ./launch-env.sh          # 3 clusters
  ./launch-env.sh 5        # rescale the running system to 5, in place
  ./launch-env.sh 3 --lbs 2   # two LBs in front of 3 clusters (each LB its own port)
  ./launch-env.sh status
  ./launch-env.sh down
  ./launch-env.sh --swarm 3   # a stack of 1 LB + 3 clusters on this swarm
  ./launch-env.sh --swarm 3 --lbs 2   # the same with two LBs (a replicated LB service)
  ./launch-env.sh --swarm down
USAGE
}

say() { printf '==> %s\n' "$*"; }
die() { printf 'launch-env: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- pre-flight (nothing changed yet)
COMPOSE=()
need_docker() {
  command -v docker >/dev/null 2>&1 || die "docker is not installed (https://docs.docker.com/engine/install/)"
  docker info >/dev/null 2>&1 || die "Docker is not running (or this user may not use it): start the Docker daemon, then retry"
}

find_compose() {
  need_docker
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
  else
    die "neither 'docker compose' (v2) nor 'docker-compose' (v1) is installed"
  fi
}

# The "lbs" profile always: the extra LBs are part of the project, scaled with --scale lb-extra.
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$COMPOSE_FILE" --env-file "$ENV_FILE" --profile lbs "$@"; }

need_node() { command -v node >/dev/null 2>&1 || die "node is needed to read the LB's answers (Node.js 20+)"; }

lb_url() { echo "http://$([[ $LB_BIND == 0.0.0.0 ]] && echo 127.0.0.1 || echo "$LB_BIND"):$LB_PORT"; }

# Every LB's URL, the first LB's first, one per line (the extra LBs' published ports).
lb_urls() {
  local c port host filter=(--filter "label=com.docker.compose.project=$PROJECT" --filter label=com.docker.compose.service=lb-extra)
  [[ $MODE == swarm ]] && filter=(--filter "label=com.docker.swarm.service.name=${PROJECT}_lb-extra")
  lb_url
  host=$([[ $LB_BIND == 0.0.0.0 ]] && echo 127.0.0.1 || echo "$LB_BIND")
  # Swarm: the extra LBs that run on this node (their host ports are this node's).
  for c in $(docker ps -q "${filter[@]}"); do
    port=$(docker port "$c" 8080/tcp 2>/dev/null | head -n 1)
    [[ -n $port ]] && echo "http://$host:${port##*:}"
  done | sort
}

# GET a path of one LB (a URL) and print the body, like lb_get.
url_get() {
  node -e '
    process.exitCode = 2;
    fetch(process.argv[1], { signal: AbortSignal.timeout(3000) })
      .then(async (r) => { process.stdout.write(await r.text()); process.exitCode = r.ok ? 0 : 3; })
      .catch(() => { process.exitCode = 2; });' "$1"
}

# GET a path of the LB and print the body; fails when the LB does not answer. Notes: exitCode,
# not process.exit(), since writes to a pipe are asynchronous and exit() would cut them short;
# and failure by default, since right after `compose up` a fetch can be left unsettled with
# nothing keeping Node alive, and Node then exits 0 with no output.
lb_get() { url_get "$(lb_url)$1"; }

lb_running() {
  if [[ $MODE == swarm ]]; then
    [[ -n "$(docker service ps -q --filter desired-state=running "${PROJECT}_lb" 2>/dev/null)" ]]
  else
    [[ -n "$(compose ps -q lb 2>/dev/null)" ]] && [[ "$(docker inspect -f '{{.State.Running}}' "$(compose ps -q lb)" 2>/dev/null)" == true ]]
  fi
}

port_taken() {
  # bash's /dev/tcp: connecting succeeds only when something listens.
  (exec 3<>"/dev/tcp/${1}/${2}") 2>/dev/null
}

# Running cluster containers on this engine (compose v1 and v2 name them differently, Swarm
# differently again: they are found by label, never by a guessed name).
cluster_containers() {
  if [[ $MODE == swarm ]]; then
    docker ps -q --filter "label=com.docker.swarm.service.name=${PROJECT}_cluster"
  else
    docker ps -q --filter "label=com.docker.compose.project=$PROJECT" --filter label=com.docker.compose.service=cluster
  fi
}

# "address name" of every running cluster container, one per line.
cluster_names_by_ip() {
  local c
  for c in $(cluster_containers); do
    docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}{{.Name}}' "$c" 2>/dev/null |
      awk '{ name = $NF; sub("^/", "", name); for (i = 1; i < NF; i++) print $i, name }'
  done
}

# Name of the cluster container that has address $1 ("?" when it runs on another node).
container_for_ip() {
  cluster_names_by_ip | awk -v ip="$1" '$1 == ip { print $2; found = 1; exit } END { if (!found) print "?" }'
}

# Settings given once and kept for the next runs (compose reads them from the env file; the Swarm
# stack gets them from stack_deploy).
REMEMBERED=(NODE_IMAGE WRITE_ACK LOG_LEVEL ACCESS_LOG_SAMPLE MAX_MEMORY EVICTION LB_MEM_LIMIT CLUSTER_MEM_LIMIT LB_IMAGE CLUSTER_IMAGE)

random_secret() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }

ensure_env_file() {
  local name value
  touch "$ENV_FILE"
  chmod 600 "$ENV_FILE"
  for name in REDIS_PASSWORD CLUSTER_SECRET ADMIN_TOKEN; do
    value=${!name:-}
    if [[ -n $value ]]; then
      set_env "$name" "$value"
    elif ! grep -q "^$name=" "$ENV_FILE"; then
      set_env "$name" "$(random_secret)"
      say "generated $name into compose/.env"
    fi
  done
  # Remembered for the next runs (status, down, rescale) and read by compose.
  set_env LB_BIND "$LB_BIND"
  set_env LB_PORT "$LB_PORT"
  set_env LBS "$LBS"
  set_env LB_EXTRA_PORTS "$LB_EXTRA_PORTS"
  set_env COMPOSE_PROJECT_NAME "$PROJECT"
  for name in "${REMEMBERED[@]}"; do
    if [[ -n ${!name:-} ]]; then set_env "$name" "${!name}"; fi
  done
}

set_env() { # set_env NAME VALUE: replace or append NAME=VALUE in compose/.env
  local tmp
  tmp=$(mktemp)
  grep -v "^$1=" "$ENV_FILE" >"$tmp" || true
  printf '%s=%s\n' "$1" "$2" >>"$tmp"
  cat "$tmp" >"$ENV_FILE"
  rm -f "$tmp"
}

# ---------------------------------------------------------------- commands
# Wait until the LB reports exactly N healthy clusters and a leader; progress every 2 s.
wait_ready() {
  local n=$1 timeout=$2 start=$SECONDS last="" health state
  say "waiting for $n healthy clusters and a leader (timeout ${timeout}s)"
  while ((SECONDS - start < timeout)); do
    if health=$(lb_get /health 2>/dev/null); then
      state=$(node -e '
        const h = JSON.parse(process.argv[1]); const n = Number(process.argv[2]);
        const ok = h.leader && h.clusters.total === n && h.clusters.healthy === n;
        console.log((ok ? "ready " : "wait ") + h.clusters.healthy + "/" + h.clusters.total + " healthy, leader " + (h.leader ? h.leader.id + " epoch " + h.leader.epoch : "none"));' "$health" "$n")
    else
      state="wait LB not answering yet"
    fi
    if [[ $state == ready* ]] && ! all_lbs_ready; then state="wait ${state#ready }; not every LB ready yet"; fi
    if [[ $state == ready* ]]; then
      say "${state#ready } ($((SECONDS - start))s)"
      return 0
    fi
    if [[ ${state#wait } != "$last" ]] || ((SECONDS % 10 == 0)); then
      printf '    [%3ss] %s\n' "$((SECONDS - start))" "${state#wait }"
      last=${state#wait }
    fi
    sleep 1
  done
  echo
  say "still not ready after ${timeout}s; recent logs:" >&2
  if [[ $MODE == swarm ]]; then
    docker service logs --tail 20 "${PROJECT}_lb" >&2 || true
    docker service logs --tail 20 "${PROJECT}_cluster" >&2 || true
  else
    compose logs --tail 20 >&2 || true
  fi
  die "timed out waiting for $n healthy clusters and a leader (see the logs above; ./launch-env.sh status)"
}

# Every LB started (LBS of them) answers /ready: it follows the leader.
all_lbs_ready() {
  local url count=0
  for url in $(lb_urls); do
    url_get "$url/ready" >/dev/null 2>&1 || return 1
    count=$((count + 1))
  done
  if [[ $MODE == swarm ]]; then
    # Extra LBs on other nodes cannot be asked from here: their tasks must run.
    [[ $(docker service ls --filter "name=${PROJECT}_lb-extra" --format '{{.Replicas}}' 2>/dev/null | head -n 1) == "$((LBS - 1))/$((LBS - 1))"* ]]
  else
    ((count == LBS))
  fi
}

print_usage_hints() {
  local url leader leader_ip container
  url=$(lb_url)
  leader=$(lb_get /leader | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const l=JSON.parse(s);console.log(l.address+" "+l.id+" (epoch "+l.epoch+")")})')
  leader_ip=${leader%% *}
  leader=${leader#* }
  container=$(container_for_ip "$leader_ip")
  cat <<EOF

The system is up: $url  (dashboard: $url/)
$(if ((LBS > 1)); then echo "All $LBS LBs (each serves everything): $(lb_urls | paste -sd ' ')"; fi)
Leader: $leader, container $container

Try:
  curl -X PUT --data 'hello' $url/keys/greeting
  curl $url/keys/greeting
  curl "$url/keys?prefix=gr"
  curl -X DELETE $url/keys/greeting
  curl $url/servers
  curl -o mandelbrot.png "$url/mandelbrot.png?width=1200&escape=1000"
  docker exec $container redis-cli keys '*'

Rescale: ./launch-env.sh${SWARM_FLAG} 5 [--lbs M]     Status: ./launch-env.sh${SWARM_FLAG} status     Stop: ./launch-env.sh${SWARM_FLAG} down
EOF
}

cmd_up() {
  local n=$1 build=$2 timeout=$3
  find_compose
  need_node
  ensure_env_file
  if lb_running; then
    say "the system is running: rescaling to $n clusters in place"
  elif port_taken "$([[ $LB_BIND == 0.0.0.0 ]] && echo 127.0.0.1 || echo "$LB_BIND")" "$LB_PORT"; then
    die "port $LB_PORT on $LB_BIND is already taken by another program: free it or choose another with LB_PORT=8081 ./launch-env.sh"
  fi
  if [[ $build == 1 ]]; then
    say "building images (${NODE_IMAGE:-node:24-bookworm-slim} base)"
    compose build
  fi
  say "starting: $LBS LB$( ((LBS > 1)) && echo s) + $n clusters"
  # --no-recreate: a rescale must not restart the LBs or the clusters that stay. Many containers
  # at once keep the Docker daemon busy for minutes on a small machine: fewer requests in
  # parallel, and a longer wait for each (compose v1's default of 60 s failed at 64 clusters).
  COMPOSE_PARALLEL_LIMIT=${COMPOSE_PARALLEL_LIMIT:-8} COMPOSE_HTTP_TIMEOUT=${COMPOSE_HTTP_TIMEOUT:-300} \
    compose up -d --no-recreate --scale "cluster=$n" --scale "lb-extra=$((LBS - 1))"
  wait_ready "$n" "$timeout"
  print_usage_hints
}

cmd_status() {
  if [[ $MODE == swarm ]]; then need_swarm; else find_compose; fi
  need_node
  [[ -f $ENV_FILE ]] || die "not started yet (no compose/.env): run ./launch-env.sh"
  lb_running || die "the LB is not running: start it with ./launch-env.sh${SWARM_FLAG}"
  local names url
  names=$(cluster_names_by_ip)
  echo "LBs (each serves everything):"
  for url in $(lb_urls); do
    printf '  %-28s %s\n' "$url" "$(url_get "$url/leader" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const l=JSON.parse(s);console.log("leader "+l.id+" epoch "+l.epoch+(l.available?"":" (holding requests)"))}catch{console.log("not answering")}})')"
  done
  lb_get /health | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const h=JSON.parse(s);console.log("status "+h.status+", leader "+(h.leader?h.leader.id+" (epoch "+h.leader.epoch+")":"none")+", "+h.clusters.healthy+"/"+h.clusters.total+" healthy")})'
  lb_get /servers | node -e '
    // Container names as Docker knows them (compose v1, v2 or Swarm), by address.
    const names=new Map(process.argv[1].split("\n").filter(Boolean).map((l)=>l.split(" ")));
    let s=""; process.stdin.on("data",d=>s+=d).on("end",()=>{
      const mib=(b)=>(b/1048576).toFixed(0);
      const memory=(x)=>!x?"":mib(x.used)+"/"+(x.max?mib(x.max)+" MiB":"unbounded")+(x.evictedKeys?" ("+x.evictedKeys+" evicted)":"");
      const rows=[["ADDRESS","CONTAINER","HEALTHY","ROLE","EPOCH","REDIS","OFFSET","MEMORY","FAILURES","SOURCE"]];
      for (const m of JSON.parse(s)) rows.push([m.address+":"+m.port, names.get(m.address)??m.name??"", String(m.healthy), m.role, String(m.epoch??""), m.redis?.role??"", String(m.redis?.offset??""), memory(m.redis?.memory), String(m.failures), m.source]);
      const w=rows[0].map((_,i)=>Math.max(...rows.map(r=>r[i].length)));
      for (const r of rows) console.log(r.map((c,i)=>c.padEnd(w[i])).join("  "));
    })' "$names"
}

cmd_down() {
  find_compose
  [[ -f $ENV_FILE ]] || { mkdir -p "$(dirname "$ENV_FILE")" && touch "$ENV_FILE"; }
  say "stopping and removing containers, networks and volumes of project '$PROJECT'"
  # The compose file insists on the secrets; taking the system down does not need them (and the
  # env file may be gone): placeholders are enough for compose to read the file.
  REDIS_PASSWORD=${REDIS_PASSWORD:-unused} CLUSTER_SECRET=${CLUSTER_SECRET:-unused} ADMIN_TOKEN=${ADMIN_TOKEN:-unused} \
    compose down --remove-orphans --volumes --timeout 15
}

# ---------------------------------------------------------------- Docker Swarm (--swarm)
need_swarm() {
  need_docker
  local state
  state=$(docker info --format '{{.Swarm.LocalNodeState}}')
  if [[ $state != active ]]; then
    die "this Docker engine is not part of a swarm (state: ${state:-unknown}). Create one with
    docker swarm init --advertise-addr <this host's address>     (127.0.0.1 for a trial on one machine)
  or join one with the 'docker swarm join' command a manager prints, then retry"
  fi
  [[ $(docker info --format '{{.Swarm.ControlAvailable}}') == true ]] ||
    die "this node is a swarm worker: run ./launch-env.sh --swarm on a manager node (docker node ls there)"
}

# The images the stack runs. LB_IMAGE and CLUSTER_IMAGE when given (a registry's, for several
# nodes); else built here with the compose build's Dockerfiles and tagged by content
# (hscale-lb:<id>), so that a rebuild changes the services and Swarm rolls it out, while a rescale
# without changes restarts nothing. The tags deployed last are kept in the env file.
build_images() {
  local image id
  for image in lb cluster; do
    say "building hscale-$image (${NODE_IMAGE:-node:24-bookworm-slim} base)"
    docker build -q -t "hscale-$image:latest" -f "$ROOT/$image-image/Dockerfile" \
      --build-arg "NODE_IMAGE=${NODE_IMAGE:-node:24-bookworm-slim}" "$ROOT" >/dev/null
    id=$(docker image inspect -f '{{.Id}}' "hscale-$image:latest")
    id=${id#sha256:}
    docker tag "hscale-$image:latest" "hscale-$image:${id:0:12}"
    set_env "SWARM_$(tr '[:lower:]' '[:upper:]' <<<"$image")_IMAGE" "hscale-$image:${id:0:12}"
  done
}

# Docker secrets <stack>_redis_password, _cluster_secret, _admin_token, from compose/.env (made
# there on the first run), labelled with their SHA-256: a secret cannot change while a service
# uses it, so a changed value stops here (./launch-env.sh --swarm down first) instead of leaving
# the system with other secrets than compose/.env says. Never traced (DEBUG=1): they are secrets.
SECRET_NAMES=(REDIS_PASSWORD CLUSTER_SECRET ADMIN_TOKEN)
secret_name() { echo "${PROJECT}_$(tr '[:upper:]' '[:lower:]' <<<"$1")"; }
ensure_swarm_secrets() {
  local name sum deployed traced=0
  [[ $- == *x* ]] && traced=1 && set +x
  for name in "${SECRET_NAMES[@]}"; do
    sum=$(saved "$name" | tr -d '\n' | sha256sum | cut -c1-64)
    if deployed=$(docker secret inspect -f '{{index .Spec.Labels "hscale.sha256"}}' "$(secret_name "$name")" 2>/dev/null); then
      [[ $deployed == "$sum" ]] ||
        die "$name in $ENV_FILE differs from the Docker secret $(secret_name "$name") the stack uses: run ./launch-env.sh --swarm down first to change it"
    else
      saved "$name" | tr -d '\n' | docker secret create --label "hscale.sha256=$sum" "$(secret_name "$name")" - >/dev/null
      say "created Docker secret $(secret_name "$name")"
    fi
  done
  ((traced)) && set -x
  return 0
}

# What the stack file reads (docker stack deploy does not read compose/.env): the remembered
# settings, the images, the stack's name, N and the port.
stack_deploy() { # stack_deploy N
  local name out env=(STACK="$PROJECT" CLUSTERS="$1" LB_PORT="$LB_PORT" EXTRA_LBS="$((LBS - 1))")
  for name in WRITE_ACK LOG_LEVEL ACCESS_LOG_SAMPLE MAX_MEMORY EVICTION LB_MEM_LIMIT CLUSTER_MEM_LIMIT; do
    if [[ -n ${!name:-$(saved "$name")} ]]; then env+=("$name=${!name:-$(saved "$name")}"); fi
  done
  local lb_image=${LB_IMAGE:-$(saved LB_IMAGE)} cluster_image=${CLUSTER_IMAGE:-$(saved CLUSTER_IMAGE)}
  local resolve=() # images from a registry: Swarm pins their digest
  if [[ -z $lb_image$cluster_image ]]; then
    lb_image=$(saved SWARM_LB_IMAGE) cluster_image=$(saved SWARM_CLUSTER_IMAGE)
    resolve=(--resolve-image never) # local images: there is no registry to ask for a digest
  fi
  env+=(LB_IMAGE="${lb_image:-hscale-lb:latest}" CLUSTER_IMAGE="${cluster_image:-hscale-cluster:latest}")
  out=$(env "${env[@]}" docker stack deploy "${resolve[@]}" -c "$STACK_FILE" "$PROJECT" 2>&1) ||
    die "docker stack deploy failed: $out"
  { grep -v -e 'detach=false' -e '^In a future release' <<<"$out" || true; } | sed 's/^/    /'
}

cmd_swarm_up() {
  local n=$1 build=$2 timeout=$3
  need_swarm
  need_node
  ensure_env_file
  local stacks
  stacks=$(docker stack ls --format '{{.Name}}')
  if grep -qFx "$PROJECT" <<<"$stacks"; then
    say "the stack '$PROJECT' is deployed: rescaling to $n clusters in place"
  elif port_taken 127.0.0.1 "$LB_PORT"; then
    die "port $LB_PORT is already taken on this host (the compose system?): free it or choose another with LB_PORT=8081 ./launch-env.sh --swarm"
  fi
  if [[ $build == 1 && -z ${LB_IMAGE:-$(saved LB_IMAGE)}${CLUSTER_IMAGE:-$(saved CLUSTER_IMAGE)} ]]; then build_images; fi
  ensure_swarm_secrets
  say "deploying stack '$PROJECT': $LBS LB$( ((LBS > 1)) && echo s) + $n clusters"
  stack_deploy "$n"
  wait_ready "$n" "$timeout"
  print_usage_hints
}

cmd_swarm_down() {
  need_swarm
  local name deadline=$((SECONDS + 120))
  say "removing stack '$PROJECT' (services, network) and its secrets"
  docker stack rm "$PROJECT" 2>&1 | sed 's/^/    /'
  # stack rm returns at once; the tasks stop, then the network and the secrets can go.
  while [[ -n "$(docker ps -aq --filter "label=com.docker.stack.namespace=$PROJECT")$(docker network ls -q --filter "label=com.docker.stack.namespace=$PROJECT")" ]]; do
    ((SECONDS < deadline)) || die "the stack's containers or network are still there after 120 s: docker ps -a; docker network ls"
    sleep 1
  done
  for name in "${SECRET_NAMES[@]}"; do
    docker secret rm "$(secret_name "$name")" >/dev/null 2>&1 && say "removed Docker secret $(secret_name "$name")"
  done
  return 0
}

main() {
  local n=3 build=1 timeout=300 command=up
  while (($#)); do
    case $1 in
      -h|--help) usage; return 0 ;;
      --swarm) MODE=swarm; SWARM_FLAG=" --swarm" ;;
      --no-build) build=0 ;;
      --lbs)
        if ! [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || ((10#$2 < 1 || 10#$2 > MAX_LBS)); then
          die "--lbs needs a whole number from 1 to $MAX_LBS (see --help)"
        fi
        LBS=$((10#$2)); shift ;;
      --timeout)
        [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "--timeout needs a number of seconds (see --help)"
        timeout=$2; shift ;;
      status|down) command=$1 ;;
      up) command=up ;;
      -*) die "unknown option '$1' (see --help)" ;;
      *)
        if ! [[ $1 =~ ^[0-9]+$ ]] || ((10#$1 < 1 || 10#$1 > MAX_CLUSTERS)); then
          die "N must be a whole number from 1 to $MAX_CLUSTERS, not '$1' (see --help)"
        fi
        n=$((10#$1)) ;;
    esac
    shift
  done
  case $MODE:$command in
    compose:up) cmd_up "$n" "$build" "$timeout" ;;
    swarm:up) cmd_swarm_up "$n" "$build" "$timeout" ;;
    *:status) cmd_status ;;
    compose:down) cmd_down ;;
    swarm:down) cmd_swarm_down ;;
  esac
}

main "$@"
