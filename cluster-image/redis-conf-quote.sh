# shellcheck shell=sh
# redis_conf_quote VALUE: VALUE as one double-quoted redis.conf argument, every byte written as
# \xHH, so that no character of a password (", \, space, $, newline...) can end the string early or
# stop Redis from starting. Sourced by cluster-entrypoint.sh.
redis_conf_quote() {
  printf '"%s"' "$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | sed 's/../\\x&/g')"
}
