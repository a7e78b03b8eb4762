#!/bin/bash
# healthcheck [PORT]: exit 0 when http://127.0.0.1:PORT/health answers 200 (the slave answers that
# only while its Redis is up; the LB while it runs). The container HEALTHCHECK of both images:
# bash's /dev/tcp costs next to nothing, where `node -e fetch(...)` started a whole Node process.
port=${1:-${PORT:-3000}}
{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || exit 1
printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 2 status <&3 || exit 1
[[ $status == "HTTP/1.1 200 "* ]]
