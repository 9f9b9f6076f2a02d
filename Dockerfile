# syntax=docker/dockerfile:1
#
# gitlab-syslog container image: the same static binary as the .deb and .rpm
# (CGO_ENABLED=0, -trimpath, version and revision stamped), on distroless
# static (CA certificates and tzdata, no shell, no package manager), running
# as the non-root user 65532 with the state directory as a volume.
#
#   docker build --build-arg VERSION=v1.2.3 --build-arg REVISION="$(git rev-parse HEAD)" \
#       --build-arg REVISION_TIME="$(git log -1 --format=%cI)" -t gitlab-syslog .
#   podman build --build-arg VERSION=v1.2.3 --build-arg REVISION="$(git rev-parse HEAD)" -t gitlab-syslog .
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg VERSION=v1.2.3 ... -t REGISTRY/gitlab-syslog --push .
#
# internal/release/dockerfile_test.go checks this file's contract, and runs
# the binary the way the image does (uid 65532, read-only root filesystem,
# only the state directory writable).

ARG GO_VERSION=1.26

# The builder runs on the build machine's platform and cross-compiles for the
# image's (docker buildx build --platform linux/amd64,linux/arm64 ...).
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
ARG VERSION=dev
ARG REVISION=unknown
ARG REVISION_TIME=
ARG TARGETOS=linux
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The same flags as the release tool (internal/release/build.go).
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -buildvcs=false \
        -ldflags "-s -w -X main.version=${VERSION} -X main.revision=${REVISION} -X main.revisionTime=${REVISION_TIME}" \
        -o /out/gitlab-syslog ./cmd/gitlab-syslog \
    && install -d -o 65532 -g 65532 -m 0750 /out/state

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="gitlab-syslog" \
      org.opencontainers.image.description="Forward GitLab's audit, application, access and auth logs to a SIEM as RFC 5424 syslog" \
      org.opencontainers.image.url="https://github.com/gitlab-syslog/gitlab-syslog" \
      org.opencontainers.image.source="https://github.com/gitlab-syslog/gitlab-syslog" \
      org.opencontainers.image.documentation="https://github.com/gitlab-syslog/gitlab-syslog#container-image" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"
COPY --from=build /out/gitlab-syslog /usr/bin/gitlab-syslog
COPY examples/container.yaml /etc/gitlab-syslog/config.yaml
COPY --from=build --chown=65532:65532 /out/state /var/lib/gitlab-syslog
USER 65532:65532
VOLUME ["/var/lib/gitlab-syslog"]
EXPOSE 9469
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["/usr/bin/gitlab-syslog", "healthcheck", "--url", "http://127.0.0.1:9469/healthz"]
ENTRYPOINT ["/usr/bin/gitlab-syslog"]
CMD ["run", "--config", "/etc/gitlab-syslog/config.yaml", "--log-format", "json"]
