#!/bin/sh
# Derives the container image's /etc/keydb/keydb.conf from conf/keydb.conf
# (stdin → stdout), so the documented default file stays the one source of
# truth. Only the three settings the official keydb image changes differ:
# listen on every interface, no protected mode (ports reach the server only
# when published with -p), data in the /data volume. Fails the image build if
# conf/keydb.conf no longer has one of the lines it rewrites.
set -eu

out=$(sed -E \
  -e 's|^bind .*|# Container image: listen on every interface; publish ports with -p.\nbind 0.0.0.0|' \
  -e 's|^protected-mode .*|# Container image: off, as in the official images (nothing is reachable unpublished).\nprotected-mode no|' \
  -e 's|^dir .*|# Container image: snapshots go to the /data volume.\ndir /data|')

for line in 'bind 0.0.0.0' 'protected-mode no' 'dir /data'; do
  printf '%s\n' "$out" | grep -qx "$line" || { echo "container-conf.sh: no '${line%% *}' line to rewrite in conf/keydb.conf" >&2; exit 1; }
done
printf '%s\n' "$out"
