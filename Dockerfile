# keydb-ts-server container image.
#
#   docker build -t keydb-ts-server .
#   docker run -d -p 6379:6379 -v keydb-data:/data keydb-ts-server
#
# Three stages keep the runtime image to the Node base plus our compiled
# JavaScript and production dependencies: `build` compiles TypeScript with the
# dev dependencies, `deps` installs the production dependencies alone from the
# lockfile, and the final stage only copies files (npm never runs in it, so it
# holds no npm cache and no build tools). The layout follows the official
# redis/keydb images: uid/gid 999 `keydb`, WORKDIR and VOLUME /data, config at
# /etc/keydb/keydb.conf, an entrypoint that drops root (docker/docker-entrypoint.sh).
# Unlike them it ships a HEALTHCHECK, since a Node image has no redis-cli.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json && find dist -name '*.map' -delete
COPY bin ./bin
COPY conf ./conf
COPY docker ./docker
# /app is the tree the runtime stage copies as /opt/keydb-ts-server; modes are
# set here so a checkout without exec bits still yields runnable scripts.
RUN mkdir -p /app/docker \
 && cp -a package.json bin dist /app/ \
 && cp docker/docker-entrypoint.sh docker/healthcheck.js /app/docker/ \
 && chmod 755 /app/bin/keydb-ts-server /app/docker/docker-entrypoint.sh /app/docker/healthcheck.js \
 && sh docker/container-conf.sh < conf/keydb.conf > /keydb.conf

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
# Fixed ids first, as the official images do, so /data keeps its owner across rebuilds.
RUN groupadd --system --gid 999 keydb \
 && useradd --system --uid 999 --gid keydb --home-dir /data --no-create-home --shell /usr/sbin/nologin keydb \
 && mkdir /data /etc/keydb \
 && chown keydb:keydb /data /etc/keydb
ENV NODE_ENV=production
COPY --from=deps /app/node_modules /opt/keydb-ts-server/node_modules
COPY --from=build /app /opt/keydb-ts-server
# Owned by keydb so CONFIG REWRITE can replace the file (it renames a sibling).
COPY --from=build --chown=keydb:keydb /keydb.conf /etc/keydb/keydb.conf
RUN ln -s /opt/keydb-ts-server/bin/keydb-ts-server /usr/local/bin/keydb-ts-server \
 && ln -s /opt/keydb-ts-server/docker/healthcheck.js /usr/local/bin/keydb-ts-healthcheck \
 && ln -sf /opt/keydb-ts-server/docker/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh

VOLUME /data
WORKDIR /data
EXPOSE 6379
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 CMD ["keydb-ts-healthcheck"]
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["keydb-ts-server", "/etc/keydb/keydb.conf"]
