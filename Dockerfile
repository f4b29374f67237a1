# Midge's container image. Build: `docker build -t midge .`; run: `docker run -p 1883:1883 -p 9001:9001 midge`.
# The build steps live in packaging/build-image.sh, which the test suite also runs (no container engine needed).

# Build stage: every dependency (compilers for better-sqlite3 are in this image), compile, then prune to
# production dependencies.
FROM node:24-bookworm AS build
WORKDIR /src
COPY . .
RUN bash packaging/build-image.sh /src /opt/midge

# Runtime stage: the same Node and Debian release (better-sqlite3's binary was built for them), no compilers,
# no dev dependencies, an unprivileged user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
RUN groupadd --system midge \
  && useradd --system --gid midge --home-dir /var/lib/midge --shell /usr/sbin/nologin midge \
  && install -d -o midge -g midge -m 0750 /var/lib/midge \
  && install -d -m 0755 /etc/midge
COPY --from=build /opt/midge /opt/midge
COPY packaging/container.conf /etc/midge/midge.conf
RUN ln -s /opt/midge/bin/midge /usr/local/bin/midge
USER midge
WORKDIR /var/lib/midge
VOLUME ["/var/lib/midge", "/etc/midge"]
# MQTT, MQTT over TLS (once configured), MQTT over WebSocket, HTTP API.
EXPOSE 1883 8883 9001 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "/opt/midge/healthcheck.mjs"]
# Node is PID 1: midge handles SIGTERM itself (closes clients, MQTT 5 ones with DISCONNECT 0x8B, flushes the
# store, exits 0) and starts no child processes, so no init is needed to reap zombies.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/opt/midge/dist/cli/main.js"]
CMD ["-c", "/etc/midge/midge.conf"]
