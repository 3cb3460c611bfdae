#!/bin/sh
# Container entrypoint, in the manner of the official redis and keydb images.
#
# What runs:
#   docker run IMAGE                      keydb-ts-server /etc/keydb/keydb.conf (the CMD)
#   docker run IMAGE --port 7000 ...      keydb-ts-server /etc/keydb/keydb.conf --port 7000 ...
#   docker run IMAGE /path/my.conf ...    keydb-ts-server /path/my.conf ...
#   docker run IMAGE keydb-ts-server ...  exactly that (built-in defaults unless a file is given)
#   docker run IMAGE sh                   any other command runs as given
# Flags alone keep the image's config file underneath them, unlike eqalpha/keydb
# (whose flags replace the CMD and so silently drop `protected-mode no` and
# `dir /data`); -h/--help and -v/--version pass straight through.
#
# Started as root, the server first takes ownership of the files in its working
# directory (/data) that the keydb user does not own (SKIP_FIX_PERMS=1 skips
# this), then drops to keydb (uid 999). `exec` keeps the server as PID 1, so
# `docker stop`'s SIGTERM reaches it and it saves (when save rules exist)
# before exiting.
set -e

case "$1" in
  -h | --help | -v | --version) set -- keydb-ts-server "$@" ;;
  -*) set -- keydb-ts-server /etc/keydb/keydb.conf "$@" ;;
  *.conf) set -- keydb-ts-server "$@" ;;
esac

if [ "$1" = keydb-ts-server ] && [ "$(id -u)" = 0 ]; then
  if [ -z "${SKIP_FIX_PERMS:-}" ]; then
    find . \! -user keydb -exec chown keydb:keydb '{}' +
  fi
  exec setpriv --reuid=keydb --regid=keydb --clear-groups -- "$0" "$@"
fi

# Snapshots are not world-readable unless the user chose a umask (redis image habit).
if [ "$(umask)" = 0022 ]; then
  umask 0077
fi

exec "$@"
