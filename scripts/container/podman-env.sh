# Source me (bash): podman set up the way it works on machines with no Docker
# engine and no reachable image registry, such as this project's CI hosts.
#   pm ...               podman with runc, cgroupfs and no default ulimits (crun
#                        fails on setrlimit or hybrid cgroups on those hosts)
#   ensure_node_base     makes sure node:20-bookworm-slim exists locally: pulled
#                        when a registry answers, else a local stand-in (below)
# The stand-in is Debian bookworm minbase, slimmed as Debian's -slim images are,
# plus this machine's Node 20 and npm, a `node` user (uid 1000) and the CA
# bundle (TLS to the npm registry may be re-signed on such networks), so image
# sizes measured on it match the real base. Needs root, podman, runc and
# debootstrap (apt-get install podman runc debootstrap uidmap).
# Used by test/helpers/container.ts; nothing here is needed where Docker runs.

export CONTAINERS_CONF=${CONTAINERS_CONF:-/tmp/kts-podman-containers.conf}
[ -s "$CONTAINERS_CONF" ] || printf '[containers]\ndefault_ulimits = []\n' > "$CONTAINERS_CONF"

pm() {
  if command -v runc >/dev/null 2>&1; then
    podman --runtime runc --cgroup-manager cgroupfs "$@"
  else
    podman --cgroup-manager cgroupfs "$@"
  fi
}

ensure_node_base() {
  local tag=${1:-docker.io/library/node:20-bookworm-slim} root=/tmp/kts-podman-nodebase
  pm image exists "$tag" && return 0
  pm pull -q "$tag" >/dev/null 2>&1 && return 0
  echo "ensure_node_base: no registry for $tag; building a local stand-in" >&2
  command -v debootstrap >/dev/null 2>&1 || { echo "ensure_node_base: debootstrap is not installed" >&2; return 1; }
  command -v node >/dev/null 2>&1 || { echo "ensure_node_base: node is not installed" >&2; return 1; }
  if [ ! -x "$root/usr/local/bin/node" ]; then
    rm -rf "$root"
    local mirror
    mirror=$(grep -h '^URIs' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
    debootstrap --variant=minbase bookworm "$root" ${mirror:+"$mirror"} >/tmp/kts-podman-debootstrap.log 2>&1 \
      || { echo "ensure_node_base: debootstrap failed, see /tmp/kts-podman-debootstrap.log" >&2; return 1; }
    # What Debian's bookworm-slim leaves out.
    rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
      "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
    # What the node image adds: Node and npm under /usr/local, a node user.
    cp "$(readlink -f "$(command -v node)")" "$root/usr/local/bin/node"
    mkdir -p "$root/usr/local/lib"
    cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/../.." "$root/usr/local/lib/node_modules" 2>/dev/null \
      || cp -a /usr/lib/node_modules "$root/usr/local/lib/"
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
    chroot "$root" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
    mkdir -p "$root/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  fi
  tar -C "$root" -c . | pm import --change 'CMD ["node"]' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' - "$tag" >/dev/null
}
