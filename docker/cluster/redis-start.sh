#!/bin/sh
# Starts Redis with the password from REDIS_PASSWORD (required), written into a config file of
# this container only, so that it is not on the command line (`ps`).
set -eu
: "${REDIS_PASSWORD:?redis-start: REDIS_PASSWORD is not set}"
conf=$(mktemp /tmp/redis.XXXXXX.conf)
chmod 600 "$conf"
cat > "$conf" <<CONF
bind 0.0.0.0
port 6379
protected-mode no
requirepass $REDIS_PASSWORD
save ""
appendonly no
dir /tmp
CONF
exec redis-server "$conf"
