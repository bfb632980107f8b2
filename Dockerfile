# Parley in a container (issue 11): Debian 12 slim, multi-stage, non-root.
#   docker build -t parley .
#   docker run --rm -p 8080:8080 -p 8081:8081 -v parley-data:/var/lib/parley parley
# Not built by `make test`: this machine has no working container runtime (see
# docs/operations.md).
FROM debian:12-slim AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
      libssl-dev libsqlite3-dev libspdlog-dev libcli11-dev libgtest-dev zlib1g-dev \
      libpq-dev libhiredis-dev liburing-dev dpkg-dev file \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt parley.example.toml README.md ./
COPY src src
COPY tools tools
COPY tests tests
COPY docs docs
COPY packaging packaging
# The Debian package is what gets installed below: the image runs exactly what `make deb` ships.
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    && cmake --build build --target parleyd \
    && cd build && cpack -G DEB

FROM debian:12-slim
COPY --from=build /src/build/parleyd_*.deb /tmp/
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/parleyd_*.deb ca-certificates \
    && rm -rf /var/lib/apt/lists/* /tmp/parleyd_*.deb \
    && useradd --system --home-dir /var/lib/parley --shell /usr/sbin/nologin parley \
    && mkdir -p /var/lib/parley && chown parley:parley /var/lib/parley && chmod 0700 /var/lib/parley
USER parley
VOLUME /var/lib/parley
EXPOSE 8080 8081
# Both doors on every address of the container; the published ports decide who reaches them.
ENTRYPOINT ["/usr/bin/parleyd", "--config", "/etc/parley/parley.toml", "--data-dir", "/var/lib/parley", \
            "--api-listen", "0.0.0.0:8080", "--chat-listen", "0.0.0.0:8081"]
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
